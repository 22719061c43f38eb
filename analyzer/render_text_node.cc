// ExplainNode of src/backend/commands/explain.c, text format, driven by the plan model.
// Functions are named and ordered after their explain.c counterparts so the two can be read
// side by side.
#include <nlohmann/json.hpp>
#include <string>

#include "analyzer/identifier.h"
#include "analyzer/render_text_internal.h"

namespace planbot::analyzer::render {
namespace {

std::string Q(const std::string& ident) { return QuoteIdentifier(ident); }

// The node name as text EXPLAIN prints it ("pname" in explain.c).
std::string NodeName(const PlanNode& n) {
  const std::string& t = n.node_type;
  if (t == "Aggregate") {
    std::string name = n.strategy == "Sorted"   ? "GroupAggregate"
                       : n.strategy == "Hashed" ? "HashAggregate"
                       : n.strategy == "Mixed"  ? "MixedAggregate"
                                                : "Aggregate";
    if (n.partial_mode == "Partial" || n.partial_mode == "Finalize") {
      name = n.partial_mode + " " + name;
    }
    return name;
  }
  if (t == "SetOp") return n.strategy == "Hashed" ? "HashSetOp" : "SetOp";
  if (t == "ModifyTable") return n.operation.empty() ? "???" : n.operation;
  if (t == "Foreign Scan" && !n.operation.empty() && n.operation != "Select") {
    return "Foreign " + n.operation;
  }
  if (t == "Custom Scan" && !n.custom_plan_provider.empty()) {
    return "Custom Scan (" + n.custom_plan_provider + ")";
  }
  if (t == "Merge Join") return "Merge";
  if (t == "Hash Join") return "Hash";
  return t;
}

bool IsJoin(const std::string& t) {
  return t == "Nested Loop" || t == "Merge Join" || t == "Hash Join";
}

// ExplainTargetRel: " on [schema.]object [alias]".
void TargetRel(TextOut& out, const OptString& object, const OptString& schema,
               const std::string& alias) {
  out.Append(" on");
  if (schema && object) {
    out.Append(" " + Q(*schema) + "." + Q(*object));
  } else if (object) {
    out.Append(" " + Q(*object));
  }
  if (!object || alias != *object) out.Append(" " + Q(alias));
}

const OptString& ObjectName(const PlanNode& n) {
  if (n.relation_name) return n.relation_name;
  if (n.function_name) return n.function_name;
  if (n.cte_name) return n.cte_name;
  if (n.tuplestore_name) return n.tuplestore_name;
  return n.table_function_name;
}

// Everything on the node's first line after its name.
void FirstLineDetails(Context& ctx, const PlanNode& n) {
  TextOut& out = ctx.out;
  const std::string& t = n.node_type;
  if (t == "Index Scan" || t == "Index Only Scan") {
    if (n.scan_direction == "Backward") out.Append(" Backward");
    out.Append(" using " + Q(n.index_name));
  } else if (t == "Bitmap Index Scan") {
    out.Append(" on " + Q(n.index_name));
  } else if (IsJoin(t)) {
    if (!n.join_type.empty() && n.join_type != "Inner") {
      out.Append(" " + n.join_type + " Join");
    } else if (t != "Nested Loop") {
      out.Append(" Join");
    }
  } else if (t == "SetOp") {
    out.Append(" " + n.command);
  }
  if (n.alias) TargetRel(out, ObjectName(n), n.schema, *n.alias);
  if (n.startup_cost && n.total_cost && n.plan_rows) {
    out.Append("  (cost=" + FormatNum(*n.startup_cost) + ".." + FormatNum(*n.total_cost) +
               " rows=" + FormatNum(*n.plan_rows) +
               " width=" + std::to_string(n.plan_width.value_or(0)) + ")");
  }
  const Actuals& a = n.actual;
  if (a.loops && a.loops->value > 0) {
    if (a.startup_ms && a.total_ms) {
      out.Append(" (actual time=" + FormatNum(*a.startup_ms) + ".." + FormatNum(*a.total_ms) +
                 " rows=" + FormatNum(a.rows.value_or(Num{})) + " loops=" + FormatNum(*a.loops) +
                 ")");
    } else {
      out.Append(" (actual rows=" + FormatNum(a.rows.value_or(Num{})) +
                 " loops=" + FormatNum(*a.loops) + ")");
    }
  } else if (a.loops) {
    out.Append(" (never executed)");
  }
  out.AppendChar('\n');
}

void WorkerActuals(Context& ctx, const PlanNode& n) {
  if (!ctx.out.workers_active() || !ctx.verbose) return;
  for (const Worker& w : n.workers) {
    const Actuals& a = w.actual;
    if (!a.loops || a.loops->value <= 0) continue;
    ctx.out.OpenWorker(w.number);
    ctx.out.IndentText();
    if (a.startup_ms && a.total_ms) {
      ctx.out.Append("actual time=" + FormatNum(*a.startup_ms) + ".." + FormatNum(*a.total_ms) +
                     " rows=" + FormatNum(a.rows.value_or(Num{})) +
                     " loops=" + FormatNum(*a.loops) + "\n");
    } else {
      ctx.out.Append("actual rows=" + FormatNum(a.rows.value_or(Num{})) +
                     " loops=" + FormatNum(*a.loops) + "\n");
    }
    ctx.out.CloseWorker();
  }
}

void Text(Context& ctx, const char* label, const OptString& v) {
  if (v) ctx.out.Property(label, *v);
}

// show_instrumentation_count: text format suppresses zero counts.
void RowsRemoved(Context& ctx, const char* label, const OptNum& v) {
  if (v && v->value > 0) ctx.out.Property(label, *v);
}

void Filter(Context& ctx, const PlanNode& n) {
  Text(ctx, "Filter", n.filter);
  RowsRemoved(ctx, "Rows Removed by Filter", n.rows_removed_by_filter);
}

void IndexSearches(Context& ctx, const PlanNode& n) {
  if (n.index_searches) ctx.out.Property("Index Searches", *n.index_searches);
}

// show_grouping_sets / show_grouping_set_keys
void GroupingSets(Context& ctx, const PlanNode& n) {
  for (const GroupingSet& gs : n.grouping_sets) {
    if (!gs.sort_key.empty()) {
      ctx.out.PropertyList("Sort Key", gs.sort_key);
      ctx.out.indent++;
    }
    const char* key_name = gs.key_label == "Hash Keys" ? "Hash Key" : "Group Key";
    for (const auto& keys : gs.keys) {
      if (keys.empty()) {
        ctx.out.Property(key_name, "()");
      } else {
        ctx.out.PropertyList(key_name, keys);
      }
    }
    if (!gs.sort_key.empty()) ctx.out.indent--;
  }
}

void AggKeys(Context& ctx, const PlanNode& n) {
  if (n.has_grouping_sets) {
    GroupingSets(ctx, n);
  } else if (!n.group_key.empty()) {
    ctx.out.PropertyList("Group Key", n.group_key);
  }
}

void List(Context& ctx, const char* label, const std::vector<std::string>& v) {
  if (!v.empty()) ctx.out.PropertyList(label, v);
}

void Sampling(Context& ctx, const PlanNode& n) {
  if (!n.sampling_method) return;
  ctx.out.IndentText();
  std::string s = "Sampling: " + *n.sampling_method + " (";
  for (size_t i = 0; i < n.sampling_parameters.size(); ++i) {
    if (i > 0) s += ", ";
    s += n.sampling_parameters[i];
  }
  s += ")";
  if (n.repeatable_seed) s += " REPEATABLE (" + *n.repeatable_seed + ")";
  ctx.out.Append(s + "\n");
}

void GatherInfo(Context& ctx, const PlanNode& n) {
  Filter(ctx, n);
  if (n.workers_planned) ctx.out.Property("Workers Planned", *n.workers_planned);
  if (n.has_params_evaluated) ctx.out.PropertyList("Params Evaluated", n.params_evaluated);
  if (n.workers_launched) ctx.out.Property("Workers Launched", *n.workers_launched);
  if (n.single_copy.value_or(false)) ctx.out.Property("Single Copy", "true");
}

// show_modifytable_info
void ModifyTableInfo(Context& ctx, const PlanNode& n) {
  for (const TargetTable& t : n.target_tables) {
    ctx.out.IndentText();
    ctx.out.Append(n.operation);
    OptString schema;
    if (!t.schema.empty()) schema = t.schema;
    TargetRel(ctx.out, t.relation_name, schema, t.alias);
    ctx.out.AppendChar('\n');
  }
  if (n.conflict_resolution) {
    ctx.out.Property("Conflict Resolution", *n.conflict_resolution);
    List(ctx, "Conflict Arbiter Indexes", n.conflict_arbiter_indexes);
    if (n.conflict_filter) {
      ctx.out.Property("Conflict Filter", *n.conflict_filter);
      RowsRemoved(ctx, "Rows Removed by Conflict Filter", n.rows_removed_by_conflict_filter);
    }
    if (n.tuples_inserted) ctx.out.Property("Tuples Inserted", *n.tuples_inserted);
    if (n.conflicting_tuples) ctx.out.Property("Conflicting Tuples", *n.conflicting_tuples);
    return;
  }
  if (n.operation != "Merge" || !n.tuples_inserted) return;
  const Num zero{};
  const Num& ins = *n.tuples_inserted;
  const Num& upd = n.tuples_updated.value_or(zero);
  const Num& del = n.tuples_deleted.value_or(zero);
  const Num& skip = n.tuples_skipped.value_or(zero);
  if (ins.value + upd.value + del.value + skip.value <= 0) return;
  ctx.out.IndentText();
  ctx.out.Append("Tuples:");
  if (ins.value > 0) ctx.out.Append(" inserted=" + FormatNum(ins));
  if (upd.value > 0) ctx.out.Append(" updated=" + FormatNum(upd));
  if (del.value > 0) ctx.out.Append(" deleted=" + FormatNum(del));
  if (skip.value > 0) ctx.out.Append(" skipped=" + FormatNum(skip));
  ctx.out.AppendChar('\n');
}

// The "quals, sort keys, etc" switch of ExplainNode.
void NodeDetails(Context& ctx, const PlanNode& n) {
  const std::string& t = n.node_type;
  if (t == "Index Scan" || t == "Index Only Scan") {
    Text(ctx, "Index Cond", n.index_cond);
    RowsRemoved(ctx, "Rows Removed by Index Recheck", n.rows_removed_by_index_recheck);
    Text(ctx, "Order By", n.order_by);
    Filter(ctx, n);
    if (n.heap_fetches) ctx.out.Property("Heap Fetches", *n.heap_fetches);
    IndexSearches(ctx, n);
  } else if (t == "Bitmap Index Scan") {
    Text(ctx, "Index Cond", n.index_cond);
    IndexSearches(ctx, n);
  } else if (t == "Bitmap Heap Scan") {
    Text(ctx, "Recheck Cond", n.recheck_cond);
    RowsRemoved(ctx, "Rows Removed by Index Recheck", n.rows_removed_by_index_recheck);
    Filter(ctx, n);
    TidBitmapInfo(ctx, n);
  } else if (t == "Gather" || t == "Gather Merge") {
    GatherInfo(ctx, n);
  } else if (t == "Nested Loop" || t == "Merge Join" || t == "Hash Join") {
    Text(ctx, "Merge Cond", n.merge_cond);
    Text(ctx, "Hash Cond", n.hash_cond);
    Text(ctx, "Join Filter", n.join_filter);
    RowsRemoved(ctx, "Rows Removed by Join Filter", n.rows_removed_by_join_filter);
    Filter(ctx, n);
  } else if (t == "Aggregate") {
    AggKeys(ctx, n);
    Text(ctx, "Filter", n.filter);
    HashAggInfo(ctx, n);
    RowsRemoved(ctx, "Rows Removed by Filter", n.rows_removed_by_filter);
  } else if (t == "WindowAgg") {
    Text(ctx, "Window", n.window);
    Filter(ctx, n);
    Text(ctx, "Run Condition", n.run_condition);
  } else if (t == "Group") {
    List(ctx, "Group Key", n.group_key);
    Filter(ctx, n);
  } else if (t == "Sort") {
    List(ctx, "Sort Key", n.sort_key);
    SortInfo(ctx, n);
  } else if (t == "Incremental Sort") {
    List(ctx, "Sort Key", n.sort_key);
    List(ctx, "Presorted Key", n.presorted_key);
    IncrementalSortInfo(ctx, n);
  } else if (t == "Merge Append") {
    List(ctx, "Sort Key", n.sort_key);
  } else if (t == "Result") {
    Text(ctx, "One-Time Filter", n.one_time_filter);
    Filter(ctx, n);
  } else if (t == "ModifyTable") {
    ModifyTableInfo(ctx, n);
  } else if (t == "Hash") {
    HashInfo(ctx, n);
  } else if (t == "Memoize") {
    MemoizeInfo(ctx, n);
  } else {
    // Scans (and node types planbot does not know): their conditions in explain.c's order.
    Sampling(ctx, n);
    Text(ctx, "Function Call", n.function_call);
    Text(ctx, "Table Function Call", n.table_function_call);
    Text(ctx, "TID Cond", n.tid_cond);
    Filter(ctx, n);
  }
  if (n.storage) {
    ctx.out.IndentText();
    ctx.out.Append("Storage: " + *n.storage + "  Maximum Storage: " +
                   std::to_string(n.maximum_storage_kb.value_or(0)) + "kB\n");
  }
}

// FDW and custom-scan properties, and anything else planbot does not model: "Key: value".
void ExtraProperties(Context& ctx, const PlanNode& n) {
  for (const ExtraProperty& e : n.extra) {
    if (e.scalar) {
      ctx.out.Property(e.key, e.value);
      continue;
    }
    auto parsed = nlohmann::json::parse(e.value, nullptr, false);
    if (!parsed.is_array()) continue;
    std::vector<std::string> items;
    for (const auto& item : parsed) {
      items.push_back(item.is_string() ? item.get<std::string>() : item.dump());
    }
    ctx.out.PropertyList(e.key, items);
  }
}

void WorkerJitAndUsage(Context& ctx, const PlanNode& n) {
  if (!ctx.out.workers_active() || !ctx.verbose) return;
  for (const Worker& w : n.workers) {
    if (!w.jit.present) continue;
    ctx.out.OpenWorker(w.number);
    JitInfo(ctx, w.jit);
    ctx.out.CloseWorker();
  }
}

void WorkerUsage(Context& ctx, const PlanNode& n) {
  if (!ctx.out.workers_active() || !ctx.verbose) return;
  for (const Worker& w : n.workers) {
    if (!w.buffers.present && !w.wal.present) continue;
    ctx.out.OpenWorker(w.number);
    if (w.buffers.present) BufferUsage(ctx, w.buffers);
    if (w.wal.present) WalUsage(ctx, w.wal);
    ctx.out.CloseWorker();
  }
}

}  // namespace

void Node(Context& ctx, const PlanNode& n) {
  TextOut& out = ctx.out;
  out.MaybeFlush();
  const int save_indent = out.indent;
  if (n.has_workers) out.BeginWorkers();

  if (!n.subplan_name.empty()) {
    out.IndentText();
    out.Append(n.subplan_name + "\n");
    out.indent++;
  }
  if (out.indent > 0) {
    out.IndentText();
    out.Append("->  ");
    out.indent += 2;
  }
  if (n.parallel_aware) out.Append("Parallel ");
  if (n.async_capable) out.Append("Async ");
  out.Append(NodeName(n));
  out.indent++;
  FirstLineDetails(ctx, n);
  if (n.disabled.value_or(false)) out.Property("Disabled", "true");

  WorkerActuals(ctx, n);
  List(ctx, "Output", n.output);
  if (ctx.verbose && n.inner_unique.value_or(false)) out.Property("Inner Unique", "true");
  NodeDetails(ctx, n);
  ExtraProperties(ctx, n);
  WorkerJitAndUsage(ctx, n);
  if (n.buffers.present) BufferUsage(ctx, n.buffers);
  if (n.wal.present) WalUsage(ctx, n.wal);
  WorkerUsage(ctx, n);
  if (out.workers_active()) out.FlushWorkers();

  if (n.subplans_removed.value_or(0) > 0) out.Property("Subplans Removed", *n.subplans_removed);
  for (const PlanNode& child : n.children) Node(ctx, child);
  out.indent = save_indent;
}

}  // namespace planbot::analyzer::render
