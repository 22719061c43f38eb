// large_result: the statement returns many rows to the client and nothing limits them.
#include <algorithm>
#include <string>

#include "analyzer/tips/advice.h"
#include "analyzer/tips/rules.h"

namespace planbot::analyzer::tips {
namespace {

constexpr double kMinRows = 10000;  // rows returned by the root over all loops
// Transfer and client time are not in Execution Time, so no saving is estimated; the tip is
// worth a look whatever the timings say.
constexpr Severity kSeverity = Severity::kMedium;

}  // namespace

void LargeResultTips(const TipContext& ctx, Tips& out) {
  const NodeMetrics& root = ctx.nodes().front();
  if (!root.actual_rows_total || *root.actual_rows_total < kMinRows) return;
  const bool limited =
      std::any_of(ctx.nodes().begin(), ctx.nodes().end(),
                  [](const NodeMetrics& m) { return m.node->node_type == "Limit"; });
  if (limited) return;
  std::string message =
      "The statement returned " + Rows(*root.actual_rows_total) +
      " rows. If the client shows or uses only some of them, add LIMIT with keyset pagination "
      "(WHERE id > last_seen_id ORDER BY id LIMIT 100); if it summarizes them, aggregate in SQL "
      "(GROUP BY, count, sum) so the rows never leave the server.";
  Tip tip = ctx.Make("large_result", root.id, std::move(message), 0);
  tip.severity = kSeverity;
  out.push_back(std::move(tip));
}

}  // namespace planbot::analyzer::tips
