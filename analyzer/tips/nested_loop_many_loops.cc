// nested_loop_many_loops: a Nested Loop that ran its inner side thousands of times, and those
// repetitions take a meaningful part of the statement. When the inner side is a Seq Scan whose
// join columns can be read (its Filter, the Join Filter), the tip carries the index as a Fix
// (alternatives: the first two columns swapped, the first alone). Below kMinLoops loops
// join_key_index handles an inner Seq Scan; on plan-only EXPLAIN estimated_scans.cc gives this
// code from the planner's estimates.
#include <optional>
#include <string>

#include "analyzer/human_format.h"
#include "analyzer/tips/advice.h"
#include "analyzer/tips/rules.h"

namespace planbot::analyzer::tips {
namespace {

constexpr double kMinLoops = 1000;     // loops of the inner side
constexpr double kMinShare = 0.10;     // inner side's wall time over the statement's time
constexpr double kMisfireFactor = 10;  // outer estimate this far off is named as the cause
constexpr double kSavingShare = 0.5;

const NodeMetrics* Child(const TipContext& ctx, const NodeMetrics& m, const char* relationship) {
  for (int id : m.children) {
    if (ctx.nodes()[id].node->parent_relationship == relationship) return &ctx.nodes()[id];
  }
  return nullptr;
}

std::string Advice(const NodeMetrics& loop, const NodeMetrics* scan, std::optional<Fix>& fix) {
  if (scan == nullptr) return " Check that the inner side can use an index for the join condition.";
  const PlanNode& node = *scan->node;
  const std::string relation = RelationSql(node);
  if (node.node_type == "Seq Scan") {
    std::vector<std::string> conditions;
    for (const auto* cond : {&node.index_cond, &node.filter, &loop.node->join_filter}) {
      if (*cond) conditions.push_back(**cond);
    }
    const std::vector<std::string> columns = JoinColumnsOf(node, conditions);
    if (columns.empty()) {
      return " Each loop scans " + relation + " sequentially: index its join columns.";
    }
    fix = IndexFix(relation, ColumnOrders(columns));
    return " Each loop scans " + relation + " sequentially: " + fix->statements[0] +
           "; makes every loop an index lookup.";
  }
  return " Each loop looks up " + relation +
         " through the index; with this many outer rows a Hash Join reading it once is usually "
         "cheaper.";
}

std::string OuterNote(const NodeMetrics* outer) {
  if (outer == nullptr || !outer->misfire || outer->misfire->factor < kMisfireFactor ||
      outer->misfire->direction != MisfireDirection::kUnder || !outer->planned_rows_total ||
      !outer->actual_rows_total) {
    return "";
  }
  return " The planner expected only " + Rows(*outer->planned_rows_total) + " outer rows (got " +
         Rows(*outer->actual_rows_total) +
         "): fix that estimate (ANALYZE, statistics) and it can choose a Hash Join.";
}

}  // namespace

void NestedLoopManyLoopsTips(const TipContext& ctx, Tips& out) {
  const std::optional<double> total = ctx.metrics().total_ms;
  for (const NodeMetrics& m : ctx.nodes()) {
    if (m.node->node_type != "Nested Loop" || !m.executed || !total || *total <= 0) continue;
    const NodeMetrics* inner = Child(ctx, m, "Inner");
    if (inner == nullptr || !inner->loops || *inner->loops < kMinLoops || !inner->inclusive_ms ||
        *inner->inclusive_ms < kMinShare * *total) {
      continue;
    }
    const int scan_id = FirstRelationNode(ctx.metrics(), inner->id);
    const NodeMetrics* scan = scan_id >= 0 ? &ctx.nodes()[scan_id] : nullptr;
    std::string message = m.label + " ran its inner side (" + (scan ? scan->label : inner->label) +
                          ") " + Rows(*inner->loops) + " times, " +
                          FormatMillis(*inner->inclusive_ms) + " in total.";
    const MemoizeStats& cache = inner->node->memoize;
    if (inner->node->node_type == "Memoize" && cache.present) {
      message += " Memoize answered " + Rows(static_cast<double>(cache.hits)) +
                 " of them from its "
                 "cache (" +
                 Rows(static_cast<double>(cache.misses)) + " misses).";
    }
    std::optional<Fix> fix;
    message += Advice(m, scan, fix);
    message += OuterNote(Child(ctx, m, "Outer"));
    message += " To compare, run it with SET enable_nestloop = off.";
    Tip tip = ctx.Make("nested_loop_many_loops", m.id, std::move(message),
                       kSavingShare * *inner->inclusive_ms);
    tip.fix = std::move(fix);
    out.push_back(std::move(tip));
  }
}

}  // namespace planbot::analyzer::tips
