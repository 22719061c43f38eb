// order_by_limit_index: ORDER BY ... LIMIT served by a Sort: Limit → Sort (→ under Gather Merge
// too) over a scan of one table whose conditions compare columns for equality with constants or
// parameters (`where account_id = $1 order by created_at desc limit 20`). An index on the equality
// columns followed by the sort keys (with their DESC / NULLS) returns the rows in order, so the
// Sort disappears and the scan stops after the LIMIT. Fix: that index; alternative: the same keys
// all ascending when they share one direction (a backward scan serves them). Fires on executed
// plans and on plan-only EXPLAIN (estimate_based). A scan without any condition gets the index on
// the sort keys; one whose conditions have no equality gets nothing (wrong_index_order's trap).
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/tips/advice.h"
#include "analyzer/tips/rules.h"

namespace planbot::analyzer::tips {
namespace {

// Rows the scan under the Sort read (kept + removed by its Filter, all loops); plan-only: the
// rows the planner expects the Sort to receive.
constexpr double kMinRowsRead = 1000;

struct Candidate {
  const NodeMetrics* limit = nullptr;
  const NodeMetrics* scan = nullptr;
  std::vector<std::string> equality;  // most selective first
  std::vector<std::string> keys;      // index columns of the Sort Key: "created_at DESC"
  double read = 0;                    // rows the scan read (plan-only: is expected to return)
  double input = 0;                   // rows the Sort received
  double returned = 0;                // rows the Limit returned
};

bool IsScan(const PlanNode& node) {
  return node.node_type == "Seq Scan" || node.node_type == "Index Scan" ||
         node.node_type == "Index Only Scan" || node.node_type == "Bitmap Heap Scan";
}

const NodeMetrics* LimitAbove(const PlanMetrics& metrics, const NodeMetrics& sort) {
  if (sort.parent < 0) return nullptr;
  const NodeMetrics* parent = &metrics.nodes[sort.parent];
  if (parent->node->node_type == "Gather Merge" && parent->parent >= 0) {
    parent = &metrics.nodes[parent->parent];
  }
  return parent->node->node_type == "Limit" ? parent : nullptr;
}

// The scan's conditions, the Bitmap Index Scan's Index Cond included.
std::vector<std::string> Conditions(const PlanMetrics& metrics, const NodeMetrics& scan) {
  std::vector<std::string> out;
  const PlanNode& node = *scan.node;
  for (const OptString* c : {&node.index_cond, &node.recheck_cond, &node.filter}) {
    if (*c) out.push_back(**c);
  }
  for (int child : scan.children) {
    const PlanNode& index = *metrics.nodes[child].node;
    if (index.node_type == "Bitmap Index Scan" && index.index_cond) {
      out.push_back(*index.index_cond);
    }
  }
  return out;
}

std::optional<Candidate> Find(const PlanMetrics& metrics, const CatalogFacts* catalog,
                              const NodeMetrics& sort) {
  const PlanNode& node = *sort.node;
  if (node.node_type != "Sort" || node.sort_key.empty() || sort.children.empty()) {
    return std::nullopt;
  }
  Candidate c;
  c.limit = LimitAbove(metrics, sort);
  c.scan = &metrics.nodes[sort.children[0]];
  const PlanNode& scan = *c.scan->node;
  if (c.limit == nullptr || !IsScan(scan) || RelationSql(scan).empty()) return std::nullopt;
  for (const std::string& key : node.sort_key) {
    c.keys.push_back(SortKeyIndexColumn(scan, key));
    if (c.keys.back().empty()) return std::nullopt;
  }
  const std::vector<std::string> conditions = Conditions(metrics, *c.scan);
  for (const std::string& condition : conditions) {
    for (const ConstantComparison& cmp : ConstantComparisons(condition)) {
      if (cmp.op == "=" &&
          std::find(c.equality.begin(), c.equality.end(), cmp.expression) == c.equality.end()) {
        c.equality.push_back(cmp.expression);
      }
    }
  }
  if (c.equality.empty() && !conditions.empty()) return std::nullopt;
  c.equality = MostSelectiveFirst(catalog, scan, std::move(c.equality));

  const bool executed = sort.executed && c.scan->actual_rows_total && c.limit->actual_rows_total;
  if (executed) {
    c.input = *c.scan->actual_rows_total;
    c.read = c.input + LoopsTotal(scan.rows_removed_by_filter, *c.scan) +
             LoopsTotal(scan.rows_removed_by_index_recheck, *c.scan);
    c.returned = *c.limit->actual_rows_total;
  } else if (PlanOnly(metrics) && c.scan->planned_rows_total && c.limit->planned_rows_total) {
    c.input = c.read = *c.scan->planned_rows_total;
    c.returned = *c.limit->planned_rows_total;
  } else {
    return std::nullopt;
  }
  if (c.read < kMinRowsRead || c.input <= c.returned) return std::nullopt;

  std::vector<std::string> columns = c.equality;
  for (const std::string& key : c.keys) columns.push_back(IndexKeyColumn(key));
  if (HasIndexLeadingWith(catalog, scan, columns)) return std::nullopt;
  return c;
}

// The keys without DESC when they all are DESC (and NULLS FIRST, its default): a backward scan of
// an ascending index returns that order too.
std::vector<std::string> Ascending(const std::vector<std::string>& keys) {
  std::vector<std::string> out;
  for (const std::string& key : keys) {
    const std::string column = IndexKeyColumn(key);
    if (key != column + " DESC") return {};
    out.push_back(column);
  }
  return out;
}

}  // namespace

bool OrderByLimitCovers(const PlanMetrics& metrics, const CatalogFacts* catalog,
                        const NodeMetrics& scan) {
  return scan.parent >= 0 && Find(metrics, catalog, metrics.nodes[scan.parent]).has_value();
}

void OrderByLimitIndexTips(const TipContext& ctx, Tips& out) {
  for (const NodeMetrics& m : ctx.nodes()) {
    const std::optional<Candidate> c = Find(ctx.metrics(), ctx.catalog(), m);
    if (!c) continue;
    const PlanNode& scan = *c->scan->node;
    std::vector<std::string> columns = c->equality;
    columns.insert(columns.end(), c->keys.begin(), c->keys.end());
    std::vector<std::string> ascending = Ascending(c->keys);
    if (!ascending.empty())
      ascending.insert(ascending.begin(), c->equality.begin(), c->equality.end());
    const Fix fix = IndexFix(RelationSql(scan), {columns, ascending});

    const bool executed = m.executed;
    std::string message = m.label + (executed ? " ordered " : " is expected to order about ") +
                          Rows(c->input) + " rows by " + JoinList(m.node->sort_key) + " that " +
                          c->scan->label + (executed ? " found" : " returns");
    if (c->read > c->input) message += " among the " + Rows(c->read) + " it read";
    message += ", to return the first " + Rows(c->returned) + ".";
    message += c->equality.empty()
                   ? " An index on the sort keys returns the rows already in order, so "
                     "PostgreSQL reads only the first ones: "
                   : " An index on the equality columns followed by the sort keys returns the "
                     "matching rows already in order, so PostgreSQL reads only the first ones: ";
    message += fix.statements[0] + ";";
    const double saving = executed ? m.inclusive_ms.value_or(0) * (1 - c->returned / c->read) : 0;
    Tip tip = ctx.Make("order_by_limit_index", m.id, std::move(message), saving);
    tip.fix = fix;
    if (!executed) {
      tip.estimate_based = true;
      tip.severity = kEstimatedSeverity;
    }
    out.push_back(std::move(tip));
  }
}

}  // namespace planbot::analyzer::tips
