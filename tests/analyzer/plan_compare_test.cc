// ComparePlans: which side is better and by how much, the totals side by side, what changed in the
// tree and how the nodes pair up, as a reader of the compare page sees them. The EXPLAIN output is
// real PostgreSQL 15 (FORMAT JSON, ANALYZE and BUFFERS unless plan-only; parallelism and JIT
// off), whitespace removed, from a database with `customers` (2,000 rows: id primary key, name)
// and `orders` (200,000 rows: id primary key, customer_id = 1 + id % 2,000, day = id / 1,000,
// amount, status 'shipped' for 1 % else 'new'):
//
//   kSeq*, kIdx*     select id, amount from orders where day = 60
//                    before and after CREATE INDEX orders_day_idx ON orders (day)
//   kJoinHash, -Nl   select c.name, o.amount from orders o join customers c
//                      on c.id = o.customer_id where o.day = 3
//                    with nested loops off, then with hash joins off (merge joins off in both)
//   kShape*          select id, day from orders where customer_id = 7 order by day desc limit 5
//                    index scans off, then after CREATE INDEX orders_customer_day_idx
//                      ON orders (customer_id, day)
//   kEst*            select count(*) from orders where customer_id = 101 and status = 'shipped'
//                    index scans off, before and after CREATE STATISTICS (dependencies) ON
//                      customer_id, status FROM orders
#include "analyzer/plan_compare.h"

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "analyzer/plan_metrics.h"
#include "analyzer/summary.h"
#include "tests/analyzer/plan_builders.h"
#include "tests/result_testing.h"

namespace planbot::analyzer {
namespace {

using nlohmann::json;
using Strings = std::vector<std::string>;

constexpr char kSeqAnalyze[] = R"j(
[{"Plan":{"Node Type":"Seq Scan","Parallel Aware":false,"Async Capable":false,
"Relation Name":"orders","Alias":"orders","Startup Cost":0.00,"Total Cost":3783.00,
"Plan Rows":998,"Plan Width":8,"Actual Startup Time":8.022,"Actual Total Time":36.619,
"Actual Rows":1000,"Actual Loops":1,"Filter":"(day = 60)","Rows Removed by Filter":199000,
"Shared Hit Blocks":1283,"Shared Read Blocks":0,"Shared Dirtied Blocks":0,
"Shared Written Blocks":0,"Local Hit Blocks":0,"Local Read Blocks":0,"Local Dirtied Blocks":0,
"Local Written Blocks":0,"Temp Read Blocks":0,"Temp Written Blocks":0},
"Planning":{"Shared Hit Blocks":66,"Shared Read Blocks":0,"Shared Dirtied Blocks":0,
"Shared Written Blocks":0,"Local Hit Blocks":0,"Local Read Blocks":0,"Local Dirtied Blocks":0,
"Local Written Blocks":0,"Temp Read Blocks":0,"Temp Written Blocks":0},"Planning Time":0.546,
"Triggers":[],"Execution Time":36.724}])j";

constexpr char kIdxAnalyze[] = R"j(
[{"Plan":{"Node Type":"Index Scan","Parallel Aware":false,"Async Capable":false,
"Scan Direction":"Forward","Index Name":"orders_day_idx","Relation Name":"orders",
"Alias":"orders","Startup Cost":0.29,"Total Cost":31.76,"Plan Rows":998,"Plan Width":8,
"Actual Startup Time":0.049,"Actual Total Time":0.319,"Actual Rows":1000,"Actual Loops":1,
"Index Cond":"(day = 60)","Rows Removed by Index Recheck":0,"Shared Hit Blocks":11,
"Shared Read Blocks":0,"Shared Dirtied Blocks":0,"Shared Written Blocks":0,
"Local Hit Blocks":0,"Local Read Blocks":0,"Local Dirtied Blocks":0,"Local Written Blocks":0,
"Temp Read Blocks":0,"Temp Written Blocks":0},"Planning":{"Shared Hit Blocks":83,
"Shared Read Blocks":0,"Shared Dirtied Blocks":0,"Shared Written Blocks":0,
"Local Hit Blocks":0,"Local Read Blocks":0,"Local Dirtied Blocks":0,"Local Written Blocks":0,
"Temp Read Blocks":0,"Temp Written Blocks":0},"Planning Time":0.843,"Triggers":[],
"Execution Time":0.475}])j";

constexpr char kSeqPlan[] = R"j(
[{"Plan":{"Node Type":"Seq Scan","Parallel Aware":false,"Async Capable":false,
"Relation Name":"orders","Alias":"orders","Startup Cost":0.00,"Total Cost":3783.00,
"Plan Rows":998,"Plan Width":8,"Filter":"(day = 60)"}}])j";

constexpr char kIdxPlan[] = R"j(
[{"Plan":{"Node Type":"Index Scan","Parallel Aware":false,"Async Capable":false,
"Scan Direction":"Forward","Index Name":"orders_day_idx","Relation Name":"orders",
"Alias":"orders","Startup Cost":0.29,"Total Cost":31.76,"Plan Rows":998,"Plan Width":8,
"Index Cond":"(day = 60)"}}])j";

