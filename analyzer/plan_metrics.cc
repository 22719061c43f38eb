#include "analyzer/plan_metrics.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>

#include "analyzer/node_label.h"
#include "analyzer/subplan_charges.h"

namespace planbot::analyzer {
namespace {

constexpr size_t kBufferFields = 10;
using BufferArray = std::array<int64_t, kBufferFields>;

BufferArray ToArray(const BufferCounts& c) {
  return {c.shared_hit, c.shared_read,   c.shared_dirtied, c.shared_written, c.local_hit,
          c.local_read, c.local_dirtied, c.local_written,  c.temp_read,      c.temp_written};
}

BufferCounts FromArray(const BufferArray& a) {
  BufferCounts c;
  c.shared_hit = a[0], c.shared_read = a[1], c.shared_dirtied = a[2], c.shared_written = a[3];
  c.local_hit = a[4], c.local_read = a[5], c.local_dirtied = a[6], c.local_written = a[7];
  c.temp_read = a[8], c.temp_written = a[9];
  return c;
}

// What is subtracted from a node's inclusive figures to get its exclusive ones.
struct Deduction {
  double ms = 0;
  BufferArray buffers{};
};

std::optional<double> Value(const OptNum& num) {
  if (!num) return std::nullopt;
  return num->value;
}

// Processes that ran the parallel region below `gather`: the top of the region runs once per
// process per Gather execution, so its loops divided by the Gather's loops count them.
int GatherProcesses(const PlanNode& gather) {
  const int most = gather.workers_launched ? static_cast<int>(*gather.workers_launched) + 1 : 0;
  const double gather_loops = gather.actual.loops ? gather.actual.loops->value : 0;
  for (const PlanNode& child : gather.children) {
    if (IsSubplan(child) || !child.actual.loops || gather_loops <= 0) continue;
    int processes = static_cast<int>(std::lround(child.actual.loops->value / gather_loops));
    if (most > 0) processes = std::min(processes, most);
    return std::max(processes, 1);
  }
  return std::max(most, 1);
}

// Wall-clock milliseconds spent in a node over all its loops.
std::optional<double> InclusiveMs(const PlanNode& node, int processes) {
  const std::optional<double> total = Value(node.actual.total_ms);
  const std::optional<double> loops = Value(node.actual.loops);
  if (!total || !loops) return std::nullopt;
  const double process_ms = *total * *loops;
  if (processes <= 1) return process_ms;
  // With per-worker figures, the busiest process bounds the wall-clock time; the leader's part
  // is what the workers do not account for.
  double workers_ms = 0, busiest_ms = 0;
  bool complete = !node.workers.empty();
  for (const Worker& worker : node.workers) {
    if (!worker.actual.total_ms || !worker.actual.loops) {
      complete = false;
      break;
    }
    const double ms = worker.actual.total_ms->value * worker.actual.loops->value;
    workers_ms += ms;
    busiest_ms = std::max(busiest_ms, ms);
  }
  // Each process runs a node at least once, so fewer loops than processes means that only that
  // many took part (a Parallel Append hands each child to a few of them).
  if (!complete) return process_ms / std::clamp(*loops, 1.0, static_cast<double>(processes));
  return std::max(busiest_ms, std::max(process_ms - workers_ms, 0.0));
}

std::optional<Misfire> ComputeMisfire(const PlanNode& node) {
  const std::optional<double> rows = Value(node.actual.rows);
  const std::optional<double> loops = Value(node.actual.loops);
  const std::optional<double> planned = Value(node.plan_rows);
  if (!rows || !loops || !planned || *loops <= 0) return std::nullopt;
  const double actual = std::max(*rows, 1.0), estimate = std::max(*planned, 1.0);
  Misfire misfire;
  misfire.factor = std::max(actual / estimate, estimate / actual);
  if (actual > estimate) misfire.direction = MisfireDirection::kUnder;
  if (actual < estimate) misfire.direction = MisfireDirection::kOver;
  return misfire;
}

void FillNode(NodeMetrics& m) {
  const PlanNode& node = *m.node;
  m.label = NodeLabel(node);
  m.loops = Value(node.actual.loops);
  m.executed = m.loops && *m.loops > 0;
  if (m.loops && node.actual.rows) m.actual_rows_total = node.actual.rows->value * *m.loops;
  if (node.plan_rows) {
    m.planned_rows_total = node.plan_rows->value * (m.loops ? *m.loops : 1.0);
  }
  m.inclusive_ms = InclusiveMs(node, m.processes);
  m.misfire = ComputeMisfire(node);
}

void AssignProcesses(PlanMetrics& metrics, int id, int processes) {
  NodeMetrics& m = metrics.nodes[id];
  m.processes = processes;
  const bool gather = m.node->node_type == "Gather" || m.node->node_type == "Gather Merge";
  const int region = gather ? GatherProcesses(*m.node) : processes;
  for (int child : m.children) {
    const bool runs_in_region = gather && !IsSubplan(*metrics.nodes[child].node);
    AssignProcesses(metrics, child, runs_in_region ? region : processes);
  }
}

void Deduct(Deduction& d, double ms, const BufferArray& buffers) {
  d.ms += ms;
  for (size_t i = 0; i < kBufferFields; ++i) d.buffers[i] += buffers[i];
}

BufferArray InclusiveBuffers(const NodeMetrics& m) { return ToArray(CountsOf(m.node->buffers)); }

// Spreads a CTE's figures over the CTE Scans that read it, the longest-running first, each
// taking no more than its own inclusive figures.
void ChargeCte(const PlanMetrics& metrics, const InitPlanCharge& charge,
               std::vector<Deduction>& deductions) {
  const NodeMetrics& cte = metrics.nodes[charge.initplan];
  double ms_left = cte.inclusive_ms.value_or(0);
  BufferArray buffers_left = InclusiveBuffers(cte);
  std::vector<int> scans = charge.targets;
  std::stable_sort(scans.begin(), scans.end(), [&](int a, int b) {
    return metrics.nodes[a].inclusive_ms.value_or(0) > metrics.nodes[b].inclusive_ms.value_or(0);
  });
  for (int scan : scans) {
    const NodeMetrics& target = metrics.nodes[scan];
    Deduction& d = deductions[scan];
    const double ms = std::clamp(target.inclusive_ms.value_or(0) - d.ms, 0.0, ms_left);
    ms_left -= ms;
    BufferArray take{};
    const BufferArray capacity = InclusiveBuffers(target);
    for (size_t i = 0; i < kBufferFields; ++i) {
      take[i] = std::clamp<int64_t>(capacity[i] - d.buffers[i], 0, buffers_left[i]);
      buffers_left[i] -= take[i];
    }
    Deduct(d, ms, take);
  }
}

std::vector<Deduction> ComputeDeductions(const PlanMetrics& metrics, const PreorderTree& tree) {
  std::vector<Deduction> deductions(metrics.nodes.size());
  for (const NodeMetrics& m : metrics.nodes) {
    for (int child : m.children) {
      const NodeMetrics& c = metrics.nodes[child];
      if (c.node->parent_relationship == "InitPlan") continue;  // charged below
      Deduct(deductions[m.id], c.inclusive_ms.value_or(0), InclusiveBuffers(c));
    }
  }
  // Ordinary InitPlans first: where they are counted is known, while a CTE's split between its
  // scans is an estimate bounded by what is left of each scan.
  const std::vector<InitPlanCharge> charges = FindInitPlanCharges(tree);
  for (const InitPlanCharge& charge : charges) {
    if (charge.cte) continue;
    const NodeMetrics& initplan = metrics.nodes[charge.initplan];
    Deduct(deductions[charge.targets.front()], initplan.inclusive_ms.value_or(0),
           InclusiveBuffers(initplan));
  }
  for (const InitPlanCharge& charge : charges) {
    if (charge.cte) ChargeCte(metrics, charge, deductions);
  }
  return deductions;
}

void FillExclusive(PlanMetrics& metrics, const std::vector<Deduction>& deductions) {
  for (NodeMetrics& m : metrics.nodes) {
    const Deduction& d = deductions[m.id];
    if (m.inclusive_ms) {
      m.exclusive_ms = std::max(*m.inclusive_ms - d.ms, 0.0);
      if (metrics.total_ms && *metrics.total_ms > 0) {
        m.exclusive_percent = *m.exclusive_ms / *metrics.total_ms * 100;
      }
    }
    if (m.node->buffers.present) {
      BufferArray own = InclusiveBuffers(m);
      for (size_t i = 0; i < kBufferFields; ++i)
        own[i] = std::max<int64_t>(own[i] - d.buffers[i], 0);
      m.exclusive_buffers = FromArray(own);
    }
  }
}

}  // namespace

BufferCounts CountsOf(const Buffers& b) {
  BufferCounts c;
  c.shared_hit = b.shared_hit, c.shared_read = b.shared_read;
  c.shared_dirtied = b.shared_dirtied, c.shared_written = b.shared_written;
  c.local_hit = b.local_hit, c.local_read = b.local_read;
  c.local_dirtied = b.local_dirtied, c.local_written = b.local_written;
  c.temp_read = b.temp_read, c.temp_written = b.temp_written;
  return c;
}

const char* MisfireDirectionName(MisfireDirection direction) {
  switch (direction) {
    case MisfireDirection::kUnder:
      return "under";
    case MisfireDirection::kOver:
      return "over";
    case MisfireDirection::kNone:
      break;
  }
  return "none";
}

bool IsSubplan(const PlanNode& node) {
  return node.parent_relationship == "InitPlan" || node.parent_relationship == "SubPlan";
}

PlanMetrics ComputeMetrics(const ExplainQuery& query) {
  const PreorderTree tree = BuildPreorder(query.plan);
  PlanMetrics metrics;
  metrics.nodes.resize(tree.nodes.size());
  for (size_t id = 0; id < tree.nodes.size(); ++id) {
    NodeMetrics& m = metrics.nodes[id];
    m.id = static_cast<int>(id);
    m.node = tree.nodes[id];
    m.parent = tree.parent[id];
    if (m.parent >= 0) {
      m.depth = metrics.nodes[m.parent].depth + 1;
      metrics.nodes[m.parent].children.push_back(m.id);
    }
  }
  AssignProcesses(metrics, 0, 1);
  for (NodeMetrics& m : metrics.nodes) FillNode(m);
  if (query.execution_time_ms && query.execution_time_ms->value > 0) {
    metrics.total_ms = query.execution_time_ms->value;
  } else {
    metrics.total_ms = metrics.nodes[0].inclusive_ms;
  }
  FillExclusive(metrics, ComputeDeductions(metrics, tree));
  return metrics;
}

}  // namespace planbot::analyzer
