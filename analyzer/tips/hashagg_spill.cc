// hashagg_spill: a HashAggregate that outgrew work_mem × hash_mem_multiplier and spilled its
// groups to disk in batches (PostgreSQL 13+). Fix: SET work_mem so that work_mem ×
// hash_mem_multiplier holds every group: (Disk Usage + Peak Memory Usage) × kMemoryPerDiskKb
// (measured on PostgreSQL 15, docs/tips.md "Derived values"), rounded up to a power of two, at
// least twice the current work_mem.
#include <algorithm>
#include <string>

#include "analyzer/human_format.h"
#include "analyzer/tips/advice.h"
#include "analyzer/tips/rules.h"

namespace planbot::analyzer::tips {
namespace {

constexpr int64_t kMinBatches = 2;  // HashAgg Batches above 1, or any Disk Usage
// work_mem × hash_mem_multiplier that keeps all groups in memory, per kB of Disk Usage + Peak
// Memory Usage: measured 0.6–3.7 on PostgreSQL 15 (groups take more room in the hash table than
// their tuples in the spill files).
constexpr double kMemoryPerDiskKb = 4;
constexpr double kSavingShare = 0.5;

struct Spill {
  int64_t batches = 0;
  double disk_kb = 0, peak_kb = 0;
};

void Merge(Spill& s, const HashAggStats& stats) {
  s.batches = std::max(s.batches, stats.batches.value_or(0));
  s.disk_kb = std::max(s.disk_kb, static_cast<double>(stats.disk_usage_kb.value_or(0)));
  s.peak_kb = std::max(s.peak_kb, static_cast<double>(stats.peak_memory_kb.value_or(0)));
}

}  // namespace

void HashAggSpillTips(const TipContext& ctx, Tips& out) {
  for (const NodeMetrics& m : ctx.nodes()) {
    const PlanNode& node = *m.node;
    if (node.node_type != "Aggregate" || (node.strategy != "Hashed" && node.strategy != "Mixed")) {
      continue;
    }
    Spill spill;  // the largest per process: work_mem applies per process
    Merge(spill, node.hash_agg);
    for (const Worker& w : node.workers) Merge(spill, w.hash_agg);
    if (spill.batches < kMinBatches && spill.disk_kb <= 0) continue;
    const std::string setting =
        SuggestedWorkMem(ctx.query(), kMemoryPerDiskKb * (spill.disk_kb + spill.peak_kb) /
                                          HashMemMultiplier(ctx.query()));
    std::string message = m.label + " spilled " + FormatBytes(spill.disk_kb * 1024) +
                          " to disk in " + std::to_string(spill.batches) + " batches after using " +
                          FormatBytes(spill.peak_kb * 1024) + " of memory" +
                          CurrentWorkMemNote(ctx.query()) + ". SET work_mem = '" + setting +
                          "'; or raise hash_mem_multiplier so all groups stay in memory.";
    Tip tip = ctx.Make("hashagg_spill", m.id, std::move(message),
                       kSavingShare * m.exclusive_ms.value_or(0));
    tip.fix = WorkMemFix(setting);
    out.push_back(std::move(tip));
  }
}

}  // namespace planbot::analyzer::tips
