// The index advice of issue 14: order_by_limit_index, join_key_index, like_prefix_index,
// wrong_index_order, partial_index, the plan-only rules (estimated_scans.cc) and the index fixes
// of seq_scan_filter, index_filter and nested_loop_many_loops. Real PostgreSQL 15 plans from
// tests/data/tips/ (README.md there) and built ones.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "analyzer/plan_parse.h"
#include "analyzer/tips/advice.h"
#include "tests/analyzer/tip_testing.h"
#include "tests/result_testing.h"

namespace planbot::analyzer {
using namespace testing;  // NOLINT: test helpers

namespace {

using Strings = std::vector<std::string>;
using Alternatives = std::vector<Strings>;

std::vector<Tip> TipsWith(const ExplainQuery& q, const CatalogFacts& catalog) {
  TipOptions options;
  options.catalog = &catalog;
  return ComputeTips(q, ComputeMetrics(q), options);
}

size_t Count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

// The tip with `code` on `node`: its message starts with the node's label and names it once, and
// it carries an index fix with exactly these statements and alternatives (no fix when
// `statements` is empty), the first statement verbatim in the message.
Tip Expect(const std::vector<Tip>& tips, const std::string& code, int node,
           const Strings& statements, const Alternatives& alternatives = {}) {
  const std::optional<Tip> tip = FindTip(tips, code);
  REQUIRE_MESSAGE(tip, "no tip " << code);
  CHECK(tip->node == node);
  CHECK_MESSAGE(tip->message.rfind(tip->node_label, 0) == 0, tip->message);
  CHECK_MESSAGE(Count(tip->message, tip->node_label) == 1, tip->message);
  if (statements.empty()) {
    CHECK_FALSE(tip->fix);
    return *tip;
  }
  REQUIRE(tip->fix);
  CHECK(tip->fix->kind == FixKind::kIndex);
  CHECK(tip->fix->statements == statements);
  CHECK(tip->fix->alternatives == alternatives);
  CHECK_FALSE(tip->fix->verified);
  CHECK_MESSAGE(Contains(tip->message, statements[0] + ";"), tip->message);
  return *tip;
}

ColumnFacts Column(std::string name, std::string type, std::optional<double> n_distinct) {
  ColumnFacts c;
  c.name = std::move(name);
  c.type = std::move(type);
  c.collatable = c.type == "text" || c.type.starts_with("character");
  c.n_distinct = n_distinct;
  return c;
}

// The catalog of the fixtures' database (tests/data/tips/README.md): events, 300,000 rows.
CatalogFacts EventsCatalog(const std::string& datcollate = "C.UTF-8") {
  CatalogFacts catalog;
  catalog.datcollate = datcollate;
  RelationFacts events;
  events.name = "events";
  events.reltuples = 300000;
  events.relpages = 3409;
  events.analyzed = true;
  events.indexes = {"CREATE INDEX events_created_idx ON public.events USING btree (created_at)"};
  events.columns = {Column("id", "bigint", -1),
                    Column("account_id", "integer", 2000),
                    Column("kind", "text", 2),
                    Column("status", "text", 3),
                    Column("created_at", "timestamp with time zone", -1),
                    Column("email", "character varying(80)", -1),
                    Column("code", "text", 5004)};
  catalog.relations.push_back(events);
  return catalog;
}

}  // namespace

// --- seq_scan_filter, index_filter, nested_loop_many_loops: their index as a Fix ---------------

namespace {

ExplainQuery SeqScan(const std::string& filter) {
  return Query(Node("Seq Scan").Rel("events").Est(100).Act(120, 1000).Filter(filter, 299000), 125);
}

}  // namespace

TEST_CASE("seq_scan_filter carries its index as a fix with other column orders to try") {
  const ExplainQuery q = SeqScan("((events.account_id = 5) AND (events.code = 'c17'::text))");
  Expect(TipsFor(q), "seq_scan_filter", 0, {"CREATE INDEX ON events (account_id, code)"},
         {{"CREATE INDEX ON events (code, account_id)"}, {"CREATE INDEX ON events (account_id)"}});
  // Most selective first: the catalog knows code has 5,004 distinct values, account_id 2,000.
  Expect(TipsWith(q, EventsCatalog()), "seq_scan_filter", 0,
         {"CREATE INDEX ON events (code, account_id)"},
         {{"CREATE INDEX ON events (account_id, code)"}, {"CREATE INDEX ON events (code)"}});
  // One column the catalog does not know: the text order stays.
  Expect(TipsWith(SeqScan("((events.note = 'x'::text) AND (events.code = 'c17'::text))"),
                  EventsCatalog()),
         "seq_scan_filter", 0, {"CREATE INDEX ON events (note, code)"},
         {{"CREATE INDEX ON events (code, note)"}, {"CREATE INDEX ON events (note)"}});
  // Ranges after equality columns; a filter with no readable column gets no fix.
  Expect(TipsFor(SeqScan("((events.id > 5) AND (events.code = $1))")), "seq_scan_filter", 0,
         {"CREATE INDEX ON events (code, id)"},
         {{"CREATE INDEX ON events (id, code)"}, {"CREATE INDEX ON events (code)"}});
  Expect(TipsFor(SeqScan("((a + b) > 10)")), "seq_scan_filter", 0, {});
}

TEST_CASE("seq_scan_filter on a scan repeated per outer row leads with the outer-row column") {
  // A LATERAL subquery: the inner Seq Scan compares e.shipment_id with the outer s.id, once per
  // outer row; an index on shipment_id lets each loop find its rows.
  const ExplainQuery q =
      Query(Node("Nested Loop")
                .Est(2000)
                .Act(1500, 2000)
                .Child(Node("Seq Scan").Rel("shipments", "s").Est(2000).Act(5, 2000))
                .Child(Node("Limit")
                           .Est(1)
                           .Act(0.7, 1, 2000)
                           .Child(Node("Seq Scan")
                                      .Rel("delivery_exceptions", "e")
                                      .Est(5)
                                      .Act(0.7, 25, 2000)
                                      .Filter("(e.shipment_id = s.id)", 59975))),
            1510);
  Expect(TipsFor(q), "seq_scan_filter", 3, {"CREATE INDEX ON delivery_exceptions (shipment_id)"},
         {});
  // Once, it compares two tables' columns: no index to read from it.
  const ExplainQuery once = Query(Node("Seq Scan")
                                      .Rel("delivery_exceptions", "e")
                                      .Est(5)
                                      .Act(40, 25)
                                      .Filter("(e.shipment_id = e.id)", 59975),
                                  41);
  Expect(TipsFor(once), "seq_scan_filter", 0, {});
}

TEST_CASE("seq_scan_filter on a real plan") {
  const Tip tip =
      Expect(TipsFor(Fixture("seq_scan_filter")), "seq_scan_filter", 0,
             {"CREATE INDEX ON orders (status, amount)"},
             {{"CREATE INDEX ON orders (amount, status)"}, {"CREATE INDEX ON orders (status)"}});
  CHECK_FALSE(Contains(tip.message, "hypo create index"));
}

TEST_CASE("index_filter and nested_loop_many_loops carry their index as a fix") {
  const ExplainQuery index =
      Query(Node("Index Scan")
                .Index("orders_created_at_idx")
                .Rel("orders")
                .Est(500)
                .Act(80, 500)
                .Filter("(status = 'shipped'::text)", 49500)
                .Set([](PlanNode& n) { n.index_cond = "(created_at > '2024-01-01'::date)"; }),
            100);
  Expect(TipsFor(index), "index_filter", 0, {"CREATE INDEX ON orders (status, created_at)"},
         {{"CREATE INDEX ON orders (created_at, status)"}, {"CREATE INDEX ON orders (status)"}});
  Expect(
      TipsFor(Fixture("nested_loop")), "index_filter", 3,
      {"CREATE INDEX ON orders (customer_id, status)"},
      {{"CREATE INDEX ON orders (status, customer_id)"}, {"CREATE INDEX ON orders (customer_id)"}});

  const ExplainQuery loop =
      Query(Node("Nested Loop")
                .Est(20)
                .Act(900, 10000)
                .Child(Node("Seq Scan").Rel("orders", "o").Est(10).Act(5, 5000))
                .Child(Node("Seq Scan")
                           .Rel("items", "i")
                           .Est(2)
                           .Act(0.17, 2, 5000)
                           .Filter("(order_id = o.id)", 500)),
            900);
  const std::vector<Tip> tips = TipsFor(loop);
  Expect(tips, "nested_loop_many_loops", 0, {"CREATE INDEX ON items (order_id)"});
  CHECK_FALSE(FindTip(tips, "join_key_index"));  // 5,000 loops: nested_loop_many_loops' case
}

// --- like_prefix_index -------------------------------------------------------------------------

TEST_CASE("like_prefix_index: without the catalog the plain index, text_pattern_ops to try") {
  const std::vector<Tip> tips = TipsFor(Fixture("like_prefix_index"));
  const Tip tip = Expect(tips, "like_prefix_index", 0, {"CREATE INDEX ON events (email)"},
                         {{"CREATE INDEX ON events (email text_pattern_ops)"}});
  CHECK(tip.message ==
        "Seq Scan on events read 300,000 rows and its filter discarded 96% of them (11,111 "
        "kept) matching email by prefix (LIKE). An index lets PostgreSQL read only the rows with "
        "that prefix: CREATE INDEX ON events (email); under a collation other than C it needs the "
        "pattern operator class (text_pattern_ops) to serve LIKE.");
  CHECK_FALSE(FindTip(tips, "seq_scan_filter"));  // its plain index would not serve LIKE
}

TEST_CASE("like_prefix_index reads the collation and the column type from the catalog") {
  const ExplainQuery q = Fixture("like_prefix_index");
  const Tip tip = Expect(TipsWith(q, EventsCatalog("C.UTF-8")), "like_prefix_index", 0,
                         {"CREATE INDEX ON events (email varchar_pattern_ops)"});
  CHECK(Contains(tip.message,
                 "Under the collation C.UTF-8 a plain B-tree index cannot serve a LIKE prefix"));
  Expect(TipsWith(q, EventsCatalog("C")), "like_prefix_index", 0,
         {"CREATE INDEX ON events (email)"});
  // A column's own collation wins over the database's.
  CatalogFacts c_column = EventsCatalog("en_US.UTF-8");
  c_column.relations[0].columns[5].collation = "C";
  Expect(TipsWith(q, c_column), "like_prefix_index", 0, {"CREATE INDEX ON events (email)"});
}

TEST_CASE("like_prefix_index puts equality columns first; ILIKE gets a rewrite and no fix") {
  ExplainQuery q = SeqScan("((events.status = 'open'::text) AND (events.code ~~ 'c12%'::text))");
  Expect(TipsWith(q, EventsCatalog()), "like_prefix_index", 0,
         {"CREATE INDEX ON events (status, code text_pattern_ops)"},
         {{"CREATE INDEX ON events (code text_pattern_ops)"}});
  q.plan.filter = "(events.code ~~* 'c12%'::text)";
  const Tip tip = Expect(TipsWith(q, EventsCatalog()), "like_prefix_index", 0, {});
  CHECK(Contains(tip.message,
                 "rewrite the condition as lower(code) LIKE lower(pattern) and index that "
                 "expression: CREATE INDEX ON events (lower(code) text_pattern_ops);"));
  CHECK_FALSE(Contains(tip.message, "c12"));  // the pattern is the user's data
  q.plan.filter = "(lower(code) ~~ 'c12%'::text)";
  Expect(TipsWith(q, EventsCatalog()), "like_prefix_index", 0,
         {"CREATE INDEX ON events (lower(code) text_pattern_ops)"});
}

TEST_CASE("like_prefix_index needs a literal prefix and a scan that discards most rows") {
  for (const char* filter : {"(events.code ~~ '%12'::text)", "(events.code ~~ $1)",
                             "((events.code ~~ 'c1%'::text) OR (events.id = 3))"}) {
    CAPTURE(filter);
    CHECK_FALSE(FindTip(TipsWith(SeqScan(filter), EventsCatalog()), "like_prefix_index"));
  }
  ExplainQuery kept_many = SeqScan("(events.code ~~ 'c1%'::text)");
  kept_many.plan.rows_removed_by_filter = N(8000);  // 9,000 read: below 10,000
  CHECK_FALSE(FindTip(TipsFor(kept_many), "like_prefix_index"));
}

// --- order_by_limit_index ----------------------------------------------------------------------

TEST_CASE("order_by_limit_index: equality columns, then the sort keys, so the sort disappears") {
  const std::vector<Tip> tips = TipsFor(Fixture("order_by_limit_index"));
  const Tip tip =
      Expect(tips, "order_by_limit_index", 1, {"CREATE INDEX ON events (account_id, id DESC)"},
             {{"CREATE INDEX ON events (account_id, id)"}});
  CHECK(tip.message ==
        "Sort ordered 150 rows by events.id DESC that Seq Scan on events found among the 300,000 "
        "it read, to return the first 20. An index on the equality columns followed by the sort "
        "keys returns the matching rows already in order, so PostgreSQL reads only the first "
        "ones: CREATE INDEX ON events (account_id, id DESC);");
  CHECK(tip.saving_ms > 0);
  CHECK_FALSE(tip.estimate_based);
  CHECK_FALSE(FindTip(tips, "seq_scan_filter"));  // the composite index covers it
}

namespace {

ExplainQuery TopN(double read, const std::string& filter, bool analyze = true) {
  Node scan = Node("Seq Scan").Rel("orders", "o").Est(read / 10);
  Node sort = Node("Sort").Est(read / 10).Set([](PlanNode& n) {
    n.sort_key = {"o.created_at DESC NULLS LAST", "o.id"};
  });
  Node limit = Node("Limit").Est(20);
  if (analyze) {
    scan.Act(50, read / 10).Filter(filter, read * 9 / 10);
    sort.Act(60, 20);
    limit.Act(60, 20);
  } else {
    scan.Set([&](PlanNode& n) { n.filter = filter; });
  }
  if (filter.empty()) scan.Set([](PlanNode& n) { n.filter.reset(); });
  return Query(limit.Child(sort.Child(scan)), analyze ? std::optional<double>(61) : std::nullopt);
}

}  // namespace

TEST_CASE("order_by_limit_index keeps DESC and NULLS, and fires on plan-only EXPLAIN") {
  Expect(TipsFor(TopN(20000, "(o.customer_id = $1)")), "order_by_limit_index", 1,
         {"CREATE INDEX ON orders (customer_id, created_at DESC NULLS LAST, id)"});
  const Tip planned =
      Expect(TipsFor(TopN(20000, "(o.customer_id = 42)", false)), "order_by_limit_index", 1,
             {"CREATE INDEX ON orders (customer_id, created_at DESC NULLS LAST, id)"});
  CHECK(planned.estimate_based);
  CHECK(planned.saving_ms == 0);
  CHECK(planned.severity == Severity::kMedium);
  CHECK(Contains(planned.message, "Sort is expected to order about 2,000 rows"));
  // No condition at all: the sort keys alone.
  Expect(TipsFor(TopN(20000, "")), "order_by_limit_index", 1,
         {"CREATE INDEX ON orders (created_at DESC NULLS LAST, id)"});
}

TEST_CASE("order_by_limit_index stays quiet without equality, rows, a limit or a new index") {
  CHECK_FALSE(FindTip(TipsFor(TopN(20000, "(o.amount > 5)")), "order_by_limit_index"));
  CHECK_FALSE(FindTip(TipsFor(TopN(20000, "((o.a = 1) OR (o.b = 2))")), "order_by_limit_index"));
  CHECK_FALSE(FindTip(TipsFor(TopN(900, "(o.customer_id = 1)")), "order_by_limit_index"));
  ExplainQuery no_limit = TopN(20000, "(o.customer_id = 1)");
  PlanNode sort = no_limit.plan.children[0];
  no_limit.plan = sort;
  CHECK_FALSE(FindTip(TipsFor(no_limit), "order_by_limit_index"));
  ExplainQuery expression = TopN(20000, "(o.customer_id = 1)");
  expression.plan.children[0].sort_key = {"(o.amount * 2)"};
  CHECK_FALSE(FindTip(TipsFor(expression), "order_by_limit_index"));
  // The index exists already: the planner chose not to use it, another copy would not help.
  CatalogFacts catalog;
  RelationFacts orders;
  orders.name = "orders";
  orders.reltuples = 20000;
  orders.indexes = {
      "CREATE INDEX orders_c ON public.orders USING btree (customer_id, created_at DESC NULLS "
      "LAST, id)"};
  catalog.relations.push_back(orders);
  CHECK_FALSE(
      FindTip(TipsWith(TopN(20000, "(o.customer_id = 1)"), catalog), "order_by_limit_index"));
}

// --- wrong_index_order -------------------------------------------------------------------------

TEST_CASE("wrong_index_order: the filter's equality columns, then the walked index's keys") {
  const ExplainQuery q = Fixture("wrong_index_order");
  const std::vector<Tip> tips = TipsWith(q, EventsCatalog());
  const Tip tip =
      Expect(tips, "wrong_index_order", 1, {"CREATE INDEX ON events (account_id, created_at)"});
  CHECK(tip.message ==
        "Index Scan Backward using events_created_idx on events read 39,996 rows in index order "
        "with no index condition, and its filter discarded 99.9% of them (20 kept): the planner "
        "walked events_created_idx for its order, expecting to meet matching rows early. An "
        "index on the filter's equality columns followed by the columns of events_created_idx "
        "returns the matching rows directly, in that order: CREATE INDEX ON events (account_id, "
        "created_at);");
  CHECK_FALSE(FindTip(tips, "index_filter"));
  // Without the catalog the index's columns are unknown: named, not guessed, and no fix.
  const Tip unnamed = Expect(TipsFor(q), "wrong_index_order", 1, {});
  CHECK(Contains(unnamed.message,
                 "An index on account_id followed by the columns of events_created_idx"));
}

TEST_CASE("wrong_index_order needs a scan without index condition that discards most rows") {
  ExplainQuery q = Fixture("wrong_index_order");
  q.plan.children[0].rows_removed_by_filter = N(9000);  // 9,020 read
  CHECK_FALSE(FindTip(TipsWith(q, EventsCatalog()), "wrong_index_order"));
  q = Fixture("wrong_index_order");
  q.plan.children[0].index_cond = "(events.created_at > now())";
  const std::vector<Tip> tips = TipsWith(q, EventsCatalog());
  CHECK_FALSE(FindTip(tips, "wrong_index_order"));
  CHECK(FindTip(tips, "index_filter"));
}

// --- join_key_index ----------------------------------------------------------------------------

TEST_CASE("join_key_index: a hash join reading a large table for a few rows") {
  const ExplainQuery q = Fixture("join_key_index");
  const Tip tip = Expect(TipsFor(q), "join_key_index", 0, {"CREATE INDEX ON events (account_id)"});
  CHECK(tip.message ==
        "Hash Join read all 300,000 rows of Seq Scan on events e to match 50 rows from its other "
        "side. With an index on the join column, PostgreSQL can find their matches through the "
        "index instead of reading the whole table: CREATE INDEX ON events (account_id);");
  CHECK(tip.saving_ms > 0);
  // The catalog shows an index leading with the join column: nothing to add.
  CatalogFacts indexed = EventsCatalog();
  indexed.relations[0].indexes.push_back(
      "CREATE INDEX events_account_idx ON public.events USING btree (account_id, kind)");
  CHECK_FALSE(FindTip(TipsWith(q, indexed), "join_key_index"));
}

namespace {

// Hash Join of orders (300,000 rows read, `kept` kept by status) with `small` customers.
ExplainQuery HashJoin(double kept, double small, double joined) {
  return Query(Node("Hash Join")
                   .Est(100)
                   .Act(400, joined)
                   .Set([](PlanNode& n) { n.hash_cond = "(o.customer_id = c.id)"; })
                   .Child(Node("Seq Scan")
                              .Rel("orders", "o")
                              .Est(kept)
                              .Act(300, kept)
                              .Filter("(o.status = 'new'::text)", 300000 - kept))
                   .Child(Node("Hash").Est(small).Act(1, small).Child(
                       Node("Seq Scan").Rel("customers", "c").Est(small).Act(1, small))),
               410);
}

}  // namespace

TEST_CASE("join_key_index adds the large side's filter columns and weighs what lookups fetch") {
  Expect(TipsFor(HashJoin(150000, 20, 10)), "join_key_index", 0,
         {"CREATE INDEX ON orders (customer_id, status)"},
         {{"CREATE INDEX ON orders (customer_id)"}});
  // 5,000 customers: one lookup per 60 rows read is too many.
  CHECK_FALSE(FindTip(TipsFor(HashJoin(150000, 5000, 10)), "join_key_index"));
  // The filter kept 4%, the join 12,000 rows: the lookups would fetch all 300,000 again.
  CHECK_FALSE(FindTip(TipsFor(HashJoin(12000, 20, 12000)), "join_key_index"));
}

TEST_CASE("join_key_index on a Nested Loop with few loops over a Seq Scan") {
  const ExplainQuery q =
      Query(Node("Nested Loop")
                .Est(20)
                .Act(500, 40)
                .Set([](PlanNode& n) { n.join_filter = "(i.order_id = o.id)"; })
                .Child(Node("Seq Scan").Rel("orders", "o").Est(10).Act(1, 12))
                .Child(Node("Materialize")
                           .Est(2)
                           .Act(40, 300000, 12)
                           .Child(Node("Seq Scan").Rel("items", "i").Est(2).Act(30, 300000))),
            510);
  const Tip tip = Expect(TipsFor(q), "join_key_index", 0, {"CREATE INDEX ON items (order_id)"});
  CHECK(Contains(tip.message,
                 "Nested Loop compared each of its 12 outer rows with all 300,000 "
                 "rows of Seq Scan on items i (3,600,000 in total)."));
}

// --- partial_index -----------------------------------------------------------------------------

TEST_CASE("partial_index: a rare constant of a column with few values, as the plan prints it") {
  const ExplainQuery q = Fixture("partial_index");
  const std::vector<Tip> tips = TipsWith(q, EventsCatalog());
  const Tip tip = Expect(tips, "partial_index", 0,
                         {"CREATE INDEX ON events (kind) WHERE status = 'pending'::text"});
  CHECK(tip.message ==
        "Seq Scan on events kept 3,000 rows of the table's 300,000 (1.0%): status has only 3 "
        "distinct values and the query asks for one of them. A partial index holds just those "
        "rows, so it stays small and cheap to maintain: CREATE INDEX ON events (kind) WHERE "
        "status = 'pending'::text; (it serves queries with this same condition).");
  CHECK_FALSE(FindTip(tips, "seq_scan_filter"));
  // Without the catalog nothing says status has few values: seq_scan_filter's index.
  const std::vector<Tip> plain = TipsFor(q);
  CHECK_FALSE(FindTip(plain, "partial_index"));
  CHECK(FindTip(plain, "seq_scan_filter"));
}

TEST_CASE("partial_index needs a constant, few distinct values and a small share") {
  const CatalogFacts catalog = EventsCatalog();
  CHECK_FALSE(FindTip(TipsWith(SeqScan("(events.status = $1)"), catalog), "partial_index"));
  CHECK_FALSE(FindTip(TipsWith(SeqScan("(events.code = 'c17'::text)"), catalog), "partial_index"));
  ExplainQuery many = SeqScan("(events.status = 'open'::text)");
  many.plan.actual.rows = N(20000);  // 6.7% of the table
  CHECK_FALSE(FindTip(TipsWith(many, catalog), "partial_index"));
  Expect(TipsWith(SeqScan("(events.status = 'open'::text)"), catalog), "partial_index", 0,
         {"CREATE INDEX ON events (status) WHERE status = 'open'::text"});
}

// --- plan-only EXPLAIN: estimated_scans.cc -----------------------------------------------------

TEST_CASE("Plan-only EXPLAIN: a selective Seq Scan over a large table, from the catalog") {
  const ExplainQuery q = Fixture("estimated_scans");
  const Tip tip =
      Expect(TipsWith(q, EventsCatalog()), "seq_scan_filter", 0, {"CREATE INDEX ON events (code)"});
  CHECK(tip.estimate_based);
  CHECK(tip.saving_ms == 0);
  CHECK(tip.severity == Severity::kMedium);
  CHECK(tip.message ==
        "Seq Scan on events is expected to keep about 60 rows of the table's 300,000 after its "
        "filter. An index on the filtered columns would let PostgreSQL read only the "
        "matching rows: CREATE INDEX ON events (code);");
  CHECK(Contains(TipsToText({tip}), "- [medium] (estimated) Seq Scan on events is expected"));
  // Without the catalog the table's size is unknown; a table of 5,000 rows is small.
  CHECK(TipsFor(q).empty());
  CatalogFacts small = EventsCatalog();
  small.relations[0].reltuples = 5000;
  CHECK_FALSE(FindTip(TipsWith(q, small), "seq_scan_filter"));
}

TEST_CASE("Plan-only EXPLAIN: a Nested Loop over a Seq Scan and a large Sort") {
  const auto loop = [](double outer_rows) {
    return Query(
        Node("Nested Loop")
            .Est(outer_rows)
            .Child(Node("Seq Scan").Rel("orders", "o").Est(outer_rows))
            .Child(Node("Materialize")
                       .Est(2)
                       .Child(Node("Seq Scan").Rel("items", "i").Est(2).Set([](PlanNode& n) {
                         n.filter = "(i.order_id = o.id)";
                       }))));
  };
  const Tip tip = Expect(TipsFor(loop(5000)), "nested_loop_many_loops", 0,
                         {"CREATE INDEX ON items (order_id)"});
  CHECK(tip.estimate_based);
  CHECK(tip.message ==
        "Nested Loop is expected to run its inner side (Seq Scan on items i) about 5,000 times, "
        "each a sequential scan of items: CREATE INDEX ON items (order_id); makes every loop an "
        "index lookup.");
  CHECK(TipsFor(loop(999)).empty());

  const auto sort = [](double rows) {
    return Query(Node("Sort")
                     .Est(rows)
                     .Set([](PlanNode& n) { n.sort_key = {"orders.created_at"}; })
                     .Child(Node("Seq Scan").Rel("orders").Est(rows).Set([](PlanNode& n) {
                       n.filter = "(orders.status = 'new'::text)";
                     })));
  };
  const Tip sorted = Expect(TipsFor(sort(2000000)), "sort_estimated", 0,
                            {"CREATE INDEX ON orders (status, created_at)"});
  CHECK(sorted.estimate_based);
  CHECK_FALSE(FindTip(TipsFor(sort(900000)), "sort_estimated"));
}

TEST_CASE("Plan-only rules stay quiet on EXPLAIN ANALYZE output") {
  ExplainQuery q = Fixture("estimated_scans");
  q.plan.actual.rows = N(60);
  q.plan.actual.loops = N(1);
  q.plan.rows_removed_by_filter = N(50);
  for (const Tip& tip : TipsWith(q, EventsCatalog())) CHECK_FALSE(tip.estimate_based);
}

// --- shared helpers (tips/advice.h) ------------------------------------------------------------

TEST_CASE("Index definitions, constant comparisons and sort keys are read as printed") {
  const std::optional<tips::IndexDefinition> index = tips::ParseIndexDefinition(
      "CREATE UNIQUE INDEX \"Ord Idx\" ON public.orders USING btree (customer_id, lower(email) "
      "text_pattern_ops, \"Order Date\" DESC) INCLUDE (x) WHERE (status = 'a, b'::text)");
  REQUIRE(index);
  CHECK(index->name == "\"Ord Idx\"");
  CHECK(index->keys ==
        Strings{"customer_id", "lower(email) text_pattern_ops", "\"Order Date\" DESC"});
  CHECK(index->partial);
  CHECK(tips::IndexKeyColumn(index->keys[1]) == "lower(email)");
  CHECK(tips::IndexKeyColumn(index->keys[2]) == "\"Order Date\"");

  const std::vector<tips::ConstantComparison> c = tips::ConstantComparisons(
      "(((o.email)::text ~~ 'ab%'::text) AND (o.created_at > '2024-01-01 00:00:00+00'::timestamp "
      "with time zone) AND (lower(o.code) = $1) AND (o.a = o.b))");
  REQUIRE(c.size() == 3);
  CHECK(c[0].column == "email");
  CHECK(c[0].cast == "text");
  CHECK(c[0].op == "~~");
  CHECK(c[0].constant == "'ab%'::text");
  CHECK(c[1].constant == "'2024-01-01 00:00:00+00'::timestamp with time zone");
  CHECK(c[2].expression == "lower(code)");
  CHECK(c[2].qualifier == "o");
  CHECK(c[2].parameter);
  CHECK(tips::ConstantComparisons("((a = 1) OR (b = 2))").empty());
  CHECK(tips::ConstantComparisons("(NOT (a = 1))").empty());
  CHECK(tips::ConstantComparisons("((a IS NOT NULL) AND (b = 2))").size() == 1);

  PlanNode scan = Node("Seq Scan").Rel("orders", "o");
  CHECK(tips::SortKeyIndexColumn(scan, "o.created_at DESC NULLS LAST") ==
        "created_at DESC NULLS LAST");
  CHECK(tips::SortKeyIndexColumn(scan, "created_at") == "created_at");
  CHECK(tips::SortKeyIndexColumn(scan, "c.created_at").empty());
  CHECK(tips::SortKeyIndexColumn(scan, "(o.amount * 2)").empty());
}

}  // namespace planbot::analyzer
