// row_misfire and nested_loop_many_loops: plans built on wrong row estimates.
#include <doctest/doctest.h>

#include "tests/analyzer/tip_testing.h"

namespace planbot::analyzer {
using namespace testing;  // NOLINT: test helpers

namespace {

// A Hash Join whose outer scan of orders returns `actual` rows where `planned` were expected.
ExplainQuery Join(double planned, double actual, const char* filter) {
  return Query(Node("Hash Join")
                   .Est(planned)
                   .Act(500, actual)
                   .Set([](PlanNode& n) { n.hash_cond = "(o.customer_id = c.id)"; })
                   .Child(Node("Seq Scan")
                              .Rel("orders", "o")
                              .Est(planned)
                              .Act(100, actual)
                              .Filter(filter, 1000))
                   .Child(Node("Hash").Est(1000).Act(5, 1000).Child(
                       Node("Seq Scan").Rel("customers", "c").Est(1000).Act(4, 1000))),
               510);
}

}  // namespace

TEST_CASE("row_misfire at a scan suggests extended statistics for correlated filter columns") {
  const std::vector<Tip> tips =
      TipsFor(Join(100, 12000, "((status = 'new'::text) AND (region = 'eu'::text))"));
  const std::optional<Tip> tip = FindTip(tips, "row_misfire");  // the join inherits it: one tip
  REQUIRE(tip);
  CHECK(tip->node == 1);
  CHECK(tip->message ==
        "Row estimate off by 120x at Seq Scan on orders o: planned 100 rows, got 12,000 "
        "(underestimate). Run ANALYZE orders; If it stays off and status, region are correlated, "
        "create extended statistics: CREATE STATISTICS orders_status_region_stats (dependencies, "
        "mcv) ON status, region FROM orders; ANALYZE orders; or raise their statistics target "
        "(ALTER TABLE orders ALTER COLUMN status SET STATISTICS 1000;).");
  CHECK(tip->saving_ms == doctest::Approx(0.5 * (500 - 100)));
}

TEST_CASE("row_misfire on one filtered column raises its statistics target") {
  const std::optional<Tip> tip =
      FindTip(TipsFor(Join(50000, 400, "(status = 'new'::text)")), "row_misfire");
  REQUIRE(tip);
  CHECK(Contains(tip->message, "planned 50,000 rows, got 400 (overestimate)"));
  CHECK(Contains(tip->message,
                 "ALTER TABLE orders ALTER COLUMN status SET STATISTICS 1000; "
                 "ANALYZE orders;"));
}

TEST_CASE("row_misfire stays quiet below a factor of 10 or 1,000 rows") {
  CHECK_FALSE(FindTip(TipsFor(Join(1000, 9900, "(status = 'new'::text)")), "row_misfire"));
  CHECK_FALSE(FindTip(TipsFor(Join(99, 990, "(status = 'new'::text)")), "row_misfire"));
  CHECK(FindTip(TipsFor(Join(100, 1000, "(status = 'new'::text)")), "row_misfire").has_value());
}

TEST_CASE("row_misfire at a join names the condition and the tables") {
  const ExplainQuery q =
      Query(Node("Hash Join")
                .Est(10)
                .Act(300, 5000)
                .Set([](PlanNode& n) { n.hash_cond = "(o.customer_id = c.id)"; })
                .Child(Node("Seq Scan").Rel("orders", "o").Est(5000).Act(100, 5000))
                .Child(Node("Hash").Est(1000).Act(5, 1000).Child(
                    Node("Seq Scan").Rel("customers", "c").Est(1000).Act(4, 1000))));
  const std::optional<Tip> tip = FindTip(TipsFor(q), "row_misfire");
  REQUIRE(tip);
  CHECK(tip->node == 0);
  CHECK(
      Contains(tip->message, "Row estimate off by 500x at Hash Join: planned 10 rows, got 5,000"));
  CHECK(Contains(tip->message, "Run ANALYZE on orders, customers."));
  CHECK(Contains(tip->message, "the join condition (o.customer_id = c.id)"));
}

TEST_CASE("row_misfire ignores overestimates where execution stops early") {
  const ExplainQuery q = Query(Node("Limit").Est(10).Act(1, 10).Child(
      Node("Seq Scan").Rel("orders").Est(300000).Act(1, 10)));
  CHECK_FALSE(FindTip(TipsFor(q), "row_misfire"));
}

TEST_CASE("row_misfire reports a misfire per loop over many loops") {
  const ExplainQuery q =
      Query(Node("Nested Loop")
                .Est(1000)
                .Act(200, 50000)
                .Child(Node("Seq Scan").Rel("orders", "o").Est(1000).Act(20, 1000))
                .Child(Node("Index Scan")
                           .Index("items_order_idx")
                           .Rel("items", "i")
                           .Est(1)
                           .Act(0.15, 50, 1000)));
  const std::vector<Tip> tips = TipsFor(q);
  const std::optional<Tip> tip = FindTip(tips, "row_misfire");
  REQUIRE(tip);
  CHECK(tip->node == 2);
  CHECK(Contains(tip->message, "planned 1 row, got 50 per loop over 1,000 loops"));
}

namespace {

ExplainQuery Loop(double loops) {
  const double inner_ms = 850 / loops;
  return Query(Node("Nested Loop")
                   .Est(20)
                   .Act(900, loops * 2)
                   .Child(Node("Seq Scan").Rel("orders", "o").Est(10).Act(5, loops))
                   .Child(Node("Seq Scan")
                              .Rel("items", "i")
                              .Est(2)
                              .Act(inner_ms, 2, loops)
                              .Filter("(order_id = o.id)", 500)),
               900);
}

}  // namespace

TEST_CASE("nested_loop_many_loops names the inner relation and the index it needs") {
  const std::optional<Tip> tip = FindTip(TipsFor(Loop(5000)), "nested_loop_many_loops");
  REQUIRE(tip);
  CHECK(tip->message ==
        "Nested Loop ran its inner side (Seq Scan on items i) 5,000 times, 850 ms in total. Each "
        "loop scans items sequentially: CREATE INDEX ON items (order_id); makes every loop an "
        "index lookup. The planner expected only 10 outer rows (got 5,000): fix that estimate "
        "(ANALYZE, statistics) and it can choose a Hash Join. To compare, run it with SET "
        "enable_nestloop = off.");
  CHECK(tip->severity == Severity::kHigh);
  CHECK_FALSE(FindTip(TipsFor(Loop(999)), "nested_loop_many_loops"));
  CHECK(FindTip(TipsFor(Loop(1000)), "nested_loop_many_loops").has_value());
}

TEST_CASE("nested_loop_many_loops needs the inner side to matter") {
  ExplainQuery q = Loop(5000);
  q.plan.children[1].actual.total_ms = N(0.017, 3);  // 85 ms of 900: under 10%
  CHECK_FALSE(FindTip(TipsFor(q), "nested_loop_many_loops"));
}

}  // namespace planbot::analyzer
