// row_misfire and nested_loop_many_loops: plans built on wrong row estimates.
#include <doctest/doctest.h>

#include <functional>

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
        "Seq Scan on orders o: the row estimate is off by 120x: planned 100 rows, got 12,000 "
        "(underestimate). Run ANALYZE orders; If it stays off and status, region are correlated, "
        "create extended statistics: CREATE STATISTICS orders_status_region_stats (dependencies) "
        "ON status, region FROM orders; ANALYZE orders; or raise their statistics target "
        "(ALTER TABLE orders ALTER COLUMN status SET STATISTICS 1000;).");
  CHECK(tip->saving_ms == doctest::Approx(0.5 * (500 - 100 - 5)));  // half the join's own time
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
  CHECK(Contains(tip->message,
                 "Hash Join: the row estimate is off by 500x: planned 10 rows, got 5,000"));
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

namespace {

// The misfire advice for a scan of orders with these conditions, planned 100 and got 12,000.
std::string ScanAdviceFor(const std::function<void(PlanNode&)>& conditions,
                          const char* type = "Seq Scan") {
  const ExplainQuery q =
      Query(Node("Hash Join")
                .Est(100)
                .Act(500, 12000)
                .Child(Node(type).Rel("orders", "o").Est(100).Act(100, 12000).Set(conditions))
                .Child(Node("Hash").Est(10).Act(1, 10)),
            510);
  const std::optional<Tip> tip = FindTip(TipsFor(q), "row_misfire");
  REQUIRE(tip);
  return tip->message;
}

}  // namespace

TEST_CASE("row_misfire explains why a scan's estimate could not be better") {
  CHECK(Contains(ScanAdviceFor([](PlanNode& n) { n.filter = "(total > $0)"; }),
                 "compares with a value unknown at planning time"));
  CHECK(Contains(ScanAdviceFor([](PlanNode& n) { n.filter = "(lower(email) = 'x'::text)"; }),
                 "The planner has no statistics on lower(email): CREATE STATISTICS "
                 "orders_loweremail_stats ON "
                 "(lower(email)) FROM orders;"));
  CHECK(Contains(ScanAdviceFor([](PlanNode& n) { n.filter = "((o.id % '2'::bigint) = 0)"; }),
                 "uses expressions without statistics of their own"));
  CHECK(Contains(ScanAdviceFor([](PlanNode&) {}),
                 "Run ANALYZE orders; With no condition to misjudge, the table's own row count "
                 "estimate is out of date."));
  CHECK(Contains(
      ScanAdviceFor([](PlanNode& n) { n.index_cond = "(customer_id = c.id)"; }, "Index Scan"),
      "the number of distinct values of customer_id: raise its statistics target "
      "(ALTER TABLE orders ALTER COLUMN customer_id SET STATISTICS 1000;)"));
}

TEST_CASE("row_misfire advice for functions, CTEs and bitmap index scans") {
  const ExplainQuery fn =
      Query(Node("Nested Loop")
                .Est(100000)
                .Act(50, 200, 1)
                .Child(Node("Seq Scan").Rel("customers").Est(100).Act(1, 100))
                .Child(Node("Function Scan").Est(1000).Act(0.1, 2, 100).Set([](PlanNode& n) {
                  n.function_name = "generate_series";
                  n.alias = "g";
                })),
            51);
  const std::optional<Tip> f = FindTip(TipsFor(fn), "row_misfire");
  REQUIRE(f);
  CHECK(f->node_label == "Function Scan on generate_series g");
  CHECK(Contains(f->message, "ALTER FUNCTION ... ROWS n"));

  const ExplainQuery cte =
      Query(Node("Hash Join")
                .Est(10)
                .Act(100, 10)
                .Child(Node("Aggregate")
                           .As("InitPlan", "CTE big")
                           .Est(5000)
                           .Act(40, 40)
                           .Child(Node("Seq Scan").Rel("orders").Est(300000).Act(30, 300000)))
                .Child(Node("CTE Scan").As("Outer").Est(5000).Act(41, 40).Set([](PlanNode& n) {
                  n.cte_name = "big";
                }))
                .Child(Node("Hash").As("Inner").Est(10).Act(1, 10)),
            101);
  const std::optional<Tip> c = FindTip(TipsFor(cte), "row_misfire");
  REQUIRE(c);
  CHECK(c->node_label == "CTE Scan on big");
  CHECK(Contains(c->message, "Run ANALYZE on orders."));

  const ExplainQuery bitmap =
      Query(Node("Bitmap Heap Scan")
                .Rel("orders")
                .Est(5)
                .Act(30, 172)
                .Child(Node("Bitmap Index Scan")
                           .Index("orders_customer_idx")
                           .Est(5)
                           .Act(1, 17200)
                           .Set([](PlanNode& n) { n.index_cond = "(customer_id = 42)"; })),
            31);
  const std::optional<Tip> b = FindTip(TipsFor(bitmap), "row_misfire");
  REQUIRE(b);
  CHECK(b->node == 1);
  CHECK(Contains(b->message,
                 "Run ANALYZE orders; If it stays off, raise the statistics target "
                 "of customer_id"));
}

TEST_CASE("row_misfire ignores what a WindowAgg's run condition did not read") {
  const ExplainQuery q =
      Query(Node("WindowAgg")
                .Est(20000)
                .Act(5, 12)
                .Set([](PlanNode& n) { n.run_condition = "(row_number() OVER (?) <= 12)"; })
                .Child(Node("Sort").Est(21521).Act(4, 12).Child(
                    Node("Seq Scan").Rel("orders").Est(21521).Act(3, 21521))),
            6);
  CHECK_FALSE(FindTip(TipsFor(q), "row_misfire"));
}

TEST_CASE("nested_loop_many_loops reports how much Memoize saved") {
  ExplainQuery q = Loop(5000);
  PlanNode scan = q.plan.children[1];
  scan.parent_relationship = "Outer";
  q.plan.children[1] = Node("Memoize").As("Inner").Est(2).Act(0.17, 2, 5000).Set([&](PlanNode& n) {
    n.memoize = {true, 4000, 1000, 0, 0, 64};
    n.children.push_back(scan);
  });
  const std::optional<Tip> tip = FindTip(TipsFor(q), "nested_loop_many_loops");
  REQUIRE(tip);
  CHECK(Contains(tip->message, "Memoize answered 4,000 of them from its cache (1,000 misses)."));
}

}  // namespace planbot::analyzer
