// What every rule shares: ordering, severity, plan-only input, JSON.
#include "analyzer/tips.h"

#include <doctest/doctest.h>

#include "tests/analyzer/tip_testing.h"

namespace planbot::analyzer {
using namespace testing;  // NOLINT: test helpers

namespace {

// A Sort that spilled over a Seq Scan that discards most rows, returning 20,000 rows.
ExplainQuery Busy() {
  return Query(Node("Sort")
                   .Est(20000)
                   .Act(400, 20000)
                   .Set([](PlanNode& n) {
                     n.sort = {"external merge", 9000, "Disk"};
                     n.sort_key = {"created_at"};
                   })
                   .Child(Node("Seq Scan")
                              .Rel("orders")
                              .Est(20000)
                              .Act(100, 20000)
                              .Filter("(status = 'new'::text)", 980000)),
               420);
}

// Every kind of node the rules look at, as EXPLAIN without ANALYZE prints it.
ExplainQuery PlanOnly() {
  return Query(
      Node("Gather")
          .Est(1000, 5000)
          .Set([](PlanNode& n) { n.workers_planned = 2; })
          .Child(Node("Nested Loop")
                     .Est(1000)
                     .Child(Node("Hash Join")
                                .Est(1000)
                                .Child(Node("Seq Scan").Rel("a").Est(10).Set([](PlanNode& n) {
                                  n.filter = "(x = 1)";
                                }))
                                .Child(Node("Hash").Est(10).Child(
                                    Node("Index Only Scan").Index("i").Rel("b").Est(10))))
                     .Child(Node("Bitmap Heap Scan")
                                .Rel("c")
                                .Est(5)
                                .Child(Node("Bitmap Index Scan").Index("c_idx").Est(5)))),
      std::nullopt, 0.5);
}

}  // namespace

TEST_CASE("Tips come most valuable first, then by severity") {
  const std::vector<Tip> tips = TipsFor(Busy());
  REQUIRE(tips.size() == 3);
  CHECK(tips[0].code == "sort_spill");  // saves about 150 ms
  CHECK(tips[0].severity == Severity::kHigh);
  CHECK(tips[1].code == "seq_scan_filter");  // about 98 ms
  CHECK(tips[2].code == "large_result");     // not estimable, fixed medium
  CHECK(tips[2].severity == Severity::kMedium);
  CHECK(ComputeTips(Busy(), ComputeMetrics(Busy()), TipOptions{2}).size() == 2);
}

TEST_CASE("Severity is the share of the statement's time a tip saves") {
  const auto severity = [](double sort_ms) {
    ExplainQuery q = Busy();
    q.plan.actual.total_ms = N(100 + sort_ms, 3);
    q.execution_time_ms = N(1000, 3);
    return FindTip(TipsFor(q), "sort_spill")->severity;  // saves half the sort's own time
  };
  CHECK(severity(400) == Severity::kHigh);    // 200 ms of 1 s
  CHECK(severity(398) == Severity::kMedium);  // 199 ms
  CHECK(severity(100) == Severity::kMedium);  // 50 ms
  CHECK(severity(98) == Severity::kLow);      // 49 ms
  CHECK(std::string(SeverityName(Severity::kMedium)) == "medium");
}

TEST_CASE("No rule fails on a plan without ANALYZE; only large_result reads estimates") {
  CHECK(TipsFor(PlanOnly()).empty());
  CHECK(TipsFor(Query(Node("Result"))).empty());
  ExplainQuery big = PlanOnly();
  big.plan.plan_rows = N(250000);
  const std::vector<Tip> tips = TipsFor(big);
  REQUIRE(tips.size() == 1);
  CHECK(tips[0].code == "large_result");
  CHECK(Contains(tips[0].message, "The statement is expected to return about 250,000 rows."));
}

TEST_CASE("Rules that need timing stay quiet with TIMING OFF, the others still fire") {
  ExplainQuery q = Busy();
  q.plan.actual.total_ms.reset();
  q.plan.children[0].actual.total_ms.reset();
  const std::vector<Tip> tips = TipsFor(q);
  REQUIRE(FindTip(tips, "seq_scan_filter"));
  CHECK(FindTip(tips, "seq_scan_filter")->saving_ms == 0);
  CHECK(FindTip(tips, "seq_scan_filter")->severity == Severity::kLow);
  CHECK(FindTip(tips, "sort_spill").has_value());
}

TEST_CASE("TipsToJson gives code, severity, node, label, message and saving") {
  const nlohmann::json j = TipsToJson(TipsFor(Busy()));
  REQUIRE(j.size() == 3);
  CHECK(j[0]["code"] == "sort_spill");
  CHECK(j[0]["severity"] == "high");
  CHECK(j[0]["node"] == 0);
  CHECK(j[0]["node_label"] == "Sort");
  CHECK(j[0]["saving_ms"] == 150.0);
  CHECK(j[1]["node"] == 1);
  CHECK(j[1]["node_label"] == "Seq Scan on orders");
  CHECK(j[1]["message"].get<std::string>().rfind("Seq Scan on orders read 1,000,000 rows", 0) == 0);

  const nlohmann::json statement = TipsToJson(TipsFor(Query(Node("Result").Act(1, 1), 1, 50)));
  REQUIRE(statement.size() == 1);
  CHECK(statement[0]["node"].is_null());
  CHECK(statement[0]["node_label"].is_null());
}

}  // namespace planbot::analyzer
