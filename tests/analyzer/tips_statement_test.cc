// large_result, planning_dominates, jit_dominates, workers_short.
#include <doctest/doctest.h>

#include "tests/analyzer/tip_testing.h"

namespace planbot::analyzer {
using namespace testing;  // NOLINT: test helpers

TEST_CASE("large_result fires from 10,000 rows without a Limit") {
  const auto rows = [](double n) { return Query(Node("Seq Scan").Rel("t").Est(n).Act(5, n), 6); };
  const std::optional<Tip> tip = FindTip(TipsFor(rows(1234567)), "large_result");
  REQUIRE(tip);
  CHECK(tip->message ==
        "The statement returned 1,234,567 rows. If the client shows or uses only some of them, "
        "add LIMIT with keyset pagination (WHERE id > last_seen_id ORDER BY id LIMIT 100); if it "
        "summarizes them, aggregate in SQL (GROUP BY, count, sum) so the rows never leave the "
        "server.");
  CHECK(tip->severity == Severity::kMedium);
  CHECK(tip->node == 0);
  CHECK(FindTip(TipsFor(rows(10000)), "large_result").has_value());
  CHECK_FALSE(FindTip(TipsFor(rows(9999)), "large_result"));
  const ExplainQuery limited =
      Query(Node("Sort").Act(5, 20000).Child(
                Node("Limit").Act(4, 20000).Child(Node("Seq Scan").Rel("t").Act(3, 20000))),
            6);
  CHECK_FALSE(FindTip(TipsFor(limited), "large_result"));
}

TEST_CASE("planning_dominates fires when planning outlasts execution beyond 10 ms") {
  const auto run = [](double planning, double execution) {
    return TipsFor(Query(Node("Result").Act(execution, 1), execution, planning));
  };
  const std::optional<Tip> tip = FindTip(run(45.6, 12.3), "planning_dominates");
  REQUIRE(tip);
  CHECK_FALSE(tip->node);
  CHECK(tip->node_label.empty());
  CHECK(Contains(tip->message, "Planning took 45.6 ms, more than execution (12.3 ms)."));
  CHECK(Contains(tip->message, "prepared statements"));
  CHECK(tip->severity == Severity::kHigh);
  CHECK_FALSE(FindTip(run(9.9, 1), "planning_dominates"));
  CHECK_FALSE(FindTip(run(12, 12.3), "planning_dominates"));
  CHECK(FindTip(run(10, 1), "planning_dominates").has_value());
}

TEST_CASE("planning_dominates points at many partitions") {
  Node append("Append");
  append.Act(2, 0);
  for (int i = 0; i < 60; ++i)
    append.Child(Node("Seq Scan").Rel("p" + std::to_string(i)).Act(0, 0));
  const std::optional<Tip> tip = FindTip(TipsFor(Query(append, 3, 80)), "planning_dominates");
  REQUIRE(tip);
  CHECK(Contains(tip->message, "The plan appends 60 partitions or branches"));
}

namespace {

ExplainQuery JitPlan(double jit_ms, double execution_ms) {
  ExplainQuery q = Query(Node("Aggregate").Est(1, 123456).Act(execution_ms, 1), execution_ms);
  q.jit.present = true;
  q.jit.functions = 24;
  q.jit.inlining = false;
  q.jit.optimization = true;
  q.jit.has_timing = true;
  q.jit.total = N(jit_ms, 3);
  return q;
}

}  // namespace

TEST_CASE("jit_dominates suggests jit = off or a jit_above_cost above the plan's cost") {
  const std::optional<Tip> tip = FindTip(TipsFor(JitPlan(1234, 1800)), "jit_dominates");
  REQUIRE(tip);
  CHECK(tip->message ==
        "JIT compilation took 1.23 s of the 1.80 s execution (69%, 24 functions). Turn it off for "
        "this query with SET jit = off; or raise jit_above_cost above the plan's cost of 123456 "
        "(e.g. 1000000), and jit_inline_above_cost / jit_optimize_above_cost, which enabled the "
        "expensive inlining and optimization passes.");
  CHECK_FALSE(FindTip(TipsFor(JitPlan(900, 1800)), "jit_dominates"));  // exactly half
  CHECK_FALSE(FindTip(TipsFor(JitPlan(45, 60)), "jit_dominates"));     // under 50 ms
  CHECK(FindTip(TipsFor(JitPlan(50, 60)), "jit_dominates").has_value());
}

namespace {

ExplainQuery GatherPlan(int64_t planned, int64_t launched) {
  return Query(Node("Gather")
                   .Act(400, 100)
                   .Set([&](PlanNode& n) {
                     n.workers_planned = planned;
                     n.workers_launched = launched;
                   })
                   .Child(Node("Seq Scan").Rel("orders").Act(390, 50, launched + 1)),
               410);
}

}  // namespace

TEST_CASE("workers_short fires when fewer workers launched than planned") {
  const std::optional<Tip> tip = FindTip(TipsFor(GatherPlan(4, 1)), "workers_short");
  REQUIRE(tip);
  CHECK(tip->message ==
        "Gather planned 4 workers but launched 1: no background workers were free. Raise "
        "max_parallel_workers (and max_worker_processes, which needs a restart) or run fewer "
        "parallel queries at once.");
  CHECK(tip->saving_ms == doctest::Approx(400 * (1 - 2.0 / 5)));
  CHECK(Contains(FindTip(TipsFor(GatherPlan(2, 0)), "workers_short")->message, "launched none"));
  CHECK_FALSE(FindTip(TipsFor(GatherPlan(2, 2)), "workers_short"));
}

}  // namespace planbot::analyzer