constexpr char kJoinHash[] = R"j(
[{"Plan":{"Node Type":"Hash Join","Parallel Aware":false,"Async Capable":false,
"Join Type":"Inner","Startup Cost":56.30,"Total Cost":90.38,"Plan Rows":998,"Plan Width":9,
"Actual Startup Time":0.912,"Actual Total Time":1.401,"Actual Rows":1000,"Actual Loops":1,
"Inner Unique":true,"Hash Cond":"(o.customer_id = c.id)","Shared Hit Blocks":21,
"Shared Read Blocks":0,"Shared Dirtied Blocks":0,"Shared Written Blocks":0,
"Local Hit Blocks":0,"Local Read Blocks":0,"Local Dirtied Blocks":0,"Local Written Blocks":0,
"Temp Read Blocks":0,"Temp Written Blocks":0,"Plans":[{"Node Type":"Index Scan",
"Parent Relationship":"Outer","Parallel Aware":false,"Async Capable":false,
"Scan Direction":"Forward","Index Name":"orders_day_idx","Relation Name":"orders","Alias":"o",
"Startup Cost":0.29,"Total Cost":31.76,"Plan Rows":998,"Plan Width":8,
"Actual Startup Time":0.044,"Actual Total Time":0.224,"Actual Rows":1000,"Actual Loops":1,
"Index Cond":"(day = 3)","Rows Removed by Index Recheck":0,"Shared Hit Blocks":10,
"Shared Read Blocks":0,"Shared Dirtied Blocks":0,"Shared Written Blocks":0,
"Local Hit Blocks":0,"Local Read Blocks":0,"Local Dirtied Blocks":0,"Local Written Blocks":0,
"Temp Read Blocks":0,"Temp Written Blocks":0},{"Node Type":"Hash",
"Parent Relationship":"Inner","Parallel Aware":false,"Async Capable":false,
"Startup Cost":31.00,"Total Cost":31.00,"Plan Rows":2000,"Plan Width":9,
"Actual Startup Time":0.840,"Actual Total Time":0.841,"Actual Rows":2000,"Actual Loops":1,
"Hash Buckets":2048,"Original Hash Buckets":2048,"Hash Batches":1,"Original Hash Batches":1,
"Peak Memory Usage":102,"Shared Hit Blocks":11,"Shared Read Blocks":0,
"Shared Dirtied Blocks":0,"Shared Written Blocks":0,"Local Hit Blocks":0,"Local Read Blocks":0,
"Local Dirtied Blocks":0,"Local Written Blocks":0,"Temp Read Blocks":0,"Temp Written Blocks":0,
"Plans":[{"Node Type":"Seq Scan","Parent Relationship":"Outer","Parallel Aware":false,
"Async Capable":false,"Relation Name":"customers","Alias":"c","Startup Cost":0.00,
"Total Cost":31.00,"Plan Rows":2000,"Plan Width":9,"Actual Startup Time":0.012,
"Actual Total Time":0.337,"Actual Rows":2000,"Actual Loops":1,"Shared Hit Blocks":11,
"Shared Read Blocks":0,"Shared Dirtied Blocks":0,"Shared Written Blocks":0,
"Local Hit Blocks":0,"Local Read Blocks":0,"Local Dirtied Blocks":0,"Local Written Blocks":0,
"Temp Read Blocks":0,"Temp Written Blocks":0}]}]},"Planning":{"Shared Hit Blocks":174,
"Shared Read Blocks":0,"Shared Dirtied Blocks":0,"Shared Written Blocks":0,
"Local Hit Blocks":0,"Local Read Blocks":0,"Local Dirtied Blocks":0,"Local Written Blocks":0,
"Temp Read Blocks":0,"Temp Written Blocks":0},"Planning Time":0.927,"Triggers":[],
"Execution Time":1.554}])j";

