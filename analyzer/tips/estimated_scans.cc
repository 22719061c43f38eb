// estimated_scans: plan-only EXPLAIN (`plan`: no ANALYZE, so no node has actual figures) gets the
// index rules that need only the planner's estimates. Every tip is estimate_based, saves 0 ms
// (nothing ran) and has severity kEstimatedSeverity; its fix is checked on the clone.
//   seq_scan_filter         a Seq Scan with a Filter over a table of ≥ kMinTableRows (catalog
//                           reltuples) that the planner expects to keep ≤ kMaxKeptShare of it:
//                           the index seq_scan_filter proposes. Without catalog facts the table's
//                           size is unknown (a plan prints only the rows kept), so it stays quiet.
//   sort_estimated          a Sort of ≥ kMinSortRows estimated rows of one table, not under a
//                           Limit (order_by_limit_index's), whose keys are that table's columns:
//                           an index on the Filter's equality columns, then the sort keys.
//   nested_loop_many_loops  a Nested Loop whose outer side is estimated at ≥ kMinOuterRows rows
//                           and whose inner side is a Seq Scan (through Materialize): the index
//                           on the inner join columns.
// like_prefix_index, order_by_limit_index and partial_index fire on plan-only EXPLAIN themselves;
// this rule leaves their scans alone.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/tips/advice.h"
#include "analyzer/tips/rules.h"

