// Analyze: one parse of the server's JSON gives everything an answer shows, and the JSON itself is
// kept byte for byte; Masked: the history's copy, constants masked, figures shared.
#include "analyzer/analysis.h"

#include <doctest/doctest.h>

#include <string>

#include "analyzer/plan_parse.h"
#include "analyzer/render_text.h"

namespace planbot::analyzer {
namespace {

// As PostgreSQL 15 prints EXPLAIN (ANALYZE, VERBOSE, FORMAT JSON): keys in its order, "0.00".
constexpr char kPlan[] = R"j([
  {
    "Plan": {
      "Node Type": "Seq Scan",
      "Parallel Aware": false,
      "Async Capable": false,
      "Relation Name": "customers",
      "Schema": "public",
      "Alias": "customers",
      "Startup Cost": 0.00,
      "Total Cost": 2041.00,
      "Plan Rows": 1,
      "Plan Width": 64,
      "Actual Startup Time": 0.015,
      "Actual Total Time": 12.500,
      "Actual Rows": 1,
      "Actual Loops": 1,
      "Output": ["id", "email"],
      "Filter": "(customers.email = 'bob@example.com'::text)",
      "Rows Removed by Filter": 99999
    },
    "Planning Time": 0.100,
    "Triggers": [
    ],
    "Execution Time": 12.600
  }
])j";

constexpr char kHypoPlan[] = R"j([{"Plan": {"Node Type": "Index Scan",
  "Index Name": "<13556>btree_orders_customer_id", "Relation Name": "orders", "Alias": "orders",
  "Startup Cost": 0.04, "Total Cost": 8.06, "Plan Rows": 1, "Plan Width": 8,
  "Index Cond": "(customer_id = 42)"}}])j";

TEST_CASE("Analyze: text, summary, metrics and tips from one parse; the JSON as given") {
  auto a = Analyze(kPlan, {150000, 8192});
  REQUIRE(a.ok());
  CHECK(a->json == kPlan);
  auto parsed = ParseExplainJson(kPlan);
  REQUIRE(parsed.ok());
  RenderOptions options;
  options.server_version_num = 150000;
  CHECK(a->text == RenderText(*parsed, options));
  CHECK(a->text.find("(cost=0.00..2041.00 rows=1 width=64)") != std::string::npos);
  CHECK(*a->summary.execution_ms == doctest::Approx(12.6));
  REQUIRE(a->metrics.nodes.size() == 1);
  CHECK(a->metrics.nodes[0].node == &a->explain->queries[0].plan);
  REQUIRE_FALSE(a->tips.empty());
  CHECK(a->tips[0].code == "seq_scan_filter");
  CHECK(a->hypothetical_indexes.empty());

  auto hypo = Analyze(kHypoPlan, {});
  REQUIRE(hypo.ok());
  CHECK(hypo->hypothetical_indexes == std::vector<std::string>{"<13556>btree_orders_customer_id"});

  CHECK(Analyze("not json", {}).error().code == "bad_json");
  CHECK(Analyze("[]", {}).error().code == "not_explain");
}

TEST_CASE("Masked: constants masked in JSON, text and tips; the figures are the same") {
  auto a = Analyze(kPlan, {150000, 8192});
  REQUIRE(a.ok());
  auto m = Masked(*a);
  REQUIRE(m.ok());
  for (const std::string* s : {&m->json, &m->text}) {
    CHECK(s->find("bob@example.com") == std::string::npos);
  }
  CHECK(m->text.find("Filter: (customers.email = $1::text)") != std::string::npos);
  for (const Tip& tip : m->tips) CHECK(tip.message.find("bob@") == std::string::npos);
  CHECK(m->summary.execution_ms == a->summary.execution_ms);
  // The metrics are the original's, pointing into the masked model.
  REQUIRE(m->metrics.nodes.size() == 1);
  CHECK(m->metrics.nodes[0].node == &m->explain->queries[0].plan);
  CHECK(m->metrics.nodes[0].exclusive_ms == a->metrics.nodes[0].exclusive_ms);
  // What is stored reads back as what Masked() gave.
  auto stored = Analyze(m->json, {150000, 8192});
  REQUIRE(stored.ok());
  CHECK(stored->text == m->text);
  CHECK(TipsToJson(stored->tips) == TipsToJson(m->tips));
}

}  // namespace
}  // namespace planbot::analyzer