constexpr char kJoinNl[] = R"j(
[{"Plan":{"Node Type":"Nested Loop","Parallel Aware":false,"Async Capable":false,
"Join Type":"Inner","Startup Cost":0.58,"Total Cost":348.88,"Plan Rows":998,"Plan Width":9,
"Actual Startup Time":0.071,"Actual Total Time":2.231,"Actual Rows":1000,"Actual Loops":1,
"Inner Unique":true,"Shared Hit Blocks":3010,"Shared Read Blocks":0,"Shared Dirtied Blocks":0,
"Shared Written Blocks":0,"Local Hit Blocks":0,"Local Read Blocks":0,"Local Dirtied Blocks":0,
"Local Written Blocks":0,"Temp Read Blocks":0,"Temp Written Blocks":0,
"Plans":[{"Node Type":"Index Scan","Parent Relationship":"Outer","Parallel Aware":false,
"Async Capable":false,"Scan Direction":"Forward","Index Name":"orders_day_idx",
"Relation Name":"orders","Alias":"o","Startup Cost":0.29,"Total Cost":31.76,"Plan Rows":998,
"Plan Width":8,"Actual Startup Time":0.035,"Actual Total Time":0.214,"Actual Rows":1000,
"Actual Loops":1,"Index Cond":"(day = 3)","Rows Removed by Index Recheck":0,
"Shared Hit Blocks":10,"Shared Read Blocks":0,"Shared Dirtied Blocks":0,
"Shared Written Blocks":0,"Local Hit Blocks":0,"Local Read Blocks":0,"Local Dirtied Blocks":0,
"Local Written Blocks":0,"Temp Read Blocks":0,"Temp Written Blocks":0},{"Node Type":"Memoize",
"Parent Relationship":"Inner","Parallel Aware":false,"Async Capable":false,"Startup Cost":0.29,
"Total Cost":0.38,"Plan Rows":1,"Plan Width":9,"Actual Startup Time":0.002,
"Actual Total Time":0.002,"Actual Rows":1,"Actual Loops":1000,"Cache Key":"o.customer_id",
"Cache Mode":"logical","Cache Hits":0,"Cache Misses":1000,"Cache Evictions":0,
"Cache Overflows":0,"Peak Memory Usage":110,"Shared Hit Blocks":3000,"Shared Read Blocks":0,
"Shared Dirtied Blocks":0,"Shared Written Blocks":0,"Local Hit Blocks":0,"Local Read Blocks":0,
"Local Dirtied Blocks":0,"Local Written Blocks":0,"Temp Read Blocks":0,"Temp Written Blocks":0,
"Plans":[{"Node Type":"Index Scan","Parent Relationship":"Outer","Parallel Aware":false,
"Async Capable":false,"Scan Direction":"Forward","Index Name":"customers_pkey",
"Relation Name":"customers","Alias":"c","Startup Cost":0.28,"Total Cost":0.37,"Plan Rows":1,
"Plan Width":9,"Actual Startup Time":0.001,"Actual Total Time":0.001,"Actual Rows":1,
"Actual Loops":1000,"Index Cond":"(id = o.customer_id)","Rows Removed by Index Recheck":0,
"Shared Hit Blocks":3000,"Shared Read Blocks":0,"Shared Dirtied Blocks":0,
"Shared Written Blocks":0,"Local Hit Blocks":0,"Local Read Blocks":0,"Local Dirtied Blocks":0,
"Local Written Blocks":0,"Temp Read Blocks":0,"Temp Written Blocks":0}]}]},
"Planning":{"Shared Hit Blocks":174,"Shared Read Blocks":0,"Shared Dirtied Blocks":0,
"Shared Written Blocks":0,"Local Hit Blocks":0,"Local Read Blocks":0,"Local Dirtied Blocks":0,
"Local Written Blocks":0,"Temp Read Blocks":0,"Temp Written Blocks":0},"Planning Time":0.761,
"Triggers":[],"Execution Time":2.430}])j";

constexpr char kShapeBefore[] = R"j(
[{"Plan":{"Node Type":"Limit","Parallel Aware":false,"Async Capable":false,
"Startup Cost":3784.66,"Total Cost":3784.67,"Plan Rows":5,"Plan Width":8,
"Actual Startup Time":22.189,"Actual Total Time":22.194,"Actual Rows":5,"Actual Loops":1,
"Shared Hit Blocks":1286,"Shared Read Blocks":0,"Shared Dirtied Blocks":0,
"Shared Written Blocks":0,"Local Hit Blocks":0,"Local Read Blocks":0,"Local Dirtied Blocks":0,
"Local Written Blocks":0,"Temp Read Blocks":0,"Temp Written Blocks":0,
"Plans":[{"Node Type":"Sort","Parent Relationship":"Outer","Parallel Aware":false,
"Async Capable":false,"Startup Cost":3784.66,"Total Cost":3784.91,"Plan Rows":100,
"Plan Width":8,"Actual Startup Time":22.186,"Actual Total Time":22.189,"Actual Rows":5,
"Actual Loops":1,"Sort Key":["day DESC"],"Sort Method":"top-N heapsort","Sort Space Used":25,
"Sort Space Type":"Memory","Shared Hit Blocks":1286,"Shared Read Blocks":0,
"Shared Dirtied Blocks":0,"Shared Written Blocks":0,"Local Hit Blocks":0,"Local Read Blocks":0,
"Local Dirtied Blocks":0,"Local Written Blocks":0,"Temp Read Blocks":0,"Temp Written Blocks":0,
"Plans":[{"Node Type":"Seq Scan","Parent Relationship":"Outer","Parallel Aware":false,
"Async Capable":false,"Relation Name":"orders","Alias":"orders","Startup Cost":0.00,
"Total Cost":3783.00,"Plan Rows":100,"Plan Width":8,"Actual Startup Time":0.011,
"Actual Total Time":22.045,"Actual Rows":100,"Actual Loops":1,"Filter":"(customer_id = 7)",
"Rows Removed by Filter":199900,"Shared Hit Blocks":1283,"Shared Read Blocks":0,
"Shared Dirtied Blocks":0,"Shared Written Blocks":0,"Local Hit Blocks":0,"Local Read Blocks":0,
"Local Dirtied Blocks":0,"Local Written Blocks":0,"Temp Read Blocks":0,
"Temp Written Blocks":0}]}]},"Planning":{"Shared Hit Blocks":80,"Shared Read Blocks":0,
"Shared Dirtied Blocks":0,"Shared Written Blocks":0,"Local Hit Blocks":0,"Local Read Blocks":0,
"Local Dirtied Blocks":0,"Local Written Blocks":0,"Temp Read Blocks":0,
"Temp Written Blocks":0},"Planning Time":0.714,"Triggers":[],"Execution Time":22.287}])j";

