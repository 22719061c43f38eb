// index_filter: an index or bitmap scan whose Filter discards most of the rows the index found,
// i.e. the index covers only part of the condition. Fix: an index on the index condition's join
// columns, then the equality columns of both conditions (most selective first when the catalog
// knows), then ranges; alternatives: the first two swapped, the first alone. An Index Scan with
// no Index Cond at all is wrong_index_order's.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/condition_columns.h"
#include "analyzer/tips/advice.h"
#include "analyzer/tips/rules.h"

namespace planbot::analyzer::tips {
namespace {

constexpr double kMinRowsFetched = 10000;  // rows the index returned (kept + removed), all loops
constexpr double kMinRemovedShare = 0.90;  // share of them that the Filter removed

bool IsIndexScan(const PlanNode& node) {
  return node.node_type == "Index Scan" || node.node_type == "Index Only Scan" ||
         node.node_type == "Bitmap Heap Scan";
}

// Equality columns of both conditions first, then ranges: the order a B-tree wants them.
std::vector<std::string> SuggestedColumns(const CatalogFacts* catalog, const PlanNode& node) {
  const OptString& index = node.index_cond ? node.index_cond : node.recheck_cond;
  std::vector<std::string> columns;
  if (index) columns = JoinColumnsOf(node, {*index});
  const std::string condition =
      index ? "(" + *index + ") AND (" + *node.filter + ")" : *node.filter;
  for (const std::string& column : FilterIndexColumns(catalog, node, condition)) {
    if (std::find(columns.begin(), columns.end(), column) == columns.end()) {
      columns.push_back(column);
    }
  }
  return columns;
}

}  // namespace

void IndexFilterTips(const TipContext& ctx, Tips& out) {
  for (const NodeMetrics& m : ctx.nodes()) {
    const PlanNode& node = *m.node;
    if (!IsIndexScan(node) || !m.executed || !node.filter || !node.rows_removed_by_filter ||
        !m.actual_rows_total) {
      continue;
    }
    if (node.node_type != "Bitmap Heap Scan" && !node.index_cond && !node.order_by) continue;
    const double removed = LoopsTotal(node.rows_removed_by_filter, m);
    const double fetched = removed + *m.actual_rows_total;
    if (fetched < kMinRowsFetched || removed < kMinRemovedShare * fetched) continue;
    const std::string relation = RelationSql(node);
    const std::vector<std::string> columns = SuggestedColumns(ctx.catalog(), node);
    std::string message = m.label + " fetched " + Rows(fetched) +
                          " rows through the index, then its filter discarded " +
                          Percent(removed / fetched) + " of them.";
    std::optional<Fix> fix;
    if (columns.empty() || relation.empty()) {
      message +=
          " An index that also covers the filter " + *node.filter + " would skip those rows.";
    } else {
      fix = IndexFix(relation, ColumnOrders(columns));
      message +=
          " An index that also covers the filtered columns would skip them: " + fix->statements[0] +
          ";";
    }
    Tip tip = ctx.Make("index_filter", m.id, std::move(message),
                       m.exclusive_ms.value_or(0) * removed / fetched);
    tip.fix = std::move(fix);
    out.push_back(std::move(tip));
  }
}

}  // namespace planbot::analyzer::tips
