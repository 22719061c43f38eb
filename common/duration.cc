#include "common/duration.h"

#include <cctype>

namespace planbot {

std::optional<std::chrono::milliseconds> ParseDuration(const std::string& text) {
  size_t i = 0;
  int64_t n = 0;
  for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
    n = n * 10 + (text[i] - '0');
    // Past the cap in any unit: stop before the multiplication below can overflow.
    if (n > kMaxDurationMs) return std::nullopt;
  }
  if (i == 0) return std::nullopt;
  const std::string unit = text.substr(i);
  int64_t ms_per_unit;
  if (unit == "ms") {
    ms_per_unit = 1;
  } else if (unit.empty() || unit == "s") {
    ms_per_unit = 1000;
  } else if (unit == "m" || unit == "min") {
    ms_per_unit = 60 * 1000;
  } else if (unit == "h") {
    ms_per_unit = 3600 * 1000;
  } else if (unit == "d") {
    ms_per_unit = 24LL * 3600 * 1000;
  } else {
    return std::nullopt;
  }
  if (n > kMaxDurationMs / ms_per_unit) return std::nullopt;
  return std::chrono::milliseconds(n * ms_per_unit);
}

std::string FormatDuration(std::chrono::milliseconds value) {
  const int64_t ms = value.count();
  struct Unit {
    int64_t ms;
    const char* suffix;
  };
  for (const Unit& unit : {Unit{24LL * 3600 * 1000, "d"}, Unit{3600 * 1000, "h"},
                           Unit{60 * 1000, "m"}, Unit{1000, "s"}}) {
    if (ms != 0 && ms % unit.ms == 0) return std::to_string(ms / unit.ms) + unit.suffix;
  }
  return ms == 0 ? "0s" : std::to_string(ms) + "ms";
}

}  // namespace planbot