constexpr char kShapeAfter[] = R"j(
[{"Plan":{"Node Type":"Limit","Parallel Aware":false,"Async Capable":false,"Startup Cost":0.42,
"Total Cost":20.11,"Plan Rows":5,"Plan Width":8,"Actual Startup Time":0.042,
"Actual Total Time":0.103,"Actual Rows":5,"Actual Loops":1,"Shared Hit Blocks":8,
"Shared Read Blocks":0,"Shared Dirtied Blocks":0,"Shared Written Blocks":0,
"Local Hit Blocks":0,"Local Read Blocks":0,"Local Dirtied Blocks":0,"Local Written Blocks":0,
"Temp Read Blocks":0,"Temp Written Blocks":0,"Plans":[{"Node Type":"Index Scan",
"Parent Relationship":"Outer","Parallel Aware":false,"Async Capable":false,
"Scan Direction":"Backward","Index Name":"orders_customer_day_idx","Relation Name":"orders",
"Alias":"orders","Startup Cost":0.42,"Total Cost":394.16,"Plan Rows":100,"Plan Width":8,
"Actual Startup Time":0.041,"Actual Total Time":0.101,"Actual Rows":5,"Actual Loops":1,
"Index Cond":"(customer_id = 7)","Rows Removed by Index Recheck":0,"Shared Hit Blocks":8,
"Shared Read Blocks":0,"Shared Dirtied Blocks":0,"Shared Written Blocks":0,
"Local Hit Blocks":0,"Local Read Blocks":0,"Local Dirtied Blocks":0,"Local Written Blocks":0,
"Temp Read Blocks":0,"Temp Written Blocks":0}]},"Planning":{"Shared Hit Blocks":96,
"Shared Read Blocks":0,"Shared Dirtied Blocks":0,"Shared Written Blocks":0,
"Local Hit Blocks":0,"Local Read Blocks":0,"Local Dirtied Blocks":0,"Local Written Blocks":0,
"Temp Read Blocks":0,"Temp Written Blocks":0},"Planning Time":0.599,"Triggers":[],
"Execution Time":0.140}])j";

constexpr char kEstBefore[] = R"j(
[{"Plan":{"Node Type":"Aggregate","Strategy":"Plain","Partial Mode":"Simple",
"Parallel Aware":false,"Async Capable":false,"Startup Cost":4283.00,"Total Cost":4283.01,
"Plan Rows":1,"Plan Width":8,"Actual Startup Time":27.230,"Actual Total Time":27.233,
"Actual Rows":1,"Actual Loops":1,"Shared Hit Blocks":1283,"Shared Read Blocks":0,
"Shared Dirtied Blocks":0,"Shared Written Blocks":0,"Local Hit Blocks":0,"Local Read Blocks":0,
"Local Dirtied Blocks":0,"Local Written Blocks":0,"Temp Read Blocks":0,"Temp Written Blocks":0,
"Plans":[{"Node Type":"Seq Scan","Parent Relationship":"Outer","Parallel Aware":false,
"Async Capable":false,"Relation Name":"orders","Alias":"orders","Startup Cost":0.00,
"Total Cost":4283.00,"Plan Rows":1,"Plan Width":0,"Actual Startup Time":0.024,
"Actual Total Time":27.185,"Actual Rows":100,"Actual Loops":1,
"Filter":"((customer_id = 101) AND (status = 'shipped'::text))",
"Rows Removed by Filter":199900,"Shared Hit Blocks":1283,"Shared Read Blocks":0,
"Shared Dirtied Blocks":0,"Shared Written Blocks":0,"Local Hit Blocks":0,"Local Read Blocks":0,
"Local Dirtied Blocks":0,"Local Written Blocks":0,"Temp Read Blocks":0,
"Temp Written Blocks":0}]},"Planning":{"Shared Hit Blocks":107,"Shared Read Blocks":0,
"Shared Dirtied Blocks":0,"Shared Written Blocks":0,"Local Hit Blocks":0,"Local Read Blocks":0,
"Local Dirtied Blocks":0,"Local Written Blocks":0,"Temp Read Blocks":0,
"Temp Written Blocks":0},"Planning Time":0.739,"Triggers":[],"Execution Time":27.388}])j";

constexpr char kEstAfter[] = R"j(
[{"Plan":{"Node Type":"Aggregate","Strategy":"Plain","Partial Mode":"Simple",
"Parallel Aware":false,"Async Capable":false,"Startup Cost":4283.25,"Total Cost":4283.26,
"Plan Rows":1,"Plan Width":8,"Actual Startup Time":28.520,"Actual Total Time":28.523,
"Actual Rows":1,"Actual Loops":1,"Shared Hit Blocks":1283,"Shared Read Blocks":0,
"Shared Dirtied Blocks":0,"Shared Written Blocks":0,"Local Hit Blocks":0,"Local Read Blocks":0,
"Local Dirtied Blocks":0,"Local Written Blocks":0,"Temp Read Blocks":0,"Temp Written Blocks":0,
"Plans":[{"Node Type":"Seq Scan","Parent Relationship":"Outer","Parallel Aware":false,
"Async Capable":false,"Relation Name":"orders","Alias":"orders","Startup Cost":0.00,
"Total Cost":4283.00,"Plan Rows":100,"Plan Width":0,"Actual Startup Time":0.023,
"Actual Total Time":28.482,"Actual Rows":100,"Actual Loops":1,
"Filter":"((customer_id = 101) AND (status = 'shipped'::text))",
"Rows Removed by Filter":199900,"Shared Hit Blocks":1283,"Shared Read Blocks":0,
"Shared Dirtied Blocks":0,"Shared Written Blocks":0,"Local Hit Blocks":0,"Local Read Blocks":0,
"Local Dirtied Blocks":0,"Local Written Blocks":0,"Temp Read Blocks":0,
"Temp Written Blocks":0}]},"Planning":{"Shared Hit Blocks":115,"Shared Read Blocks":0,
"Shared Dirtied Blocks":0,"Shared Written Blocks":0,"Local Hit Blocks":0,"Local Read Blocks":0,
"Local Dirtied Blocks":0,"Local Written Blocks":0,"Temp Read Blocks":0,
"Temp Written Blocks":0},"Planning Time":0.926,"Triggers":[],"Execution Time":28.639}])j";

