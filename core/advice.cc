#include "core/advice.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "analyzer/plan_parse.h"

namespace planbot::core {
namespace {

using Clock = std::chrono::steady_clock;

// The catalog is read when a tip was found or the plan reads a relation in bulk: a node on a
// relation reading (or estimated to produce) at least this many rows, or, plan-only, any
// sequential scan. A small table's scan in an executed plan costs no catalog round trip.
constexpr double kCatalogRows = 1000;
// A setting fix whose re-plan turns to a hash table the measured rows would not fit is raised by
// doubling at most this many times.
constexpr int kMaxSettingRaises = 3;
// Bytes a hash table needs per entry beyond the row's width (tuple header, hash entry, pointers):
// a round figure above PostgreSQL's MinimalTuple + TupleHashEntry overhead, so the check errs on
// the side of "would still spill".
constexpr double kHashEntryOverheadBytes = 64;

struct Report {
  bool catalog_read = false;
  int replans = 0;
  std::string note;  // why verification stopped early, e.g. HypoPG missing
};

double Ms(Clock::time_point since) {
  return std::chrono::duration<double, std::milli>(Clock::now() - since).count();
}

double RootCost(const analyzer::Explain& explain) {
  const analyzer::PlanNode& root = explain.queries.front().plan;
  return root.total_cost ? root.total_cost->value : 0;
}

template <typename F>
void Preorder(const analyzer::PlanNode& node, F&& f) {
  f(node);
  for (const analyzer::PlanNode& child : node.children) Preorder(child, f);
}

bool WorthReadingCatalog(const analyzer::Analysis& a) {
  if (!a.tips.empty()) return true;
  for (const analyzer::NodeMetrics& m : a.metrics.nodes) {
    if (!m.node->relation_name) continue;
    // Plan-only: a table's size is only in the catalog. Executed: what the scan read says it.
    if (m.node->node_type == "Seq Scan" && !m.executed) return true;
    const double removed = m.node->rows_removed_by_filter
                               ? m.node->rows_removed_by_filter->value * m.loops.value_or(1)
                               : 0;
    const double rows =
        std::max(m.actual_rows_total.value_or(0) + removed, m.planned_rows_total.value_or(0));
    if (rows >= kCatalogRows) return true;
  }
  return false;
}

// "Seq Scan on orders" / "Index Scan on orders" / "Sort": what a node is, for plan changes.
std::string Shape(const analyzer::PlanNode& node) {
  std::string shape = node.node_type;
  if (node.relation_name) shape += " on " + *node.relation_name;
  return shape;
}

// "Seq Scan on orders, Sort → Index Scan on orders": the node shapes that went and came.
std::string PlanChange(const analyzer::Explain& before, const analyzer::Explain& after) {
  std::map<std::string, int> count;
  Preorder(before.queries.front().plan, [&](const analyzer::PlanNode& n) { ++count[Shape(n)]; });
  std::vector<std::string> came;
  Preorder(after.queries.front().plan, [&](const analyzer::PlanNode& n) {
    auto it = count.find(Shape(n));
    if (it != count.end() && it->second > 0) {
      --it->second;
    } else if (std::find(came.begin(), came.end(), Shape(n)) == came.end()) {
      came.push_back(Shape(n));
    }
  });
  std::vector<std::string> went;
  Preorder(before.queries.front().plan, [&](const analyzer::PlanNode& n) {
    auto it = count.find(Shape(n));
    if (it != count.end() && it->second > 0) {
      --it->second;
      if (std::find(went.begin(), went.end(), Shape(n)) == went.end()) went.push_back(Shape(n));
    }
  });
  if (went.empty() && came.empty()) return "";
  auto list = [](const std::vector<std::string>& items) {
    std::string out;
    for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
    return out.empty() ? std::string("nothing") : out;
  };
  return "plan: " + list(went) + " → " + list(came);
}

// "SET work_mem = '64MB'" → {work_mem, 64MB}.
std::optional<LocalSetting> ParseSet(const std::string& statement) {
  constexpr std::string_view kSet = "SET ";
  if (!statement.starts_with(kSet)) return std::nullopt;
  const size_t eq = statement.find(" = '");
  if (eq == std::string::npos || statement.back() != '\'') return std::nullopt;
  LocalSetting s;
  s.name = statement.substr(kSet.size(), eq - kSet.size());
  s.value = statement.substr(eq + 4, statement.size() - eq - 5);
  if (s.name.empty() || s.value.find('\'') != std::string::npos) return std::nullopt;
  return s;
}

class Verifier {
 public:
  Verifier(DatabaseSession& db, const std::string& sql, const analyzer::Analysis& analysis,
           const StatementLimits& limits, const AdviceBounds& bounds, Report& report)
      : db_(db),
        sql_(sql),
        analysis_(analysis),
        limits_(limits),
        bounds_(bounds),
        report_(report),
        cost_before_(RootCost(*analysis.explain)) {}

