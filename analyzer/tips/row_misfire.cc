// row_misfire: the planner's row estimate is off by an order of magnitude at the node where the
// error starts (errors inherited from a child are reported at the child only). The fix is the
// ANALYZE / SET STATISTICS / CREATE STATISTICS the advice names (misfire_advice.h); at a scan of
// a relation whose statistics the catalog shows stale, stale_statistics speaks instead.
#include <algorithm>
#include <string>

#include "analyzer/tips/advice.h"
#include "analyzer/tips/misfire_advice.h"
#include "analyzer/tips/rules.h"

namespace planbot::analyzer::tips {
namespace {

constexpr double kMinFactor = 10;  // max(actual/planned, planned/actual), per loop
constexpr double kMinRows = 1000;  // larger of planned and actual rows over all loops
constexpr double kOwnFactor = 10;  // must exceed the strongest same-direction child by this

// An overestimate is expected where execution stops before the input is exhausted.
bool MayStopEarly(const TipContext& ctx, const NodeMetrics& m) {
  // A WindowAgg stops at its Run Condition, which PostgreSQL does not estimate.
  if (m.node->node_type == "WindowAgg" && m.node->run_condition) return true;
  for (const NodeMetrics* c = &m; c->parent >= 0; c = ctx.Parent(*c)) {
    const PlanNode& parent = *ctx.Parent(*c)->node;
    if (parent.node_type == "Limit" || parent.node_type == "Merge Join") return true;
    if (parent.node_type == "WindowAgg" && parent.run_condition) return true;
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

std::string Header(const NodeMetrics& m) {
  const PlanNode& node = *m.node;
  const bool under = m.misfire->direction == MisfireDirection::kUnder;
  std::string text = m.label + ": the row estimate is off by " + Factor(m.misfire->factor) +
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
    // A scan of a relation whose statistics are stale: stale_statistics gives the ANALYZE.
    const std::string relation = ScannedRelation(ctx, m);
    if (!relation.empty() && !StaleStatisticsReason(ctx, relation).empty()) continue;
    MisfireAdvice advice = AdviseMisfire(ctx, m);
    Tip tip = ctx.Make("row_misfire", m.id, Header(m) + advice.text, MisfireSaving(ctx, m));
    tip.fix = std::move(advice.fix);
    out.push_back(std::move(tip));
  }
}

}  // namespace planbot::analyzer::tips
