// Derived per-node figures of one EXPLAIN ANALYZE plan: node numbering, labels, loops-adjusted
// rows, wall-clock inclusive and exclusive (self) time, exclusive buffers, row-estimate misfire
// and share of the query's time. Tips, the analysis JSON and chat answers read these instead of
// recomputing them.
//
// Node ids are preorder positions over `PlanNode::children` in the order PostgreSQL printed them
// (InitPlans, outer, inner, SubPlans); the root is 0. Ids are stable for a given plan.
//
// Time: PostgreSQL reports per-loop averages; inclusive time is total time × loops. Inside a
// parallel region (below Gather / Gather Merge) loops count every process, so that product is
// process time, not wall-clock time: it is turned into wall-clock time as the busiest process's
// share when per-worker figures are present (VERBOSE), else divided by the number of processes
// that ran the region (or by the node's loops when fewer, as under a Parallel Append).
// Exclusive time is inclusive time minus the direct children's inclusive time, except for
// InitPlans: a CTE's time is already inside the CTE Scans that read it (it is charged to them,
// largest first), and an ordinary InitPlan's time is inside the node that first evaluates its
// parameter (charged to it; to the node it hangs on when no reference is found). Subtracting
// them from their parent as well would count them twice. Results are clamped at 0.
// Buffers follow the same rules (they are totals, not per loop). See docs/analysis-json.md.
//
// Ownership: NodeMetrics::node points into the ExplainQuery given to ComputeMetrics, which must
// outlive the PlanMetrics and stay unmodified. No failure modes: absent input figures give absent
// outputs. Pure functions; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/plan_model.h"

namespace planbot::analyzer {

// The block counters of a BufferUsage, without the I/O timings.
struct BufferCounts {
  int64_t shared_hit = 0, shared_read = 0, shared_dirtied = 0, shared_written = 0;
  int64_t local_hit = 0, local_read = 0, local_dirtied = 0, local_written = 0;
  int64_t temp_read = 0, temp_written = 0;
};

BufferCounts CountsOf(const Buffers& buffers);

enum class MisfireDirection {
  kNone,   // estimate and actual agree (after the floor of 1 row)
  kUnder,  // more rows than estimated: the planner underestimated
  kOver,   // fewer rows than estimated: the planner overestimated
};

// "none", "under", "over".
const char* MisfireDirectionName(MisfireDirection direction);

// Row-estimate misfire of one node, per loop: Plan Rows is an estimate per loop and Actual Rows
// an average per loop, so they are compared directly. Both are floored at 1 (the planner never
// estimates fewer than one row, and PostgreSQL before 18 prints averages below 1 as 0).
struct Misfire {
  double factor = 1;  // max(actual/planned, planned/actual), >= 1
  MisfireDirection direction = MisfireDirection::kNone;
};

struct NodeMetrics {
  int id = 0;
  int parent = -1;  // -1 for the root
  int depth = 0;
  std::vector<int> children;
  const PlanNode* node = nullptr;  // not owned: points into the ExplainQuery
  std::string label;               // NodeLabel(*node)

  // Number of processes that ran this node (workers + leader); 1 outside a parallel region.
  int processes = 1;
  bool executed = false;                     // ANALYZE and loops > 0
  std::optional<double> loops;               // absent without ANALYZE
  std::optional<double> actual_rows_total;   // actual rows × loops: rows produced in total
  std::optional<double> planned_rows_total;  // plan rows × loops (× 1 without ANALYZE)

  // Wall-clock milliseconds; absent without ANALYZE or with TIMING OFF.
  std::optional<double> inclusive_ms;
  std::optional<double> exclusive_ms;
  std::optional<double> exclusive_percent;  // exclusive_ms / PlanMetrics::total_ms × 100

  std::optional<BufferCounts> exclusive_buffers;  // absent without BUFFERS
  std::optional<Misfire> misfire;                 // absent without ANALYZE or never executed
};

struct PlanMetrics {
  std::vector<NodeMetrics> nodes;  // preorder; nodes[i].id == i; empty never (root exists)
  // What exclusive_percent is relative to: Execution Time, else the root's inclusive time.
  std::optional<double> total_ms;
};

PlanMetrics ComputeMetrics(const ExplainQuery& query);

// True for children that hang on their parent as "InitPlan" or "SubPlan".
bool IsSubplan(const PlanNode& node);

}  // namespace planbot::analyzer