  std::optional<analyzer::TipVerdict> Verify(const analyzer::Tip& tip) {
    if (!tip.fix || tip.fix->statements.empty()) return std::nullopt;
    switch (tip.fix->kind) {
      case analyzer::FixKind::kIndex:
        return VerifyIndex(tip);
      case analyzer::FixKind::kSetting:
        return VerifySetting(tip);
      case analyzer::FixKind::kMaintenance:
        break;
    }
    return std::nullopt;
  }

 private:
  bool Budget() {
    if (report_.replans >= bounds_.max_replans) {
      if (report_.note.empty()) report_.note = "re-plan budget used up";
      return false;
    }
    if (Clock::now() >= bounds_.deadline) {
      if (report_.note.empty()) report_.note = "the command's deadline was reached";
      return false;
    }
    return true;
  }

  // The re-planned model, or nothing when the plan could not be had or read.
  std::optional<analyzer::Explain> Parse(const Result<std::string>& json) {
    if (!json) return std::nullopt;
    auto explain = analyzer::ParseExplainJson(*json);
    if (!explain || explain->queries.empty()) return std::nullopt;
    return std::move(*explain);
  }

  std::optional<analyzer::TipVerdict> VerifyIndex(const analyzer::Tip& tip) {
    if (hypo_unavailable_) return std::nullopt;
    const auto start = Clock::now();
    std::vector<std::vector<std::string>> candidates = {tip.fix->statements};
    for (const auto& alternative : tip.fix->alternatives) candidates.push_back(alternative);
    analyzer::TipVerdict verdict;
    verdict.code = tip.code;
    verdict.node = tip.node;
    int tried = 0;
    for (size_t k = 0; k < candidates.size(); ++k) {
      if (!Budget()) return tried > 0 ? std::optional(verdict) : std::nullopt;
      std::vector<HypoIndex> made;
      bool failed = false;
      for (const std::string& statement : candidates[k]) {
        auto hypo = db_.HypoCreate(statement, limits_);
        if (!hypo) {
          if (hypo.error().code == ErrorCode::kHypoUnavailable) {
            hypo_unavailable_ = true;
            report_.note = "HypoPG is not installed in the clone: index advice is not verified";
          }
          failed = true;
          break;
        }
        made.push_back(*hypo);
      }
      std::optional<analyzer::Explain> after;
      if (!failed) {
        ++report_.replans;
        ++tried;
        after = Parse(db_.Replan(sql_, {}, limits_));
      }
      for (const HypoIndex& h : made) (void)db_.HypoDrop(h.oid, limits_);
      if (hypo_unavailable_) return std::nullopt;
      if (!after) continue;
      bool used = false;
      Preorder(after->queries.front().plan, [&](const analyzer::PlanNode& n) {
        for (const HypoIndex& h : made) used = used || n.index_name == h.name;
      });
      const double cost_after = RootCost(*after);
      if (used && cost_after < cost_before_) {
        analyzer::Verification v;
        v.method = "hypothetical_index";
        v.cost_before = cost_before_;
        v.cost_after = cost_after;
        v.used = true;
        v.plan_change = PlanChange(*analysis_.explain, *after);
        v.replans = tried;
        v.ms = Ms(start);
        verdict.chosen = k;
        verdict.verified = v;
        return verdict;
      }
    }
    if (tried == 0) return std::nullopt;
    verdict.drop = true;  // no candidate the planner would use: not advised
    return verdict;
  }