Analysis Analysed(const char* text) {
  Result<Analysis> analysis = Analyze(text, {150000, 8192});
  REQUIRE_MESSAGE(analysis.ok(), planbot::testing::ErrorText(analysis));
  return std::move(analysis).value();
}

// An analysis of a tree built in the test (plan_builders.h): model, metrics and summary.
Analysis Built(PlanNode root) {
  auto explain = std::make_unique<Explain>();
  explain->queries.push_back(testing::Query(std::move(root)));
  Analysis analysis;
  analysis.metrics = ComputeMetrics(explain->queries[0]);
  analysis.summary = ComputeSummary(explain->queries[0], 8192);
  analysis.explain = std::move(explain);
  return analysis;
}

json Compare(const Analysis& a, const Analysis& b) {
  const CompareSide before{12,    "2024-05-01T10:00:00Z", "explain", "shop",
                           "s-1", "select ...",           "fp-1",    &a};
  const CompareSide after{13,    "2024-05-01T10:05:00Z", "explain", "shop",
                          "s-1", "select ...",           "fp-1",    &b};
  return ComparePlans(before, after);
}

json Compare(const char* before, const char* after) {
  return Compare(Analysed(before), Analysed(after));
}

// One line per item, so that a failed check shows both sides readably.
std::string Lines(const Strings& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : "\n") + item;
  return out;
}

// "kind: text" per change, in order.
std::string Changes(const json& comparison) {
  Strings out;
  for (const json& c : comparison["changes"]) {
    out.push_back(c["kind"].get<std::string>() + ": " + c["text"].get<std::string>());
  }
  return Lines(out);
}

// "match: a's label | b's label" per node row, "-" for a missing side.
std::string Pairs(const json& comparison) {
  Strings out;
  for (const json& n : comparison["nodes"]) {
    const auto label = [](const json& side) {
      return side.is_null() ? std::string("-") : side["label"].get<std::string>();
    };
    out.push_back(n["match"].get<std::string>() + ": " + label(n["a"]) + " | " + label(n["b"]));
  }
  return Lines(out);
}

std::string Metrics(const json& comparison) {
  Strings out;
  for (const json& t : comparison["totals"]) out.push_back(t["metric"]);
  return Lines(out);
}

const json& Total(const json& comparison, const std::string& metric) {
  for (const json& t : comparison["totals"]) {
    if (t["metric"] == metric) return t;
  }
  FAIL("no total " << metric);
  return comparison;
}

}  // namespace

