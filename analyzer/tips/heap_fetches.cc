// heap_fetches: an Index Only Scan that still visits the table for many rows because the
// visibility map is not up to date (the table needs VACUUM). Fix: VACUUM the table (when the
// plan names it).
#include <algorithm>
#include <string>

#include "analyzer/tips/advice.h"
#include "analyzer/tips/rules.h"

namespace planbot::analyzer::tips {
namespace {

constexpr double kMinFetches = 1000;     // heap fetches over all loops, strictly more than
constexpr double kMinFetchShare = 0.10;  // of the rows returned, strictly more than
constexpr double kSavingShare = 0.5;

}  // namespace

void HeapFetchesTips(const TipContext& ctx, Tips& out) {
  for (const NodeMetrics& m : ctx.nodes()) {
    const PlanNode& node = *m.node;
    if (node.node_type != "Index Only Scan" || !m.executed || !node.heap_fetches) continue;
    const double fetches = LoopsTotal(node.heap_fetches, m);
    const double rows = m.actual_rows_total.value_or(0);
    if (fetches <= kMinFetches || fetches <= kMinFetchShare * rows) continue;
    const std::string relation = RelationSql(node);
    const std::string table = relation.empty() ? "the table" : relation;
    std::string message = m.label + " fetched " + Rows(fetches) + " rows from the table";
    if (rows > 0)
      message += " (" + Percent(fetches / rows) + " of the " + Rows(rows) + " it returned)";
    message += " because the visibility map is out of date. VACUUM " + table +
               "; restores index-only access; if it keeps happening, let autovacuum visit it more "
               "often: ALTER TABLE " +
               table +
               " SET (autovacuum_vacuum_scale_factor = 0.02, "
               "autovacuum_vacuum_insert_scale_factor = 0.02);";
    const double share = rows > 0 ? std::min(fetches / rows, 1.0) : 1.0;
    Tip tip = ctx.Make("heap_fetches", m.id, std::move(message),
                       kSavingShare * share * m.exclusive_ms.value_or(0));
    if (!relation.empty()) tip.fix = Fix{FixKind::kMaintenance, {"VACUUM " + relation}, {}, {}};
    out.push_back(std::move(tip));
  }
}

}  // namespace planbot::analyzer::tips
