// wrong_index_order: an Index Scan (or Index Only Scan) with no Index Cond — the planner walks an
// index for its order, typically for ORDER BY ... LIMIT, hoping to meet matching rows early —
// whose Filter discards most of what it reads. Fix: an index on the Filter's equality columns
// (most selective first) followed by the walked index's own keys, so the matching rows come out
// in the same order directly (no alternative: without the keys the order is lost). Its keys
// are read from the catalog (pg_get_indexdef of the Index Name); without catalog facts, or when
// the Filter has no equality column, the tip names what it can and carries no Fix.
// index_filter leaves such scans to this rule.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/tips/advice.h"
#include "analyzer/tips/rules.h"

namespace planbot::analyzer::tips {
namespace {

constexpr double kMinRowsRead = 10000;     // rows the index returned (kept + removed), all loops
constexpr double kMinRemovedShare = 0.90;  // share of them that the Filter removed

// The keys of the index the scan walked, from the catalog.
std::vector<std::string> WalkedIndexKeys(const CatalogFacts* catalog, const PlanNode& node) {
  const RelationFacts* relation = FactsOf(catalog, node);
  if (relation == nullptr || node.index_name.empty()) return {};
  for (const std::string& definition : relation->indexes) {
    const std::optional<IndexDefinition> index = ParseIndexDefinition(definition);
    if (index && (index->name == node.index_name || index->name == QuoteName(node.index_name))) {
      return index->keys;
    }
  }
  return {};
}

}  // namespace

void WrongIndexOrderTips(const TipContext& ctx, Tips& out) {
  for (const NodeMetrics& m : ctx.nodes()) {
    const PlanNode& node = *m.node;
    if ((node.node_type != "Index Scan" && node.node_type != "Index Only Scan") || !m.executed ||
        node.index_cond || node.order_by || !node.filter || !node.rows_removed_by_filter ||
        !m.actual_rows_total) {
      continue;
    }
    const double removed = LoopsTotal(node.rows_removed_by_filter, m);
    const double read = removed + *m.actual_rows_total;
    if (read < kMinRowsRead || removed < kMinRemovedShare * read) continue;
    std::vector<std::string> equality;
    for (const ConstantComparison& c : ConstantComparisons(*node.filter)) {
      if (c.op == "=" &&
          std::find(equality.begin(), equality.end(), c.expression) == equality.end()) {
        equality.push_back(c.expression);
      }
    }
    equality = MostSelectiveFirst(ctx.catalog(), node, std::move(equality));
    const std::vector<std::string> keys = WalkedIndexKeys(ctx.catalog(), node);
    const std::string relation = RelationSql(node);

    std::string message = m.label + " read " + Rows(read) +
                          " rows in index order with no index condition, and its filter "
                          "discarded " +
                          Percent(removed / read) + " of them (" + Rows(*m.actual_rows_total) +
                          " kept): the planner walked " + node.index_name +
                          " for its order, expecting to meet matching rows early.";
    std::optional<Fix> fix;
    if (equality.empty()) {
      message += " An index that matches the filter " + *node.filter +
                 " would find the rows without walking the whole order.";
    } else if (keys.empty() || relation.empty()) {
      message += " An index on " + JoinList(equality) + " followed by the columns of " +
                 node.index_name + " would return the matching rows directly, in that order.";
    } else {
      std::vector<std::string> columns = equality;
      for (const std::string& key : keys) {
        if (std::find(equality.begin(), equality.end(), IndexKeyColumn(key)) == equality.end()) {
          columns.push_back(key);
        }
      }
      fix = IndexFix(relation, {columns});
      message += " An index on the filter's equality columns followed by the columns of " +
                 node.index_name +
                 " returns the matching rows directly, in that order: " + fix->statements[0] + ";";
    }
    Tip tip = ctx.Make("wrong_index_order", m.id, std::move(message),
                       m.exclusive_ms.value_or(0) * removed / read);
    tip.fix = std::move(fix);
    out.push_back(std::move(tip));
  }
}

}  // namespace planbot::analyzer::tips
