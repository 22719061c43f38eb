#include "analyzer/plan_mask.h"

#include <nlohmann/json.hpp>
#include <string>
#include <unordered_set>

#include "analyzer/literal_mask.h"

namespace planbot::analyzer {
namespace {

using json = nlohmann::ordered_json;

// Keys whose string values are names, labels or enumerations, never query constants.
bool KeepsText(const std::string& key) {
  static const std::unordered_set<std::string> kNames = {
      "Node Type",
      "Strategy",
      "Partial Mode",
      "Operation",
      "Parent Relationship",
      "Subplan Name",
      "Custom Plan Provider",
      "Join Type",
      "Command",
      "Scan Direction",
      "Index Name",
      "Relation Name",
      "Function Name",
      "CTE Name",
      "Tuplestore Name",
      "Table Function Name",
      "Schema",
      "Alias",
      "Sort Method",
      "Sort Space Type",
      "Sort Methods Used",
      "Cache Mode",
      "Sampling Method",
      "Conflict Resolution",
      "Conflict Arbiter Indexes",
      "Params Evaluated",
      "Trigger Name",
      "Constraint Name",
      "Relation",
      "Format",
      "Storage",
      "Worker Number",
  };
  return kNames.count(key) > 0;
}

void Mask(json& value, bool keep) {
  if (value.is_string()) {
    if (!keep) value = MaskLiterals(value.get_ref<const std::string&>());
    return;
  }
  if (value.is_array()) {
    for (json& item : value) Mask(item, keep);
    return;
  }
  if (!value.is_object()) return;
  for (auto& [key, item] : value.items()) {
    // GUC values in "Settings" are configuration, not query constants.
    if (key == "Settings") continue;
    Mask(item, keep || KeepsText(key));
  }
}

}  // namespace

Result<std::string> MaskPlanJson(std::string_view explain_json) {
  json doc = json::parse(explain_json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return MakeError("bad_json", "the plan is not valid JSON");
  Mask(doc, false);
  return doc.dump();
}

}  // namespace planbot::analyzer
