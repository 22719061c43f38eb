// Reads PostgreSQL's `EXPLAIN (FORMAT JSON)` output into the typed plan model (plan_model.h).
//
// Accepts the array PostgreSQL prints (`[{"Plan": ...}, ...]`) or a single query object
// (`{"Plan": ...}`). Unknown keys are kept in `extra`; a document that is not JSON, or JSON that
// is not EXPLAIN output (no "Plan" object with a "Node Type"), is an Error with code
// "bad_json" (with the byte position) or "not_explain". Never throws. Thread-safe.
#pragma once

#include <istream>
#include <string_view>

#include "analyzer/plan_model.h"
#include "common/result.h"

namespace planbot::analyzer {

Result<Explain> ParseExplainJson(std::string_view json);

// Same, reading the stream as it goes: a plan of many megabytes is never held in memory as text.
Result<Explain> ParseExplainJson(std::istream& json);

}  // namespace planbot::analyzer
