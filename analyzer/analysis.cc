#include "analyzer/analysis.h"

#include <algorithm>

#include "analyzer/plan_mask.h"
#include "analyzer/plan_parse.h"
#include "analyzer/render_text.h"

namespace planbot::analyzer {
namespace {

// HypoPG names its indexes "<oid>btree_table_column"; in the order the plan shows them.
void CollectHypothetical(const PlanNode& node, std::vector<std::string>& names) {
  if (!node.index_name.empty() && node.index_name.front() == '<' &&
      std::find(names.begin(), names.end(), node.index_name) == names.end()) {
    names.push_back(node.index_name);
  }
  for (const PlanNode& child : node.children) CollectHypothetical(child, names);
}

// Points the metrics' nodes at `query`'s, which has the shape of the one they were computed on.
void Rebind(PlanMetrics& metrics, const ExplainQuery& query) {
  size_t next = 0;
  auto walk = [&](auto&& self, const PlanNode& node) -> void {
    if (next < metrics.nodes.size()) metrics.nodes[next++].node = &node;
    for (const PlanNode& child : node.children) self(self, child);
  };
  walk(walk, query.plan);
}

// Text, metrics, tips and hypothetical indexes of `a`'s model.
void Derive(Analysis& a) {
  RenderOptions render;
  render.server_version_num = a.options.server_version_num;
  a.text = RenderText(*a.explain, render);
  const ExplainQuery& q = a.explain->queries.front();
  a.tips = ComputeTips(q, a.metrics);
  a.hypothetical_indexes.clear();
  for (const ExplainQuery& query : a.explain->queries) {
    CollectHypothetical(query.plan, a.hypothetical_indexes);
  }
}

}  // namespace

Result<Analysis> Analyze(std::string json, const AnalysisOptions& options) {
  auto explain = ParseExplainJson(json);
  if (!explain) return explain.error();
  if (explain->queries.empty())
    return MakeError(ErrorCode::kNotExplain, "the EXPLAIN output is empty");
  Analysis a;
  a.options = options;
  a.json = std::move(json);
  a.explain = std::make_unique<const Explain>(std::move(*explain));
  const ExplainQuery& q = a.explain->queries.front();
  a.summary = ComputeSummary(q, options.block_size);
  a.metrics = ComputeMetrics(q);
  Derive(a);
  return a;
}

Result<Analysis> Masked(const Analysis& analysis) {
  auto json = MaskPlanJson(analysis.json);
  if (!json) return json.error();
  auto explain = std::make_unique<Explain>(*analysis.explain);
  MaskPlanModel(*explain);
  Analysis a;
  a.options = analysis.options;
  a.json = std::move(*json);
  a.explain = std::move(explain);
  a.summary = analysis.summary;
  a.metrics = analysis.metrics;
  Rebind(a.metrics, a.explain->queries.front());
  Derive(a);
  return a;
}

}  // namespace planbot::analyzer
