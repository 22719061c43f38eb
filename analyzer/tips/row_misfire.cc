// row_misfire: the planner's row estimate is off by an order of magnitude at the node where the
// error starts (errors inherited from a child are reported at the child only).
#include <algorithm>
#include <cctype>
#include <string>

#include "analyzer/condition_columns.h"
#include "analyzer/tips/advice.h"
#include "analyzer/tips/rules.h"

namespace planbot::analyzer::tips {
namespace {

constexpr double kMinFactor = 10;        // max(actual/planned, planned/actual), per loop
constexpr double kMinRows = 1000;        // larger of planned and actual rows over all loops
constexpr double kOwnFactor = 10;        // must exceed the strongest same-direction child by this
constexpr double kSavingShare = 0.5;     // of the consumer's other work a better plan may save
constexpr int kStatisticsTarget = 1000;  // suggested per-column statistics target (default 100)

// An overestimate is expected where execution stops before the input is exhausted.
bool MayStopEarly(const TipContext& ctx, const NodeMetrics& m) {
  for (const NodeMetrics* c = &m; c->parent >= 0; c = ctx.Parent(*c)) {
    const PlanNode& parent = *ctx.Parent(*c)->node;
    if (parent.node_type == "Limit" || parent.node_type == "Merge Join") return true;
    if (IsSubplan(*c->node)) return true;  // EXISTS, ANY (...) and friends stop at a match
    if (parent.node_type == "Nested Loop" && c->node->parent_relationship == "Inner" &&
        (parent.join_type == "Semi" || parent.join_type == "Anti")) {
      return true;
    }
  }
  return false;
}

double StrongestChildFactor(const TipContext& ctx, const NodeMetrics& m) {
  double strongest = 1;
  for (int id : m.children) {
    const NodeMetrics& c = ctx.nodes()[id];
    if (IsSubplan(*c.node) || !c.misfire || c.misfire->direction != m.misfire->direction) continue;
    strongest = std::max(strongest, c.misfire->factor);
  }
  return strongest;
}

// Half of what the first real consumer of these rows (a join, an aggregate, ...) did besides
// reading them: its choices were made on the wrong estimate.
double Saving(const TipContext& ctx, const NodeMetrics& m) {
  const NodeMetrics* below = &m;
  for (const NodeMetrics* up = ctx.Parent(m); up != nullptr; below = up, up = ctx.Parent(*up)) {
    static const char* const kPassThrough[] = {"Hash",         "Sort",    "Incremental Sort",
                                               "Materialize",  "Memoize", "Gather",
                                               "Gather Merge", "Result"};
    const std::string& type = up->node->node_type;
    if (std::any_of(std::begin(kPassThrough), std::end(kPassThrough),
                    [&](const char* t) { return type == t; })) {
      continue;
    }
    return kSavingShare *
           std::max(up->inclusive_ms.value_or(0) - below->inclusive_ms.value_or(0), 0.0);
  }
  return 0;
}

std::vector<std::string> ConstantColumns(const PlanNode& node) {
  std::vector<std::string> columns;
  for (const auto* cond : {&node.index_cond, &node.recheck_cond, &node.filter}) {
    if (!*cond) continue;
    for (const Comparison& c : ExtractComparisons(**cond)) {
      if (c.other || c.column.expression != c.column.column) continue;
      if (std::find(columns.begin(), columns.end(), c.column.column) == columns.end()) {
        columns.push_back(c.column.column);
      }
    }
  }
  return columns;
}

std::string StatisticsName(const std::string& relation, const std::vector<std::string>& columns) {
  std::string name = relation;
  for (const std::string& column : columns) name += "_" + column;
  name += "_stats";
  std::string clean;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '_') clean += static_cast<char>(std::tolower(u));
  }
  return clean.substr(0, 63);
}

std::string ScanAdvice(const PlanNode& node) {
  const std::string relation = RelationSql(node);
  const std::vector<std::string> columns = ConstantColumns(node);
  std::string advice = " Run ANALYZE " + relation + ";";
  const std::string target = " SET STATISTICS " + std::to_string(kStatisticsTarget) + ";";
  if (columns.size() == 1) {
    return advice + " If it stays off, raise the statistics target of " + columns[0] +
           ": ALTER TABLE " + relation + " ALTER COLUMN " + columns[0] + target + " ANALYZE " +
           relation + ";";
  }
  if (columns.size() > 1) {
    const std::string list = JoinList(columns);
    return advice + " If it stays off and " + list +
           " are correlated, create extended statistics: CREATE STATISTICS " +
           StatisticsName(node.relation_name.value_or(""), columns) + " (dependencies, mcv) ON " +
           list + " FROM " + relation + "; ANALYZE " + relation +
           "; or raise their statistics target (ALTER TABLE " + relation + " ALTER COLUMN " +
           columns[0] + target + ").";
  }
  return advice + " If it stays off, raise the statistics target of the columns it filters on.";
}

std::string OtherAdvice(const TipContext& ctx, const NodeMetrics& m) {
  const PlanNode& node = *m.node;
  const std::string tables = JoinList(RelationsBelow(ctx.metrics(), m.id, 4));
  std::string advice =
      tables.empty() ? " Run ANALYZE on the tables involved." : " Run ANALYZE on " + tables + ".";
  const std::optional<std::string>& cond = node.hash_cond    ? node.hash_cond
                                           : node.merge_cond ? node.merge_cond
                                                             : node.join_filter;
  if (cond) {
    return advice + " If it stays off, the join condition " + *cond +
           " or filters on correlated columns are misjudged: extended statistics (CREATE "
           "STATISTICS) on the filtered columns of each table can help.";
  }
  if (!node.group_key.empty()) {
    return advice + " The number of groups of (" + JoinList(node.group_key) +
           ") was misjudged; for several columns of one table, CREATE STATISTICS (ndistinct) ON "
           "those columns FROM that table lets the planner count their combinations.";
  }
  return advice;
}

std::string Header(const NodeMetrics& m) {
  const PlanNode& node = *m.node;
  const bool under = m.misfire->direction == MisfireDirection::kUnder;
  std::string text = "Row estimate off by " + Factor(m.misfire->factor) + " at " + m.label +
                     ": planned " + RowsWithNoun(node.plan_rows->value) + ", got " +
                     Rows(node.actual.rows->value);
  if (m.loops && *m.loops > 1) text += " per loop over " + Rows(*m.loops) + " loops";
  return text + (under ? " (underestimate)." : " (overestimate).");
}

}  // namespace

void RowMisfireTips(const TipContext& ctx, Tips& out) {
  for (const NodeMetrics& m : ctx.nodes()) {
    if (!m.executed || !m.misfire || m.misfire->factor < kMinFactor) continue;
    const double larger =
        std::max(m.actual_rows_total.value_or(0), m.planned_rows_total.value_or(0));
    if (larger < kMinRows) continue;
    if (m.misfire->direction == MisfireDirection::kOver && MayStopEarly(ctx, m)) continue;
    if (m.misfire->factor / StrongestChildFactor(ctx, m) < kOwnFactor) continue;
    std::string message = Header(m);
    message += m.node->relation_name ? ScanAdvice(*m.node) : OtherAdvice(ctx, m);
    out.push_back(ctx.Make("row_misfire", m.id, std::move(message), Saving(ctx, m)));
  }
}

}  // namespace planbot::analyzer::tips
