// read_efficiency: a scan that read far more pages than the rows it returned need — a table
// mostly made of dead rows or empty space (bloat): a Seq Scan without Filter removals that read
// many pages per row it returned, or any heap scan of a relation whose dead rows the catalog
// counts at a large share of the live ones. Advice: VACUUM (makes dead rows' space reusable),
// pg_repack or VACUUM FULL (gives the space back; VACUUM FULL locks the table). Fix: VACUUM the
// table, only when the catalog shows the dead rows it would clean. Index Only Scans are left to
// heap_fetches, which advises the same VACUUM.
#include <algorithm>
#include <string>
#include <vector>

#include "analyzer/tips/advice.h"
#include "analyzer/tips/rules.h"

namespace planbot::analyzer::tips {
namespace {

constexpr double kMinPages = 1000;         // shared hit + read of the scan itself, at least
constexpr double kMinPagesPerRow = 10;     // Seq Scan without Filter removals: pages per row
constexpr double kMinDeadShare = 0.20;     // catalog: dead rows of the live ones, at least
constexpr double kMinDeadTuples = 1000;    // and at least this many dead rows
constexpr double kEmptySavingShare = 0.5;  // of the scan's time, when the wasted share is unknown

bool HeapScan(const std::string& type) {
  return type == "Seq Scan" || type == "Parallel Seq Scan" || type == "Index Scan" ||
         type == "Bitmap Heap Scan" || type == "Tid Scan" || type == "Tid Range Scan";
}

}  // namespace

void ReadEfficiencyTips(const TipContext& ctx, Tips& out) {
  std::vector<std::string> seen;
  for (const NodeMetrics& m : ctx.nodes()) {
    const PlanNode& node = *m.node;
    if (!m.executed || !HeapScan(node.node_type) || !m.exclusive_buffers) continue;
    const std::string relation = RelationSql(node);
    if (relation.empty() || std::find(seen.begin(), seen.end(), relation) != seen.end()) continue;
    const double pages =
        static_cast<double>(m.exclusive_buffers->shared_hit + m.exclusive_buffers->shared_read);
    if (pages < kMinPages) continue;
    const double rows = m.actual_rows_total.value_or(0);
    const RelationFacts* facts = ctx.catalog() ? ctx.catalog()->Relation(relation) : nullptr;
    const bool dead = facts && facts->dead_tuples >= kMinDeadTuples &&
                      facts->dead_tuples >= kMinDeadShare * facts->live_tuples;
    const bool seq = node.node_type == "Seq Scan" || node.node_type == "Parallel Seq Scan";
    const bool empty = seq && LoopsTotal(node.rows_removed_by_filter, m) <= 0 &&
                       pages >= kMinPagesPerRow * std::max(rows, 1.0);
    if (!dead && !empty) continue;
    seen.push_back(relation);
    std::string message = m.label + " read " + Rows(pages) + " pages for " + RowsWithNoun(rows);
    double wasted = kEmptySavingShare;
    if (dead) {
      const double total = facts->dead_tuples + facts->live_tuples;
      wasted = facts->dead_tuples / total;
      message += "; " + relation + " holds " + Rows(facts->dead_tuples) + " dead rows (" +
                 Percent(facts->dead_tuples / std::max(facts->live_tuples, 1.0)) + " of its " +
                 Rows(facts->live_tuples) + " live ones), which scans still read. VACUUM " +
                 relation + "; makes their space reusable (the file does not shrink);";
    } else {
      message += " (" + Rows(pages / std::max(rows, 1.0)) +
                 " pages per row): the table is mostly empty space left by deleted or updated "
                 "rows. VACUUM " +
                 relation + "; cleans the dead rows that remain;";
    }
    message +=
        " to give the space back, rewrite the table with pg_repack (online) or VACUUM FULL " +
        relation +
        "; (an ACCESS EXCLUSIVE lock for the whole rewrite: it blocks reads and writes).";
    Tip tip =
        ctx.Make("read_efficiency", m.id, std::move(message), wasted * m.exclusive_ms.value_or(0));
    if (dead) tip.fix = Fix{FixKind::kMaintenance, {"VACUUM " + relation}, {}, {}};
    out.push_back(std::move(tip));
  }
}

}  // namespace planbot::analyzer::tips
