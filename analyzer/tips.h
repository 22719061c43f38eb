// Tips: concrete advice computed from one EXPLAIN statement and its derived metrics (SPEC §3
// `tips`): each tip is {code, severity, node, message}, e.g. a sequential scan discarding most of
// what it reads, a row-estimate misfire, a sort or hash spilling to disk.
//
// Every rule lives in its own file under analyzer/tips/ with its thresholds as named constants;
// docs/tips.md lists them. Each tip carries an estimated time saving (milliseconds of this run)
// that orders the list: most valuable first, then by severity, node id and code. Severity says
// how much of the statement's time (execution + planning) the tip is worth:
//   high   — at least 20%, medium — at least 5%, low — less, or not estimable;
// a rule may fix its severity when no saving can be estimated (large_result is "medium").
//
// Rules that need ANALYZE figures do not fire on plan-only EXPLAIN output (only large_result
// reads estimates); no rule fails on missing figures.
//
// Pure functions, no failure modes; thread-safe. Tips are plain values owned by the caller.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/plan_metrics.h"
#include "analyzer/plan_model.h"

namespace planbot::analyzer {

enum class Severity { kHigh, kMedium, kLow };

// "high", "medium", "low".
const char* SeverityName(Severity severity);

struct Tip {
  std::string code;  // stable identifier, e.g. "seq_scan_filter"
  Severity severity = Severity::kLow;
  std::optional<int> node;  // preorder node id (plan_metrics.h); unset: the whole statement
  std::string node_label;   // NodeLabel of that node; empty when `node` is unset
  std::string message;      // what was seen and what to do, with the setting or SQL to try
  double saving_ms = 0;     // estimated time saved; 0 when it cannot be estimated
};

struct TipOptions {
  size_t max_tips = 0;  // keep only the most valuable ones; 0 keeps all
};

// The tips for one statement, most valuable first. `metrics` must be ComputeMetrics(query).
std::vector<Tip> ComputeTips(const ExplainQuery& query, const PlanMetrics& metrics,
                             const TipOptions& options = {});

// [{"code", "severity", "node", "node_label", "message", "saving_ms"}, ...]; `node` and
// `node_label` are null for statement-level tips.
nlohmann::json TipsToJson(const std::vector<Tip>& tips);

// Plain text, one tip per line: "- [high] Seq Scan on orders: <message>".
std::string TipsToText(const std::vector<Tip>& tips);

}  // namespace planbot::analyzer
