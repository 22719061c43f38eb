// workers_short: a Gather launched fewer parallel workers than planned.
#include <string>

#include "analyzer/tips/advice.h"
#include "analyzer/tips/rules.h"

namespace planbot::analyzer::tips {
namespace {

constexpr int64_t kMinMissingWorkers = 1;  // Workers Planned − Workers Launched

}  // namespace

void WorkersShortTips(const TipContext& ctx, Tips& out) {
  for (const NodeMetrics& m : ctx.nodes()) {
    const PlanNode& node = *m.node;
    if (!node.workers_planned || !node.workers_launched) continue;
    const int64_t planned = *node.workers_planned, launched = *node.workers_launched;
    if (planned - launched < kMinMissingWorkers) continue;
    std::string message =
        m.label + " planned " + std::to_string(planned) + " workers but " +
        (launched == 0 ? "launched none" : "launched " + std::to_string(launched)) +
        ": no background workers were free. Raise max_parallel_workers (and "
        "max_worker_processes, which needs a restart) or run fewer parallel "
        "queries at once.";
    // The leader works too: the region ran on launched + 1 processes instead of planned + 1.
    const double lost = 1.0 - static_cast<double>(launched + 1) / static_cast<double>(planned + 1);
    out.push_back(
        ctx.Make("workers_short", m.id, std::move(message), lost * m.inclusive_ms.value_or(0)));
  }
}

}  // namespace planbot::analyzer::tips
