#include "analyzer/plan_fields.h"

#include <cstdio>
#include <limits>
#include <unordered_map>

namespace planbot::analyzer::fields {
namespace {

template <typename M>
using Table = std::unordered_map<std::string_view, M>;

// Looks `key` up in `table` and, when found, stores the converted value through the member.
template <typename Obj, typename M, typename Conv>
bool SetVia(const Table<M Obj::*>& table, Obj& obj, const std::string& key, Conv conv) {
  auto it = table.find(key);
  if (it == table.end()) return false;
  obj.*(it->second) = conv();
  return true;
}

bool SetBufferField(Buffers& b, const std::string& key, const Scalar& v) {
  static const Table<int64_t Buffers::*> kCounts = {
      {"Shared Hit Blocks", &Buffers::shared_hit},
      {"Shared Read Blocks", &Buffers::shared_read},
      {"Shared Dirtied Blocks", &Buffers::shared_dirtied},
      {"Shared Written Blocks", &Buffers::shared_written},
      {"Local Hit Blocks", &Buffers::local_hit},
      {"Local Read Blocks", &Buffers::local_read},
      {"Local Dirtied Blocks", &Buffers::local_dirtied},
      {"Local Written Blocks", &Buffers::local_written},
      {"Temp Read Blocks", &Buffers::temp_read},
      {"Temp Written Blocks", &Buffers::temp_written},
  };
  static const Table<OptNum Buffers::*> kTimes = {
      {"I/O Read Time", &Buffers::io_read},
      {"I/O Write Time", &Buffers::io_write},
      {"Shared I/O Read Time", &Buffers::shared_io_read},
      {"Shared I/O Write Time", &Buffers::shared_io_write},
      {"Local I/O Read Time", &Buffers::local_io_read},
      {"Local I/O Write Time", &Buffers::local_io_write},
      {"Temp I/O Read Time", &Buffers::temp_io_read},
      {"Temp I/O Write Time", &Buffers::temp_io_write},
  };
  if (SetVia(kCounts, b, key, [&] { return v.AsInt(); }) ||
      SetVia(kTimes, b, key, [&] { return OptNum(v.AsNum()); })) {
    b.present = true;
    return true;
  }
  return false;
}

bool SetWalField(Wal& w, const std::string& key, const Scalar& v) {
  if (key == "WAL Records") {
    w.records = v.AsInt();
  } else if (key == "WAL FPI") {
    w.fpi = v.AsInt();
  } else if (key == "WAL Bytes") {
    w.bytes = v.AsUint();
  } else if (key == "WAL Buffers Full") {
    w.buffers_full = v.AsInt();
  } else {
    return false;
  }
  w.present = true;
  return true;
}

// Fields that a node and each of its workers both report. `node_type` tells which node kind a
// shared key such as "Peak Memory Usage" belongs to.
template <typename T>
bool SetInstrumentField(T& t, std::optional<int64_t>* hash_peak, const std::string& node_type,
                        const std::string& key, const Scalar& v) {
  static const Table<OptNum Actuals::*> kActuals = {
      {"Actual Startup Time", &Actuals::startup_ms},
      {"Actual Total Time", &Actuals::total_ms},
      {"Actual Rows", &Actuals::rows},
      {"Actual Loops", &Actuals::loops},
  };
  static const Table<int64_t MemoizeStats::*> kMemoize = {
      {"Cache Hits", &MemoizeStats::hits},
      {"Cache Misses", &MemoizeStats::misses},
      {"Cache Evictions", &MemoizeStats::evictions},
      {"Cache Overflows", &MemoizeStats::overflows},
  };
  if (SetVia(kActuals, t.actual, key, [&] { return OptNum(v.AsNum()); })) return true;
  if (SetVia(kMemoize, t.memoize, key, [&] { return v.AsInt(); })) {
    t.memoize.present = true;
    return true;
  }
  if (key == "Sort Method") {
    t.sort.method = v.AsText();
  } else if (key == "Sort Space Used") {
    t.sort.space_used_kb = v.AsInt();
  } else if (key == "Sort Space Type") {
    t.sort.space_type = v.AsText();
  } else if (key == "HashAgg Batches") {
    t.hash_agg.batches = v.AsInt();
  } else if (key == "Disk Usage") {
    t.hash_agg.disk_usage_kb = v.AsInt();
  } else if (key == "Exact Heap Blocks") {
    t.exact_heap_blocks = v.AsInt();
  } else if (key == "Lossy Heap Blocks") {
    t.lossy_heap_blocks = v.AsInt();
  } else if (key == "Peak Memory Usage") {
    if (node_type == "Memoize") {
      t.memoize.peak_memory_kb = v.AsInt();
    } else if (node_type == "Hash" && hash_peak != nullptr) {
      *hash_peak = v.AsInt();
    } else {
      t.hash_agg.peak_memory_kb = v.AsInt();
    }
  } else {
    return SetBufferField(t.buffers, key, v) || SetWalField(t.wal, key, v);
  }
  return true;
}

const Table<std::string PlanNode::*>& NodeStrings() {
  static const Table<std::string PlanNode::*> kTable = {
      {"Node Type", &PlanNode::node_type},
      {"Strategy", &PlanNode::strategy},
      {"Partial Mode", &PlanNode::partial_mode},
      {"Operation", &PlanNode::operation},
      {"Parent Relationship", &PlanNode::parent_relationship},
      {"Subplan Name", &PlanNode::subplan_name},
      {"Custom Plan Provider", &PlanNode::custom_plan_provider},
      {"Join Type", &PlanNode::join_type},
      {"Command", &PlanNode::command},
      {"Scan Direction", &PlanNode::scan_direction},
      {"Index Name", &PlanNode::index_name},
  };
  return kTable;
}

const Table<OptString PlanNode::*>& NodeOptionalStrings() {
  static const Table<OptString PlanNode::*> kTable = {
      {"Relation Name", &PlanNode::relation_name},
      {"Function Name", &PlanNode::function_name},
      {"CTE Name", &PlanNode::cte_name},
      {"Tuplestore Name", &PlanNode::tuplestore_name},
      {"Table Function Name", &PlanNode::table_function_name},
      {"Schema", &PlanNode::schema},
      {"Alias", &PlanNode::alias},
      {"Index Cond", &PlanNode::index_cond},
      {"Order By", &PlanNode::order_by},
      {"Recheck Cond", &PlanNode::recheck_cond},
      {"TID Cond", &PlanNode::tid_cond},
      {"Merge Cond", &PlanNode::merge_cond},
      {"Hash Cond", &PlanNode::hash_cond},
      {"Join Filter", &PlanNode::join_filter},
      {"Filter", &PlanNode::filter},
      {"One-Time Filter", &PlanNode::one_time_filter},
      {"Run Condition", &PlanNode::run_condition},
      {"Function Call", &PlanNode::function_call},
      {"Table Function Call", &PlanNode::table_function_call},
      {"Conflict Filter", &PlanNode::conflict_filter},
      {"Cache Key", &PlanNode::cache_key},
      {"Cache Mode", &PlanNode::cache_mode},
      {"Sampling Method", &PlanNode::sampling_method},
      {"Repeatable Seed", &PlanNode::repeatable_seed},
      {"Conflict Resolution", &PlanNode::conflict_resolution},
      {"Storage", &PlanNode::storage},
      {"Window", &PlanNode::window},
  };
  return kTable;
}

const Table<OptNum PlanNode::*>& NodeNums() {
  static const Table<OptNum PlanNode::*> kTable = {
      {"Startup Cost", &PlanNode::startup_cost},
      {"Total Cost", &PlanNode::total_cost},
      {"Plan Rows", &PlanNode::plan_rows},
      {"Rows Removed by Index Recheck", &PlanNode::rows_removed_by_index_recheck},
      {"Rows Removed by Filter", &PlanNode::rows_removed_by_filter},
      {"Rows Removed by Join Filter", &PlanNode::rows_removed_by_join_filter},
      {"Rows Removed by Conflict Filter", &PlanNode::rows_removed_by_conflict_filter},
      {"Heap Fetches", &PlanNode::heap_fetches},
      {"Tuples Inserted", &PlanNode::tuples_inserted},
      {"Conflicting Tuples", &PlanNode::conflicting_tuples},
      {"Tuples Updated", &PlanNode::tuples_updated},
      {"Tuples Deleted", &PlanNode::tuples_deleted},
      {"Tuples Skipped", &PlanNode::tuples_skipped},
  };
  return kTable;
}

const Table<std::optional<int64_t> PlanNode::*>& NodeInts() {
  static const Table<std::optional<int64_t> PlanNode::*> kTable = {
      {"Plan Width", &PlanNode::plan_width},
      {"Index Searches", &PlanNode::index_searches},
      {"Hash Buckets", &PlanNode::hash_buckets},
      {"Original Hash Buckets", &PlanNode::original_hash_buckets},
      {"Hash Batches", &PlanNode::hash_batches},
      {"Original Hash Batches", &PlanNode::original_hash_batches},
      {"Workers Planned", &PlanNode::workers_planned},
      {"Workers Launched", &PlanNode::workers_launched},
      {"Subplans Removed", &PlanNode::subplans_removed},
      {"Maximum Storage", &PlanNode::maximum_storage_kb},
  };
  return kTable;
}

const Table<std::optional<bool> PlanNode::*>& NodeBools() {
  static const Table<std::optional<bool> PlanNode::*> kTable = {
      {"Inner Unique", &PlanNode::inner_unique},
      {"Single Copy", &PlanNode::single_copy},
      {"Disabled", &PlanNode::disabled},
  };
  return kTable;
}

}  // namespace

Num Scalar::AsNum() const {
  switch (kind) {
    case Kind::kInt:
      return {static_cast<double>(i), 0};
    case Kind::kUint:
      return {static_cast<double>(u), 0};
    case Kind::kFloat: {
      int decimals = 0;
      auto dot = text->find('.');
      if (dot != std::string::npos) {
        auto end = text->find_first_of("eE", dot);
        decimals = static_cast<int>((end == std::string::npos ? text->size() : end) - dot - 1);
      }
      return {d, decimals};
    }
    case Kind::kString:
      return {std::strtod(text->c_str(), nullptr), 0};
    case Kind::kBool:
      return {b ? 1.0 : 0.0, 0};
    case Kind::kNull:
      break;
  }
  return {};
}

int64_t Scalar::AsInt() const {
  switch (kind) {
    case Kind::kInt:
      return i;
    case Kind::kUint:
      return static_cast<int64_t>(u);
    case Kind::kFloat:
      // Out of range (1e308, NaN) is undefined as a cast: clamp, as strtoll does for text
      // (found by tests/fuzz/fuzz_explain_json).
      if (!(d > -9.2e18)) return d < 0 ? std::numeric_limits<int64_t>::min() : 0;
      if (d >= 9.2e18) return std::numeric_limits<int64_t>::max();
      return static_cast<int64_t>(d);
    case Kind::kString:
      return std::strtoll(text->c_str(), nullptr, 10);
    case Kind::kBool:
      return b ? 1 : 0;
    case Kind::kNull:
      break;
  }
  return 0;
}

uint64_t Scalar::AsUint() const {
  if (kind == Kind::kUint) return u;
  if (kind == Kind::kString) return std::strtoull(text->c_str(), nullptr, 10);
  int64_t v = AsInt();
  return v < 0 ? 0 : static_cast<uint64_t>(v);
}

bool Scalar::AsBool() const {
  if (kind == Kind::kBool) return b;
  if (kind == Kind::kString) return *text == "true";
  return AsInt() != 0;
}

std::string Scalar::AsText() const {
  switch (kind) {
    case Kind::kString:
    case Kind::kFloat:
      return *text;
    case Kind::kInt:
      return std::to_string(i);
    case Kind::kUint:
      return std::to_string(u);
    case Kind::kBool:
      return b ? "true" : "false";
    case Kind::kNull:
      break;
  }
  return "null";
}

nlohmann::json Scalar::AsJson() const {
  switch (kind) {
    case Kind::kString:
      return *text;
    case Kind::kFloat:
      return d;
    case Kind::kInt:
      return i;
    case Kind::kUint:
      return u;
    case Kind::kBool:
      return b;
    case Kind::kNull:
      break;
  }
  return nullptr;
}

void SetQueryField(ExplainQuery& q, const std::string& key, const Scalar& v) {
  if (key == "Planning Time") {
    q.planning_time_ms = v.AsNum();
  } else if (key == "Execution Time") {
    q.execution_time_ms = v.AsNum();
  } else if (key == "Query Identifier") {
    q.query_identifier = v.AsInt();
  } else {
    q.extra.push_back({key, v.AsText(), true, v.kind == Scalar::Kind::kString});
  }
}

void SetPlanningField(ExplainQuery& q, const std::string& key, const Scalar& v) {
  if (key == "Memory Used") {
    q.planning_memory_used_kb = v.AsInt();
  } else if (key == "Memory Allocated") {
    q.planning_memory_allocated_kb = v.AsInt();
  } else {
    SetBufferField(q.planning_buffers, key, v);
  }
}

void SetNodeField(PlanNode& node, const std::string& key, const Scalar& v) {
  if (SetVia(NodeStrings(), node, key, [&] { return v.AsText(); }) ||
      SetVia(NodeOptionalStrings(), node, key, [&] { return OptString(v.AsText()); }) ||
      SetVia(NodeNums(), node, key, [&] { return OptNum(v.AsNum()); }) ||
      SetVia(NodeInts(), node, key, [&] { return std::optional<int64_t>(v.AsInt()); }) ||
      SetVia(NodeBools(), node, key, [&] { return std::optional<bool>(v.AsBool()); })) {
    return;
  }
  if (key == "Parallel Aware") {
    node.parallel_aware = v.AsBool();
  } else if (key == "Async Capable") {
    node.async_capable = v.AsBool();
  } else if (key == "Planned Partitions") {
    node.hash_agg.planned_partitions = v.AsInt();
  } else if (!SetInstrumentField(node, &node.hash_peak_memory_kb, node.node_type, key, v)) {
    node.extra.push_back({key, v.AsText(), true, v.kind == Scalar::Kind::kString});
  }
}

void SetWorkerField(Worker& w, const PlanNode& owner, const std::string& key, const Scalar& v) {
  if (key == "Worker Number") {
    w.number = v.AsInt();
  } else {
    SetInstrumentField(w, nullptr, owner.node_type, key, v);
  }
}

void SetTriggerField(Trigger& t, const std::string& key, const Scalar& v) {
  if (key == "Trigger Name") {
    t.name = v.AsText();
  } else if (key == "Constraint Name") {
    t.constraint_name = v.AsText();
  } else if (key == "Relation") {
    t.relation = v.AsText();
  } else if (key == "Time") {
    t.time_ms = v.AsNum();
  } else if (key == "Calls") {
    t.calls = v.AsNum();
  }
}

void SetJitField(Jit& jit, const std::string& key, const Scalar& v) {
  if (key == "Functions") jit.functions = v.AsInt();
}

void SetJitOption(Jit& jit, const std::string& key, const Scalar& v) {
  static const Table<std::optional<bool> Jit::*> kTable = {
      {"Inlining", &Jit::inlining},
      {"Optimization", &Jit::optimization},
      {"Expressions", &Jit::expressions},
      {"Deforming", &Jit::deforming},
  };
  SetVia(kTable, jit, key, [&] { return std::optional<bool>(v.AsBool()); });
}

void SetJitTiming(Jit& jit, const std::string& key, const Scalar& v) {
  static const Table<OptNum Jit::*> kTable = {
      {"Generation", &Jit::generation},
      {"Inlining", &Jit::inlining_ms},
      {"Optimization", &Jit::optimization_ms},
      {"Emission", &Jit::emission},
      {"Total", &Jit::total},
  };
  SetVia(kTable, jit, key, [&] { return OptNum(v.AsNum()); });
}

void SetJitGeneration(Jit& jit, const std::string& key, const Scalar& v) {
  if (key == "Deform") jit.deform = v.AsNum();
  if (key == "Total") jit.generation = v.AsNum();
}

void SetSerializationField(Serialization& s, const std::string& key, const Scalar& v) {
  if (key == "Time") {
    s.time_ms = v.AsNum();
  } else if (key == "Output Volume") {
    s.output_kb = v.AsUint();
  } else if (key == "Format") {
    s.format = v.AsText();
  } else {
    SetBufferField(s.buffers, key, v);
  }
}

void SetTargetTableField(TargetTable& t, const std::string& key, const Scalar& v) {
  if (key == "Relation Name") t.relation_name = v.AsText();
  if (key == "Schema") t.schema = v.AsText();
  if (key == "Alias") t.alias = v.AsText();
}

void SetIncSortGroupField(IncrementalSortGroups& g, const std::string& key, const Scalar& v) {
  if (key == "Group Count") g.group_count = v.AsInt();
}

void SetIncSortSpaceField(std::pair<int64_t, int64_t>& avg_peak, const std::string& key,
                          const Scalar& v) {
  if (key == "Average Sort Space Used") avg_peak.first = v.AsInt();
  if (key == "Peak Sort Space Used") avg_peak.second = v.AsInt();
}

const Table<std::vector<std::string> PlanNode::*>& NodeLists() {
  static const Table<std::vector<std::string> PlanNode::*> kTable = {
      {"Output", &PlanNode::output},
      {"Sort Key", &PlanNode::sort_key},
      {"Presorted Key", &PlanNode::presorted_key},
      {"Group Key", &PlanNode::group_key},
      {"Sampling Parameters", &PlanNode::sampling_parameters},
      {"Params Evaluated", &PlanNode::params_evaluated},
      {"Conflict Arbiter Indexes", &PlanNode::conflict_arbiter_indexes},
  };
  return kTable;
}

std::vector<std::string>* NodeList(PlanNode& node, const std::string& key) {
  auto it = NodeLists().find(key);
  return it == NodeLists().end() ? nullptr : &(node.*(it->second));
}

void MapNodeStrings(
    PlanNode& node,
    const std::function<std::string(std::string_view key, const std::string&)>& map) {
  for (const auto& [key, member] : NodeStrings()) node.*member = map(key, node.*member);
  for (const auto& [key, member] : NodeOptionalStrings()) {
    if ((node.*member).has_value()) node.*member = OptString(map(key, *(node.*member)));
  }
  for (const auto& [key, member] : NodeLists()) {
    for (std::string& item : node.*member) item = map(key, item);
  }
}

}  // namespace planbot::analyzer::fields
