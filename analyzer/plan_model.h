// The typed model of PostgreSQL's `EXPLAIN (FORMAT JSON)` output.
//
// One `Explain` holds every statement of one EXPLAIN (normally one; rules can add more). Fields
// follow src/backend/commands/explain.c of PostgreSQL 13 to 18: a field PostgreSQL did not emit
// is left unset (std::optional or an empty container), so renderers can tell "absent" from "zero"
// just as explain.c does. Keys that planbot does not know (FDW and custom-scan properties, future
// versions) are kept in order in `extra` so that nothing in the input is silently dropped.
//
// Numbers that PostgreSQL prints with a fixed number of decimals are kept as `Num`: the value and
// how many decimals the input had, so the text renderer reproduces the digits exactly.
//
// Ownership: plain values; a PlanNode owns its children. No I/O, no globals; thread-compatible.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace planbot::analyzer {

// An optional string in the space of a pointer. A plan node has some thirty optional texts of
// which it uses a few; OptString would spend 40 bytes on each. Same interface.
class OptString {
 public:
  OptString() = default;
  OptString(std::string s) : p_(std::make_unique<std::string>(std::move(s))) {}  // NOLINT
  OptString(const char* s) : OptString(std::string(s)) {}                        // NOLINT
  OptString(const OptString& o) : p_(o.p_ ? std::make_unique<std::string>(*o.p_) : nullptr) {}
  OptString(OptString&&) noexcept = default;
  OptString& operator=(const OptString& o) {
    if (this != &o) p_ = o.p_ ? std::make_unique<std::string>(*o.p_) : nullptr;
    return *this;
  }
  OptString& operator=(OptString&&) noexcept = default;

  bool has_value() const { return p_ != nullptr; }
  explicit operator bool() const { return has_value(); }
  const std::string& operator*() const { return *p_; }
  const std::string* operator->() const { return p_.get(); }
  const std::string& value() const { return *p_; }
  std::string value_or(std::string_view fallback) const { return p_ ? *p_ : std::string(fallback); }
  void reset() { p_.reset(); }

  // Like std::optional: equal to a string only when present and equal.
  friend bool operator==(const OptString& a, std::string_view b) { return a.p_ && *a.p_ == b; }
  friend bool operator==(const OptString& a, const std::string& b) { return a.p_ && *a.p_ == b; }
  friend bool operator==(const OptString& a, const char* b) { return a.p_ && *a.p_ == b; }
  friend bool operator==(const OptString& a, const OptString& b) {
    return a.p_ ? (b.p_ && *a.p_ == *b.p_) : !b.p_;
  }

 private:
  std::unique_ptr<std::string> p_;
};

// A number as it appeared in the JSON: value plus the count of digits after the decimal point.
struct Num {
  double value = 0;
  int decimals = 0;
};

// An optional Num in the space of a Num (std::optional would add 8 bytes of padding to each of
// the ~25 numbers a node can carry). Same interface as OptNum.
class OptNum {
 public:
  OptNum() = default;
  OptNum(Num n) : num_(n) {}  // NOLINT: implicit like std::optional

  bool has_value() const { return num_.decimals != kAbsent; }
  explicit operator bool() const { return has_value(); }
  const Num& operator*() const { return num_; }
  const Num* operator->() const { return &num_; }
  const Num& value() const { return num_; }
  Num value_or(Num fallback) const { return has_value() ? num_ : fallback; }
  void reset() { num_ = Num{0, kAbsent}; }

 private:
  static constexpr int kAbsent = -1;
  Num num_{0, kAbsent};
};

// BufferUsage (show_buffer_usage). `present` is true when any buffer key was seen.
struct Buffers {
  bool present = false;
  int64_t shared_hit = 0, shared_read = 0, shared_dirtied = 0, shared_written = 0;
  int64_t local_hit = 0, local_read = 0, local_dirtied = 0, local_written = 0;
  int64_t temp_read = 0, temp_written = 0;
  // PG13-16 "I/O Read Time"/"I/O Write Time"; PG17+ splits them into shared and local.
  OptNum io_read, io_write;
  OptNum shared_io_read, shared_io_write, local_io_read, local_io_write;
  OptNum temp_io_read, temp_io_write;  // PG15+
};

// WalUsage (show_wal_usage).
struct Wal {
  bool present = false;
  int64_t records = 0, fpi = 0;
  uint64_t bytes = 0;
  std::optional<int64_t> buffers_full;  // PG18
};

// Tuplesort statistics of a Sort node or one of its workers.
struct SortStats {
  std::string method;  // empty: absent
  int64_t space_used_kb = 0;
  std::string space_type;
};

// "Full-sort Groups" / "Pre-sorted Groups" of an Incremental Sort.
struct IncrementalSortGroups {
  std::string label;  // "Full-sort" or "Pre-sorted"
  int64_t group_count = 0;
  std::vector<std::string> methods;
  std::optional<std::pair<int64_t, int64_t>> memory_avg_peak_kb;
  std::optional<std::pair<int64_t, int64_t>> disk_avg_peak_kb;
};

struct HashAggStats {
  std::optional<int64_t> planned_partitions;
  std::optional<int64_t> batches;
  std::optional<int64_t> peak_memory_kb;
  std::optional<int64_t> disk_usage_kb;
};

struct MemoizeStats {
  bool present = false;
  int64_t hits = 0, misses = 0, evictions = 0, overflows = 0, peak_memory_kb = 0;
};

