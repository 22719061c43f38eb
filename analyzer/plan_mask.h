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
#include <unordered_map>

#include "analyzer/plan_model.h"
#include "common/result.h"

namespace planbot::analyzer {

// What MaskLiterals made of each text already masked: the JSON and the model of one plan hold the
// same condition texts, so Masked() masks each once (analysis.cc). One per plan; not shared
// between threads.
using MaskMemo = std::unordered_map<std::string, std::string>;

Result<std::string> MaskPlanJson(std::string_view explain_json, MaskMemo* memo = nullptr);

// The same masking on the parsed model, in place: every string the JSON rule would mask is
// masked in the model, so that RenderText and the tips of the masked model equal those of the
// masked JSON parsed again (tests/analyzer/plan_mask_test.cc checks this on the whole fidelity
// corpus). Numbers and structure are unchanged.
void MaskPlanModel(Explain& explain, MaskMemo* memo = nullptr);

}  // namespace planbot::analyzer
