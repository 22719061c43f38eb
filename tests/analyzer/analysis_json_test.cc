#include "analyzer/analysis_json.h"

#include <doctest/doctest.h>

#include "tests/analyzer/plan_builders.h"

namespace planbot::analyzer {
using testing::N;
using testing::Node;
using testing::Query;

namespace {

Explain Sample() {
  ExplainQuery q = Query(
      Node("Hash Join")
          .Est(100, 12345.67)
          .Act(480, 12000)
          .Shared(5000, 1000)
          .Set([](PlanNode& n) {
            n.join_type = "Inner";
            n.hash_cond = "(o.customer_id = c.id)";
          })
          .Child(Node("Seq Scan")
                     .Rel("orders", "o")
                     .Est(100)
                     .Act(300, 12000)
                     .Shared(4000, 1000)
                     .Filter("(status = 'new'::text)", 288000))
          .Child(Node("Hash").Est(1000).Act(20, 1000).Shared(1000, 0).Child(
              Node("Seq Scan").Rel("customers", "c").Est(1000).Act(15, 1000).Shared(1000, 0))),
      /*execution_ms=*/500, /*planning_ms=*/0.8);
  q.has_settings = true;
  q.settings.emplace_back("work_mem", "64MB");
  Explain e;
  e.queries.push_back(q);
  return e;
}

}  // namespace

TEST_CASE("The analysis JSON has the plan tree with derived figures, the summary and the tips") {
  const nlohmann::json j = AnalysisToJson(Sample(), 8192);
  CHECK(j["format"] == "planbot-analysis");
  CHECK(j["version"] == 1);
  REQUIRE(j["queries"].size() == 1);
  const nlohmann::json& q = j["queries"][0];
  CHECK(q["node_count"] == 4);
  CHECK(q["settings"]["work_mem"] == "64MB");

  const nlohmann::json& root = q["plan"];
  CHECK(root["id"] == 0);
  CHECK(root["node_type"] == "Hash Join");
  CHECK(root["label"] == "Hash Join");
  CHECK(root["join_type"] == "Inner");
  CHECK(root["estimate"]["total_cost"] == 12345.67);
  CHECK(root["actual"]["total_ms"] == 480.0);
  CHECK(root["time"]["exclusive_ms"] == 160.0);
  CHECK(root["time"]["exclusive_percent"] == 32.0);
  CHECK(root["time"]["exclusive_human"] == "160 ms");
  CHECK(root["conditions"]["hash_cond"] == "(o.customer_id = c.id)");
  CHECK(root["buffers"]["shared_hit"] == 5000);
  CHECK(root["exclusive_buffers"]["shared_hit"] == 0);
  REQUIRE(root["children"].size() == 2);

  const nlohmann::json& scan = root["children"][0];
  CHECK(scan["id"] == 1);
  CHECK(scan["parent_relationship"] == "Outer");
  CHECK(scan["label"] == "Seq Scan on orders o");
  CHECK(scan["relation"] == "orders");
  CHECK(scan["alias"] == "o");
  CHECK(scan["rows"]["actual_total"] == 12000.0);
  CHECK(scan["rows_removed_per_loop"]["filter"] == 288000.0);
  CHECK(scan["misfire"]["factor"] == 120.0);
  CHECK(scan["misfire"]["direction"] == "under");
  CHECK(scan["tips"] == nlohmann::json::array({"seq_scan_filter", "row_misfire"}));
  CHECK(scan["children"].empty());
  CHECK(root["children"][1]["children"][0]["id"] == 3);

  CHECK(q["summary"]["execution_time"]["human"] == "500 ms");
  CHECK(q["summary"]["buffers"]["shared"]["read"]["human"] == "7.81 MiB");
  REQUIRE(q["tips"].size() >= 2);
  CHECK(q["tips"][0]["code"] == "seq_scan_filter");
  CHECK(q["tips"][0]["node"] == 1);
}

TEST_CASE("Absent figures are absent keys, and plan-only output still has a tree") {
  Explain e;
  e.queries.push_back(Query(Node("Seq Scan").Rel("t").Est(10)));
  const nlohmann::json j = AnalysisToJson(e, 8192);
  const nlohmann::json& node = j["queries"][0]["plan"];
  CHECK(node["estimate"]["rows"] == 10.0);
  CHECK_FALSE(node.contains("actual"));
  CHECK_FALSE(node.contains("time"));
  CHECK_FALSE(node.contains("misfire"));
  CHECK_FALSE(node.contains("buffers"));
  CHECK_FALSE(node.contains("never_executed"));
  CHECK(node["rows"]["planned_total"] == 10.0);
  CHECK(j["queries"][0]["tips"].empty());
  CHECK(AnalysisToJson(Explain{}, 8192)["queries"].empty());
}

TEST_CASE("A node that never ran says so") {
  Explain e;
  e.queries.push_back(Query(Node("Hash Join")
                                .Act(1, 0)
                                .Child(Node("Seq Scan").Rel("a").Act(1, 0))
                                .Child(Node("Hash").Act(0, 0, 0)),
                            1.1));
  const nlohmann::json j = AnalysisToJson(e, 8192);
  CHECK(j["queries"][0]["plan"]["children"][1]["never_executed"] == true);
  CHECK_FALSE(j["queries"][0]["plan"]["children"][1].contains("misfire"));
}

}  // namespace planbot::analyzer
