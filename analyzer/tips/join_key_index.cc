// join_key_index: a join through an unindexed key. A Hash Join or Merge Join one of whose sides is
// a Seq Scan (looked through Hash, Sort, Materialize) that read many rows while the other side
// brought far fewer: with an index on the large side's join columns PostgreSQL could look up each
// of the few rows instead (a Nested Loop or Merge Join over an index scan). Or a Nested Loop whose
// inner side is a Seq Scan (through Materialize) that compared many more rows than the join kept,
// rescanned fewer than kMaxLoops times — from kMaxLoops loops on, nested_loop_many_loops gives that
// advice. Fix: CREATE INDEX on the large side's join columns (read from Hash Cond / Merge Cond /
// Join Filter / the inner Filter), then its own Filter's equality columns; alternative: the join
// columns alone. Not given when the catalog shows an index leading with the join column already.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/tips/advice.h"
#include "analyzer/tips/rules.h"

namespace planbot::analyzer::tips {
namespace {

constexpr double kMinLargeRows = 10000;  // rows the large side's Seq Scan read, all loops
// Hash/Merge Join: the large scan read ≥ 100 × the other side's rows (one index lookup each) ...
constexpr double kMinLookupRatio = 100;
// ... and ≥ 10 × the rows those lookups would fetch: the join's rows scaled up by the share of
// the large scan's rows its own Filter kept (the index finds them before the Filter). Nested
// Loop: the rows compared over all loops are ≥ 10 × the rows the join kept.
constexpr double kMinFetchRatio = 10;
constexpr double kMaxLoops = 1000;  // Nested Loop: nested_loop_many_loops' from here on

// The Seq Scan that feeds `id`, looking through Hash, Sort and Materialize.
const NodeMetrics* SeqScanOf(const TipContext& ctx, int id) {
  const NodeMetrics* m = &ctx.nodes()[id];
  while (m->node->node_type == "Hash" || m->node->node_type == "Sort" ||
         m->node->node_type == "Materialize") {
    if (m->children.size() != 1) return nullptr;
    m = &ctx.nodes()[m->children[0]];
  }
  return m->node->node_type == "Seq Scan" && m->node->relation_name ? m : nullptr;
}

const NodeMetrics* Side(const TipContext& ctx, const NodeMetrics& join, const char* relationship) {
  for (int id : join.children) {
    if (ctx.nodes()[id].node->parent_relationship == relationship) return &ctx.nodes()[id];
  }
  return nullptr;
}

double RowsRead(const NodeMetrics& scan) {
  return scan.actual_rows_total.value_or(0) + LoopsTotal(scan.node->rows_removed_by_filter, scan);
}

// Join columns of the large scan, then the equality columns of its own Filter.
std::vector<std::string> Columns(const TipContext& ctx, const NodeMetrics& scan,
                                 const std::vector<std::string>& conditions) {
  std::vector<std::string> columns = JoinColumnsOf(*scan.node, conditions);
  if (columns.empty()) return columns;
  if (scan.node->filter) {
    std::vector<std::string> equality;
    for (const ConstantComparison& c : ConstantComparisons(*scan.node->filter)) {
      if (c.op == "=" && std::find(columns.begin(), columns.end(), c.expression) == columns.end() &&
          std::find(equality.begin(), equality.end(), c.expression) == equality.end()) {
        equality.push_back(c.expression);
      }
    }
    equality = MostSelectiveFirst(ctx.catalog(), *scan.node, std::move(equality));
    columns.insert(columns.end(), equality.begin(), equality.end());
  }
  return columns;
}

void Propose(const TipContext& ctx, const NodeMetrics& join, const NodeMetrics& scan,
             const std::vector<std::string>& join_columns, std::string message, double saving_ms,
             Tips& out) {
  const std::string relation = RelationSql(*scan.node);
  const std::vector<std::string> columns = Columns(ctx, scan, join_columns);
  if (columns.empty() || HasIndexLeadingWith(ctx.catalog(), *scan.node, {columns[0]})) return;
  const std::vector<std::string> join_only = JoinColumnsOf(*scan.node, join_columns);
  Fix fix = IndexFix(relation, {columns, join_only});
  message += fix.statements[0] + ";";
  Tip tip = ctx.Make("join_key_index", join.id, std::move(message), saving_ms);
  tip.fix = std::move(fix);
  out.push_back(std::move(tip));
}

void HashOrMergeJoin(const TipContext& ctx, const NodeMetrics& join, Tips& out) {
  const NodeMetrics* outer = Side(ctx, join, "Outer");
  const NodeMetrics* inner = Side(ctx, join, "Inner");
  if (outer == nullptr || inner == nullptr) return;
  std::vector<std::string> conditions;
  for (const OptString* c :
       {&join.node->hash_cond, &join.node->merge_cond, &join.node->join_filter}) {
    if (*c) conditions.push_back(**c);
  }
  for (const auto& [large_side, small_side] : {std::pair{outer, inner}, std::pair{inner, outer}}) {
    const NodeMetrics* scan = SeqScanOf(ctx, large_side->id);
    if (scan == nullptr || !scan->executed || !small_side->actual_rows_total) continue;
    const double read = RowsRead(*scan);
    const double small = *small_side->actual_rows_total;
    const double kept = std::max(scan->actual_rows_total.value_or(0), 1.0);
    const double fetched = join.actual_rows_total.value_or(read) * read / kept;
    if (read < kMinLargeRows || small * kMinLookupRatio > read || fetched * kMinFetchRatio > read) {
      continue;
    }
    const std::string message =
        join.label + " read all " + Rows(read) + " rows of " + scan->label + " to match " +
        RowsWithNoun(small) +
        " from its other side. With an index on the join column, PostgreSQL can find their "
        "matches through the index instead of reading the whole table: ";
    const double saving = scan->exclusive_ms.value_or(0) * std::max(0.0, 1 - fetched / read);
    Propose(ctx, join, *scan, conditions, message, saving, out);
    return;
  }
}

void NestedLoop(const TipContext& ctx, const NodeMetrics& join, Tips& out) {
  const NodeMetrics* outer = Side(ctx, join, "Outer");
  const NodeMetrics* inner = Side(ctx, join, "Inner");
  if (outer == nullptr || inner == nullptr || !inner->loops || *inner->loops >= kMaxLoops ||
      !outer->actual_rows_total) {
    return;
  }
  const NodeMetrics* scan = SeqScanOf(ctx, inner->id);
  if (scan == nullptr || !scan->executed || !scan->loops) return;
  const double per_loop = RowsRead(*scan) / *scan->loops;  // the table's rows
  const double compared = per_loop * *inner->loops;        // rows looked at over all loops
  const double outer_rows = *outer->actual_rows_total;
  const double kept = join.actual_rows_total.value_or(0);
  if (compared < kMinLargeRows || kept * kMinFetchRatio > compared) return;
  std::vector<std::string> conditions;
  for (const OptString* c : {&scan->node->filter, &join.node->join_filter}) {
    if (*c) conditions.push_back(**c);
  }
  const std::string message =
      join.label + " compared each of its " + Rows(outer_rows) + " outer rows with all " +
      Rows(per_loop) + " rows of " + scan->label + " (" + Rows(compared) +
      " in total). With an index on the join column, each outer row becomes an index lookup: ";
  const double saving = inner->inclusive_ms.value_or(0) * std::max(0.0, 1 - kept / compared);
  Propose(ctx, join, *scan, conditions, message, saving, out);
}

}  // namespace

void JoinKeyIndexTips(const TipContext& ctx, Tips& out) {
  for (const NodeMetrics& m : ctx.nodes()) {
    if (!m.executed) continue;
    const std::string& type = m.node->node_type;
    if (type == "Hash Join" || type == "Merge Join") HashOrMergeJoin(ctx, m, out);
    if (type == "Nested Loop") NestedLoop(ctx, m, out);
  }
}

}  // namespace planbot::analyzer::tips
