// What to do about a row-estimate misfire, by where it happens: a table scan (stale statistics,
// a too-coarse histogram, correlated columns, values unknown at planning time, expressions
// without statistics), a join, a grouping, a set-returning function or a CTE. Used by
// row_misfire.cc. Internal to the analyzer; pure function, no failure modes; thread-safe.
#pragma once

#include <string>

#include "analyzer/plan_metrics.h"
#include "analyzer/tips/rules.h"

namespace planbot::analyzer::tips {

// One or more sentences, each starting with a space, e.g. " Run ANALYZE orders; ...".
std::string MisfireAdvice(const TipContext& ctx, const NodeMetrics& m);

}  // namespace planbot::analyzer::tips
