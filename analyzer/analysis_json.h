// planbot's full analysis of EXPLAIN (FORMAT JSON) output as one JSON document, what
// `planbot render --format json` prints (SPEC §1): for each statement the plan tree (node type,
// label, target, estimates, actual figures, loops-adjusted rows, inclusive and exclusive time,
// exclusive buffers, row-estimate misfire, conditions and node-specific figures, children), the
// summary and the tips. Keys are snake_case and stable; docs/analysis-json.md documents them.
//
// `block_size` is the server's block size in bytes, used for the summary's byte figures.
// Pure function, no failure modes (absent figures are absent keys); thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>

#include "analyzer/plan_model.h"

namespace planbot::analyzer {

// {"format": "planbot-analysis", "version": 1, "queries": [{"plan", "summary", "tips", ...}]}
nlohmann::json AnalysisToJson(const Explain& explain, int64_t block_size);

}  // namespace planbot::analyzer