TEST_CASE("compare: an index turns a Seq Scan into an Index Scan, 77× faster") {
  const json c = Compare(kSeqAnalyze, kIdxAnalyze);
  CHECK(c["a"]["id"] == 12);
  CHECK(c["a"]["created_at"] == "2024-05-01T10:00:00Z");
  CHECK(c["a"]["database"] == "shop");
  CHECK(c["a"]["fingerprint"] == "fp-1");
  CHECK(c["a"]["analyzed"] == true);
  CHECK(c["b"]["id"] == 13);
  CHECK(c["b"]["analyzed"] == true);
  CHECK(c["measure"] == "time");

  CHECK(c["verdict"]["better"] == "b");
  CHECK(c["verdict"]["factor"].get<double>() == doctest::Approx(77.31));
  CHECK(c["verdict"]["text"] == "after is 77.3× faster (36.7 ms → 0.475 ms)");

  CHECK(Metrics(c) ==
        Lines({"execution_ms", "planning_ms", "total_cost", "rows", "shared_hit_blocks",
               "shared_read_blocks", "temp_blocks", "node_count"}));
  const json& exec = Total(c, "execution_ms");
  CHECK(exec["label"] == "Execution time");
  CHECK(exec["a"].get<double>() == doctest::Approx(36.724));
  CHECK(exec["b"].get<double>() == doctest::Approx(0.475));
  CHECK(exec["a_human"] == "36.7 ms");
  CHECK(exec["b_human"] == "0.475 ms");
  CHECK(exec["ratio"].get<double>() == doctest::Approx(0.0129));
  CHECK(Total(c, "total_cost")["a_human"] == "3,783");
  CHECK(Total(c, "total_cost")["b_human"] == "31.76");
  CHECK(Total(c, "rows")["label"] == "Rows");
  CHECK(Total(c, "rows")["a"] == 1000);
  CHECK(Total(c, "rows")["ratio"] == 1.0);
  CHECK(Total(c, "shared_hit_blocks")["a_human"] == "1,283 (10.0 MiB)");
  CHECK(Total(c, "shared_hit_blocks")["b_human"] == "11 (88.0 KiB)");
  CHECK(Total(c, "shared_read_blocks")["a"] == 0);
  CHECK(Total(c, "shared_read_blocks")["ratio"].is_null());  // nothing read before: no ratio
  CHECK(Total(c, "node_count")["a"] == 1);

  CHECK(Changes(c) ==
        Lines({"node_type: Seq Scan on orders → Index Scan using orders_day_idx on orders",
               "index: now uses index orders_day_idx"}));

  REQUIRE(c["nodes"].size() == 1);
  const json& row = c["nodes"][0];
  CHECK(row["match"] == "relation");  // same place, other node type: paired by relation
  CHECK(row["a"]["id"] == 0);
  CHECK(row["a"]["node_type"] == "Seq Scan");
  CHECK(row["a"]["relation"] == "orders");
  CHECK(row["a"]["index"].is_null());
  CHECK(row["a"]["total_ms"].get<double>() == doctest::Approx(36.619));
  CHECK(row["a"]["exclusive_ms"].get<double>() == doctest::Approx(36.619));
  CHECK(row["a"]["rows"] == 1000);
  CHECK(row["a"]["plan_rows"] == 998);
  CHECK(row["a"]["loops"] == 1);
  CHECK(row["a"]["total_cost"].get<double>() == doctest::Approx(3783));
  CHECK(row["a"]["shared_hit"] == 1283);
  CHECK(row["a"]["shared_read"] == 0);
  CHECK(row["b"]["label"] == "Index Scan using orders_day_idx on orders");
  CHECK(row["b"]["index"] == "orders_day_idx");
  CHECK(row["b"]["exclusive_ms"].get<double>() == doctest::Approx(0.319));
  CHECK(row["delta"]["exclusive_ms"].get<double>() == doctest::Approx(-36.3));
  CHECK(row["delta"]["total_cost"].get<double>() == doctest::Approx(-3751.24));
  CHECK(row["delta"]["shared_hit"] == -1272);
  CHECK(row["delta"]["rows"] == 0);
}

TEST_CASE("compare: the same pair the other way round says before was faster") {
  const json c = Compare(kIdxAnalyze, kSeqAnalyze);
  CHECK(c["verdict"]["better"] == "a");
  CHECK(c["verdict"]["text"] == "before is 77.3× faster (0.475 ms → 36.7 ms)");
  CHECK(Changes(c) ==
        Lines({"node_type: Index Scan using orders_day_idx on orders → Seq Scan on orders",
               "index: no longer uses index orders_day_idx"}));
}

TEST_CASE("compare: plan-only plans are compared by cost; their times are null") {
  const json c = Compare(kSeqPlan, kIdxPlan);
  CHECK(c["measure"] == "cost");
  CHECK(c["a"]["analyzed"] == false);
  CHECK(c["b"]["analyzed"] == false);
  CHECK(c["verdict"]["better"] == "b");
  CHECK(c["verdict"]["text"] ==
        "after is 119.1× cheaper by the planner's estimate (cost 3,783 → 31.76)");
  // No times, rows or buffers in either plan: those totals are left out.
  CHECK(Metrics(c) == Lines({"total_cost", "rows", "node_count"}));
  CHECK(Total(c, "rows")["label"] == "Rows (estimated)");
  CHECK(Total(c, "rows")["a"] == 998);
  CHECK(Total(c, "total_cost")["ratio"].get<double>() == doctest::Approx(0.0084));
  CHECK(Changes(c) ==
        Lines({"node_type: Seq Scan on orders → Index Scan using orders_day_idx on orders",
               "index: now uses index orders_day_idx"}));
  REQUIRE(c["nodes"].size() == 1);
  const json& row = c["nodes"][0];
  for (const char* key : {"total_ms", "exclusive_ms", "rows", "loops", "shared_hit"}) {
    CAPTURE(key);
    CHECK(row["a"][key].is_null());
    CHECK(row["b"][key].is_null());
  }
  CHECK(row["b"]["plan_rows"] == 998);
  CHECK(row["delta"] == json{{"plan_rows", 0}, {"total_cost", -3751.24}});
}

TEST_CASE("compare: with one side plan-only the measure is cost and its figures are null") {
  const json c = Compare(kSeqAnalyze, kIdxPlan);
  CHECK(c["measure"] == "cost");
  CHECK(c["a"]["analyzed"] == true);
  CHECK(c["b"]["analyzed"] == false);
  CHECK(c["verdict"]["text"] ==
        "after is 119.1× cheaper by the planner's estimate (cost 3,783 → 31.76)");
  const json& exec = Total(c, "execution_ms");
  CHECK(exec["a_human"] == "36.7 ms");
  CHECK(exec["b"].is_null());
  CHECK(exec["b_human"].is_null());
  CHECK(exec["ratio"].is_null());
  CHECK(Total(c, "rows")["label"] == "Rows (estimated)");  // actual rows on one side only
  const json& delta = c["nodes"][0]["delta"];
  CHECK(!delta.contains("exclusive_ms"));
  CHECK(delta.contains("total_cost"));
}

