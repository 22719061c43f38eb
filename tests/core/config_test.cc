// ParseDuration, FormatDuration and core::DefaultConfig: the parts of the config structs that are
// code.
#include "core/config.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace planbot::core {
namespace {

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST_CASE("ParseDuration reads every unit") {
  CHECK(ParseDuration("250ms") == Millis(250));
  CHECK(ParseDuration("30s") == Millis(30000));
  CHECK(ParseDuration("30") == Millis(30000));  // a bare number is seconds
  CHECK(ParseDuration("5m") == Millis(5 * 60 * 1000));
  CHECK(ParseDuration("5min") == Millis(5 * 60 * 1000));
  CHECK(ParseDuration("1h") == Millis(3600 * 1000));
  CHECK(ParseDuration("30d") == Millis(30LL * 24 * 3600 * 1000));
  CHECK(ParseDuration("0s") == Millis(0));  // callers decide whether zero is allowed
  CHECK(ParseDuration("007s") == Millis(7000));
}

TEST_CASE("ParseDuration refuses malformed text") {
  for (const char* bad : {"", "s", "ms", "5x", "5 s", " 5s", "5s ", "-1s", "+1s", "1.5s", "1e3s",
                          "5S", "5sec", "1h30m", "0x10", "ten"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseDuration(bad).has_value());
  }
}

TEST_CASE("FormatDuration writes the largest exact unit, and ParseDuration reads it back") {
  CHECK(planbot::FormatDuration(Millis(250)) == "250ms");
  CHECK(planbot::FormatDuration(Millis(0)) == "0s");
  CHECK(planbot::FormatDuration(Millis(30000)) == "30s");
  CHECK(planbot::FormatDuration(Millis(90000)) == "90s");
  CHECK(planbot::FormatDuration(Millis(60000)) == "1m");
  CHECK(planbot::FormatDuration(Millis(3600 * 1000)) == "1h");
  CHECK(planbot::FormatDuration(Millis(30LL * 24 * 3600 * 1000)) == "30d");
  for (int64_t ms : {int64_t{1}, int64_t{1500}, int64_t{61000}, int64_t{7200000}, kMaxDurationMs}) {
    CAPTURE(ms);
    CHECK(ParseDuration(planbot::FormatDuration(Millis(ms))) == Millis(ms));
  }
}

TEST_CASE("ParseDuration refuses numbers too large instead of overflowing") {
  CHECK(ParseDuration("36500d") == Millis(kMaxDurationMs));
  CHECK_FALSE(ParseDuration("36501d").has_value());
  // 12 digits of days used to overflow int64 milliseconds.
  CHECK_FALSE(ParseDuration("999999999999d").has_value());
  CHECK_FALSE(ParseDuration("99999999999999999999999999s").has_value());
  CHECK_FALSE(ParseDuration("9223372036854775807ms").has_value());
  CHECK(ParseDuration("3153600000000ms") == Millis(kMaxDurationMs));
  CHECK_FALSE(ParseDuration("3153600000001ms").has_value());
}

TEST_CASE("DefaultConfig: the embedded defaults of SPEC section 5") {
  Config c = DefaultConfig(FakeEnv({}));
  CHECK(c.listen == "127.0.0.1:8080");
  CHECK(c.store == "./planbot.db");
  CHECK_FALSE(c.tls.has_value());
  CHECK(c.tokens.empty());
  CHECK_FALSE(c.slack.enabled);
  REQUIRE(c.databases.size() == 1);
  const DatabaseConfig& db = c.databases[0];
  CHECK(db.name == "default");
  CHECK(db.provider == "local");
  CHECK(db.local.admin_dsn.empty());  // the libpq environment
  CHECK(db.local.source == "postgres");
}

TEST_CASE("DefaultConfig takes the source database from PGDATABASE") {
  CHECK(DefaultConfig(FakeEnv({{"PGDATABASE", "shop"}})).databases[0].local.source == "shop");
  CHECK(DefaultConfig(FakeEnv({{"PGDATABASE", ""}})).databases[0].local.source == "postgres");
}

}  // namespace
}  // namespace planbot::core
