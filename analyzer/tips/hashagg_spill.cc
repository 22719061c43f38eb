// hashagg_spill: a HashAggregate that outgrew work_mem × hash_mem_multiplier and spilled its
// groups to disk in batches (PostgreSQL 13+).
#include <algorithm>
#include <string>

#include "analyzer/human_format.h"
#include "analyzer/tips/advice.h"
#include "analyzer/tips/rules.h"

namespace planbot::analyzer::tips {
namespace {

constexpr int64_t kMinBatches = 2;      // HashAgg Batches above 1, or any Disk Usage
constexpr double kMemoryPerDiskKb = 2;  // groups take more room in memory than on disk
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
    const double needed_kb = kMemoryPerDiskKb * (spill.disk_kb + spill.peak_kb);
    std::string message = m.label + " spilled " + FormatBytes(spill.disk_kb * 1024) +
                          " to disk in " + std::to_string(spill.batches) + " batches after using " +
                          FormatBytes(spill.peak_kb * 1024) + " of memory" +
                          CurrentWorkMemNote(ctx.query()) + ". SET work_mem = '" +
                          SuggestedWorkMem(ctx.query(), needed_kb) +
                          "'; or raise hash_mem_multiplier so all groups stay in memory.";
    out.push_back(ctx.Make("hashagg_spill", m.id, std::move(message),
                           kSavingShare * m.exclusive_ms.value_or(0)));
  }
}

}  // namespace planbot::analyzer::tips