TEST_CASE("compare: the same plan twice is no real difference, every node paired by position") {
  const json c = Compare(kSeqAnalyze, kSeqAnalyze);
  CHECK(c["verdict"]["better"].is_null());
  CHECK(c["verdict"]["factor"] == 1.0);
  CHECK(c["verdict"]["text"] == "no real difference (within 10 %)");
  CHECK(c["changes"] == json::array());
  CHECK(Pairs(c) == Lines({"position: Seq Scan on orders | Seq Scan on orders"}));
  CHECK(c["nodes"][0]["delta"]["exclusive_ms"] == 0.0);
  CHECK(Total(c, "execution_ms")["ratio"] == 1.0);
}

TEST_CASE("compare: fresh statistics fix an estimate; 5 % slower is no real difference") {
  const json c = Compare(kEstBefore, kEstAfter);
  CHECK(c["verdict"]["better"].is_null());
  CHECK(c["verdict"]["factor"].get<double>() == doctest::Approx(1.05));
  CHECK(c["verdict"]["text"] == "no real difference (within 10 %)");
  CHECK(Changes(c) == Lines({"estimate: Seq Scan on orders: estimate misfire 100× → 1.0×"}));
  CHECK(Pairs(c) == Lines({"position: Aggregate | Aggregate",
                           "position: Seq Scan on orders | Seq Scan on orders"}));
  CHECK(c["nodes"][1]["delta"]["plan_rows"] == 99);
}

TEST_CASE("compare: a hash join forced into a nested loop") {
  const json c = Compare(kJoinHash, kJoinNl);
  CHECK(c["measure"] == "time");
  CHECK(c["verdict"]["better"] == "a");
  CHECK(c["verdict"]["text"] == "before is 1.6× faster (1.55 ms → 2.43 ms)");
  CHECK(Total(c, "shared_hit_blocks")["ratio"].get<double>() == doctest::Approx(143));
  CHECK(
      Changes(c) ==
      Lines({"node_type: Seq Scan on customers c → Index Scan using customers_pkey on customers c",
             "node_type: Hash → Memoize", "index: now uses index customers_pkey",
             "join: Hash Join → Nested Loop"}));
  // Joins have no relation: a different join at the root stands alone on both sides.
  CHECK(Pairs(c) ==
        Lines({"none: - | Nested Loop",
               "position: Index Scan using orders_day_idx on orders o | Index Scan using "
               "orders_day_idx on orders o",
               "none: - | Memoize",
               "relation: Seq Scan on customers c | Index Scan using customers_pkey on customers c",
               "none: Hash Join | -", "none: Hash | -"}));
  const json& customers = c["nodes"][3];
  CHECK(customers["a"]["id"] == 3);
  CHECK(customers["b"]["id"] == 3);
  CHECK(customers["b"]["loops"] == 1000);
  CHECK(customers["b"]["rows"] == 1000);  // rows are over all loops: 1 per loop × 1,000
  CHECK(customers["delta"]["loops"] == 999);
  CHECK(customers["delta"]["rows"] == -1000);
  CHECK(c["nodes"][4]["delta"] == json::object());
}

TEST_CASE("compare: an index for ORDER BY ... LIMIT removes the Sort; the scan moves up") {
  const json c = Compare(kShapeBefore, kShapeAfter);
  CHECK(c["verdict"]["text"] == "after is 159.2× faster (22.3 ms → 0.140 ms)");
  CHECK(Total(c, "node_count")["a"] == 3);
  CHECK(Total(c, "node_count")["b"] == 2);
  CHECK(Total(c, "node_count")["ratio"].get<double>() == doctest::Approx(0.667));
  // The Index Scan stops after 5 of the 100 rows estimated under the Limit: no estimate change.
  CHECK(Changes(c) == Lines({"node_type: Seq Scan on orders → Index Scan Backward using "
                             "orders_customer_day_idx on orders",
                             "index: now uses index orders_customer_day_idx", "removed: Sort"}));
  CHECK(Pairs(c) == Lines({"position: Limit | Limit",
                           "relation: Seq Scan on orders | Index Scan Backward using "
                           "orders_customer_day_idx on orders",
                           "none: Sort | -"}));
  CHECK(c["nodes"][1]["a"]["id"] == 2);
  CHECK(c["nodes"][1]["b"]["id"] == 1);
  CHECK(c["nodes"][1]["delta"]["total_ms"].get<double>() == doctest::Approx(-21.944));

  const json back = Compare(kShapeAfter, kShapeBefore);
  CHECK(Changes(back) ==
        Lines({"node_type: Index Scan Backward using orders_customer_day_idx on "
               "orders → Seq Scan on orders",
               "index: no longer uses index orders_customer_day_idx", "added: Sort"}));
  CHECK(Pairs(back) == Lines({"position: Limit | Limit", "none: - | Sort",
                              "relation: Index Scan Backward using orders_customer_day_idx on "
                              "orders | Seq Scan on orders"}));
}

