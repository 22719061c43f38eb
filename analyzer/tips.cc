#include "analyzer/tips.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "analyzer/tips/advice.h"
#include "analyzer/tips/rules.h"

namespace planbot::analyzer {
namespace tips {

std::optional<double> TipContext::StatementMs() const {
  if (!query_.execution_time_ms && !query_.planning_time_ms) return std::nullopt;
  double ms = 0;
  if (query_.execution_time_ms) ms += query_.execution_time_ms->value;
  if (query_.planning_time_ms) ms += query_.planning_time_ms->value;
  return ms;
}

Severity TipContext::SeverityFor(double saving_ms) const {
  const std::optional<double> total = StatementMs();
  if (!total || *total <= 0 || saving_ms <= 0) return Severity::kLow;
  const double share = saving_ms / *total;
  if (share >= kHighShare) return Severity::kHigh;
  if (share >= kMediumShare) return Severity::kMedium;
  return Severity::kLow;
}

Tip TipContext::Make(std::string code, std::optional<int> node, std::string message,
                     double saving_ms) const {
  Tip tip;
  tip.code = std::move(code);
  tip.node = node;
  if (node) tip.node_label = metrics_.nodes[*node].label;
  tip.message = std::move(message);
  tip.saving_ms = std::max(saving_ms, 0.0);
  // No advice saves more than the statement took.
  if (const std::optional<double> total = StatementMs(); total && *total > 0) {
    tip.saving_ms = std::min(tip.saving_ms, *total);
  }
  tip.severity = SeverityFor(tip.saving_ms);
  return tip;
}

}  // namespace tips

const ColumnFacts* RelationFacts::Column(std::string_view column) const {
  for (const ColumnFacts& c : columns) {
    if (c.name == column) return &c;
  }
  return nullptr;
}

const RelationFacts* CatalogFacts::Relation(std::string_view name) const {
  for (const RelationFacts& r : relations) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

std::string CatalogFacts::EffectiveCollation(const ColumnFacts& column) const {
  return column.collation.empty() ? datcollate : column.collation;
}

bool IsCCollation(std::string_view collation) { return collation == "C" || collation == "POSIX"; }

namespace {

using RuleFn = void (*)(const tips::TipContext&, tips::Tips&);

// Every rule, one file each under analyzer/tips/ (docs/tips.md has the table).
constexpr RuleFn kRules[] = {
    tips::SeqScanFilterTips,       tips::IndexFilterTips,       tips::RowMisfireTips,
    tips::SortSpillTips,           tips::HashSpillTips,         tips::HashAggSpillTips,
    tips::LossyBitmapTips,         tips::HeapFetchesTips,       tips::LargeResultTips,
    tips::PlanningDominatesTips,   tips::JitDominatesTips,      tips::WorkersShortTips,
    tips::NestedLoopManyLoopsTips, tips::OrderByLimitIndexTips, tips::JoinKeyIndexTips,
    tips::LikePrefixIndexTips,     tips::WrongIndexOrderTips,   tips::PartialIndexTips,
    tips::EstimatedTips,           tips::LargeOffsetTips,       tips::OrAcrossTablesTips,
    tips::StaleStatisticsTips,     tips::ReadEfficiencyTips,
};

bool MoreValuable(const Tip& a, const Tip& b) {
  if (a.saving_ms != b.saving_ms) return a.saving_ms > b.saving_ms;
  if (a.severity != b.severity) return a.severity < b.severity;
  if (a.node != b.node) return a.node.value_or(-1) < b.node.value_or(-1);
  return a.code < b.code;
}

double Rounded(double value, double scale) { return std::round(value * scale) / scale; }

// 12,345 for large costs, 8.4 or 0.43 for small ones.
std::string HumanCost(double cost) {
  if (cost >= 100) return tips::Rows(std::round(cost));
  char buf[32];
  std::snprintf(buf, sizeof buf, cost >= 10 ? "%.1f" : "%.2f", cost);
  return buf;
}

const char* FixKindName(FixKind kind) {
  switch (kind) {
    case FixKind::kIndex:
      return "index";
    case FixKind::kSetting:
      return "setting";
    case FixKind::kMaintenance:
      break;
  }
  return "maintenance";
}

nlohmann::json FixToJson(const Fix& fix) {
  nlohmann::json out = {{"kind", FixKindName(fix.kind)}, {"statements", fix.statements}};
  if (!fix.verified) {
    out["verified"] = nullptr;
    return out;
  }
  const Verification& v = *fix.verified;
  out["verified"] = {{"method", v.method},
                     {"cost_before", Rounded(v.cost_before, 100)},
                     {"cost_after", Rounded(v.cost_after, 100)},
                     {"used", v.used},
                     {"plan_change", v.plan_change},
                     {"replans", v.replans},
                     {"ms", Rounded(v.ms, 1000)}};
  return out;
}

}  // namespace

const char* SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kHigh:
      return "high";
    case Severity::kMedium:
      return "medium";
    case Severity::kLow:
      break;
  }
  return "low";
}

