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
};

Result<Analysis> Analyze(std::string json, const AnalysisOptions& options);

// The analysis with every query constant masked (see the file comment). Failures: "bad_json"
// when the JSON cannot be masked (it was parsed, so only on exhaustion).
Result<Analysis> Masked(const Analysis& analysis);

}  // namespace planbot::analyzer
