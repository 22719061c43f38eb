// WithholdSettings: the values a session cannot vouch for are replaced, nothing else changes.
#include "analyzer/plan_settings.h"

#include <doctest/doctest.h>

#include <string>

#include "analyzer/plan_parse.h"
#include "analyzer/render_text.h"

namespace planbot::analyzer {
namespace {

// As PostgreSQL 15 prints EXPLAIN (ANALYZE, SETTINGS, FORMAT JSON), abridged.
constexpr char kPlan[] = R"j([
  {
    "Plan": {
      "Node Type": "Result",
      "Startup Cost": 0.00,
      "Total Cost": 0.01,
      "Plan Rows": 1,
      "Plan Width": 32,
      "Output": ["set_config('search_path'::text, $0, true)"]
    },
    "Settings": {
      "search_path": "sekrit-canary, \"x\\\"y\"",
      "work_mem": "64MB"
    },
    "Planning Time": 0.050,
    "Execution Time": 0.020
  }
])j";

bool OnlyWorkMem(const std::string& name, const std::string& value) {
  return name == "work_mem" && value == "64MB";
}

TEST_CASE("values the filter rejects are withheld; every other byte stays") {
  auto out = WithholdSettings(kPlan, OnlyWorkMem);
  REQUIRE(out.ok());
  CHECK(out->find("sekrit") == std::string::npos);
  std::string expected = kPlan;
  const std::string old_value = R"("sekrit-canary, \"x\\\"y\"")";
  expected.replace(expected.find(old_value), old_value.size(), "\"(withheld)\"");
  CHECK(*out == expected);  // "0.00", indentation and key order as printed
  auto explain = ParseExplainJson(*out);
  REQUIRE(explain.ok());
  const std::string text = RenderText(*explain, RenderOptions{});
  CHECK(text.find("Settings: search_path = '(withheld)', work_mem = '64MB'") != std::string::npos);
}

TEST_CASE("the filter sees decoded names and values") {
  std::string seen;
  auto out = WithholdSettings(kPlan, [&](const std::string& name, const std::string& value) {
    seen += name + "=" + value + ";";
    return true;
  });
  REQUIRE(out.ok());
  CHECK(*out == kPlan);
  CHECK(seen == "search_path=sekrit-canary, \"x\\\"y\";work_mem=64MB;");
}

TEST_CASE("only the query's Settings object counts") {
  // A "Settings" key inside the plan tree, or a string value "Settings", is not the query's.
  const std::string doc =
      R"({"Plan": {"Node Type": "Result", "Settings": {"a": "keep"}, "X": "Settings"},)"
      R"( "Settings": {"b": "drop"}})";
  auto out = WithholdSettings(doc, [](const std::string&, const std::string&) { return false; });
  REQUIRE(out.ok());
  CHECK(out->find("\"a\": \"keep\"") != std::string::npos);
  CHECK(out->find("\"b\": \"(withheld)\"") != std::string::npos);
}

TEST_CASE("withholding every value is idempotent") {
  auto once = WithholdAllSettings(kPlan);
  REQUIRE(once.ok());
  CHECK(once->find("\"work_mem\": \"(withheld)\"") != std::string::npos);
  CHECK(once->find("sekrit") == std::string::npos);
  auto twice = WithholdAllSettings(*once);
  REQUIRE(twice.ok());
  CHECK(*twice == *once);
}

TEST_CASE("malformed documents are refused") {
  auto reject = [](const std::string&, const std::string&) { return false; };
  CHECK(WithholdSettings(R"([{"Settings": {"a": "b)", reject).error().code == "bad_json");
  CHECK(WithholdSettings(R"([{"Settings": {"a": "b"}])", reject).error().code == "bad_json");
  CHECK(WithholdSettings(R"(}{)", reject).error().code == "bad_json");
  CHECK(WithholdSettings("", reject).ok());
}

}  // namespace
}  // namespace planbot::analyzer
