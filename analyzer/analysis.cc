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

void ReplaceFirst(std::string& text, const std::string& from, const std::string& to) {
  if (from.empty()) return;
  const size_t at = text.find(from);
  if (at != std::string::npos) text.replace(at, from.size(), to);
}

std::string JoinStatements(const std::vector<std::string>& statements) {
  std::string out;
  for (const std::string& s : statements) out += (out.empty() ? "" : "; ") + s;
  return out;
}

// `verdict` applied to `tip`; false when the tip goes.
bool Apply(const TipVerdict& verdict, Tip& tip, double statement_ms) {
  if (verdict.drop) return false;
  if (!tip.fix) return true;
  Fix& fix = *tip.fix;
  if (verdict.chosen > 0 && verdict.chosen <= fix.alternatives.size()) {
    std::vector<std::string> chosen = fix.alternatives[verdict.chosen - 1];
    ReplaceFirst(tip.message, JoinStatements(fix.statements), JoinStatements(chosen));
    fix.statements = std::move(chosen);
  }
  if (verdict.setting_value && fix.kind == FixKind::kSetting) {
    for (std::string& statement : fix.statements) {
      const size_t open = statement.find('\'');
      const size_t close = statement.rfind('\'');
      if (open == std::string::npos || close <= open) continue;
      const std::string old_value = statement.substr(open + 1, close - open - 1);
      statement = statement.substr(0, open + 1) + *verdict.setting_value + statement.substr(close);
      ReplaceFirst(tip.message, "'" + old_value + "'", "'" + *verdict.setting_value + "'");
    }
  }
  fix.alternatives.clear();
  fix.verified = verdict.verified;
  // A verified cost change is the best estimate of the saving: the statement's time (or, when
  // nothing ran, its cost) times the share the fix takes off.
  if (fix.verified && fix.verified->cost_before > 0 && fix.verified->cost_after >= 0 &&
      fix.verified->cost_after < fix.verified->cost_before && statement_ms > 0) {
    const double share = 1 - fix.verified->cost_after / fix.verified->cost_before;
    tip.saving_ms = std::max(tip.saving_ms, statement_ms * share);
  }
  return true;
}

double StatementMs(const ExplainQuery& q) {
  double ms = 0;
  if (q.execution_time_ms) ms += q.execution_time_ms->value;
  if (q.planning_time_ms) ms += q.planning_time_ms->value;
  return ms;
}

// The share of the statement's cost a verified fix takes off (0 when not verified cheaper).
double VerifiedShare(const Tip& tip) {
  if (!tip.fix || !tip.fix->verified) return 0;
  const Verification& v = *tip.fix->verified;
  if (v.cost_before <= 0 || v.cost_after >= v.cost_before) return 0;
  return 1 - v.cost_after / v.cost_before;
}

// Severity by the verified share when nothing ran (plan-only): the same thresholds as time.
Severity SeverityByShare(double share, Severity current) {
  if (share >= 0.20) return Severity::kHigh;
  if (share >= 0.05) return std::min(current, Severity::kMedium);
  return current;
}

// The tips of `a`'s model with its advice: catalog, then verdicts, then the order.
void DeriveTips(Analysis& a) {
  const ExplainQuery& q = a.explain->queries.front();
  TipOptions options;
  options.catalog = a.advice.catalog.get();
  std::vector<Tip> tips = ComputeTips(q, a.metrics, options);
  if (!a.advice.verdicts.empty()) {
    const double statement_ms = StatementMs(q);
    std::vector<Tip> kept;
    for (size_t i = 0; i < tips.size(); ++i) {
      const std::optional<TipVerdict>* verdict =
          i < a.advice.verdicts.size() ? &a.advice.verdicts[i] : nullptr;
      if (verdict == nullptr || !verdict->has_value() || (*verdict)->code != tips[i].code ||
          (*verdict)->node != tips[i].node) {
        kept.push_back(std::move(tips[i]));
        continue;
      }
      if (Apply(**verdict, tips[i], statement_ms)) kept.push_back(std::move(tips[i]));
    }
    for (Tip& tip : kept) {
      if (statement_ms <= 0) tip.severity = SeverityByShare(VerifiedShare(tip), tip.severity);
    }
    // Most valuable first: time saved, then (plan-only) the verified share of the cost.
    std::stable_sort(kept.begin(), kept.end(), [](const Tip& x, const Tip& y) {
      if (x.saving_ms != y.saving_ms) return x.saving_ms > y.saving_ms;
      const double sx = VerifiedShare(x), sy = VerifiedShare(y);
      if (sx != sy) return sx > sy;
      return x.severity < y.severity;
    });
    tips = std::move(kept);
  }
  a.tips = std::move(tips);
}

// Text, metrics, tips and hypothetical indexes of `a`'s model.
void Derive(Analysis& a) {
  RenderOptions render;
  render.server_version_num = a.options.server_version_num;
  a.text = RenderText(*a.explain, render);
  DeriveTips(a);
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
  MaskMemo memo;  // the JSON and the model hold the same texts: each is masked once
  auto json = MaskPlanJson(analysis.json, &memo);
  if (!json) return json.error();
  auto explain = std::make_unique<Explain>(*analysis.explain);
  MaskPlanModel(*explain, &memo);
  Analysis a;
  a.options = analysis.options;
  a.json = std::move(*json);
  a.explain = std::move(explain);
  a.summary = analysis.summary;
  a.metrics = analysis.metrics;
  a.advice = analysis.advice;
  Rebind(a.metrics, a.explain->queries.front());
  Derive(a);
  return a;
}

void Readvise(Analysis& analysis, Advice advice) {
  analysis.advice = std::move(advice);
  DeriveTips(analysis);
}

std::vector<Tip> UnverifiedTips(const Analysis& analysis, const CatalogFacts* catalog) {
  TipOptions options;
  options.catalog = catalog;
  return ComputeTips(analysis.explain->queries.front(), analysis.metrics, options);
}

}  // namespace planbot::analyzer
