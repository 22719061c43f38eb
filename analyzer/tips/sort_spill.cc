// sort_spill: a Sort (or Incremental Sort) that did not fit in work_mem and sorted on disk.
#include <algorithm>
#include <string>

#include "analyzer/human_format.h"
#include "analyzer/tips/advice.h"
#include "analyzer/tips/rules.h"

namespace planbot::analyzer::tips {
namespace {

constexpr double kMinDiskKb = 1;        // any sort that wrote to disk
constexpr double kMemoryPerDiskKb = 2;  // an in-memory sort needs about twice its disk size
constexpr double kSavingShare = 0.5;    // an in-memory sort is about twice as fast

double DiskKb(const SortStats& sort) {
  return sort.space_type == "Disk" ? static_cast<double>(sort.space_used_kb) : 0;
}

double DiskKb(const std::vector<IncrementalSortGroups>& groups) {
  double kb = 0;
  for (const IncrementalSortGroups& g : groups) {
    if (g.disk_avg_peak_kb) kb = std::max(kb, static_cast<double>(g.disk_avg_peak_kb->second));
  }
  return kb;
}

// The most one process wrote: work_mem applies per process.
double PeakDiskKb(const PlanNode& node) {
  double kb = std::max(DiskKb(node.sort), DiskKb(node.incremental_sort));
  for (const Worker& w : node.workers) {
    kb = std::max({kb, DiskKb(w.sort), DiskKb(w.incremental_sort)});
  }
  return kb;
}

}  // namespace

void SortSpillTips(const TipContext& ctx, Tips& out) {
  for (const NodeMetrics& m : ctx.nodes()) {
    const PlanNode& node = *m.node;
    if (node.node_type != "Sort" && node.node_type != "Incremental Sort") continue;
    const double disk_kb = PeakDiskKb(node);
    if (disk_kb < kMinDiskKb) continue;
    const std::string setting = SuggestedWorkMem(ctx.query(), disk_kb * kMemoryPerDiskKb);
    std::string message = m.label + " spilled " + FormatBytes(disk_kb * 1024) + " to disk" +
                          (node.sort.method.empty() ? "" : " (" + node.sort.method + ")") +
                          " because it did not fit in memory" + CurrentWorkMemNote(ctx.query()) +
                          ". Give this query more sort memory: SET work_mem = '" + setting +
                          "'; (per sort and per process, so prefer SET LOCAL or a role setting "
                          "over a server-wide change).";
    if (!node.sort_key.empty()) {
      message += " An index that returns rows already ordered by " + JoinList(node.sort_key) +
                 " would avoid the sort.";
    }
    out.push_back(ctx.Make("sort_spill", m.id, std::move(message),
                           kSavingShare * m.exclusive_ms.value_or(0)));
  }
}

}  // namespace planbot::analyzer::tips
