// The contract between analyzer/tips.cc and the rule files in analyzer/tips/: a rule looks at
// one statement and appends the tips it finds. Internal to the analyzer.
//
// A rule must not fail: figures it needs may be absent (plan-only EXPLAIN, TIMING OFF, older
// PostgreSQL), and then it simply does not fire. Rules keep their thresholds as named constants
// at the top of their file, documented in docs/tips.md. A TipContext borrows the query and its
// metrics for the duration of ComputeTips. Thread-safe (pure functions).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analyzer/plan_metrics.h"
#include "analyzer/plan_model.h"
#include "analyzer/tips.h"

namespace planbot::analyzer::tips {

// Severity by share of the statement's time (execution + planning) a tip would save.
inline constexpr double kHighShare = 0.20;
inline constexpr double kMediumShare = 0.05;

class TipContext {
 public:
  TipContext(const ExplainQuery& query, const PlanMetrics& metrics,
             const CatalogFacts* catalog = nullptr)
      : query_(query), metrics_(metrics), catalog_(catalog) {}

  const ExplainQuery& query() const { return query_; }
  // The clone's catalog; null when it was not read (offline render, no session).
  const CatalogFacts* catalog() const { return catalog_; }
  const PlanMetrics& metrics() const { return metrics_; }
  const std::vector<NodeMetrics>& nodes() const { return metrics_.nodes; }
  const NodeMetrics* Parent(const NodeMetrics& m) const {
    return m.parent >= 0 ? &metrics_.nodes[m.parent] : nullptr;
  }

  // Execution plus planning time, when either is known.
  std::optional<double> StatementMs() const;
  Severity SeverityFor(double saving_ms) const;

  // A tip on node `node` (or the whole statement), its severity derived from the saving.
  Tip Make(std::string code, std::optional<int> node, std::string message, double saving_ms) const;

 private:
  const ExplainQuery& query_;
  const PlanMetrics& metrics_;
  const CatalogFacts* catalog_;
};

using Tips = std::vector<Tip>;

void SeqScanFilterTips(const TipContext& ctx, Tips& out);
void IndexFilterTips(const TipContext& ctx, Tips& out);
void RowMisfireTips(const TipContext& ctx, Tips& out);
void SortSpillTips(const TipContext& ctx, Tips& out);
void HashSpillTips(const TipContext& ctx, Tips& out);
void HashAggSpillTips(const TipContext& ctx, Tips& out);
void LossyBitmapTips(const TipContext& ctx, Tips& out);
void HeapFetchesTips(const TipContext& ctx, Tips& out);
void LargeResultTips(const TipContext& ctx, Tips& out);
void PlanningDominatesTips(const TipContext& ctx, Tips& out);
void JitDominatesTips(const TipContext& ctx, Tips& out);
void WorkersShortTips(const TipContext& ctx, Tips& out);
void NestedLoopManyLoopsTips(const TipContext& ctx, Tips& out);
void OrderByLimitIndexTips(const TipContext& ctx, Tips& out);
void JoinKeyIndexTips(const TipContext& ctx, Tips& out);
void LikePrefixIndexTips(const TipContext& ctx, Tips& out);
void WrongIndexOrderTips(const TipContext& ctx, Tips& out);
void PartialIndexTips(const TipContext& ctx, Tips& out);
void EstimatedTips(const TipContext& ctx, Tips& out);
void LargeOffsetTips(const TipContext& ctx, Tips& out);
void OrAcrossTablesTips(const TipContext& ctx, Tips& out);
void StaleStatisticsTips(const TipContext& ctx, Tips& out);
void ReadEfficiencyTips(const TipContext& ctx, Tips& out);

}  // namespace planbot::analyzer::tips
