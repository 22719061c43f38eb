// The fixes tips propose (Tip::fix: statements `exec` accepts) and the rules of issue 14 that
// need no index: large_offset, or_across_tables, stale_statistics, read_efficiency.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "analyzer/plan_parse.h"
#include "tests/analyzer/tip_testing.h"

namespace planbot::analyzer {
using namespace testing;  // NOLINT: test helpers

namespace {

using Strings = std::vector<std::string>;

std::vector<Tip> TipsWith(const ExplainQuery& q, const CatalogFacts& catalog) {
  TipOptions options;
  options.catalog = &catalog;
  return ComputeTips(q, ComputeMetrics(q), options);
}

// The tip with `code`, checked to be on `node`, to start with its label and to carry a fix of
// `kind` with exactly `statements` (none when `statements` is empty).
Tip Expect(const std::vector<Tip>& tips, const std::string& code, int node, FixKind kind,
           const Strings& statements) {
  const std::optional<Tip> tip = FindTip(tips, code);
  REQUIRE_MESSAGE(tip, "no tip " << code);
  CHECK(tip->node == node);
  CHECK_MESSAGE(tip->message.rfind(tip->node_label, 0) == 0, tip->message);
  if (statements.empty()) {
    CHECK_FALSE(tip->fix);
  } else {
    REQUIRE(tip->fix);
    CHECK(tip->fix->kind == kind);
    CHECK(tip->fix->statements == statements);
    CHECK_FALSE(tip->fix->verified);
  }
  return *tip;
}

}  // namespace

// --- work_mem: sort_spill, hash_spill, hashagg_spill, lossy_bitmap ----------------------------

namespace {

ExplainQuery Sort(int64_t disk_kb, const std::string& work_mem) {
  return WithWorkMem(Query(Node("Sort")
                               .Est(300000)
                               .Act(400, 300000)
                               .Set([&](PlanNode& n) {
                                 n.sort = {"external merge", disk_kb, "Disk"};
                                 n.sort_key = {"amount"};
                               })
                               .Child(Node("Seq Scan").Rel("orders").Act(100, 300000)),
                           450),
                     work_mem);
}

ExplainQuery HashJoin(int64_t batches, int64_t peak_kb, const std::string& multiplier = "") {
  ExplainQuery q = WithWorkMem(
      Query(Node("Hash Join")
                .Act(900, 100000)
                .Set([](PlanNode& n) { n.hash_cond = "(o.customer_id = c.id)"; })
                .Child(Node("Seq Scan").Rel("orders", "o").Act(200, 100000))
                .Child(Node("Hash")
                           .Act(300, 500000)
                           .Set([&](PlanNode& n) {
                             n.hash_batches = batches;
                             n.original_hash_batches = batches;
                             n.hash_peak_memory_kb = peak_kb;
                           })
                           .Child(Node("Seq Scan").Rel("customers", "c").Act(150, 500000))),
            1000),
      "");
  if (!multiplier.empty()) q.settings.emplace_back("hash_mem_multiplier", multiplier);
  return q;
}

ExplainQuery HashAgg(int64_t peak_kb, int64_t disk_kb) {
  return WithWorkMem(Query(Node("Aggregate")
                               .Act(700, 200000)
                               .Set([&](PlanNode& n) {
                                 n.strategy = "Hashed";
                                 n.group_key = {"customer_id"};
                                 n.hash_agg.batches = 5;
                                 n.hash_agg.peak_memory_kb = peak_kb;
                                 n.hash_agg.disk_usage_kb = disk_kb;
                               })
                               .Child(Node("Seq Scan").Rel("orders").Act(200, 3000000)),
                           720),
                     "");
}

}  // namespace

TEST_CASE("Spill tips propose the work_mem their message names as a setting fix") {
  const Tip sort = Expect(TipsFor(Sort(45000, "4MB")), "sort_spill", 0, FixKind::kSetting,
                          {"SET work_mem = '256MB'"});
  CHECK(Contains(sort.message, "SET work_mem = '256MB';"));
  Expect(TipsFor(Sort(900, "64MB")), "sort_spill", 0, FixKind::kSetting,
         {"SET work_mem = '128MB'"});  // never less than twice the current value
  CHECK_FALSE(FindTip(TipsFor(Sort(0, "4MB")), "sort_spill"));

  const Tip hash = Expect(TipsFor(HashJoin(8, 4100)), "hash_spill", 2, FixKind::kSetting,
                          {"SET work_mem = '32MB'"});
  CHECK(Contains(hash.message, "SET work_mem = '32MB';"));
  CHECK_FALSE(FindTip(TipsFor(HashJoin(1, 4100)), "hash_spill"));

  Expect(TipsFor(HashAgg(4200, 45000)), "hashagg_spill", 0, FixKind::kSetting,
         {"SET work_mem = '128MB'"});
}

TEST_CASE("hash_spill scales work_mem by the hash_mem_multiplier in effect") {
  const std::optional<Tip> two = FindTip(TipsFor(HashJoin(8, 4100, "2")), "hash_spill");
  const std::optional<Tip> one = FindTip(TipsFor(HashJoin(8, 4100, "1")), "hash_spill");
  REQUIRE(two);
  REQUIRE(one);
  CHECK(two->fix->statements == Strings{"SET work_mem = '32MB'"});
  CHECK(one->fix->statements == Strings{"SET work_mem = '64MB'"});
}

TEST_CASE("lossy_bitmap proposes the work_mem that keeps the bitmap exact") {
  const ExplainQuery q = WithWorkMem(
      Query(Node("Bitmap Heap Scan")
                .Rel("orders")
                .Act(80, 120000)
                .Set([](PlanNode& n) {
                  n.exact_heap_blocks = 1000;
                  n.lossy_heap_blocks = 40000;
                  n.rows_removed_by_index_recheck = N(60000);
                })
                .Child(Node("Bitmap Index Scan").Index("orders_customer_idx").Act(10, 120000)),
            90),
      "");
  Expect(TipsFor(q), "lossy_bitmap", 0, FixKind::kSetting, {"SET work_mem = '8MB'"});
}

// --- heap_fetches ---------------------------------------------------------------------------

TEST_CASE("heap_fetches proposes VACUUM of the table") {
  auto plan = [](double fetches) {
    return Query(Node("Index Only Scan")
                     .Index("orders_customer_idx")
                     .Rel("orders")
                     .Est(20000)
                     .Act(40, 20000)
                     .Set([&](PlanNode& n) { n.heap_fetches = N(fetches); }),
                 50);
  };
  Expect(TipsFor(plan(5000)), "heap_fetches", 0, FixKind::kMaintenance, {"VACUUM orders"});
  CHECK_FALSE(FindTip(TipsFor(plan(100)), "heap_fetches"));
}

// --- row_misfire ----------------------------------------------------------------------------

namespace {

// A scan of orders o under a Hash Join, planned `planned` rows and got `actual`.
ExplainQuery MisfireAt(double planned, double actual, const char* filter) {
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

constexpr char kTwoColumns[] = "((o.status = 'new'::text) AND (o.region = 'eu'::text))";

}  // namespace

TEST_CASE("row_misfire proposes the statistics its advice names") {
  Expect(TipsFor(MisfireAt(100, 12000, "(status = 'new'::text)")), "row_misfire", 1,
         FixKind::kMaintenance,
         {"ALTER TABLE orders ALTER COLUMN status SET STATISTICS 1000", "ANALYZE orders"});
  // Correlated columns, underestimated: dependencies for the equalities, MCV for combinations.
  const Tip under =
      Expect(TipsFor(MisfireAt(100, 12000, kTwoColumns)), "row_misfire", 1, FixKind::kMaintenance,
             {"CREATE STATISTICS orders_status_region_stats (dependencies) ON "
              "status, region FROM orders",
              "ANALYZE orders"});
  CHECK(Contains(under.message,
                 "CREATE STATISTICS orders_status_region_stats (dependencies) ON status, "
                 "region FROM orders; ANALYZE orders;"));
  // Overestimated: the values rarely occur together; dependencies cannot lower an estimate.
  Expect(TipsFor(MisfireAt(50000, 400, kTwoColumns)), "row_misfire", 1, FixKind::kMaintenance,
         {"CREATE STATISTICS orders_status_region_stats (mcv) ON status, region FROM orders",
          "ANALYZE orders"});
  // An expression: named statistics (the name is required before PostgreSQL 16).
  Expect(TipsFor(MisfireAt(100, 12000, "(lower(o.email) = 'x'::text)")), "row_misfire", 1,
         FixKind::kMaintenance,
         {"CREATE STATISTICS orders_loweremail_stats ON (lower(email)) FROM orders",
          "ANALYZE orders"});
  // A parameter: nothing but ANALYZE to run.
  Expect(TipsFor(MisfireAt(100, 12000, "(o.total > $0)")), "row_misfire", 1, FixKind::kMaintenance,
         {"ANALYZE orders"});
}

TEST_CASE("row_misfire at a grouping proposes ndistinct statistics on its columns") {
  const ExplainQuery q =
      Query(Node("Aggregate")
                .Est(100)
                .Act(300, 90000)
                .Set([](PlanNode& n) {
                  n.strategy = "Hashed";
                  n.group_key = {"o.customer_id", "o.status"};
                })
                .Child(Node("Seq Scan").Rel("orders", "o").Est(300000).Act(100, 300000)),
            320);
  const Tip tip = Expect(TipsFor(q), "row_misfire", 0, FixKind::kMaintenance,
                         {"CREATE STATISTICS orders_customer_id_status_stats (ndistinct) ON "
                          "customer_id, status FROM orders",
                          "ANALYZE orders"});
  CHECK(Contains(tip.message, "The number of groups of (o.customer_id, o.status) was misjudged"));

  ExplainQuery expression = q;
  expression.plan.group_key = {"date_trunc('day'::text, o.created_at)", "o.status"};
  Expect(TipsFor(expression), "row_misfire", 0, FixKind::kMaintenance, {"ANALYZE orders"});
}

TEST_CASE("row_misfire gives no fix where there is no statement to run") {
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
  Expect(TipsFor(fn), "row_misfire", 2, FixKind::kMaintenance, {});
}

// --- stale_statistics -----------------------------------------------------------------------

namespace {

RelationFacts Orders(double live, double reltuples, double modified, bool analyzed = true) {
  RelationFacts r;
  r.name = "orders";
  r.live_tuples = live;
  r.reltuples = reltuples;
  r.mod_since_analyze = modified;
  r.analyzed = analyzed;
  ColumnFacts status;
  status.name = "status";
  if (analyzed) status.null_frac = 0;
  r.columns.push_back(status);
  return r;
}

CatalogFacts Catalog(RelationFacts r) {
  CatalogFacts c;
  c.datcollate = "C.UTF-8";
  c.relations.push_back(std::move(r));
  return c;
}

}  // namespace

TEST_CASE("stale_statistics: many rows changed since ANALYZE and the estimate is off") {
  const ExplainQuery q = MisfireAt(100, 12000, "(status = 'new'::text)");
  const std::vector<Tip> tips = TipsWith(q, Catalog(Orders(300000, 300000, 45000)));
  const Tip tip = Expect(tips, "stale_statistics", 1, FixKind::kMaintenance, {"ANALYZE orders"});
  CHECK(tip.message ==
        "Seq Scan on orders o: 45,000 rows of orders changed since its last ANALYZE (15% of "
        "300,000), and the row estimate here is off by 120x (planned 100 rows, got 12,000). The "
        "planner works from these statistics: run ANALYZE orders; and compare the plan again. If "
        "the table changes this much between autovacuum runs, lower its "
        "autovacuum_analyze_scale_factor: ALTER TABLE orders SET "
        "(autovacuum_analyze_scale_factor = 0.02);");
  CHECK_FALSE(tip.estimate_based);
  CHECK(tip.saving_ms == doctest::Approx(0.5 * (500 - 100 - 5)));
  CHECK_FALSE(FindTip(tips, "row_misfire"));  // it defers: one ANALYZE advice for the scan
}

TEST_CASE("stale_statistics: never analysed, or a row count far from the live one") {
  const ExplainQuery q = MisfireAt(100, 12000, "(status = 'new'::text)");
  Expect(TipsWith(q, Catalog(Orders(300000, -1, 0, false))), "stale_statistics", 1,
         FixKind::kMaintenance, {"ANALYZE orders"});
  const Tip count = Expect(TipsWith(q, Catalog(Orders(300000, 20000, 500))), "stale_statistics", 1,
                           FixKind::kMaintenance, {"ANALYZE orders"});
  CHECK(Contains(count.message,
                 "the planner counts 20,000 rows in orders (pg_class.reltuples) but it has "
                 "300,000 live rows"));
}

TEST_CASE("stale_statistics: a clone of a table grown since its statistics were taken") {
  // A template clone: pg_stat counters empty, pg_class copied; the table has 16x its pages.
  const ExplainQuery q = MisfireAt(100, 12000, "(status = 'new'::text)");
  RelationFacts grown = Orders(0, 20000, 0);
  grown.relpages = 163;
  grown.current_pages = 2602;
  const Tip tip = Expect(TipsWith(q, Catalog(grown)), "stale_statistics", 1, FixKind::kMaintenance,
                         {"ANALYZE orders"});
  CHECK(Contains(tip.message,
                 "orders grew from 163 to 2,602 pages since its statistics were "
                 "taken (pg_class.relpages)"));
  // Grown, but by less than twice or fewer than 100 pages: not stale.
  grown.current_pages = 300;
  CHECK_FALSE(FindTip(TipsWith(q, Catalog(grown)), "stale_statistics"));
  grown.relpages = 40;
  grown.current_pages = 120;
  CHECK_FALSE(FindTip(TipsWith(q, Catalog(grown)), "stale_statistics"));
}

TEST_CASE("stale_statistics on a plan-only EXPLAIN reports the staleness alone") {
  const ExplainQuery q = Query(Node("Seq Scan").Rel("orders").Est(300000));
  const Tip tip = Expect(TipsWith(q, Catalog(Orders(300000, 300000, 90000))), "stale_statistics", 0,
                         FixKind::kMaintenance, {"ANALYZE orders"});
  CHECK(tip.estimate_based);
  CHECK(tip.severity == Severity::kMedium);
}

TEST_CASE("stale_statistics stays quiet on fresh statistics, an accurate estimate or no catalog") {
  const ExplainQuery q = MisfireAt(100, 12000, "(status = 'new'::text)");
  CHECK_FALSE(FindTip(TipsWith(q, Catalog(Orders(300000, 300000, 2000))), "stale_statistics"));
  CHECK(FindTip(TipsWith(q, Catalog(Orders(300000, 300000, 2000))), "row_misfire"));
  // A clone's pg_stat counters start at zero: no live count, no judgement on reltuples.
  CHECK_FALSE(FindTip(TipsWith(q, Catalog(Orders(0, 300000, 0))), "stale_statistics"));
  CHECK_FALSE(FindTip(TipsFor(q), "stale_statistics"));
  const ExplainQuery accurate = MisfireAt(12000, 12000, "(status = 'new'::text)");
  CHECK_FALSE(
      FindTip(TipsWith(accurate, Catalog(Orders(300000, 300000, 90000))), "stale_statistics"));
}

// --- large_offset ---------------------------------------------------------------------------

namespace {

ExplainQuery Offset(double returned, double read) {
  return Query(Node("Limit")
                   .Est(20)
                   .Act(120, returned)
                   .Child(Node("Sort")
                              .Est(read)
                              .Act(118, read)
                              .Set([](PlanNode& n) {
                                n.sort_key = {"o.created_at DESC", "o.id DESC"};
                              })
                              .Child(Node("Seq Scan").Rel("orders", "o").Act(40, 300000))),
               121);
}

}  // namespace

TEST_CASE("large_offset advises keyset pagination") {
  const Tip tip = Expect(TipsFor(Offset(20, 100020)), "large_offset", 0, FixKind::kSetting, {});
  CHECK(tip.message ==
        "Limit returned 20 rows but its input produced 100,020: the OFFSET skipped 100,000 "
        "(100%), read and ordered only to be thrown away, and more on every later page. Keyset "
        "pagination reads only the rows it returns: remember the sort key of the last row shown "
        "and continue after it, WHERE (o.created_at, o.id) < (last o.created_at, last o.id) "
        "ORDER BY o.created_at DESC, o.id DESC LIMIT n, with an index on the sort key and a "
        "unique column (such as the primary key) as its last part, so that the order is total.");
  CHECK(tip.saving_ms == doctest::Approx(120.0 * 100000 / 100020));
  CHECK_FALSE(FindTip(TipsFor(Offset(20, 20)), "large_offset"));     // no OFFSET
  CHECK_FALSE(FindTip(TipsFor(Offset(20, 999)), "large_offset"));    // fewer than 1,000 skipped
  CHECK_FALSE(FindTip(TipsFor(Offset(500, 2000)), "large_offset"));  // 75% skipped
}

// --- or_across_tables -----------------------------------------------------------------------

namespace {

ExplainQuery OrJoin(const char* join_filter, const char* inner_type = "Seq Scan") {
  return Query(Node("Hash Join")
                   .Act(400, 30)
                   .Set([&](PlanNode& n) {
                     n.hash_cond = "(o.customer_id = c.id)";
                     n.join_filter = join_filter;
                     n.rows_removed_by_join_filter = N(299970);
                   })
                   .Child(Node("Seq Scan").Rel("orders", "o").Act(150, 300000))
                   .Child(Node("Hash").Act(20, 25000).Child(
                       Node(inner_type).Rel("customers", "c").Act(15, 25000))),
               410);
}

}  // namespace

TEST_CASE("or_across_tables suggests a UNION of one query per table") {
  const Tip tip =
      Expect(TipsFor(OrJoin("((c.email = 'a@example.com'::text) OR (o.note = 'gift'::text))")),
             "or_across_tables", 0, FixKind::kSetting, {});
  CHECK(tip.message ==
        "Hash Join: its Join Filter is an OR of a condition on customers (email) and one on "
        "orders (note), which can only be checked on joined rows, so no index can serve either "
        "and both tables were read in full (Seq Scan on customers c: 25,000 rows, Seq Scan on "
        "orders o: 300,000 rows). Rewrite the query as a UNION of two queries, one with each "
        "condition, so that each can use an index on its own table (customers (email), orders "
        "(note)); UNION removes the rows both return, or use UNION ALL and exclude the first "
        "condition's rows in the second query.");
  CHECK(tip.saving_ms == doctest::Approx(0.5 * (400 - 150 - 20 + 150 + 15)));
}

TEST_CASE("or_across_tables stays quiet for AND, one table, or an index scan") {
  CHECK_FALSE(FindTip(TipsFor(OrJoin("((c.email = 'a'::text) AND (o.note = 'b'::text))")),
                      "or_across_tables"));
  CHECK_FALSE(FindTip(TipsFor(OrJoin("((o.status = 'a'::text) OR (o.note = 'b'::text))")),
                      "or_across_tables"));
  CHECK_FALSE(
      FindTip(TipsFor(OrJoin("((c.email = 'a'::text) OR (o.note = 'b'::text))", "Index Scan")),
              "or_across_tables"));
}

// --- read_efficiency ------------------------------------------------------------------------

namespace {

ExplainQuery Scan(double rows, int64_t pages) {
  return Query(Node("Seq Scan").Rel("queue").Act(60, rows).Shared(pages - 100, 100), 61);
}

RelationFacts Queue(double live, double dead) {
  RelationFacts r;
  r.name = "queue";
  r.live_tuples = live;
  r.dead_tuples = dead;
  r.reltuples = live;
  r.analyzed = true;
  return r;
}

}  // namespace

TEST_CASE("read_efficiency: a scan of mostly empty pages") {
  const Tip tip = Expect(TipsFor(Scan(12, 5000)), "read_efficiency", 0, FixKind::kSetting, {});
  CHECK(tip.message ==
        "Seq Scan on queue read 5,000 pages for 12 rows (417 pages per row): the table is mostly "
        "empty space left by deleted or updated rows. VACUUM queue; cleans the dead rows that "
        "remain; to give the space back, rewrite the table with pg_repack (online) or VACUUM "
        "FULL queue; (an ACCESS EXCLUSIVE lock for the whole rewrite: it blocks reads and "
        "writes).");
  CHECK(tip.saving_ms == doctest::Approx(30));
}

TEST_CASE("read_efficiency: dead rows the catalog counts get a VACUUM fix") {
  const Tip tip = Expect(TipsWith(Scan(200000, 9000), Catalog(Queue(200000, 100000))),
                         "read_efficiency", 0, FixKind::kMaintenance, {"VACUUM queue"});
  CHECK(Contains(tip.message, "queue holds 100,000 dead rows (50% of its 200,000 live ones)"));
  CHECK(tip.saving_ms == doctest::Approx(60.0 / 3));
}

TEST_CASE("read_efficiency stays quiet for dense tables and small scans") {
  CHECK_FALSE(FindTip(TipsFor(Scan(200000, 9000)), "read_efficiency"));
  CHECK_FALSE(
      FindTip(TipsWith(Scan(200000, 9000), Catalog(Queue(200000, 10000))), "read_efficiency"));
  CHECK_FALSE(FindTip(TipsFor(Scan(0, 999)), "read_efficiency"));
}

// --- real plans -----------------------------------------------------------------------------

TEST_CASE("The rules without an index advice fire on real PostgreSQL 15 plans") {
  const Tip offset =
      Expect(TipsFor(Fixture("large_offset")), "large_offset", 0, FixKind::kSetting, {});
  CHECK(Contains(offset.message, "Limit returned 20 rows but its input produced 100,020"));
  CHECK(Contains(offset.message,
                 "WHERE (orders.created_at, orders.id) < (last orders.created_at, last orders.id) "
                 "ORDER BY orders.created_at DESC, orders.id DESC LIMIT n"));

  const Tip join =
      Expect(TipsFor(Fixture("or_across_tables")), "or_across_tables", 0, FixKind::kSetting, {});
  CHECK(Contains(join.message,
                 "Hash Join: its Join Filter is an OR of a condition on customers (email) and one "
                 "on orders (note)"));

  const Tip scan =
      Expect(TipsFor(Fixture("read_efficiency")), "read_efficiency", 0, FixKind::kSetting, {});
  CHECK(
      Contains(scan.message, "Seq Scan on queue read 3,449 pages for 22 rows (157 pages per row)"));
}

}  // namespace planbot::analyzer
