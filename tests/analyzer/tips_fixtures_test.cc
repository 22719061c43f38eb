// Metrics, summary and tips on real PostgreSQL 15 output (tests/data/tips/README.md).
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "analyzer/analysis_json.h"
#include "analyzer/plan_parse.h"
#include "analyzer/summary.h"
#include "tests/analyzer/tip_testing.h"
#include "tests/result_testing.h"

namespace planbot::analyzer {
using namespace testing;  // NOLINT: test helpers

namespace {

std::vector<std::string> Codes(const std::vector<Tip>& tips) {
  std::vector<std::string> codes;
  for (const Tip& tip : tips) codes.push_back(tip.code);
  return codes;
}

using Strings = std::vector<std::string>;

}  // namespace

TEST_CASE("Every fixture's exclusive times add up to the root's time") {
  for (const char* name :
       {"seq_scan_filter", "cte_initplan", "sort_spill", "hash_spill", "hashagg_spill",
        "lossy_bitmap", "nested_loop", "misfire", "heap_fetches", "workers_short", "jit"}) {
    CAPTURE(name);
    const ExplainQuery q = Fixture(name);
    const PlanMetrics m = ComputeMetrics(q);
    double sum = 0;
    for (const NodeMetrics& n : m.nodes) sum += *n.exclusive_ms;
    CHECK(sum == doctest::Approx(*m.nodes[0].inclusive_ms).epsilon(0.001));
    CHECK(AnalysisToJson(Explain{{q}}, 8192)["queries"][0]["node_count"] == m.nodes.size());
  }
}

TEST_CASE("A CTE read by one scan and an InitPlan in its filter are not counted twice") {
  const PlanMetrics m = ComputeMetrics(Fixture("cte_initplan"));
  REQUIRE(m.nodes.size() == 9);
  CHECK(m.nodes[6].label == "CTE Scan on x a");
  CHECK(*m.nodes[6].inclusive_ms > 100);
  CHECK(*m.nodes[6].exclusive_ms < 1);   // the CTE and the InitPlan ran inside it
  CHECK(*m.nodes[0].exclusive_ms < 1);   // the Merge Join
  CHECK(*m.nodes[1].exclusive_ms > 25);  // the CTE's HashAggregate
}

TEST_CASE("Real plans get the tips a reader would expect, most valuable first") {
  CHECK(Codes(TipsFor(Fixture("seq_scan_filter"))) == Strings{"seq_scan_filter"});
  CHECK(Codes(TipsFor(Fixture("sort_spill"))) == Strings{"sort_spill", "large_result"});
  CHECK(Codes(TipsFor(Fixture("hash_spill"))) == Strings{"hash_spill"});
  CHECK(Codes(TipsFor(Fixture("hashagg_spill"))) == Strings{"hashagg_spill", "large_result"});
  CHECK(Codes(TipsFor(Fixture("lossy_bitmap"))) == Strings{"lossy_bitmap"});
  CHECK(Codes(TipsFor(Fixture("nested_loop"))) ==
        Strings{"index_filter", "nested_loop_many_loops"});
  CHECK(Codes(TipsFor(Fixture("misfire"))) == Strings{"index_filter", "row_misfire"});
  CHECK(Codes(TipsFor(Fixture("heap_fetches"))) == Strings{"heap_fetches"});
  CHECK(Codes(TipsFor(Fixture("workers_short"))) == Strings{"seq_scan_filter", "workers_short"});
  CHECK(Codes(TipsFor(Fixture("jit"))) == Strings{"jit_dominates"});
  CHECK(Codes(TipsFor(Fixture("cte_initplan"))).empty());
}

TEST_CASE("Real plans' tips name the relation, the columns and the setting to try") {
  CHECK(Contains(FindTip(TipsFor(Fixture("seq_scan_filter")), "seq_scan_filter")->message,
                 "CREATE INDEX ON orders (status, amount);"));
  CHECK(Contains(FindTip(TipsFor(Fixture("sort_spill")), "sort_spill")->message,
                 "Sort spilled 5.44 MiB to disk (external merge) because it did not fit in memory "
                 "(work_mem is 1MB). Give this query more sort memory: SET work_mem = '32MB';"));
  CHECK(Contains(FindTip(TipsFor(Fixture("sort_spill")), "sort_spill")->message,
                 "CREATE INDEX ON orders (amount, id);"));
  CHECK(Contains(FindTip(TipsFor(Fixture("hash_spill")), "hash_spill")->message,
                 "Hash of orders was split into 8 batches"));
  CHECK(Contains(FindTip(TipsFor(Fixture("hash_spill")), "hash_spill")->message,
                 "SET work_mem = '16MB';"));
  CHECK(Contains(FindTip(TipsFor(Fixture("lossy_bitmap")), "lossy_bitmap")->message,
                 "1,047 of 1,941 heap blocks were lossy"));
  CHECK(Contains(FindTip(TipsFor(Fixture("nested_loop")), "index_filter")->message,
                 "CREATE INDEX ON orders (customer_id, status);"));
  CHECK(Contains(FindTip(TipsFor(Fixture("misfire")), "row_misfire")->message,
                 "CREATE STATISTICS orders_customer_id_region_stats (mcv) ON "
                 "customer_id, region FROM orders;"));
  CHECK(Contains(FindTip(TipsFor(Fixture("heap_fetches")), "heap_fetches")->message,
                 "VACUUM orders;"));
  CHECK(Contains(FindTip(TipsFor(Fixture("workers_short")), "workers_short")->message,
                 "Gather planned 4 workers but launched 1"));
  CHECK(Contains(FindTip(TipsFor(Fixture("jit")), "jit_dominates")->message,
                 "raise jit_above_cost above the plan's cost of 2221 (e.g. 10000)"));
}

TEST_CASE("Parallel workers are counted as processes of their region") {
  const PlanMetrics m = ComputeMetrics(Fixture("workers_short"));
  CHECK(m.nodes[1].label == "Gather");
  CHECK(m.nodes[1].processes == 1);
  CHECK(m.nodes[3].label == "Parallel Seq Scan on orders");
  CHECK(m.nodes[3].processes == 2);
  CHECK(*m.nodes[3].actual_rows_total == 3000);
}

TEST_CASE("A real summary shows temporary files in blocks and bytes") {
  const std::string text = SummaryToText(ComputeSummary(Fixture("hash_spill"), 8192));
  CHECK(Contains(text, "temp read 2,316 (18.1 MiB), written 2,316 (18.1 MiB)"));
  CHECK_FALSE(Contains(text, "WAL:"));  // all zero: left out
}

}  // namespace planbot::analyzer
