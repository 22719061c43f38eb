// Masking of constants in stored plans: values from the query never survive, names do.
#include "analyzer/plan_mask.h"

#include <doctest/doctest.h>

#include <string>

#include "analyzer/plan_parse.h"
#include "analyzer/render_text.h"

using planbot::analyzer::MaskPlanJson;

TEST_CASE("constants in conditions, outputs and keys are masked; names are kept") {
  const char* plan = R"json([{"Plan": {"Node Type": "Seq Scan", "Relation Name": "customers",
      "Schema": "public", "Alias": "c", "Startup Cost": 0.00, "Total Cost": 10.00,
      "Plan Rows": 1, "Plan Width": 4,
      "Output": ["id", "'vip'::text"],
      "Filter": "((email)::text = 'bob@example.com'::text)",
      "Future Key": "(amount > 400)",
      "Plans": [{"Node Type": "Index Scan", "Parent Relationship": "Outer",
                 "Index Name": "customers_pkey", "Relation Name": "customers", "Alias": "c2",
                 "Index Cond": "(id = ANY ('{1,2,3}'::integer[]))"}]},
      "Settings": {"work_mem": "64MB"}}])json";
  auto masked = MaskPlanJson(plan);
  REQUIRE(masked.ok());
  CHECK(masked->find("bob@example.com") == std::string::npos);
  CHECK(masked->find("vip") == std::string::npos);
  CHECK(masked->find("{1,2,3}") == std::string::npos);
  CHECK(masked->find("400") == std::string::npos);
  CHECK(masked->find("((email)::text = $1::text)") != std::string::npos);
  CHECK(masked->find("\"customers_pkey\"") != std::string::npos);
  CHECK(masked->find("\"64MB\"") != std::string::npos);
  // The masked plan still reads and renders.
  auto explain = planbot::analyzer::ParseExplainJson(*masked);
  REQUIRE(explain.ok());
  std::string text = planbot::analyzer::RenderText(*explain);
  CHECK(text.find("Seq Scan on public.customers c") != std::string::npos);
  CHECK(text.find("Filter: ((email)::text = $1::text)") != std::string::npos);
  // Numbers keep the text the server printed, so the stored plan renders like the original.
  CHECK(text.find("(cost=0.00..10.00 rows=1 width=4)") != std::string::npos);
  CHECK(masked->find("\"Startup Cost\":0.00") != std::string::npos);
}

TEST_CASE("a plan without constants renders the same before and after masking") {
  const char* plan = R"json([{"Plan": {"Node Type": "Hash Join", "Join Type": "Inner",
      "Startup Cost": 1.10, "Total Cost": 25.50, "Plan Rows": 120, "Plan Width": 8,
      "Actual Startup Time": 0.010, "Actual Total Time": 0.120, "Actual Rows": 118,
      "Actual Loops": 1, "Hash Cond": "(o.customer_id = c.id)",
      "Plans": [{"Node Type": "Seq Scan", "Parent Relationship": "Outer",
                 "Relation Name": "orders", "Alias": "o", "Startup Cost": 0.00,
                 "Total Cost": 20.00, "Plan Rows": 1000, "Plan Width": 8,
                 "Actual Startup Time": 0.003, "Actual Total Time": 0.050,
                 "Actual Rows": 1000, "Actual Loops": 1},
                {"Node Type": "Hash", "Parent Relationship": "Inner", "Startup Cost": 1.05,
                 "Total Cost": 1.05, "Plan Rows": 5, "Plan Width": 4,
                 "Actual Startup Time": 0.004, "Actual Total Time": 0.004, "Actual Rows": 5,
                 "Actual Loops": 1, "Hash Buckets": 1024, "Original Hash Buckets": 1024,
                 "Hash Batches": 1, "Original Hash Batches": 1, "Peak Memory Usage": 9,
                 "Plans": [{"Node Type": "Seq Scan", "Parent Relationship": "Outer",
                            "Relation Name": "customers", "Alias": "c", "Startup Cost": 0.00,
                            "Total Cost": 1.05, "Plan Rows": 5, "Plan Width": 4,
                            "Actual Startup Time": 0.001, "Actual Total Time": 0.002,
                            "Actual Rows": 5, "Actual Loops": 1}]}]},
      "Planning Time": 0.100, "Triggers": [], "Execution Time": 0.150}])json";
  auto masked = MaskPlanJson(plan);
  REQUIRE(masked.ok());
  auto original = planbot::analyzer::ParseExplainJson(plan);
  auto again = planbot::analyzer::ParseExplainJson(*masked);
  REQUIRE(original.ok());
  REQUIRE(again.ok());
  CHECK(planbot::analyzer::RenderText(*again) == planbot::analyzer::RenderText(*original));
}

TEST_CASE("non-JSON input is an error") {
  auto r = MaskPlanJson("not json");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "bad_json");
}
