// Two analysed plans side by side (docs/web.md, `GET /api/v1/compare`): "a" is before, "b" after.
// The answer says which side is better and how many times (execution time when both are
// EXPLAIN ANALYZE, else the planner's total cost; within 10 % is "no real difference"), lists the
// statement totals of both with their ratio, what changed in the tree, and every node of both
// trees paired with its counterpart.
//
// Changes, most telling first and each listed once: node types (a paired node whose operation
// changed, or an unpaired node without a relation replaced at the same position), indexes now or
// no longer used, join methods (joins paired as nodes are, else by the relations they join),
// row-estimate misfires (one side off by 10× or more and the two factors 2× apart; fewer rows
// than estimated below a Limit and the like is expected, not a misfire), nodes added and removed
// (a node left unpaired on both sides under the same label only moved and is neither).
//
// Nodes are paired by position first (the same path of child indexes from the root, the same node
// type and the same relation, if any), then what is left by relation name (the nearest in
// preorder); the rest stands alone with the other side null. Per node, `rows` and `plan_rows` are
// totals over loops (NodeMetrics::actual_rows_total and planned_rows_total), `total_ms` and
// `exclusive_ms` are wall-clock inclusive and exclusive time, `shared_hit` and `shared_read` the
// node's own (exclusive) blocks; a figure the plan does not have is null, and `delta` (b − a)
// holds only the figures both sides have. Only the first statement of each EXPLAIN is compared
// (the one Analysis::summary and Analysis::metrics describe).
//
// Ownership: CompareSide borrows its Analysis, which must outlive the call; the JSON returned
// owns its data. No failure modes: absent figures give null or left-out fields (a null analysis,
// a caller's bug, compares as a plan without nodes). Pure function, no exceptions of its own;
// thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "analyzer/analysis.h"

namespace planbot::analyzer {

// One side of a comparison: a history entry's identity and its analysis (first statement used).
struct CompareSide {
  int64_t id = 0;
  std::string created_at, command, database, session, normalized, fingerprint;
  const Analysis* analysis = nullptr;  // must be non-null
};

// The comparison of docs/web.md ("a" before, "b" after) as JSON: {"a", "b", "measure", "totals",
// "verdict", "changes", "nodes"}.
nlohmann::json ComparePlans(const CompareSide& a, const CompareSide& b);

}  // namespace planbot::analyzer
