// Node-specific instrumentation of explain.c in text format: show_sort_info,
// show_incremental_sort_info, show_hash_info, show_memoize_info, show_hashagg_info and
// show_tidbitmap_info, including their per-worker lines.
#include <string>

#include "analyzer/render_text_internal.h"

namespace planbot::analyzer::render {
namespace {

void HeapBlocksLine(TextOut& out, std::optional<int64_t> exact, std::optional<int64_t> lossy) {
  if (exact.value_or(0) <= 0 && lossy.value_or(0) <= 0) return;
  out.IndentText();
  out.Append("Heap Blocks:");
  if (exact.value_or(0) > 0) out.Append(" exact=" + std::to_string(*exact));
  if (lossy.value_or(0) > 0) out.Append(" lossy=" + std::to_string(*lossy));
  out.AppendChar('\n');
}

void SortMethodLine(TextOut& out, const SortStats& s) {
  out.IndentText();
  out.Append("Sort Method: " + s.method + "  " + s.space_type + ": " +
             std::to_string(s.space_used_kb) + "kB\n");
}

// show_incremental_sort_group_info
void IncrementalSortGroup(TextOut& out, const IncrementalSortGroups& g, bool indent) {
  if (indent) out.Spaces();
  out.Append(g.label + " Groups: " + std::to_string(g.group_count) + "  Sort Method");
  out.Append(g.methods.size() > 1 ? "s: " : ": ");
  for (size_t i = 0; i < g.methods.size(); ++i) {
    if (i > 0) out.Append(", ");
    out.Append(g.methods[i]);
  }
  if (g.memory_avg_peak_kb) {
    out.Append("  Average Memory: " + std::to_string(g.memory_avg_peak_kb->first) +
               "kB  Peak Memory: " + std::to_string(g.memory_avg_peak_kb->second) + "kB");
  }
  if (g.disk_avg_peak_kb) {
    out.Append("  Average Disk: " + std::to_string(g.disk_avg_peak_kb->first) +
               "kB  Peak Disk: " + std::to_string(g.disk_avg_peak_kb->second) + "kB");
  }
}

void IncrementalSortGroups(TextOut& out, const std::vector<analyzer::IncrementalSortGroups>& gs,
                           bool indent_first) {
  IncrementalSortGroup(out, gs[0], indent_first);
  for (size_t i = 1; i < gs.size(); ++i) {
    out.AppendChar('\n');
    IncrementalSortGroup(out, gs[i], true);
  }
  out.AppendChar('\n');
}

std::string MemoizeLine(const MemoizeStats& m) {
  return "Hits: " + std::to_string(m.hits) + "  Misses: " + std::to_string(m.misses) +
         "  Evictions: " + std::to_string(m.evictions) +
         "  Overflows: " + std::to_string(m.overflows) +
         "  Memory Usage: " + std::to_string(m.peak_memory_kb) + "kB\n";
}

std::string HashAggBatches(const HashAggStats& h) {
  std::string s = "Batches: " + std::to_string(h.batches.value_or(0)) +
                  "  Memory Usage: " + std::to_string(h.peak_memory_kb.value_or(0)) + "kB";
  if (h.batches.value_or(0) > 1) {
    s += "  Disk Usage: " + std::to_string(h.disk_usage_kb.value_or(0)) + "kB";
  }
  return s;
}

}  // namespace

// show_tidbitmap_info (PG18 adds per-worker lines).
void TidBitmapInfo(Context& ctx, const PlanNode& n) {
  HeapBlocksLine(ctx.out, n.exact_heap_blocks, n.lossy_heap_blocks);
  for (const Worker& w : n.workers) {
    if (w.exact_heap_blocks.value_or(0) <= 0 && w.lossy_heap_blocks.value_or(0) <= 0) continue;
    ctx.out.OpenWorker(w.number);
    HeapBlocksLine(ctx.out, w.exact_heap_blocks, w.lossy_heap_blocks);
    ctx.out.CloseWorker();
  }
}

// show_sort_info
void SortInfo(Context& ctx, const PlanNode& n) {
  if (!n.sort.method.empty()) SortMethodLine(ctx.out, n.sort);
  for (const Worker& w : n.workers) {
    if (w.sort.method.empty()) continue;
    ctx.out.OpenWorker(w.number);
    SortMethodLine(ctx.out, w.sort);
    ctx.out.CloseWorker();
  }
}

// show_incremental_sort_info
void IncrementalSortInfo(Context& ctx, const PlanNode& n) {
  if (!n.incremental_sort.empty()) IncrementalSortGroups(ctx.out, n.incremental_sort, true);
  for (const Worker& w : n.workers) {
    if (w.incremental_sort.empty()) continue;
    bool workers = ctx.out.workers_active();
    if (workers) ctx.out.OpenWorker(w.number);
    IncrementalSortGroups(ctx.out, w.incremental_sort, !workers || ctx.verbose);
    if (workers) ctx.out.CloseWorker();
  }
}

// show_hash_info
void HashInfo(Context& ctx, const PlanNode& n) {
  if (!n.hash_batches || !n.hash_buckets) return;
  int64_t buckets = *n.hash_buckets, batches = *n.hash_batches;
  int64_t orig_buckets = n.original_hash_buckets.value_or(buckets);
  int64_t orig_batches = n.original_hash_batches.value_or(batches);
  std::string mem = std::to_string(n.hash_peak_memory_kb.value_or(0));
  ctx.out.IndentText();
  if (orig_batches != batches || orig_buckets != buckets) {
    ctx.out.Append("Buckets: " + std::to_string(buckets) + " (originally " +
                   std::to_string(orig_buckets) + ")  Batches: " + std::to_string(batches) +
                   " (originally " + std::to_string(orig_batches) + ")  Memory Usage: " + mem +
                   "kB\n");
  } else {
    ctx.out.Append("Buckets: " + std::to_string(buckets) + "  Batches: " + std::to_string(batches) +
                   "  Memory Usage: " + mem + "kB\n");
  }
}

// show_memoize_info
void MemoizeInfo(Context& ctx, const PlanNode& n) {
  if (n.cache_key) {
    ctx.out.IndentText();
    ctx.out.Append("Cache Key: " + *n.cache_key + "\n");
  }
  if (n.cache_mode) {
    ctx.out.IndentText();
    ctx.out.Append("Cache Mode: " + *n.cache_mode + "\n");
  }
  if (n.memoize.present) {
    ctx.out.IndentText();
    ctx.out.Append(MemoizeLine(n.memoize));
  }
  for (const Worker& w : n.workers) {
    if (!w.memoize.present) continue;
    ctx.out.OpenWorker(w.number);
    ctx.out.IndentText();
    ctx.out.Append(MemoizeLine(w.memoize));
    ctx.out.CloseWorker();
  }
}

// show_hashagg_info
void HashAggInfo(Context& ctx, const PlanNode& n) {
  if (n.strategy != "Hashed" && n.strategy != "Mixed") return;
  bool gotone = false;
  if (n.hash_agg.planned_partitions.value_or(0) > 0) {
    ctx.out.IndentText();
    ctx.out.Append("Planned Partitions: " + std::to_string(*n.hash_agg.planned_partitions));
    gotone = true;
  }
  if (n.hash_agg.batches) {
    if (!gotone) {
      ctx.out.IndentText();
    } else {
      ctx.out.Append("  ");
    }
    ctx.out.Append(HashAggBatches(n.hash_agg));
    gotone = true;
  }
  if (gotone) ctx.out.AppendChar('\n');
  for (const Worker& w : n.workers) {
    if (!w.hash_agg.batches) continue;
    ctx.out.OpenWorker(w.number);
    ctx.out.IndentText();
    ctx.out.Append(HashAggBatches(w.hash_agg) + "\n");
    ctx.out.CloseWorker();
  }
}

}  // namespace planbot::analyzer::render
