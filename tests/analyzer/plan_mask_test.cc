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
}

TEST_CASE("non-JSON input is an error") {
  auto r = MaskPlanJson("not json");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "bad_json");
}
