// The EXPLAIN JSON reader: what it accepts, what it keeps, and how it refuses bad input.
#include "analyzer/plan_parse.h"

#include <doctest/doctest.h>

#include <string>

#include "analyzer/render_text.h"

using planbot::analyzer::ParseExplainJson;

namespace {

const char* kPlan = R"json([
  {
    "Plan": {
      "Node Type": "Seq Scan",
      "Parallel Aware": false,
      "Relation Name": "orders",
      "Alias": "o",
      "Startup Cost": 0.00,
      "Total Cost": 1234.50,
      "Plan Rows": 1000,
      "Plan Width": 12,
      "Actual Rows": 998,
      "Actual Loops": 1,
      "Filter": "(amount > '400'::numeric)",
      "Rows Removed by Filter": 9002,
      "Remote SQL": "SELECT 1",
      "Some Group": {"a": [1, 2.50, "x"], "b": null},
      "Shared Hit Blocks": 10,
      "Temp Read Blocks": 3
    },
    "Settings": {"work_mem": "64MB", "enable_seqscan": "off"},
    "Planning Time": 0.125,
    "Triggers": [],
    "Execution Time": 12.340
  }
])json";

}  // namespace

TEST_CASE("a plan is read into the typed model with the digits PostgreSQL printed") {
  auto r = ParseExplainJson(kPlan);
  REQUIRE(r.ok());
  REQUIRE(r->queries.size() == 1);
  const auto& q = r->queries[0];
  const auto& n = q.plan;
  CHECK(n.node_type == "Seq Scan");
  CHECK(*n.relation_name == "orders");
  CHECK(*n.alias == "o");
  CHECK(n.startup_cost->decimals == 2);
  CHECK(n.total_cost->value == doctest::Approx(1234.5));
  CHECK(n.plan_rows->decimals == 0);
  CHECK(*n.plan_width == 12);
  CHECK(n.actual.rows->value == 998);
  CHECK_FALSE(n.actual.startup_ms.has_value());  // TIMING OFF: absent, not zero
  CHECK(*n.filter == "(amount > '400'::numeric)");
  CHECK(n.rows_removed_by_filter->value == 9002);
  CHECK(n.buffers.present);
  CHECK(n.buffers.shared_hit == 10);
  CHECK(n.buffers.temp_read == 3);
  CHECK(q.planning_time_ms->decimals == 3);
  CHECK(q.execution_time_ms->value == doctest::Approx(12.34));
  CHECK(q.has_triggers);
  CHECK(q.triggers.empty());
}

TEST_CASE("settings keep PostgreSQL's order") {
  auto r = ParseExplainJson(kPlan);
  REQUIRE(r.ok());
  const auto& s = r->queries[0].settings;
  REQUIRE(s.size() == 2);
  CHECK(s[0].first == "work_mem");
  CHECK(s[0].second == "64MB");
  CHECK(s[1].first == "enable_seqscan");
}

TEST_CASE("unknown keys are kept, scalars as printed and containers as JSON") {
  auto r = ParseExplainJson(kPlan);
  REQUIRE(r.ok());
  const auto& extra = r->queries[0].plan.extra;
  REQUIRE(extra.size() == 2);
  CHECK(extra[0].key == "Remote SQL");
  CHECK(extra[0].value == "SELECT 1");
  CHECK(extra[0].scalar);
  CHECK(extra[1].key == "Some Group");
  CHECK_FALSE(extra[1].scalar);
  CHECK(extra[1].value == R"({"a":[1,2.5,"x"],"b":null})");
}

