// seq_scan_filter: a sequential scan that reads a sizeable table only to discard most rows.
#include <string>

#include "analyzer/condition_columns.h"
#include "analyzer/tips/advice.h"
#include "analyzer/tips/rules.h"

namespace planbot::analyzer::tips {
namespace {

constexpr double kMinRowsRead = 10000;     // rows read (kept + removed) over all loops
constexpr double kMinRemovedShare = 0.90;  // share of the rows read that the Filter removed

std::string IndexAdvice(const std::string& relation, const std::string& filter) {
  const std::vector<std::string> columns = IndexCandidateColumns(filter);
  if (columns.empty()) {
    return " An index that matches the filter " + filter +
           " would let PostgreSQL read only the matching rows.";
  }
  const std::string list = JoinList(columns);
  return " An index on " + relation + " (" + list +
         ") would let PostgreSQL read only the matching rows: CREATE INDEX ON " + relation + " (" +
         list + "); (try it first with `hypo create index on " + relation + " (" + list +
         ")` and `plan`).";
}

}  // namespace

void SeqScanFilterTips(const TipContext& ctx, Tips& out) {
  for (const NodeMetrics& m : ctx.nodes()) {
    const PlanNode& node = *m.node;
    if (node.node_type != "Seq Scan" || !m.executed || !node.filter ||
        !node.rows_removed_by_filter || !m.actual_rows_total) {
      continue;
    }
    const double removed = LoopsTotal(node.rows_removed_by_filter, m);
    const double read = removed + *m.actual_rows_total;
    if (read < kMinRowsRead || removed < kMinRemovedShare * read) continue;
    const std::string relation = RelationSql(node);
    std::string message = m.label + " read " + Rows(read) + " rows and its filter discarded " +
                          Percent(removed / read) + " of them (" + Rows(*m.actual_rows_total) +
                          " kept).";
    message += IndexAdvice(relation.empty() ? "the table" : relation, *node.filter);
    out.push_back(ctx.Make("seq_scan_filter", m.id, std::move(message),
                           m.exclusive_ms.value_or(0) * removed / read));
  }
}

}  // namespace planbot::analyzer::tips
