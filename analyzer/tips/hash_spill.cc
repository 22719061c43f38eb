// hash_spill: the hash table of a Hash Join did not fit in memory and was split into batches,
// writing both join inputs to temporary files. Fix: SET work_mem so that work_mem ×
// hash_mem_multiplier holds the whole table: Peak Memory Usage × Hash Batches × kMemoryPerTableKb
// (measured on PostgreSQL 15, docs/tips.md "Derived values"), rounded up to a power of two, at
// least twice the current work_mem.
#include <string>

#include "analyzer/human_format.h"
#include "analyzer/tips/advice.h"
#include "analyzer/tips/rules.h"

namespace planbot::analyzer::tips {
namespace {

constexpr int64_t kMinBatches = 2;    // Hash Batches above 1 means it spilled
constexpr double kSavingShare = 0.5;  // of the Hash and Hash Join's own time
// work_mem × hash_mem_multiplier a single batch needs, per kB of Peak Memory Usage × Batches (the
// largest batch times their count): measured 0.80–0.98 on PostgreSQL 15 (the planner also
// reserves the bucket array), so 1.25 is enough with some headroom.
constexpr double kMemoryPerTableKb = 1.25;

}  // namespace

void HashSpillTips(const TipContext& ctx, Tips& out) {
  for (const NodeMetrics& m : ctx.nodes()) {
    const PlanNode& node = *m.node;
    if (node.node_type != "Hash" || !node.hash_batches || *node.hash_batches < kMinBatches) {
      continue;
    }
    const int64_t batches = *node.hash_batches;
    const double table_kb = static_cast<double>(node.hash_peak_memory_kb.value_or(0) * batches);
    const int relation_node = FirstRelationNode(ctx.metrics(), m.id);
    std::string message = m.label;
    if (relation_node >= 0) message += " of " + RelationSql(*ctx.nodes()[relation_node].node);
    message += " was split into " + std::to_string(batches) + " batches";
    if (node.original_hash_batches && *node.original_hash_batches < batches) {
      message += " (planned " + std::to_string(*node.original_hash_batches) + ")";
    }
    message += ": the hash table";
    if (table_kb > 0) message += " (about " + FormatBytes(table_kb * 1024) + ")";
    const std::string setting = SuggestedWorkMem(
        ctx.query(), table_kb * kMemoryPerTableKb / HashMemMultiplier(ctx.query()));
    message +=
        " did not fit in work_mem * hash_mem_multiplier, so both join inputs went "
        "through temporary files" +
        CurrentWorkMemNote(ctx.query()) + ". SET work_mem = '" + setting +
        "'; or raise hash_mem_multiplier so that work_mem * hash_mem_multiplier holds it.";
    double own_ms = m.exclusive_ms.value_or(0);
    if (const NodeMetrics* join = ctx.Parent(m)) own_ms += join->exclusive_ms.value_or(0);
    Tip tip = ctx.Make("hash_spill", m.id, std::move(message), kSavingShare * own_ms);
    tip.fix = WorkMemFix(setting);
    out.push_back(std::move(tip));
  }
}

}  // namespace planbot::analyzer::tips
