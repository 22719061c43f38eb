// What to do about a row-estimate misfire, by where it happens: a table scan (stale statistics,
// a too-coarse histogram, correlated columns, values unknown at planning time, expressions
// without statistics), a join, a grouping, a set-returning function or a CTE; and the figures
// row_misfire.cc and stale_statistics.cc share so that one ANALYZE is advised once. Internal to
// the analyzer; pure functions, no failure modes; thread-safe.
#pragma once

#include <optional>
#include <string>

#include "analyzer/plan_metrics.h"
#include "analyzer/tips.h"
#include "analyzer/tips/rules.h"

namespace planbot::analyzer::tips {

struct MisfireAdvice {
  std::string text;        // one or more sentences, each starting with a space: " Run ANALYZE ..."
  std::optional<Fix> fix;  // kMaintenance: the ANALYZE / SET STATISTICS / CREATE STATISTICS the
                           // text proposes, each followed by the ANALYZE that makes it count
};

MisfireAdvice AdviseMisfire(const TipContext& ctx, const NodeMetrics& m);

// The relation a scan reads as RelationSql spells it: the node's own, or for a Bitmap Index Scan
// its Bitmap Heap Scan's. Empty for nodes that read no relation.
std::string ScannedRelation(const TipContext& ctx, const NodeMetrics& m);

// What a better estimate at `m` may save: half the own time of the first real consumer of its
// rows (a join, an aggregate, ...); nodes that only pass rows on are looked through.
double MisfireSaving(const TipContext& ctx, const NodeMetrics& m);

// Why the catalog says the statistics of `relation` are stale, e.g. "45,000 rows changed since
// its last ANALYZE (15% of 300,000)"; empty when they are not (or the facts are not known).
// Defined in stale_statistics.cc with its thresholds; row_misfire defers to stale_statistics at
// scans of such a relation.
std::string StaleStatisticsReason(const TipContext& ctx, const std::string& relation);

}  // namespace planbot::analyzer::tips