namespace planbot::analyzer::tips {
namespace {

constexpr double kMinTableRows = 10000;   // catalog reltuples of the scanned table
constexpr double kMaxKeptShare = 0.10;    // estimated rows kept / table rows
constexpr double kMinSortRows = 1000000;  // estimated rows a Sort receives
constexpr double kMinOuterRows = 1000;    // estimated outer rows of a Nested Loop
constexpr double kLeaderShare = 0.3;      // parallel_leader_participation: the leader's share
                                          // falls by this per worker (costsize.c)

// A Parallel Seq Scan's Plan Rows is per process: times the planner's parallel divisor.
double ProcessesFactor(const PlanMetrics& metrics, const NodeMetrics& scan) {
  if (!scan.node->parallel_aware) return 1;
  for (int id = scan.parent; id >= 0; id = metrics.nodes[id].parent) {
    const PlanNode& node = *metrics.nodes[id].node;
    if (node.node_type == "Gather" || node.node_type == "Gather Merge") {
      const double workers = static_cast<double>(node.workers_planned.value_or(0));
      return workers + std::max(0.0, 1 - kLeaderShare * workers);
    }
  }
  return 1;
}

Tip Estimated(const TipContext& ctx, const char* code, int node, std::string message, Fix fix) {
  Tip tip = ctx.Make(code, node, std::move(message), 0);
  tip.fix = std::move(fix);
  tip.estimate_based = true;
  tip.severity = kEstimatedSeverity;
  return tip;
}

const NodeMetrics* Child(const TipContext& ctx, const NodeMetrics& m, const char* relationship) {
  for (int id : m.children) {
    if (ctx.nodes()[id].node->parent_relationship == relationship) return &ctx.nodes()[id];
  }
  return nullptr;
}

// The inner Seq Scan of a Nested Loop, through Materialize.
const NodeMetrics* InnerSeqScan(const TipContext& ctx, const NodeMetrics& loop) {
  const NodeMetrics* inner = Child(ctx, loop, "Inner");
  while (inner != nullptr && inner->node->node_type == "Materialize" &&
         inner->children.size() == 1) {
    inner = &ctx.nodes()[inner->children[0]];
  }
  return inner != nullptr && inner->node->node_type == "Seq Scan" && inner->node->relation_name
             ? inner
             : nullptr;
}

// Nested Loop with many estimated outer rows and a Seq Scan inside: the index and its message.
bool NestedLoopTip(const TipContext& ctx, const NodeMetrics& m, Tips* out) {
  if (m.node->node_type != "Nested Loop") return false;
  const NodeMetrics* outer = Child(ctx, m, "Outer");
  const NodeMetrics* scan = InnerSeqScan(ctx, m);
  if (outer == nullptr || scan == nullptr || !outer->planned_rows_total ||
      *outer->planned_rows_total < kMinOuterRows) {
    return false;
  }
  std::vector<std::string> conditions;
  for (const OptString* c : {&scan->node->filter, &m.node->join_filter}) {
    if (*c) conditions.push_back(**c);
  }
  const std::vector<std::string> columns = JoinColumnsOf(*scan->node, conditions);
  if (columns.empty() || HasIndexLeadingWith(ctx.catalog(), *scan->node, {columns[0]})) {
    return false;
  }
  if (out == nullptr) return true;
  const std::string relation = RelationSql(*scan->node);
  Fix fix = IndexFix(relation, ColumnOrders(columns));
  std::string message = m.label + " is expected to run its inner side (" + scan->label +
                        ") about " + Rows(*outer->planned_rows_total) +
                        " times, each a sequential scan of " + relation + ": " + fix.statements[0] +
                        "; makes every loop an index lookup.";
  out->push_back(
      Estimated(ctx, "nested_loop_many_loops", m.id, std::move(message), std::move(fix)));
  return true;
}

bool IsNestedLoopInner(const TipContext& ctx, const NodeMetrics& scan) {
  for (int id = scan.parent; id >= 0; id = ctx.nodes()[id].parent) {
    const NodeMetrics& m = ctx.nodes()[id];
    if (m.node->node_type == "Materialize") continue;
    return NestedLoopTip(ctx, m, nullptr) && InnerSeqScan(ctx, m) == &scan;
  }
  return false;
}

void SeqScanTip(const TipContext& ctx, const NodeMetrics& m, Tips& out) {
  const std::optional<EstimatedScan> estimate =
      EstimatedSelectiveScan(ctx.metrics(), ctx.catalog(), m);
  if (!estimate || LikePrefixApplies(*m.node) ||
      PartialIndexApplies(ctx.metrics(), ctx.catalog(), m) ||
      OrderByLimitCovers(ctx.metrics(), ctx.catalog(), m) || IsNestedLoopInner(ctx, m)) {
    return;
  }
  const PlanNode& node = *m.node;
  const std::vector<std::string> columns = FilterIndexColumns(ctx.catalog(), node, *node.filter);
  if (columns.empty()) return;
  const double kept = estimate->kept;
  Fix fix = IndexFix(RelationSql(node), ColumnOrders(columns));
  std::string message = m.label + " is expected to keep about " + RowsWithNoun(kept) +
                        " of the table's " + Rows(estimate->table_rows) +
                        " after its filter. An index on the filtered columns would let "
                        "PostgreSQL read only the matching rows: " +
                        fix.statements[0] + ";";
  out.push_back(Estimated(ctx, "seq_scan_filter", m.id, std::move(message), std::move(fix)));
}

void SortTip(const TipContext& ctx, const NodeMetrics& m, Tips& out) {
  const PlanNode& node = *m.node;
  if (node.node_type != "Sort" || node.sort_key.empty() || m.children.size() != 1) return;
  const NodeMetrics& input = ctx.nodes()[m.children[0]];
  const PlanNode& scan = *input.node;
  if (!scan.relation_name || !input.planned_rows_total) return;
  const double rows = *input.planned_rows_total * ProcessesFactor(ctx.metrics(), input);
  if (rows < kMinSortRows) return;
  for (int id = m.parent; id >= 0; id = ctx.nodes()[id].parent) {
    if (ctx.nodes()[id].node->node_type == "Limit") return;  // order_by_limit_index's
  }
  std::vector<std::string> columns;
  if (scan.filter) {
    for (const ConstantComparison& c : ConstantComparisons(*scan.filter)) {
      if (c.op == "=" && std::find(columns.begin(), columns.end(), c.expression) == columns.end()) {
        columns.push_back(c.expression);
      }
    }
  }
  columns = MostSelectiveFirst(ctx.catalog(), scan, std::move(columns));
  std::vector<std::string> keys;
  for (const std::string& key : node.sort_key) {
    keys.push_back(SortKeyIndexColumn(scan, key));
    if (keys.back().empty()) return;
  }
  columns.insert(columns.end(), keys.begin(), keys.end());
  std::vector<std::string> plain;
  for (const std::string& column : columns) plain.push_back(IndexKeyColumn(column));
  if (HasIndexLeadingWith(ctx.catalog(), scan, plain)) return;
  Fix fix = IndexFix(RelationSql(scan), {columns});
  std::string message =
      m.label + " is expected to sort about " + Rows(rows) + " rows of " + input.label + " by " +
      JoinList(node.sort_key) +
      ". An index that returns them in this order would avoid the sort: " + fix.statements[0] + ";";
  out.push_back(Estimated(ctx, "sort_estimated", m.id, std::move(message), std::move(fix)));
}

}  // namespace

std::optional<EstimatedScan> EstimatedSelectiveScan(const PlanMetrics& metrics,
                                                    const CatalogFacts* catalog,
                                                    const NodeMetrics& scan) {
  const PlanNode& node = *scan.node;
  if (node.node_type != "Seq Scan" || !node.filter || scan.loops || !node.plan_rows) {
    return std::nullopt;
  }
  const RelationFacts* relation = FactsOf(catalog, node);
  if (relation == nullptr || relation->reltuples < kMinTableRows) return std::nullopt;
  const EstimatedScan estimate{relation->reltuples,
                               node.plan_rows->value * ProcessesFactor(metrics, scan)};
  if (estimate.kept > kMaxKeptShare * estimate.table_rows) return std::nullopt;
  return estimate;
}

void EstimatedTips(const TipContext& ctx, Tips& out) {
  if (!PlanOnly(ctx.metrics())) return;
  for (const NodeMetrics& m : ctx.nodes()) {
    if (NestedLoopTip(ctx, m, &out)) continue;
    SeqScanTip(ctx, m, out);
    SortTip(ctx, m, out);
  }
}

}  // namespace planbot::analyzer::tips
