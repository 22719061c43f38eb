// Fuzz target: a condition as EXPLAIN prints it (`(email = 'bob@example.com'::text)`) → the
// literal masker, alone and inside a plan's JSON (MaskPlanJson), as history stores plans under
// the "normalized" policy. Properties on every input:
// - no constant survives: the masked text, scanned again, holds no string, bit-string, hex or
//   numeric constant (EXPLAIN's own `SubPlan 1` / `InitPlan 2` labels excepted);
// - masking is idempotent;
// - in a plan's JSON the condition is masked exactly as alone, and the JSON stays valid.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "analyzer/literal_mask.h"
#include "analyzer/plan_mask.h"
#include "analyzer/sql_scan.h"
#include "tests/fuzz/fuzz_support.h"

using namespace planbot;

namespace {

bool IsPlanLabel(std::string_view text, const std::vector<analyzer::internal::SqlToken>& tokens,
                 size_t i) {
  if (i == 0 || tokens[i - 1].end_unreliable) return false;
  std::string_view before =
      text.substr(tokens[i - 1].start, tokens[i - 1].end - tokens[i - 1].start);
  std::string_view number = text.substr(tokens[i].start, tokens[i].end - tokens[i].start);
  return (before == "SubPlan" || before == "InitPlan") && !number.empty() &&
         number.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(fuzz::AsText(data, size));
  const std::string masked = analyzer::MaskLiterals(input);
  if (auto tokens = analyzer::internal::ScanSql(masked)) {
    for (size_t i = 0; i < tokens->size(); ++i) {
      if ((*tokens)[i].token_class != analyzer::internal::TokenClass::kLiteral) continue;
      fuzz::Check(IsPlanLabel(masked, *tokens, i), "no constant survives masking",
                  input + "\n  masked: " + masked);
    }
  }
  fuzz::Check(analyzer::MaskLiterals(masked) == masked, "masking is idempotent",
              input + "\n  masked: " + masked);

  // The same text as a plan's condition: invalid UTF-8 cannot be a JSON string, so only
  // inputs nlohmann can write are tried.
  nlohmann::json plan = nlohmann::json::array(
      {{{"Plan", {{"Node Type", "Seq Scan"}, {"Relation Name", "t"}, {"Filter", input}}}}});
  std::string plan_json;
  try {
    plan_json = plan.dump();
  } catch (const nlohmann::json::exception&) {
    return 0;
  }
  auto masked_plan = analyzer::MaskPlanJson(plan_json);
  fuzz::Check(masked_plan.ok(), "a plan's JSON can be masked", plan_json);
  nlohmann::json reread = nlohmann::json::parse(*masked_plan, nullptr, false);
  fuzz::Check(!reread.is_discarded(), "the masked JSON is JSON", *masked_plan);
  fuzz::Check(reread[0]["Plan"]["Filter"] == masked, "a condition is masked alike in a plan",
              *masked_plan + "\n  alone: " + masked);
  fuzz::Check(reread[0]["Plan"]["Relation Name"] == "t", "names are kept", *masked_plan);
  return 0;
}