  // The memory a hash-based node that the re-plan introduced would need for the rows the run
  // measured, in kB; 0 when the re-plan has none.
  double HashNeedKb(const analyzer::Explain& after, const analyzer::Tip& tip) {
    std::map<std::string, int> before;
    Preorder(analysis_.explain->queries.front().plan,
             [&](const analyzer::PlanNode& n) { ++before[n.node_type]; });
    const analyzer::NodeMetrics* spilled =
        tip.node && *tip.node < static_cast<int>(analysis_.metrics.nodes.size())
            ? &analysis_.metrics.nodes[*tip.node]
            : nullptr;
    const double measured_rows = spilled ? spilled->actual_rows_total.value_or(0) : 0;
    double need_kb = 0;
    Preorder(after.queries.front().plan, [&](const analyzer::PlanNode& n) {
      const bool hashed =
          n.node_type == "Hash" ||
          (n.node_type == "Aggregate" && (n.strategy == "Hashed" || n.strategy == "Mixed"));
      if (!hashed) return;
      if (before[n.node_type] > 0) {
        --before[n.node_type];
        return;
      }
      const double rows = std::max(measured_rows, n.plan_rows ? n.plan_rows->value : 0);
      const double width = static_cast<double>(n.plan_width.value_or(0));
      need_kb = std::max(need_kb, rows * (width + kHashEntryOverheadBytes) / 1024);
    });
    return need_kb;
  }

  std::optional<analyzer::TipVerdict> VerifySetting(const analyzer::Tip& tip) {
    if (tip.fix->statements.size() != 1) return std::nullopt;
    std::optional<LocalSetting> setting = ParseSet(tip.fix->statements.front());
    if (!setting) return std::nullopt;
    std::optional<double> kb = analyzer::MemorySettingKb(setting->value);
    const auto start = Clock::now();
    analyzer::TipVerdict verdict;
    verdict.code = tip.code;
    verdict.node = tip.node;
    const analyzer::ExplainQuery& q = analysis_.explain->queries.front();
    for (int raise = 0; raise <= kMaxSettingRaises; ++raise) {
      if (!Budget()) return raise > 0 ? std::optional(verdict) : std::nullopt;
      ++report_.replans;
      std::optional<analyzer::Explain> after = Parse(db_.Replan(sql_, {*setting}, limits_));
      if (!after) return std::nullopt;
      const double need_kb = HashNeedKb(*after, tip);
      const bool fits = !kb || need_kb <= *kb * analyzer::PlanHashMemMultiplier(q);
      analyzer::Verification v;
      v.method = "setting";
      v.cost_before = cost_before_;
      v.cost_after = RootCost(*after);
      v.used = fits;
      v.plan_change = PlanChange(*analysis_.explain, *after);
      v.replans = raise + 1;
      v.ms = Ms(start);
      verdict.verified = v;
      if (fits || !kb || setting->name != "work_mem") {
        if (raise > 0) verdict.setting_value = setting->value;
        return verdict;
      }
      // The re-plan switched to a hash table the measured rows would not fit: a setting that
      // would still spill is not advised — raise it and look again.
      *kb *= 2;
      setting->value = analyzer::MemorySetting(*kb);
    }
    verdict.drop = true;
    return verdict;
  }

  DatabaseSession& db_;
  const std::string& sql_;
  const analyzer::Analysis& analysis_;
  const StatementLimits& limits_;
  const AdviceBounds& bounds_;
  Report& report_;
  const double cost_before_;
  bool hypo_unavailable_ = false;
};

}  // namespace

void AdviseOnClone(DatabaseSession& db, const std::string& sql, analyzer::Analysis& analysis,
                   const StatementLimits& limits, const AdviceBounds& bounds) {
  Report report;
  const auto start = Clock::now();
  if (!analysis.explain || analysis.explain->queries.empty()) return;
  analyzer::Advice advice;
  if (WorthReadingCatalog(analysis) && Clock::now() < bounds.deadline) {
    auto facts = db.ReadCatalog(analyzer::RelationsRead(analysis.explain->queries.front()), limits);
    if (facts) {
      advice.catalog = std::make_shared<const analyzer::CatalogFacts>(std::move(*facts));
      report.catalog_read = true;
    } else {
      report.note = "the catalog could not be read: " + facts.error().message;
    }
  }
  std::vector<analyzer::Tip> tips = analyzer::UnverifiedTips(analysis, advice.catalog.get());
  Verifier verifier(db, sql, analysis, limits, bounds, report);
  for (const analyzer::Tip& tip : tips) {
    advice.verdicts.push_back(verifier.Verify(tip));
    if (!db.usable()) break;
  }
  advice.verified = true;
  advice.replans = report.replans;
  advice.note = report.note;
  advice.ms = Ms(start);
  analyzer::Readvise(analysis, std::move(advice));
}

}  // namespace planbot::core
