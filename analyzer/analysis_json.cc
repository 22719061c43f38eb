#include "analyzer/analysis_json.h"

#include <cmath>
#include <string>
#include <vector>

#include "analyzer/human_format.h"
#include "analyzer/plan_metrics.h"
#include "analyzer/summary.h"
#include "analyzer/tips.h"

namespace planbot::analyzer {
namespace {

using nlohmann::json;

constexpr int kAnalysisVersion = 1;

double Round(double value, int decimals) {
  const double scale = std::pow(10, decimals);
  return std::round(value * scale) / scale;
}

void Put(json& out, const char* key, const std::string& value) {
  if (!value.empty()) out[key] = value;
}
void Put(json& out, const char* key, const OptString& value) {
  if (value) out[key] = *value;
}
void Put(json& out, const char* key, const OptNum& value) {
  if (value) out[key] = value->value;
}
void Put(json& out, const char* key, const std::optional<int64_t>& value) {
  if (value) out[key] = *value;
}
void Put(json& out, const char* key, const std::optional<double>& value, int decimals) {
  if (value) out[key] = Round(*value, decimals);
}
void PutObject(json& out, const char* key, const json& value) {
  if (!value.empty()) out[key] = value;
}

json CountsJson(const BufferCounts& c) {
  return {{"shared_hit", c.shared_hit},         {"shared_read", c.shared_read},
          {"shared_dirtied", c.shared_dirtied}, {"shared_written", c.shared_written},
          {"local_hit", c.local_hit},           {"local_read", c.local_read},
          {"local_dirtied", c.local_dirtied},   {"local_written", c.local_written},
          {"temp_read", c.temp_read},           {"temp_written", c.temp_written}};
}

void AddIdentity(json& out, const NodeMetrics& m) {
  const PlanNode& n = *m.node;
  out["id"] = m.id;
  out["node_type"] = n.node_type;
  out["label"] = m.label;
  Put(out, "parent_relationship", n.parent_relationship);
  Put(out, "subplan_name", n.subplan_name);
  Put(out, "relation", n.relation_name);
  Put(out, "schema", n.schema);
  Put(out, "alias", n.alias);
  Put(out, "index", n.index_name);
  Put(out, "function", n.function_name);
  Put(out, "cte", n.cte_name);
  Put(out, "join_type", n.join_type);
  Put(out, "strategy", n.strategy);
  Put(out, "partial_mode", n.partial_mode);
  Put(out, "operation", n.operation);
  if (n.parallel_aware) out["parallel_aware"] = true;
}

void AddFigures(json& out, const NodeMetrics& m) {
  const PlanNode& n = *m.node;
  json estimate = json::object(), actual = json::object(), rows = json::object();
  Put(estimate, "startup_cost", n.startup_cost);
  Put(estimate, "total_cost", n.total_cost);
  Put(estimate, "rows", n.plan_rows);
  Put(estimate, "width", n.plan_width);
  Put(actual, "startup_ms", n.actual.startup_ms);
  Put(actual, "total_ms", n.actual.total_ms);
  Put(actual, "rows", n.actual.rows);
  Put(actual, "loops", n.actual.loops);
  Put(rows, "actual_total", m.actual_rows_total, 2);
  Put(rows, "planned_total", m.planned_rows_total, 2);
  PutObject(out, "estimate", estimate);
  PutObject(out, "actual", actual);
  if (m.loops && !m.executed) out["never_executed"] = true;
  PutObject(out, "rows", rows);
  if (m.processes > 1) out["processes"] = m.processes;
  json time = json::object();
  Put(time, "inclusive_ms", m.inclusive_ms, 3);
  Put(time, "exclusive_ms", m.exclusive_ms, 3);
  Put(time, "exclusive_percent", m.exclusive_percent, 2);
  if (m.exclusive_ms) time["exclusive_human"] = FormatMillis(*m.exclusive_ms);
  PutObject(out, "time", time);
  if (m.misfire) {
    out["misfire"] = {{"factor", Round(m.misfire->factor, 2)},
                      {"direction", MisfireDirectionName(m.misfire->direction)}};
  }
  if (n.buffers.present) out["buffers"] = CountsJson(CountsOf(n.buffers));
  if (m.exclusive_buffers) out["exclusive_buffers"] = CountsJson(*m.exclusive_buffers);
}

void AddConditions(json& out, const PlanNode& n) {
  json cond = json::object(), removed = json::object();
  Put(cond, "index_cond", n.index_cond);
  Put(cond, "recheck_cond", n.recheck_cond);
  Put(cond, "order_by", n.order_by);
  Put(cond, "tid_cond", n.tid_cond);
  Put(cond, "merge_cond", n.merge_cond);
  Put(cond, "hash_cond", n.hash_cond);
  Put(cond, "join_filter", n.join_filter);
  Put(cond, "filter", n.filter);
  Put(cond, "one_time_filter", n.one_time_filter);
  Put(cond, "run_condition", n.run_condition);
  Put(removed, "filter", n.rows_removed_by_filter);
  Put(removed, "join_filter", n.rows_removed_by_join_filter);
  Put(removed, "index_recheck", n.rows_removed_by_index_recheck);
  PutObject(out, "conditions", cond);
  PutObject(out, "rows_removed_per_loop", removed);
  Put(out, "heap_fetches_per_loop", n.heap_fetches);
  if (!n.sort_key.empty()) out["sort_key"] = n.sort_key;
  if (!n.group_key.empty()) out["group_key"] = n.group_key;
}

void AddInstrumentation(json& out, const PlanNode& n) {
  if (!n.sort.method.empty()) {
    out["sort"] = {{"method", n.sort.method},
                   {"space_used_kb", n.sort.space_used_kb},
                   {"space_type", n.sort.space_type}};
  }
  json hash = json::object(), agg = json::object(), heap = json::object(), workers = json::object();
  Put(hash, "buckets", n.hash_buckets);
  Put(hash, "original_buckets", n.original_hash_buckets);
  Put(hash, "batches", n.hash_batches);
  Put(hash, "original_batches", n.original_hash_batches);
  Put(hash, "peak_memory_kb", n.hash_peak_memory_kb);
  Put(agg, "planned_partitions", n.hash_agg.planned_partitions);
  Put(agg, "batches", n.hash_agg.batches);
  Put(agg, "peak_memory_kb", n.hash_agg.peak_memory_kb);
  Put(agg, "disk_usage_kb", n.hash_agg.disk_usage_kb);
  Put(heap, "exact", n.exact_heap_blocks);
  Put(heap, "lossy", n.lossy_heap_blocks);
  Put(workers, "planned", n.workers_planned);
  Put(workers, "launched", n.workers_launched);
  PutObject(out, "hash", hash);
  PutObject(out, "hash_agg", agg);
  PutObject(out, "heap_blocks", heap);
  PutObject(out, "workers", workers);
  if (n.memoize.present) {
    out["memoize"] = {{"hits", n.memoize.hits},
                      {"misses", n.memoize.misses},
                      {"evictions", n.memoize.evictions},
                      {"overflows", n.memoize.overflows},
                      {"peak_memory_kb", n.memoize.peak_memory_kb}};
  }
}

json NodeJson(const PlanMetrics& metrics, int id,
              const std::vector<std::vector<std::string>>& codes) {
  const NodeMetrics& m = metrics.nodes[id];
  json out = json::object();
  AddIdentity(out, m);
  AddFigures(out, m);
  AddConditions(out, *m.node);
  AddInstrumentation(out, *m.node);
  if (!codes[id].empty()) out["tips"] = codes[id];
  json children = json::array();
  for (int child : m.children) children.push_back(NodeJson(metrics, child, codes));
  out["children"] = std::move(children);
  return out;
}

json QueryJson(const ExplainQuery& query, int64_t block_size) {
  const PlanMetrics metrics = ComputeMetrics(query);
  const std::vector<Tip> tips = ComputeTips(query, metrics);
  std::vector<std::vector<std::string>> codes(metrics.nodes.size());
  for (const Tip& tip : tips) {
    if (tip.node) codes[*tip.node].push_back(tip.code);
  }
  json out = {{"plan", NodeJson(metrics, 0, codes)},
              {"node_count", metrics.nodes.size()},
              {"summary", SummaryToJson(ComputeSummary(query, block_size))},
              {"tips", TipsToJson(tips)}};
  if (query.has_settings) {
    json settings = json::object();
    for (const auto& [name, value] : query.settings) settings[name] = value;
    out["settings"] = std::move(settings);
  }
  if (query.query_identifier) out["query_identifier"] = *query.query_identifier;
  return out;
}

}  // namespace

json AnalysisToJson(const Explain& explain, int64_t block_size) {
  json queries = json::array();
  for (const ExplainQuery& query : explain.queries) queries.push_back(QueryJson(query, block_size));
  return {{"format", "planbot-analysis"}, {"version", kAnalysisVersion}, {"queries", queries}};
}

}  // namespace planbot::analyzer
