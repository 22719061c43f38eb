// seq_scan_filter, index_filter, heap_fetches, lossy_bitmap.
#include <doctest/doctest.h>

#include "tests/analyzer/tip_testing.h"

namespace planbot::analyzer {
using namespace testing;  // NOLINT: test helpers

namespace {

ExplainQuery SeqScan(double kept, double removed, double loops = 1, double ms = 120) {
  return Query(Node("Seq Scan")
                   .Rel("orders")
                   .Est(kept)
                   .Act(ms, kept, loops)
                   .Filter("((orders.amount > '3'::numeric) AND (orders.status = "
                           "'shipped'::text))",
                           removed),
               /*execution_ms=*/125);
}

}  // namespace

TEST_CASE("seq_scan_filter names the filtered columns and the index to create") {
  const std::optional<Tip> tip = FindTip(TipsFor(SeqScan(1147, 298853)), "seq_scan_filter");
  REQUIRE(tip);
  CHECK(tip->message ==
        "Seq Scan on orders read 300,000 rows and its filter discarded 99.6% of them (1,147 "
        "kept). An index on the filtered columns would let PostgreSQL read only the matching "
        "rows: CREATE INDEX ON orders (status, amount);");
  CHECK(tip->node == 0);
  CHECK(tip->node_label == "Seq Scan on orders");
  CHECK(tip->severity == Severity::kHigh);
  CHECK(tip->saving_ms == doctest::Approx(120 * 298853.0 / 300000));
}

TEST_CASE("seq_scan_filter counts every loop of a parallel scan") {
  ExplainQuery q = SeqScan(300, 3500, 3);  // 11,400 read over three processes
  q.plan.parallel_aware = true;
  const std::optional<Tip> tip = FindTip(TipsFor(q), "seq_scan_filter");
  REQUIRE(tip);
  CHECK(Contains(tip->message, "Parallel Seq Scan on orders read 11,400 rows"));
}

TEST_CASE("seq_scan_filter stays quiet just below its thresholds") {
  CHECK_FALSE(FindTip(TipsFor(SeqScan(1001, 8999)), "seq_scan_filter"));        // 89.99%
  CHECK_FALSE(FindTip(TipsFor(SeqScan(100, 9899)), "seq_scan_filter"));         // 9,999 rows
  CHECK(FindTip(TipsFor(SeqScan(1000, 9000)), "seq_scan_filter").has_value());  // exactly
}

TEST_CASE("seq_scan_filter without usable columns quotes the filter") {
  ExplainQuery q = SeqScan(10, 99990);
  q.plan.filter = "((a + b) > 10)";
  const std::optional<Tip> tip = FindTip(TipsFor(q), "seq_scan_filter");
  REQUIRE(tip);
  CHECK(Contains(tip->message, "An index that matches the filter ((a + b) > 10)"));
}

namespace {

ExplainQuery IndexScan(double kept, double removed) {
  return Query(Node("Index Scan")
                   .Index("orders_created_at_idx")
                   .Rel("orders")
                   .Est(kept)
                   .Act(80, kept)
                   .Filter("(status = 'shipped'::text)", removed)
                   .Set([](PlanNode& n) { n.index_cond = "(created_at > '2024-01-01'::date)"; }),
               100);
}

}  // namespace

TEST_CASE("index_filter suggests an index that also covers the filter") {
  const std::optional<Tip> tip = FindTip(TipsFor(IndexScan(500, 49500)), "index_filter");
  REQUIRE(tip);
  CHECK(tip->message ==
        "Index Scan using orders_created_at_idx on orders fetched 50,000 rows through the index, "
        "then its filter discarded 99.0% of them. An index that also covers the filtered columns "
        "would skip them: CREATE INDEX ON orders (status, created_at);");
  CHECK_FALSE(FindTip(TipsFor(IndexScan(1001, 8999)), "index_filter"));
  CHECK_FALSE(FindTip(TipsFor(IndexScan(99, 9900)), "index_filter"));
}

namespace {

ExplainQuery IndexOnly(double rows, double fetches) {
  return Query(Node("Index Only Scan")
                   .Index("orders_customer_idx")
                   .Rel("orders")
                   .Est(rows)
                   .Act(40, rows)
                   .Set([&](PlanNode& n) { n.heap_fetches = N(fetches); }),
               50);
}

}  // namespace

TEST_CASE("heap_fetches asks for VACUUM when an index-only scan visits the table") {
  const std::optional<Tip> tip = FindTip(TipsFor(IndexOnly(20000, 5000)), "heap_fetches");
  REQUIRE(tip);
  CHECK(Contains(tip->message,
                 "Index Only Scan using orders_customer_idx on orders fetched 5,000 "
                 "rows from the table (25% of the 20,000 it returned)"));
  CHECK(Contains(tip->message, "VACUUM orders;"));
  CHECK(Contains(tip->message, "ALTER TABLE orders SET (autovacuum_vacuum_scale_factor"));
  CHECK_FALSE(FindTip(TipsFor(IndexOnly(20000, 2000)), "heap_fetches"));  // 10%
  CHECK_FALSE(FindTip(TipsFor(IndexOnly(5000, 1000)), "heap_fetches"));   // 1,000
  CHECK(FindTip(TipsFor(IndexOnly(5000, 1001)), "heap_fetches").has_value());
}

namespace {

ExplainQuery Bitmap(int64_t lossy) {
  ExplainQuery q = Query(Node("Bitmap Heap Scan")
                             .Rel("orders")
                             .Est(50000)
                             .Act(300, 50000)
                             .Set([&](PlanNode& n) {
                               n.recheck_cond = "(status = 'new'::text)";
                               n.rows_removed_by_index_recheck = N(lossy > 0 ? 1200000 : 0);
                               n.exact_heap_blocks = 8000;
                               n.lossy_heap_blocks = lossy;
                             })
                             .Child(Node("Bitmap Index Scan").Index("orders_status_idx")),
                         310);
  return WithWorkMem(q, "");
}

}  // namespace

TEST_CASE("lossy_bitmap derives a work_mem that keeps the bitmap exact") {
  const std::optional<Tip> tip = FindTip(TipsFor(Bitmap(12000)), "lossy_bitmap");
  REQUIRE(tip);
  CHECK(tip->message ==
        "Bitmap Heap Scan on orders: 12,000 of 20,000 heap blocks were lossy: the bitmap outgrew "
        "work_mem (work_mem is 4MB), so every row on those pages was rechecked (1,200,000 rows "
        "removed by the recheck). SET work_mem = '8MB'; keeps the bitmap exact.");
  CHECK(tip->saving_ms == doctest::Approx(300 * 1200000.0 / 1250000));
  CHECK_FALSE(FindTip(TipsFor(Bitmap(0)), "lossy_bitmap"));
}

}  // namespace planbot::analyzer
