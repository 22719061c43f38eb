// One plan, analysed once: everything planbot shows of an EXPLAIN (SPEC §3) — PostgreSQL's JSON
// as it printed it, the text rendering, the summary, the per-node metrics, the tips and the
// HypoPG indexes the plan uses — computed by Analyze from the JSON in one pass of the parser and
// handed, typed, to every edge (the HTTP answer, the chat text, Slack, the history row). JSON is
// built only at those edges.
//
// For the "normalized" history policy, Masked() derives the same analysis with every query
// constant masked: the JSON through MaskPlanJson (one streaming pass over the text), the model by
// the same rule (MaskPlanModel), and from it the text and the tips, which quote conditions. The
// figures — summary and metrics — are the same numbers and are not computed again.
//
// Ownership: an Analysis owns its model; `metrics` points into it, so an Analysis can be moved
// but not copied (share it as shared_ptr<const Analysis>). Failures: Analyze returns the
// parser's Error ("bad_json", "not_explain") for input that is not EXPLAIN JSON. Thread-safe:
// pure functions over values.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/plan_metrics.h"
#include "analyzer/plan_model.h"
#include "analyzer/summary.h"
#include "analyzer/tips.h"
#include "common/result.h"

namespace planbot::analyzer {

struct AnalysisOptions {
  int server_version_num = 0;  // the server that printed the plan: labels follow its version
  int64_t block_size = 8192;   // its block size, for the summary's byte figures
};

// What the core learned on the clone after the first analysis (core/advice.cc): the catalog
// facts the tips are derived with, and per tip what the verification of its fix decided. Kept in
// the Analysis so that Masked() derives the same tips from the masked model.
struct TipVerdict {
  std::string code;  // the tip it is about, as ComputeTips returned it (checked on apply)
  std::optional<int> node;
  bool drop = false;  // the fix was not confirmed (an index the planner would not use)
  size_t chosen = 0;  // 0: fix.statements; k > 0: fix.alternatives[k - 1]
  std::optional<Verification> verified;
  std::optional<std::string> setting_value;  // a setting fix raised to this value ("256MB")
};

struct Advice {
  std::shared_ptr<const CatalogFacts> catalog;
  // Index i is about the i-th tip of ComputeTips with `catalog` (before verdicts are applied).
  std::vector<std::optional<TipVerdict>> verdicts;
  // What verification took: re-plans, milliseconds, and why it stopped early ("" when it did not).
  bool verified = false;  // the clone was consulted at all
  int replans = 0;
  double ms = 0;
  std::string note;
};

struct Analysis {
  Analysis() = default;
  Analysis(Analysis&&) = default;
  Analysis& operator=(Analysis&&) = default;
  Analysis(const Analysis&) = delete;
  Analysis& operator=(const Analysis&) = delete;

  AnalysisOptions options;
  std::string json;                               // the EXPLAIN JSON, byte for byte as given
  std::unique_ptr<const Explain> explain;         // its model
  std::string text;                               // RenderText: PostgreSQL's text EXPLAIN
  Summary summary;                                // of the first statement
  PlanMetrics metrics;                            // of the first statement; points into *explain
  std::vector<Tip> tips;                          // of the first statement, most valuable first
  std::vector<std::string> hypothetical_indexes;  // HypoPG indexes ("<13556>btree_t_a") used
  Advice advice;                                  // what the clone added; empty until Readvise
};

Result<Analysis> Analyze(std::string json, const AnalysisOptions& options);

// The tips of `analysis` derived again with `advice`: computed with its catalog facts, then each
// verdict applied (a dropped tip goes, a chosen alternative replaces the fix and its text in
// the message, the verification is attached and orders the list). Kept for Masked().
void Readvise(Analysis& analysis, Advice advice);

// The tips as ComputeTips gives them with `catalog`, before any verdict: what verdicts index.
std::vector<Tip> UnverifiedTips(const Analysis& analysis, const CatalogFacts* catalog);

// The analysis with every query constant masked (see the file comment). Failures: "bad_json"
// when the JSON cannot be masked (it was parsed, so only on exhaustion).
Result<Analysis> Masked(const Analysis& analysis);

}  // namespace planbot::analyzer
