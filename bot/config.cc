#include "bot/config.h"

#include <cctype>
#include <cstdint>
#include <cstdlib>

namespace planbot::bot {

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

Config DefaultConfig(const EnvLookup& env) {
  Config config;
  DatabaseConfig db;
  db.name = "default";
  db.provider = "local";
  db.local.admin_dsn = "";
  auto source = env("PGDATABASE");
  db.local.source = source && !source->empty() ? *source : "postgres";
  config.databases.push_back(db);
  return config;
}

std::optional<Millis> ParseDuration(const std::string& text) {
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
  return Millis(n * ms_per_unit);
}

}  // namespace planbot::bot
