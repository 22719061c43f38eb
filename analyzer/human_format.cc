#include "analyzer/human_format.h"

#include <cmath>
#include <cstdint>
#include <cstdio>

namespace planbot::analyzer {
namespace {

// Three significant digits: 1.23, 12.3, 123.
std::string ThreeSignificant(double v) {
  char buf[32];
  if (v >= 99.95) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else if (v >= 9.995) {
    std::snprintf(buf, sizeof buf, "%.1f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f", v);
  }
  return buf;
}

}  // namespace

std::string FormatBytes(double bytes) {
  static const char* const kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (!(bytes >= 0)) bytes = 0;  // negative or NaN
  // Below 1023.5 the byte count prints as at most 1023; from there on it would print as 1024.
  if (bytes < 1023.5) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f B", bytes);
    return buf;
  }
  double v = bytes / 1024;
  int unit = 0;
  // Move up while the rounded value would print as 1024 or more.
  while (v >= 1023.5 && unit < 5) {
    v /= 1024;
    ++unit;
  }
  return ThreeSignificant(v) + " " + kUnits[unit];
}

std::string FormatMillis(double ms) {
  if (!(ms > 0)) return "0 ms";
  char buf[32];
  if (ms < 0.9995) {  // above, "%.3f" would print 1.000
    std::snprintf(buf, sizeof buf, "%.3f ms", ms);
    return buf;
  }
  if (ms < 999.5) return ThreeSignificant(ms) + " ms";
  double s = ms / 1000;
  if (s < 59.95) return ThreeSignificant(s) + " s";
  double min = s / 60;
  if (min < 59.95) {
    std::snprintf(buf, sizeof buf, "%.1f min", min);
    return buf;
  }
  std::snprintf(buf, sizeof buf, "%.1f h", min / 60);
  return buf;
}

std::string FormatCount(int64_t n) {
  // The magnitude as unsigned: -INT64_MIN does not fit in int64_t.
  const uint64_t magnitude = n < 0 ? 0 - static_cast<uint64_t>(n) : static_cast<uint64_t>(n);
  std::string digits = std::to_string(magnitude);
  std::string out;
  int count = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (count > 0 && count % 3 == 0) out.insert(out.begin(), ',');
    out.insert(out.begin(), *it);
    ++count;
  }
  if (n < 0) out.insert(out.begin(), '-');
  return out;
}

}  // namespace planbot::analyzer
