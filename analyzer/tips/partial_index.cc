// partial_index: a Seq Scan whose Filter compares a column with few distinct values (catalog
// n_distinct between kMinDistinct and kMaxDistinct) for equality with a constant — not a
// parameter — and keeps at most kMaxKeptShare of the table: the query asks for a small, fixed
// subset (status = 'pending'). Fix: a partial index over just those rows, on the Filter's other
// columns (equality first, then ranges; the column itself when there is none):
// CREATE INDEX ON events (kind) WHERE status = 'pending'::text — the constant as the plan prints
// it, cast included, so the planner can prove the query's condition implies the index's.
// Alternatives: the other column orders. Needs catalog facts (distinct values, table rows); fires
// on executed plans and on plan-only EXPLAIN (estimate_based). Defers to order_by_limit_index and
// like_prefix_index (whose pattern operator class a partial index would lack).
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/tips/advice.h"
#include "analyzer/tips/rules.h"

namespace planbot::analyzer::tips {
namespace {

constexpr double kMinDistinct = 1;       // pg_stats n_distinct of the column, positive:
constexpr double kMaxDistinct = 20;      // a handful of values, as in a status column
constexpr double kMaxKeptShare = 0.05;   // rows the scan keeps (per loop) / catalog reltuples
constexpr double kMinTableRows = 10000;  // catalog reltuples: a smaller table needs no index

struct Candidate {
  ConstantComparison subset;         // the comparison the index's WHERE repeats
  std::vector<std::string> columns;  // what the index is on
  double distinct = 0;
  double table_rows = 0;
  double kept = 0;  // rows the scan returned (per loop)
};

std::optional<Candidate> Find(const PlanMetrics& metrics, const CatalogFacts* catalog,
                              const NodeMetrics& m) {
  const PlanNode& node = *m.node;
  const RelationFacts* relation = FactsOf(catalog, node);
  if (node.node_type != "Seq Scan" || !node.filter || relation == nullptr ||
      relation->reltuples < kMinTableRows || LikePrefixApplies(node)) {
    return std::nullopt;
  }
  Candidate c;
  c.table_rows = relation->reltuples;
  if (m.executed && m.actual_rows_total && m.loops && *m.loops > 0) {
    c.kept = *m.actual_rows_total / *m.loops;
  } else if (PlanOnly(metrics) && node.plan_rows) {
    c.kept = node.plan_rows->value;
  } else {
    return std::nullopt;
  }
  if (c.kept > kMaxKeptShare * c.table_rows) return std::nullopt;
  bool found = false;
  for (const ConstantComparison& cmp : ConstantComparisons(*node.filter)) {
    if (cmp.op != "=" || cmp.parameter || cmp.expression != cmp.column) continue;
    const ColumnFacts* column = relation->Column(cmp.column);
    const std::optional<double> distinct =
        column ? DistinctValues(*relation, *column) : std::nullopt;
    if (!distinct || *distinct < kMinDistinct || *distinct > kMaxDistinct || !column->n_distinct ||
        *column->n_distinct < 0) {
      continue;
    }
    c.subset = cmp;
    c.distinct = *distinct;
    found = true;
    break;
  }
  if (!found || OrderByLimitCovers(metrics, catalog, m)) return std::nullopt;
  for (const std::string& column : FilterIndexColumns(catalog, node, *node.filter)) {
    if (column != c.subset.expression) c.columns.push_back(column);
  }
  if (c.columns.empty()) c.columns.push_back(c.subset.column);
  return c;
}

}  // namespace

bool PartialIndexApplies(const PlanMetrics& metrics, const CatalogFacts* catalog,
                         const NodeMetrics& scan) {
  return Find(metrics, catalog, scan).has_value();
}

void PartialIndexTips(const TipContext& ctx, Tips& out) {
  for (const NodeMetrics& m : ctx.nodes()) {
    const std::optional<Candidate> c = Find(ctx.metrics(), ctx.catalog(), m);
    if (!c) continue;
    const PlanNode& node = *m.node;
    const std::string predicate = c->subset.column + " = " + c->subset.constant;
    const Fix fix = IndexFix(RelationSql(node), ColumnOrders(c->columns), predicate);
    const double share = c->kept / c->table_rows;
    std::string message =
        m.label + (m.executed ? " kept " : " is expected to keep ") + RowsWithNoun(c->kept) +
        (m.loops && *m.loops > 1 ? " per loop" : "") + " of the table's " + Rows(c->table_rows) +
        " (" + Percent(share) + "): " + c->subset.column + " has only " + Rows(c->distinct) +
        " distinct values and the query asks for one of them. A partial index holds just those "
        "rows, so it stays small and cheap to maintain: " +
        fix.statements[0] + "; (it serves queries with this same condition).";
    double saving = 0;
    if (m.executed && node.rows_removed_by_filter && m.actual_rows_total) {
      const double removed = LoopsTotal(node.rows_removed_by_filter, m);
      const double read = removed + *m.actual_rows_total;
      if (read > 0) saving = m.exclusive_ms.value_or(0) * removed / read;
    }
    Tip tip = ctx.Make("partial_index", m.id, std::move(message), saving);
    tip.fix = fix;
    if (!m.executed) {
      tip.estimate_based = true;
      tip.severity = kEstimatedSeverity;
    }
    out.push_back(std::move(tip));
  }
}

}  // namespace planbot::analyzer::tips