std::vector<Tip> ComputeTips(const ExplainQuery& query, const PlanMetrics& metrics,
                             const TipOptions& options) {
  std::vector<Tip> out;
  if (metrics.nodes.empty()) return out;
  const tips::TipContext ctx(query, metrics, options.catalog);
  for (RuleFn rule : kRules) rule(ctx, out);
  std::stable_sort(out.begin(), out.end(), MoreValuable);
  if (options.max_tips > 0 && out.size() > options.max_tips) out.resize(options.max_tips);
  return out;
}

nlohmann::json TipsToJson(const std::vector<Tip>& tips) {
  nlohmann::json out = nlohmann::json::array();
  for (const Tip& tip : tips) {
    out.push_back({{"code", tip.code},
                   {"severity", SeverityName(tip.severity)},
                   {"node", tip.node ? nlohmann::json(*tip.node) : nlohmann::json(nullptr)},
                   {"node_label", tip.node ? nlohmann::json(tip.node_label) : nlohmann::json()},
                   {"message", tip.message},
                   {"saving_ms", Rounded(tip.saving_ms, 1000)}});
    nlohmann::json& t = out.back();
    if (tip.estimate_based) t["estimate_based"] = true;
    if (tip.fix) t["fix"] = FixToJson(*tip.fix);
  }
  return out;
}

std::optional<double> MemorySettingKb(const std::string& value) {
  return tips::ParseMemoryKb(value);
}

std::string MemorySetting(double kb) { return tips::FriendlyMemory(kb); }

double PlanHashMemMultiplier(const ExplainQuery& query) { return tips::HashMemMultiplier(query); }

std::vector<std::string> RelationsRead(const ExplainQuery& query) {
  std::vector<std::string> names;
  auto walk = [&](auto&& self, const PlanNode& node) -> void {
    const std::string name = tips::RelationSql(node);
    if (!name.empty() && std::find(names.begin(), names.end(), name) == names.end()) {
      names.push_back(name);
    }
    for (const PlanNode& child : node.children) self(self, child);
  };
  walk(walk, query.plan);
  return names;
}

std::string VerificationLine(const Verification& v) {
  std::string line = "verified on your clone: estimated cost " + HumanCost(v.cost_before) + " → " +
                     HumanCost(v.cost_after);
  if (v.cost_after > 0 && v.cost_before > v.cost_after) {
    line += " (" + tips::Factor(v.cost_before / v.cost_after) + " cheaper)";
  } else if (v.cost_after >= v.cost_before) {
    line += " (no cheaper)";
  }
  if (!v.plan_change.empty()) line += "; " + v.plan_change;
  return line;
}

std::string TipsToText(const std::vector<Tip>& tips) {
  std::string text;
  for (const Tip& tip : tips) {
    text += std::string("- [") + SeverityName(tip.severity) + "] ";
    if (tip.estimate_based) text += "(estimated) ";
    if (!tip.node_label.empty() && !tip.message.starts_with(tip.node_label)) {
      text += tip.node_label + ": ";
    }
    text += tip.message + "\n";
    if (tip.fix && tip.fix->verified) text += "  " + VerificationLine(*tip.fix->verified) + "\n";
  }
  return text;
}

}  // namespace planbot::analyzer
