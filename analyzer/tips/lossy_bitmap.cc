// lossy_bitmap: a Bitmap Heap Scan whose bitmap outgrew work_mem and degraded to whole pages,
// so every row on those pages had to be rechecked.
#include <string>

#include "analyzer/tips/advice.h"
#include "analyzer/tips/rules.h"

namespace planbot::analyzer::tips {
namespace {

constexpr int64_t kMinLossyBlocks = 1;  // any lossy heap block
// An exact page entry of the TID bitmap costs about 64 bytes (tidbitmap.c: PagetableEntry plus
// hash table overhead); twice that leaves headroom.
constexpr double kBytesPerPage = 64;
constexpr double kHeadroom = 2;

}  // namespace

void LossyBitmapTips(const TipContext& ctx, Tips& out) {
  for (const NodeMetrics& m : ctx.nodes()) {
    const PlanNode& node = *m.node;
    if (node.node_type != "Bitmap Heap Scan") continue;
    int64_t lossy = node.lossy_heap_blocks.value_or(0);
    int64_t exact = node.exact_heap_blocks.value_or(0);
    for (const Worker& w : node.workers) {  // PostgreSQL 18 reports workers separately
      lossy += w.lossy_heap_blocks.value_or(0);
      exact += w.exact_heap_blocks.value_or(0);
    }
    if (lossy < kMinLossyBlocks) continue;
    const double pages = static_cast<double>(lossy + exact);
    const double needed_kb = pages * kBytesPerPage * kHeadroom / 1024;
    const double rechecked = LoopsTotal(node.rows_removed_by_index_recheck, m);
    std::string message = m.label + ": " + Rows(static_cast<double>(lossy)) + " of " + Rows(pages) +
                          " heap blocks were lossy: the bitmap outgrew work_mem" +
                          CurrentWorkMemNote(ctx.query()) +
                          ", so every row on those pages was rechecked";
    if (rechecked > 0) message += " (" + Rows(rechecked) + " rows removed by the recheck)";
    const std::string setting = SuggestedWorkMem(ctx.query(), needed_kb);
    message += ". SET work_mem = '" + setting + "'; keeps the bitmap exact.";
    const double kept = m.actual_rows_total.value_or(0);
    const double wasted_share =
        rechecked > 0 ? rechecked / (rechecked + kept) : 0.5 * static_cast<double>(lossy) / pages;
    Tip tip = ctx.Make("lossy_bitmap", m.id, std::move(message),
                       m.exclusive_ms.value_or(0) * wasted_share);
    tip.fix = WorkMemFix(setting);
    out.push_back(std::move(tip));
  }
}

}  // namespace planbot::analyzer::tips
