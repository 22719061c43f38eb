// large_result: the statement returns many rows to the client and nothing limits them.
#include <algorithm>
#include <string>

#include "analyzer/tips/advice.h"
#include "analyzer/tips/rules.h"

namespace planbot::analyzer::tips {
namespace {

constexpr double kMinRows = 10000;  // rows the root returned over all loops (or is estimated to)
// Transfer and client time are not in Execution Time, so no saving is estimated; the tip is
// worth a look whatever the timings say.
constexpr Severity kSeverity = Severity::kMedium;

}  // namespace

void LargeResultTips(const TipContext& ctx, Tips& out) {
  const NodeMetrics& root = ctx.nodes().front();
  // With ANALYZE the rows it returned; a plan-only EXPLAIN has the planner's estimate.
  const bool executed = root.actual_rows_total.has_value();
  const double rows = executed ? *root.actual_rows_total : root.planned_rows_total.value_or(0);
  if (rows < kMinRows) return;
  const bool limited =
      std::any_of(ctx.nodes().begin(), ctx.nodes().end(),
                  [](const NodeMetrics& m) { return m.node->node_type == "Limit"; });
  if (limited) return;
  std::string message =
      (executed ? "The statement returned " + Rows(rows)
                : "The statement is expected to return about " + Rows(rows)) +
      " rows. If the client shows or uses only some of them, add LIMIT with keyset pagination "
      "(WHERE id > last_seen_id ORDER BY id LIMIT 100); if it summarizes them, aggregate in SQL "
      "(GROUP BY, count, sum) so the rows never leave the server.";
  Tip tip = ctx.Make("large_result", root.id, std::move(message), 0);
  tip.severity = kSeverity;
  out.push_back(std::move(tip));
}

}  // namespace planbot::analyzer::tips
