// Masking of the constants in EXPLAIN JSON before a plan is stored under the "normalized" history
// policy (SECURITY.md, "stored text").
//
// Every string value in the plan is passed through MaskLiterals (literal_mask.h) except values of
// keys known to hold only names and labels (Node Type, Relation Name, Alias, Index Name, Sort
// Method, Settings, ...): an unknown or future key is masked, never kept by accident. Numbers and
// the structure are unchanged, so the masked plan renders and analyzes like the original.
//
// Failures: input that is not JSON is an Error "bad_json". Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace planbot::analyzer {

Result<std::string> MaskPlanJson(std::string_view explain_json);

}  // namespace planbot::analyzer
