#include "analyzer/plan_metrics.h"

#include <doctest/doctest.h>

#include "tests/analyzer/plan_builders.h"

namespace planbot::analyzer {
using testing::Node;
using testing::Query;

namespace {

double SumExclusive(const PlanMetrics& metrics) {
  double sum = 0;
  for (const NodeMetrics& m : metrics.nodes) sum += m.exclusive_ms.value_or(0);
  return sum;
}

}  // namespace

TEST_CASE("Nodes are numbered in preorder with labels, parents and depths") {
  const ExplainQuery q =
      Query(Node("Hash Join")
                .Child(Node("Seq Scan").Rel("orders", "o"))
                .Child(Node("Hash").Child(Node("Seq Scan").Rel("customers", "c"))));
  const PlanMetrics m = ComputeMetrics(q);
  REQUIRE(m.nodes.size() == 4);
  CHECK(m.nodes[0].label == "Hash Join");
  CHECK(m.nodes[1].label == "Seq Scan on orders o");
  CHECK(m.nodes[2].label == "Hash");
  CHECK(m.nodes[3].label == "Seq Scan on customers c");
  CHECK(m.nodes[3].parent == 2);
  CHECK(m.nodes[3].depth == 2);
  CHECK(m.nodes[0].children == std::vector<int>{1, 2});
}

TEST_CASE("Exclusive time subtracts the direct children and is a share of execution time") {
  const ExplainQuery q = Query(
      Node("Hash Join")
          .Act(100, 10)
          .Child(Node("Seq Scan").Rel("orders").Act(40, 1000))
          .Child(Node("Hash").Act(30, 50).Child(Node("Seq Scan").Rel("customers").Act(25, 50))),
      /*execution_ms=*/125);
  const PlanMetrics m = ComputeMetrics(q);
  CHECK(*m.nodes[0].exclusive_ms == doctest::Approx(30));
  CHECK(*m.nodes[1].exclusive_ms == doctest::Approx(40));
  CHECK(*m.nodes[2].exclusive_ms == doctest::Approx(5));
  CHECK(*m.nodes[3].exclusive_ms == doctest::Approx(25));
  CHECK(*m.total_ms == doctest::Approx(125));
  CHECK(*m.nodes[1].exclusive_percent == doctest::Approx(32));
}

TEST_CASE("Loops multiply per-loop time and rows; exclusive time never goes below zero") {
  const ExplainQuery q = Query(
      Node("Nested Loop")
          .Act(45, 10000)
          .Child(Node("Seq Scan").Rel("orders").Act(10, 10000))
          .Child(Node("Index Scan").Index("items_pkey").Rel("items").Est(1).Act(0.004, 1, 10000)));
  const PlanMetrics m = ComputeMetrics(q);
  CHECK(*m.nodes[2].inclusive_ms == doctest::Approx(40));
  CHECK(*m.nodes[2].actual_rows_total == doctest::Approx(10000));
  CHECK(*m.nodes[2].planned_rows_total == doctest::Approx(10000));
  CHECK(*m.nodes[0].exclusive_ms == 0);       // 45 - 10 - 40 is clamped
  CHECK(*m.total_ms == doctest::Approx(45));  // no Execution Time: the root's time
}

TEST_CASE("Parallel regions count wall-clock time, not the sum over processes") {
  // From a PostgreSQL 15 EXPLAIN (ANALYZE, VERBOSE): one worker plus the leader.
  PlanNode scan = Node("Seq Scan").Rel("orders").Act(18.407, 1147, 2).Set([](PlanNode& n) {
    n.parallel_aware = true;
  });
  PlanNode agg = Node("Aggregate").Act(18.485, 1, 2).Child(scan);
  PlanNode gather = Node("Gather").Act(36.134, 2).Child(agg).Set([](PlanNode& n) {
    n.workers_planned = 1;
    n.workers_launched = 1;
  });
  SUBCASE("without per-worker figures: the average process") {
    const PlanMetrics m = ComputeMetrics(Query(gather, 36.18));
    CHECK(m.nodes[1].processes == 2);
    CHECK(m.nodes[0].processes == 1);
    CHECK(*m.nodes[1].inclusive_ms == doctest::Approx(18.485));
    CHECK(*m.nodes[0].exclusive_ms == doctest::Approx(36.134 - 18.485));
    CHECK(*m.nodes[2].actual_rows_total == doctest::Approx(2294));  // rows count every process
  }
  SUBCASE("with per-worker figures: the busiest process (here the leader)") {
    auto worker = [](double ms, double rows) {
      Worker w;
      w.actual.total_ms = testing::N(ms, 3);
      w.actual.rows = testing::N(rows);
      w.actual.loops = testing::N(1);
      return w;
    };
    gather.children[0].workers.push_back(worker(9.349, 1));
    gather.children[0].children[0].workers.push_back(worker(9.296, 415));
    const PlanMetrics m = ComputeMetrics(Query(gather, 36.18));
    CHECK(*m.nodes[1].inclusive_ms == doctest::Approx(36.97 - 9.349));
    CHECK(*m.nodes[2].inclusive_ms == doctest::Approx(36.814 - 9.296));
    CHECK(*m.nodes[0].exclusive_ms == doctest::Approx(36.134 - 27.621));
    CHECK(SumExclusive(m) == doctest::Approx(36.134));
  }
}

TEST_CASE("A Gather whose leader does not participate runs the region on the workers only") {
  const PlanNode gather = Node("Gather")
                              .Act(30, 3)
                              .Set([](PlanNode& n) {
                                n.workers_planned = 2;
                                n.workers_launched = 2;
                              })
                              .Child(Node("Seq Scan").Rel("t").Act(25, 1, 2));
  const PlanMetrics m = ComputeMetrics(Query(gather));
  CHECK(m.nodes[1].processes == 2);
  CHECK(*m.nodes[1].inclusive_ms == doctest::Approx(25));
}

TEST_CASE("A node that fewer processes ran is divided by its loops, not the region's size") {
  const PlanNode gather = Node("Gather")
                              .Act(30, 3)
                              .Set([](PlanNode& n) {
                                n.workers_planned = 2;
                                n.workers_launched = 2;
                              })
                              .Child(Node("Append")
                                         .Act(20, 1, 3)
                                         .Set([](PlanNode& n) { n.parallel_aware = true; })
                                         .Child(Node("Seq Scan").Rel("p1").Act(12, 1, 1))
                                         .Child(Node("Seq Scan").Rel("p2").Act(9, 1, 2)));
  const PlanMetrics m = ComputeMetrics(Query(gather));
  CHECK(m.nodes[1].label == "Parallel Append");
  CHECK(*m.nodes[2].inclusive_ms == doctest::Approx(12));
  CHECK(*m.nodes[3].inclusive_ms == doctest::Approx(9));
  CHECK(*m.nodes[1].exclusive_ms == 0);  // 20 - 12 - 9, clamped
}

TEST_CASE("CTEs and InitPlans are subtracted where their time was spent, once") {
  // PostgreSQL 15: WITH x AS MATERIALIZED (...) SELECT ... FROM x a JOIN x b ...
  //   WHERE a.c > (SELECT avg(amount) FROM orders)
  const PlanNode plan =
      Node("Merge Join")
          .Act(158.052, 999)
          .Child(Node("Aggregate")
                     .As("InitPlan", "CTE x")
                     .Act(91.222, 1000)
                     .Child(Node("Seq Scan").Rel("orders").Act(41.614, 300000)))
          .Child(Node("Aggregate")
                     .As("InitPlan", "InitPlan 2 (returns $1)")
                     .Act(65.258, 1)
                     .Child(Node("Seq Scan").Rel("orders").Act(36.546, 300000)))
          .Child(Node("Sort")
                     .As("Outer")
                     .Act(157.236, 1000)
                     .Child(Node("CTE Scan")
                                .Act(156.837, 1000)
                                .Filter("((c)::numeric > $1)", 0)
                                .Set([](PlanNode& n) {
                                  n.cte_name = "x";
                                  n.alias = "a";
                                })))
          .Child(Node("Sort")
                     .As("Inner")
                     .Act(0.551, 1000)
                     .Child(Node("CTE Scan").Act(0.063, 1000).Set([](PlanNode& n) {
                       n.cte_name = "x";
                       n.alias = "b";
                     })));
  const PlanMetrics m = ComputeMetrics(Query(plan, 158.662));
  REQUIRE(m.nodes.size() == 9);
  CHECK(m.nodes[6].label == "CTE Scan on x a");
  CHECK(*m.nodes[0].exclusive_ms == doctest::Approx(158.052 - 157.236 - 0.551));
  CHECK(*m.nodes[1].exclusive_ms == doctest::Approx(91.222 - 41.614));
  CHECK(*m.nodes[6].exclusive_ms == doctest::Approx(156.837 - 91.222 - 65.258));
  CHECK(*m.nodes[8].exclusive_ms == doctest::Approx(0.063));
  CHECK(SumExclusive(m) == doctest::Approx(158.052));
}

TEST_CASE("An InitPlan is charged to the node that evaluates its parameter") {
  // PostgreSQL attaches the InitPlan to the top node of its query level (here the Limit), but
  // its time is inside the Seq Scan whose filter first needs the value.
  const auto plan = [](const char* initplan, const char* filter) {
    return Node("Limit")
        .Act(60, 10)
        .Child(Node("Result").As("InitPlan", initplan).Act(20, 1))
        .Child(Node("Seq Scan").Rel("orders").Act(50, 10).Filter(filter, 100))
        .Build();
  };
  SUBCASE("PostgreSQL 17+ references") {
    const PlanMetrics m = ComputeMetrics(Query(plan("InitPlan 1", "(amount > (InitPlan 1).col1)")));
    CHECK(*m.nodes[2].exclusive_ms == doctest::Approx(30));
    CHECK(*m.nodes[0].exclusive_ms == doctest::Approx(10));
  }
  SUBCASE("PostgreSQL 16 and older parameters") {
    const PlanMetrics m = ComputeMetrics(Query(plan("InitPlan 1 (returns $0)", "(amount > $0)")));
    CHECK(*m.nodes[2].exclusive_ms == doctest::Approx(30));
    CHECK(*m.nodes[0].exclusive_ms == doctest::Approx(10));
  }
  SUBCASE("$1 is not $10") {
    const PlanMetrics m = ComputeMetrics(Query(plan("InitPlan 1 (returns $1)", "(amount > $10)")));
    CHECK(*m.nodes[2].exclusive_ms == doctest::Approx(50));
    CHECK(*m.nodes[0].exclusive_ms == 0);  // 60 - 50 - 20, charged to the Limit, clamped
  }
}

TEST_CASE("Exclusive buffers subtract the children's counters, clamped at zero") {
  const PlanMetrics m = ComputeMetrics(Query(
      Node("Sort").Shared(120, 30).Temp(50, 50).Child(Node("Seq Scan").Rel("t").Shared(100, 40))));
  REQUIRE(m.nodes[0].exclusive_buffers);
  CHECK(m.nodes[0].exclusive_buffers->shared_hit == 20);
  CHECK(m.nodes[0].exclusive_buffers->shared_read == 0);
  CHECK(m.nodes[0].exclusive_buffers->temp_written == 50);
  CHECK(m.nodes[1].exclusive_buffers->shared_read == 40);
}

TEST_CASE("Misfire compares rows per loop, floors both at one and names the direction") {
  auto misfire = [](double planned, double actual, double loops) {
    const PlanMetrics m =
        ComputeMetrics(Query(Node("Seq Scan").Rel("t").Est(planned).Act(1, actual, loops)));
    return m.nodes[0].misfire;
  };
  CHECK(misfire(100, 12000, 1)->factor == doctest::Approx(120));
  CHECK(misfire(100, 12000, 1)->direction == MisfireDirection::kUnder);
  CHECK(misfire(5000, 50, 1)->direction == MisfireDirection::kOver);
  CHECK(misfire(5000, 50, 1)->factor == doctest::Approx(100));
  CHECK(misfire(1, 0, 1)->direction == MisfireDirection::kNone);  // 0 counts as 1
  CHECK(misfire(10, 0, 1)->factor == doctest::Approx(10));
  CHECK(misfire(1, 1, 10000)->factor == doctest::Approx(1));  // per loop, not per run
  CHECK_FALSE(misfire(10, 0, 0));                             // never executed
  CHECK(std::string(MisfireDirectionName(MisfireDirection::kUnder)) == "under");
}

TEST_CASE("A plan without ANALYZE or with TIMING OFF has the figures it can have") {
  PlanMetrics m = ComputeMetrics(Query(Node("Seq Scan").Rel("t").Est(500)));
  CHECK_FALSE(m.nodes[0].executed);
  CHECK_FALSE(m.nodes[0].inclusive_ms);
  CHECK_FALSE(m.nodes[0].exclusive_ms);
  CHECK_FALSE(m.nodes[0].misfire);
  CHECK_FALSE(m.nodes[0].exclusive_buffers);
  CHECK(*m.nodes[0].planned_rows_total == 500);
  CHECK_FALSE(m.total_ms);

  m = ComputeMetrics(Query(Node("Seq Scan").Rel("t").Est(500).Counted(20000), 10));
  CHECK(m.nodes[0].executed);
  CHECK(*m.nodes[0].actual_rows_total == 20000);
  CHECK_FALSE(m.nodes[0].exclusive_ms);
  CHECK(m.nodes[0].misfire->factor == doctest::Approx(40));
}

}  // namespace planbot::analyzer