TEST_CASE(
    "compare: a relation pairs with its nearest scan in preorder; nodes that moved are no "
    "change") {
  using testing::Node;
  // Two scans of t before; the one at the same preorder place is the counterpart.
  const Analysis a = Built(Node("Append")
                               .Est(10)
                               .Child(Node("Seq Scan").Rel("t", "t1").Est(5, 50))
                               .Child(Node("Result").Est(1, 1))
                               .Child(Node("Result").Est(1, 1))
                               .Child(Node("Seq Scan").Rel("t", "t2").Est(5, 50)));
  const Analysis b = Built(Node("Limit").Est(10, 20).Child(
      Node("Append")
          .Est(10)
          .Child(Node("Result").Est(1, 1))
          .Child(Node("Result").Est(1, 1))
          .Child(Node("Index Scan").Index("t_idx").Rel("t", "t2").Est(5, 8))));
  const json c = Compare(a, b);
  CHECK(c["measure"] == "cost");
  CHECK(Pairs(c) ==
        Lines({"none: - | Limit", "none: - | Append", "none: - | Result", "none: - | Result",
               "relation: Seq Scan on t t2 | Index Scan using t_idx on t t2", "none: Append | -",
               "none: Seq Scan on t t1 | -", "none: Result | -", "none: Result | -"}));
  // The Append and the Results moved under the Limit: not listed as added and removed.
  CHECK(Changes(c) ==
        Lines({"node_type: Seq Scan on t t2 → Index Scan using t_idx on t t2",
               "index: now uses index t_idx", "added: Limit", "removed: Seq Scan on t t1"}));
}

TEST_CASE("compare: a join that moved under a Gather is the same join; changes are listed once") {
  using testing::Node;
  const Analysis a = Built(
      Node("Hash Join")
          .Est(100, 500)
          .Child(Node("Seq Scan").Rel("orders").Est(100, 400))
          .Child(Node("Hash").Est(10, 20).Child(Node("Seq Scan").Rel("customers").Est(10, 20))));
  const Analysis b = Built(Node("Gather").Est(100, 300).Child(
      Node("Hash Join")
          .Est(100, 250)
          .Child(Node("Seq Scan").Rel("orders").Est(100, 200).Set([](PlanNode& n) {
            n.parallel_aware = true;
          }))
          .Child(Node("Hash").Est(10, 20).Child(Node("Seq Scan").Rel("customers").Est(10, 20)))
          .Child(Node("Sort").Est(1, 1))
          .Child(Node("Sort").Est(1, 1))));
  const json c = Compare(a, b);
  CHECK(c["verdict"]["text"] == "after is 1.7× cheaper by the planner's estimate (cost 500 → 300)");
  CHECK(Changes(c) == Lines({"node_type: Seq Scan on orders → Parallel Seq Scan on orders",
                             "added: Gather", "added: Sort"}));
}

TEST_CASE("compare: operations that changed in place; small estimate changes are not listed") {
  using testing::Node;
  const auto strategy = [](const char* value) {
    return [value](PlanNode& n) { n.strategy = value; };
  };
  // Before: a HashAggregate over a Sort of a Seq Scan of t misestimated 5×; after: a
  // GroupAggregate over an Incremental Sort of an Index Scan of t estimated right. A Seq Scan of u
  // is misestimated 30× before and 20× after. Neither estimate change is listed: t's is under 10×
  // on both sides, u's factors are within 2× of each other.
  const Analysis a = Built(Node("Aggregate")
                               .Set(strategy("Hashed"))
                               .Est(10)
                               .Act(9, 10)
                               .Child(Node("Sort").Est(100).Act(8, 100).Child(
                                   Node("Seq Scan").Rel("t").Est(20).Act(7, 100)))
                               .Child(Node("Seq Scan").Rel("u").Est(1).Act(1, 30)));
  const Analysis b =
      Built(Node("Aggregate")
                .Set(strategy("Sorted"))
                .Est(10)
                .Act(3, 10)
                .Child(Node("Incremental Sort")
                           .Est(100)
                           .Act(2, 100)
                           .Child(Node("Index Scan").Index("t_idx").Rel("t").Est(100).Act(1, 100)))
                .Child(Node("Seq Scan").Rel("u").Est(1).Act(0.5, 20)));
  const json c = Compare(a, b);
  CHECK(c["measure"] == "time");  // no Execution Time: the root's time
  CHECK(c["verdict"]["text"] == "after is 3.0× faster (9.00 ms → 3.00 ms)");
  CHECK(Changes(c) == Lines({"node_type: HashAggregate → GroupAggregate",
                             "node_type: Seq Scan on t → Index Scan using t_idx on t",
                             "node_type: Sort → Incremental Sort", "index: now uses index t_idx"}));
  CHECK(Pairs(c) == Lines({"position: HashAggregate | GroupAggregate", "none: - | Incremental Sort",
                           "relation: Seq Scan on t | Index Scan using t_idx on t",
                           "position: Seq Scan on u | Seq Scan on u", "none: Sort | -"}));
}

TEST_CASE("compare: a missing analysis compares as an empty plan instead of crashing") {
  const Analysis a = Analysed(kSeqPlan);
  const json c = ComparePlans(CompareSide{1, "", "", "", "", "", "", &a}, CompareSide{});
  CHECK(c["b"]["analyzed"] == false);
  CHECK(c["verdict"]["better"].is_null());
  CHECK(Pairs(c) == Lines({"none: Seq Scan on orders | -"}));
}

}  // namespace planbot::analyzer
