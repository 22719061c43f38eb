// planning_dominates: planning took longer than execution.
#include <algorithm>
#include <string>

#include "analyzer/human_format.h"
#include "analyzer/tips/advice.h"
#include "analyzer/tips/rules.h"

namespace planbot::analyzer::tips {
namespace {

constexpr double kMinPlanningMs = 10;  // planning time floor; below it planning is cheap anyway
constexpr int64_t kManyChildren = 50;  // an Append this wide hints at many partitions

int64_t WidestAppend(const TipContext& ctx) {
  int64_t widest = 0;
  for (const NodeMetrics& m : ctx.nodes()) {
    const std::string& type = m.node->node_type;
    if (type != "Append" && type != "Merge Append") continue;
    const int64_t children =
        static_cast<int64_t>(m.children.size()) + m.node->subplans_removed.value_or(0);
    widest = std::max(widest, children);
  }
  return widest;
}

}  // namespace

void PlanningDominatesTips(const TipContext& ctx, Tips& out) {
  const ExplainQuery& q = ctx.query();
  if (!q.planning_time_ms || !q.execution_time_ms) return;
  const double planning = q.planning_time_ms->value, execution = q.execution_time_ms->value;
  if (planning <= execution || planning < kMinPlanningMs) return;
  std::string message = "Planning took " + FormatMillis(planning) + ", more than execution (" +
                        FormatMillis(execution) +
                        "). Reuse plans with prepared statements (PREPARE, or the driver's "
                        "server-side prepared statements; see plan_cache_mode).";
  const int64_t partitions = WidestAppend(ctx);
  if (partitions >= kManyChildren) {
    message += " The plan appends " + std::to_string(partitions) +
               " partitions or branches: filter on the partition key with constants so the "
               "planner prunes them.";
  } else {
    message +=
        " Many joined tables or partitions multiply planning time: keep "
        "join_collapse_limit / from_collapse_limit moderate and filter on partition keys.";
  }
  if (q.planning_buffers.present && q.planning_buffers.shared_read > 0) {
    message += " Planning read " + Rows(static_cast<double>(q.planning_buffers.shared_read)) +
               " blocks from disk (cold catalog or statistics caches).";
  }
  out.push_back(ctx.Make("planning_dominates", std::nullopt, std::move(message), planning));
}

}  // namespace planbot::analyzer::tips
