// hash_spill: the hash table of a Hash Join did not fit in memory and was split into batches,
// writing both join inputs to temporary files.
#include <string>

#include "analyzer/human_format.h"
#include "analyzer/tips/advice.h"
#include "analyzer/tips/rules.h"

namespace planbot::analyzer::tips {
namespace {

constexpr int64_t kMinBatches = 2;    // Hash Batches above 1 means it spilled
constexpr double kSavingShare = 0.5;  // of the Hash and Hash Join's own time

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
    message +=
        " did not fit in work_mem * hash_mem_multiplier, so both join inputs went "
        "through temporary files" +
        CurrentWorkMemNote(ctx.query()) + ". SET work_mem = '" +
        SuggestedWorkMem(ctx.query(), table_kb) +
        "'; or raise hash_mem_multiplier so that work_mem * hash_mem_multiplier holds it.";
    double own_ms = m.exclusive_ms.value_or(0);
    if (const NodeMetrics* join = ctx.Parent(m)) own_ms += join->exclusive_ms.value_or(0);
    out.push_back(ctx.Make("hash_spill", m.id, std::move(message), kSavingShare * own_ms));
  }
}

}  // namespace planbot::analyzer::tips
