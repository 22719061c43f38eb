// jit_dominates: JIT compilation took most of the execution time.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "analyzer/human_format.h"
#include "analyzer/tips/advice.h"
#include "analyzer/tips/rules.h"

namespace planbot::analyzer::tips {
namespace {

constexpr double kMinShare = 0.5;  // JIT total time over Execution Time, strictly more than
constexpr double kMinJitMs = 50;   // JIT time floor

// The next power of ten above the plan's cost: a jit_above_cost that leaves this plan alone.
std::string CostAbove(double cost) {
  const double power = std::pow(10, std::floor(std::log10(std::max(cost, 1.0))) + 1);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", power);
  return buf;
}

}  // namespace

void JitDominatesTips(const TipContext& ctx, Tips& out) {
  const ExplainQuery& q = ctx.query();
  if (!q.jit.present || !q.jit.total || !q.execution_time_ms) return;
  const double jit = q.jit.total->value, execution = q.execution_time_ms->value;
  if (jit < kMinJitMs || jit <= kMinShare * execution) return;
  std::string message = "JIT compilation took " + FormatMillis(jit) + " of the " +
                        FormatMillis(execution) + " execution (" + Percent(jit / execution) + ", " +
                        std::to_string(q.jit.functions) +
                        " functions). Turn it off for this query with SET jit = off;";
  if (q.plan.total_cost) {
    char cost[32];
    std::snprintf(cost, sizeof cost, "%.0f", q.plan.total_cost->value);
    message += " or raise jit_above_cost above the plan's cost of " + std::string(cost) +
               " (e.g. " + CostAbove(q.plan.total_cost->value) + ")";
    if (q.jit.inlining.value_or(false) || q.jit.optimization.value_or(false)) {
      message +=
          ", and jit_inline_above_cost / jit_optimize_above_cost, which enabled the "
          "expensive inlining and optimization passes";
    }
    message += ".";
  }
  out.push_back(ctx.Make("jit_dominates", std::nullopt, std::move(message), jit));
}

}  // namespace planbot::analyzer::tips