struct Jit {
  bool present = false;
  int64_t functions = 0;
  std::optional<bool> inlining, optimization, expressions, deforming;
  bool has_timing = false;
  OptNum generation, deform, inlining_ms, optimization_ms, emission, total;
};

// Actual per-loop figures of a node or a worker (ANALYZE).
struct Actuals {
  OptNum startup_ms, total_ms;  // absent with TIMING OFF
  OptNum rows, loops;           // absent without ANALYZE
};

// Everything that can be reported for one parallel worker of a node.
struct Worker {
  int64_t number = 0;
  Actuals actual;
  SortStats sort;
  std::vector<IncrementalSortGroups> incremental_sort;
  HashAggStats hash_agg;
  MemoizeStats memoize;
  std::optional<int64_t> exact_heap_blocks, lossy_heap_blocks;  // PG18
  Jit jit;
  Buffers buffers;
  Wal wal;
};

struct GroupingSet {
  std::vector<std::string> sort_key;
  std::string key_label;  // "Group Keys" or "Hash Keys"
  std::vector<std::vector<std::string>> keys;
};

struct TargetTable {
  std::string relation_name, schema, alias;
};

// A property planbot does not model, kept verbatim: a scalar as text, or raw JSON for the rest.
struct ExtraProperty {
  std::string key;
  std::string value;    // the scalar as PostgreSQL printed it, or compact JSON
  bool scalar = true;   // false: `value` is an object or array
  bool string = false;  // a scalar that was a JSON string (not a number, boolean or null)
};

struct PlanNode {
  // Identity and how the node was reached.
  std::string node_type, strategy, partial_mode, operation, parent_relationship, subplan_name;
  std::string custom_plan_provider, join_type, command, scan_direction, index_name;
  bool parallel_aware = false, async_capable = false;
  std::optional<bool> disabled;  // PG18

  // Scan / modify target (ExplainTargetRel).
  OptString relation_name, function_name, cte_name, tuplestore_name, table_function_name, schema,
      alias;

  // COSTS.
  OptNum startup_cost, total_cost, plan_rows;
  std::optional<int64_t> plan_width;

  Actuals actual;
  std::vector<std::string> output;
  std::optional<bool> inner_unique;

  // Conditions, in the order explain.c prints them.
  OptString index_cond, order_by, recheck_cond, tid_cond, merge_cond, hash_cond, join_filter,
      filter, one_time_filter, run_condition, function_call, table_function_call, conflict_filter,
      cache_key, cache_mode, sampling_method, repeatable_seed;
  std::vector<std::string> sampling_parameters;
  OptNum rows_removed_by_index_recheck, rows_removed_by_filter, rows_removed_by_join_filter,
      rows_removed_by_conflict_filter, heap_fetches;
  std::optional<int64_t> index_searches;  // PG18

  // Keys.
  std::vector<std::string> sort_key, presorted_key, group_key;
  std::vector<GroupingSet> grouping_sets;
  bool has_grouping_sets = false;

  // Node-specific instrumentation.
  SortStats sort;
  std::vector<IncrementalSortGroups> incremental_sort;
  std::optional<int64_t> hash_buckets, original_hash_buckets, hash_batches, original_hash_batches,
      hash_peak_memory_kb;
  HashAggStats hash_agg;
  MemoizeStats memoize;
  std::optional<int64_t> exact_heap_blocks, lossy_heap_blocks;
  std::optional<int64_t> workers_planned, workers_launched;
  std::vector<std::string> params_evaluated;
  bool has_params_evaluated = false;
  std::optional<bool> single_copy;
  std::optional<int64_t> subplans_removed;

  // ModifyTable.
  std::vector<TargetTable> target_tables;
  OptString conflict_resolution;
  std::vector<std::string> conflict_arbiter_indexes;
  OptNum tuples_inserted, conflicting_tuples, tuples_updated, tuples_deleted, tuples_skipped;

  // PG18 storage reports (Material, WindowAgg, CTE Scan, ...): "Storage: Memory  Maximum
  // Storage: 17kB".
  OptString storage;
  std::optional<int64_t> maximum_storage_kb;
  OptString window;  // PG18 "Window: w1 AS (...)"

  Buffers buffers;
  Wal wal;
  bool has_workers = false;
  std::vector<Worker> workers;

  std::vector<ExtraProperty> extra;
  std::vector<PlanNode> children;
};

struct Trigger {
  std::string name, constraint_name, relation;
  OptNum time_ms;
  Num calls;
};

struct Serialization {
  bool present = false;
  OptNum time_ms;
  uint64_t output_kb = 0;
  std::string format;
  Buffers buffers;
};

// One statement of the EXPLAIN output (one element of the top-level JSON array).
struct ExplainQuery {
  PlanNode plan;
  bool has_settings = false;
  std::vector<std::pair<std::string, std::string>> settings;  // in PostgreSQL's order
  std::optional<int64_t> query_identifier;
  bool has_planning = false;
  Buffers planning_buffers;
  std::optional<int64_t> planning_memory_used_kb, planning_memory_allocated_kb;  // PG17
  OptNum planning_time_ms;
  bool has_triggers = false;
  std::vector<Trigger> triggers;
  Jit jit;
  Serialization serialization;
  OptNum execution_time_ms;
  std::vector<ExtraProperty> extra;
};

struct Explain {
  std::vector<ExplainQuery> queries;
};

}  // namespace planbot::analyzer