TEST_CASE("children, workers and nested groups") {
  const char* json = R"([{"Plan": {"Node Type": "Gather", "Workers Planned": 2,
    "Workers Launched": 1, "Plans": [
      {"Node Type": "Sort", "Parent Relationship": "Outer", "Sort Key": ["a", "b DESC"],
       "Sort Method": "quicksort", "Sort Space Used": 25, "Sort Space Type": "Memory",
       "Workers": [{"Worker Number": 0, "Sort Method": "external merge",
                    "Sort Space Used": 1024, "Sort Space Type": "Disk",
                    "Shared Hit Blocks": 5}]},
      {"Node Type": "Aggregate", "Strategy": "Mixed", "Grouping Sets": [
         {"Hash Keys": [["a"], ["b", "c"]]},
         {"Sort Key": ["d"], "Group Keys": [["d"], []]}]}
    ]}}])";
  auto r = ParseExplainJson(json);
  REQUIRE(r.ok());
  const auto& g = r->queries[0].plan;
  CHECK(*g.workers_launched == 1);
  REQUIRE(g.children.size() == 2);
  const auto& sort = g.children[0];
  CHECK(sort.sort_key.size() == 2);
  CHECK(sort.sort.method == "quicksort");
  REQUIRE(sort.workers.size() == 1);
  CHECK(sort.workers[0].sort.space_type == "Disk");
  CHECK(sort.workers[0].buffers.shared_hit == 5);
  const auto& agg = g.children[1];
  REQUIRE(agg.grouping_sets.size() == 2);
  CHECK(agg.grouping_sets[0].key_label == "Hash Keys");
  CHECK(agg.grouping_sets[0].keys.size() == 2);
  CHECK(agg.grouping_sets[1].sort_key[0] == "d");
  CHECK(agg.grouping_sets[1].keys[1].empty());
}

TEST_CASE("a single query object without the surrounding array is accepted") {
  auto r = ParseExplainJson(R"({"Plan": {"Node Type": "Result"}})");
  REQUIRE(r.ok());
  CHECK(r->queries[0].plan.node_type == "Result");
}

TEST_CASE("bad input is an error with a clear code, never a crash") {
  struct Case {
    const char* input;
    const char* code;
  };
  const Case cases[] = {
      {"", "bad_json"},
      {"[{\"Plan\": ", "bad_json"},
      {"{\"Plan\": {\"Node Type\": \"Seq Scan\"}} trailing", "bad_json"},
      {"not json at all", "bad_json"},
      {"[]", "not_explain"},
      {"{}", "not_explain"},
      {"42", "not_explain"},
      {"\"text\"", "not_explain"},
      {"[1, 2, 3]", "not_explain"},
      {"[{\"Plan\": {\"Node\": 1}}]", "not_explain"},
      {"[{\"Plan\": []}]", "not_explain"},
      {"{\"QUERY PLAN\": [{\"Plan\": {\"Node Type\": \"Result\"}}]}", "not_explain"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.input);
    auto r = ParseExplainJson(c.input);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == c.code);
    CHECK_FALSE(r.error().message.empty());
  }
}

// Found by tests/fuzz/fuzz_explain_json under UBSan: a float beyond int64 in an integer field
// was cast (undefined behaviour); it is clamped now, and the plan still renders.
TEST_CASE("figures beyond the integer range are clamped, not undefined") {
  auto r = ParseExplainJson(
      R"([{"Plan": {"Node Type": "Result", "Plan Rows": 1e+308, "Plan Width": -1e+308,
          "Startup Cost": 0, "Total Cost": 1}}])");
  REQUIRE(r.ok());
  const std::string text = planbot::analyzer::RenderText(*r);
  CHECK(text.find("width=-9223372036854775808") != std::string::npos);
}

TEST_CASE("malformed JSON reports where it broke") {
  auto r = ParseExplainJson("[{\"Plan\": {\"Node Type\": \"Seq Scan\",}}]");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "bad_json");
  CHECK(r.error().position > 30);
  CHECK(r.error().message.find("malformed JSON") == 0);
}

TEST_CASE("deeply nested garbage does not overflow the stack") {
  std::string deep(100000, '[');
  auto r = ParseExplainJson(deep);
  CHECK_FALSE(r.ok());
}
