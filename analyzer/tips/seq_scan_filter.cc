// seq_scan_filter: a sequential scan that reads a sizeable table only to discard most rows. Fix:
// CREATE INDEX on the columns the Filter compares with constants or parameters (equality columns
// first, most selective first when the catalog knows, then ranges; on a scan repeated per outer
// row, the columns compared with the outer row's lead); alternatives: the first two
// columns swapped, the first column alone. Stays quiet where a more specific index rule fires on
// the same scan: like_prefix_index (a LIKE prefix), partial_index (a rare constant),
// order_by_limit_index (the scan feeds ORDER BY ... LIMIT).
#include <algorithm>
#include <string>
#include <vector>

#include "analyzer/tips/advice.h"
#include "analyzer/tips/rules.h"

namespace planbot::analyzer::tips {
namespace {

constexpr double kMinRowsRead = 10000;     // rows read (kept + removed) over all loops
constexpr double kMinRemovedShare = 0.90;  // share of the rows read that the Filter removed

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
    if (LikePrefixApplies(node) || PartialIndexApplies(ctx.metrics(), ctx.catalog(), m) ||
        OrderByLimitCovers(ctx.metrics(), ctx.catalog(), m)) {
      continue;
    }
    const std::string relation = RelationSql(node);
    std::vector<std::string> columns = FilterIndexColumns(ctx.catalog(), node, *node.filter);
    // Rescanned per outer row (the inner side of a Nested Loop, a correlated subquery): a column
    // compared with the outer row's works like a parameter, and leads the index.
    if (m.loops.value_or(1) > 1) {
      std::vector<std::string> joined = JoinColumnsOf(node, {*node.filter});
      for (const std::string& c : columns) {
        if (std::find(joined.begin(), joined.end(), c) == joined.end()) joined.push_back(c);
      }
      columns = std::move(joined);
    }
    std::string message = m.label + " read " + Rows(read) + " rows and its filter discarded " +
                          Percent(removed / read) + " of them (" + Rows(*m.actual_rows_total) +
                          " kept).";
    std::optional<Fix> fix;
    if (columns.empty() || relation.empty()) {
      message += " An index that matches the filter " + *node.filter +
                 " would let PostgreSQL read only the matching rows.";
    } else {
      fix = IndexFix(relation, ColumnOrders(columns));
      message +=
          " An index on the filtered columns would let PostgreSQL read only the matching "
          "rows: " +
          fix->statements[0] + ";";
    }
    Tip tip = ctx.Make("seq_scan_filter", m.id, std::move(message),
                       m.exclusive_ms.value_or(0) * removed / read);
    tip.fix = std::move(fix);
    out.push_back(std::move(tip));
  }
}

}  // namespace planbot::analyzer::tips
