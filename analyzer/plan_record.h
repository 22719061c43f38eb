// What the history keeps of a plan besides its JSON, derived from the JSON alone: the text
// rendering, the summary and the tips, as stored text. Used wherever a stored plan's JSON is
// changed (constants masked under the "normalized" policy, redact, the scrub of Settings values)
// so that nothing derived from the old JSON stays beside the new one.
//
// Failures: nullopt when the JSON is not EXPLAIN output planbot can read. Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace planbot::analyzer {

struct PlanRecord {
  std::string text;          // RenderText, with the labels of `server_version`
  std::string summary_json;  // SummaryToJson of the first query, with `block_size`
  std::string tips_json;     // TipsToJson of the first query
};

std::optional<PlanRecord> DerivePlanRecord(std::string_view plan_json, int server_version,
                                           int64_t block_size);

}  // namespace planbot::analyzer
