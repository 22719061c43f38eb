// stale_statistics: a relation the plan reads whose statistics the clone's catalog shows out of
// date (pg_stat_user_tables, pg_class, pg_stats) — many rows changed since its last ANALYZE,
// never analysed, grown to twice its pages since, or a row count far from the live one — where the
// plan shows the damage: a row estimate off by 10× or more at a scan of it. Plan-only EXPLAIN has
// no actual rows: there the staleness alone is reported, as an estimate-based tip. Fix: ANALYZE the
// relation. row_misfire defers to this rule at scans of such a relation (misfire_advice.h), so
// ANALYZE is advised once.
#include <algorithm>
#include <string>

#include "analyzer/tips/advice.h"
#include "analyzer/tips/misfire_advice.h"
#include "analyzer/tips/rules.h"

namespace planbot::analyzer::tips {
namespace {

constexpr double kMinModifiedShare = 0.10;  // n_mod_since_analyze of the table's rows, at least
constexpr double kMinModified = 1000;       // and at least this many rows changed
constexpr double kMinNeverAnalyzed = 1000;  // never analysed: rows (live or reltuples), at least
constexpr double kMinCountFactor = 10;      // reltuples vs n_live_tup, either way, at least
constexpr double kMinCountRows = 1000;      // the larger of the two, at least
constexpr double kMinMisfire = 10;          // row estimate factor at a scan of the relation
// Grown since the statistics were taken: pages now vs pg_class.relpages at the last ANALYZE or
// VACUUM. A clone of a template starts with empty pg_stat counters (n_mod_since_analyze 0), but
// pg_class is copied, so growth is how a clone shows that its statistics describe older data.
constexpr double kMinGrowthFactor = 2;   // pages now / relpages, at least
constexpr double kMinGrowthPages = 100;  // and at least this many pages more

// The table's size as best known: the live count pg_stat keeps, or pg_class's estimate (a
// clone's pg_stat counters start at zero while pg_class and pg_stats are copied).
double TableRows(const RelationFacts& r) { return std::max(r.live_tuples, r.reltuples); }

bool HasColumnStatistics(const RelationFacts& r) {
  return std::any_of(r.columns.begin(), r.columns.end(),
                     [](const ColumnFacts& c) { return c.null_frac.has_value(); });
}

// The scan of `relation` with the strongest misfire of at least kMinMisfire, or nullptr.
const NodeMetrics* MisfiringScan(const TipContext& ctx, const std::string& relation) {
  const NodeMetrics* found = nullptr;
  for (const NodeMetrics& m : ctx.nodes()) {
    if (!m.executed || !m.misfire || m.misfire->factor < kMinMisfire) continue;
    if (ScannedRelation(ctx, m) != relation) continue;
    if (!found || m.misfire->factor > found->misfire->factor) found = &m;
  }
  return found;
}

const NodeMetrics* FirstScan(const TipContext& ctx, const std::string& relation) {
  for (const NodeMetrics& m : ctx.nodes()) {
    if (m.node->relation_name && RelationSql(*m.node) == relation) return &m;
  }
  return nullptr;
}

}  // namespace

std::string StaleStatisticsReason(const TipContext& ctx, const std::string& relation) {
  const CatalogFacts* catalog = ctx.catalog();
  const RelationFacts* r = catalog ? catalog->Relation(relation) : nullptr;
  if (r == nullptr) return "";
  const double rows = TableRows(*r);
  if (!r->analyzed && !r->columns.empty() && !HasColumnStatistics(*r)) {
    return rows >= kMinNeverAnalyzed ? relation + " has never been analysed" : "";
  }
  if (r->mod_since_analyze >= kMinModified && r->mod_since_analyze >= kMinModifiedShare * rows) {
    return tips::Rows(r->mod_since_analyze) + " rows of " + relation +
           " changed since its last ANALYZE (" +
           Percent(r->mod_since_analyze / std::max(rows, 1.0)) + " of " + tips::Rows(rows) + ")";
  }
  if (r->relpages > 0 && r->current_pages >= kMinGrowthFactor * r->relpages &&
      r->current_pages - r->relpages >= kMinGrowthPages) {
    return relation + " grew from " + tips::Rows(r->relpages) + " to " +
           tips::Rows(r->current_pages) +
           " pages since its statistics were taken (pg_class.relpages): they describe older data";
  }
  if (r->reltuples >= 0 && r->live_tuples > 0) {
    const double larger = std::max(r->reltuples, r->live_tuples);
    const double smaller = std::max(std::min(r->reltuples, r->live_tuples), 1.0);
    if (larger >= kMinCountRows && larger / smaller >= kMinCountFactor) {
      return "the planner counts " + tips::Rows(r->reltuples) + " rows in " + relation +
             " (pg_class.reltuples) but it has " + tips::Rows(r->live_tuples) + " live rows";
    }
  }
  return "";
}

void StaleStatisticsTips(const TipContext& ctx, Tips& out) {
  if (ctx.catalog() == nullptr) return;
  std::vector<std::string> seen;
  for (const NodeMetrics& m : ctx.nodes()) {
    const std::string relation = ScannedRelation(ctx, m);
    if (relation.empty() || std::find(seen.begin(), seen.end(), relation) != seen.end()) continue;
    seen.push_back(relation);
    const std::string reason = StaleStatisticsReason(ctx, relation);
    if (reason.empty()) continue;
    const bool analyzed = ctx.nodes()[0].loops.has_value();  // EXPLAIN ANALYZE figures
    const NodeMetrics* at = analyzed ? MisfiringScan(ctx, relation) : FirstScan(ctx, relation);
    if (at == nullptr) continue;
    std::string message = at->label + ": ";
    message += reason;
    if (analyzed) {
      message += ", and the row estimate here is off by " + Factor(at->misfire->factor) +
                 " (planned " + RowsWithNoun(at->node->plan_rows->value) + ", got " +
                 tips::Rows(at->node->actual.rows->value) +
                 (at->loops && *at->loops > 1 ? " per loop" : "") + ")";
    }
    message += ". The planner works from these statistics: run ANALYZE " + relation +
               "; and compare the plan again.";
    const RelationFacts* facts = ctx.catalog()->Relation(relation);
    if (facts->analyzed) {
      message +=
          " If the table changes this much between autovacuum runs, lower its "
          "autovacuum_analyze_scale_factor: ALTER TABLE " +
          relation + " SET (autovacuum_analyze_scale_factor = 0.02);";
    }
    Tip tip = ctx.Make("stale_statistics", at->id, std::move(message),
                       analyzed ? MisfireSaving(ctx, *at) : 0);
    tip.fix = Fix{FixKind::kMaintenance, {"ANALYZE " + relation}, {}, std::nullopt};
    if (!analyzed) {
      tip.estimate_based = true;
      tip.severity = kEstimatedSeverity;
    }
    out.push_back(std::move(tip));
  }
}

}  // namespace planbot::analyzer::tips
