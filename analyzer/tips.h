// Tips: concrete advice computed from one EXPLAIN statement and its derived metrics (SPEC §3
// `tips`): each tip is {code, severity, node, message, fix?}, e.g. a sequential scan discarding
// most of what it reads, a row-estimate misfire, a sort or hash spilling to disk. A tip that
// proposes a change carries it as a Fix (statements `exec` accepts); core/advice.h verifies it on
// the clone and derives the tips again with the catalog facts it read (analysis.h, Readvise).
//
// Every rule lives in its own file under analyzer/tips/ with its thresholds as named constants;
// docs/tips.md lists them. Each tip carries an estimated time saving (milliseconds of this run)
// that orders the list: most valuable first, then by severity, node id and code. Severity says
// how much of the statement's time (execution + planning) the tip is worth:
//   high   — at least 20%, medium — at least 5%, low — less, or not estimable;
// a rule may fix its severity when no saving can be estimated (large_result is "medium").
//
// Rules that need ANALYZE figures do not fire on plan-only EXPLAIN output; large_result and the
// plan-only rules read estimates (those tips are marked estimate_based); rules that need the
// catalog do not fire without it; no rule fails on missing figures.
//
// Pure functions, no failure modes; thread-safe. Tips are plain values owned by the caller.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/plan_metrics.h"
#include "analyzer/plan_model.h"

namespace planbot::analyzer {

enum class Severity { kHigh, kMedium, kLow };

// What the clone's catalog says about the relations a plan reads (core/advice.cc reads it on the
// session's connection; metadata and statistics figures only — never pg_stats' value lists).
// Rules that need it (collation, selectivity, staleness) do not fire without it.
struct ColumnFacts {
  std::string name;       // as SQL spells it (quoted when needed)
  std::string type;       // format_type(): "text", "character varying(80)", "integer", ...
  std::string collation;  // the column's collation name ("C", "en_US.utf8", ...); empty: the
                          // database default (CatalogFacts::datcollate) or not collatable
  bool collatable = false;
  std::optional<double> n_distinct;   // pg_stats: > 0 distinct values, < 0 minus a fraction
  std::optional<double> null_frac;    // pg_stats
  std::optional<double> correlation;  // pg_stats: physical order vs. column order, -1 .. 1
};

struct RelationFacts {
  std::string name;       // as RelationSql (tips/advice.h) spells it: orders, sales."Items"
  double reltuples = -1;  // pg_class.reltuples (-1: never analysed or vacuumed)
  double relpages = 0;    // pg_class.relpages: pages when last analysed or vacuumed
  // pg_relation_size() / block size: pages now. Template clones copy pg_class but start with
  // empty pg_stat counters, so a table grown since its ANALYZE shows here, not in the counters.
  double current_pages = 0;
  double live_tuples = 0;            // pg_stat_user_tables.n_live_tup
  double dead_tuples = 0;            // pg_stat_user_tables.n_dead_tup
  double mod_since_analyze = 0;      // pg_stat_user_tables.n_mod_since_analyze
  bool analyzed = false;             // last_analyze or last_autoanalyze is set
  std::vector<std::string> indexes;  // pg_get_indexdef() of each valid index
  std::vector<ColumnFacts> columns;  // in attnum order, dropped columns left out

  const ColumnFacts* Column(std::string_view column) const;
};

struct CatalogFacts {
  std::string datcollate;  // pg_database.datcollate of the clone: "C", "C.UTF-8", "en_US.UTF-8"
  std::vector<RelationFacts> relations;

  const RelationFacts* Relation(std::string_view name) const;
  // The collation a column compares with: its own, else the database's.
  std::string EffectiveCollation(const ColumnFacts& column) const;
};

// True for "C" and "POSIX", under which a B-tree on text serves LIKE 'abc%' and byte ranges.
bool IsCCollation(std::string_view collation);

// What planbot measured on the clone before it gave a fix (core/advice.cc): the planner's total
// cost of the statement as it ran and with the fix in place (an index created as a HypoPG
// hypothetical index, or a setting made with SET LOCAL), planning only, in a transaction that is
// rolled back.
struct Verification {
  std::string method;       // "hypothetical_index" or "setting"
  double cost_before = 0;   // root Total Cost of the plan as it ran
  double cost_after = 0;    // root Total Cost re-planned with the fix
  bool used = false;        // index: the re-plan uses it; setting: the node no longer spills
                            // by the planner's own estimate
  std::string plan_change;  // e.g. "Sort → Index Scan using the index"; empty: same shape
  int replans = 0;          // re-plans this fix took (alternatives included)
  double ms = 0;            // time spent verifying this fix
};

enum class FixKind {
  kIndex,        // CREATE INDEX ...: verified with HypoPG
  kSetting,      // SET work_mem = ...: verified with SET LOCAL and a re-plan
  kMaintenance,  // ANALYZE, VACUUM, CREATE STATISTICS: not verified (they change the clone)
};

// A change that `exec` accepts as it is, statement by statement.
struct Fix {
  FixKind kind = FixKind::kIndex;
  std::vector<std::string> statements;
  // Index fixes: other candidates, tried in order when the planner would not use the first
  // (another column order, text_pattern_ops, ...). The one that is used replaces `statements`
  // (and its text in the tip's message); when none is, the tip is not given.
  std::vector<std::vector<std::string>> alternatives;
  std::optional<Verification> verified;
};

// "high", "medium", "low".
const char* SeverityName(Severity severity);

struct Tip {
  std::string code;  // stable identifier, e.g. "seq_scan_filter"
  Severity severity = Severity::kLow;
  std::optional<int> node;      // preorder node id (plan_metrics.h); unset: the whole statement
  std::string node_label;       // NodeLabel of that node; empty when `node` is unset
  std::string message;          // what was seen and what to do, with the setting or SQL to try
  double saving_ms = 0;         // estimated time saved; 0 when it cannot be estimated
  std::optional<Fix> fix;       // the change the tip proposes, when it is statements to run
  bool estimate_based = false;  // read from the planner's estimates only (plan-only EXPLAIN)
};

struct TipOptions {
  size_t max_tips = 0;                    // keep only the most valuable ones; 0 keeps all
  const CatalogFacts* catalog = nullptr;  // the clone's catalog, when it could be read
};

// The tips for one statement, most valuable first. `metrics` must be ComputeMetrics(query).
std::vector<Tip> ComputeTips(const ExplainQuery& query, const PlanMetrics& metrics,
                             const TipOptions& options = {});

// [{"code", "severity", "node", "node_label", "message", "saving_ms", "estimate_based"?,
//   "fix"?: {"kind", "statements", "verified": {...} | null}}, ...]; `node` and `node_label` are
// null for statement-level tips.
nlohmann::json TipsToJson(const std::vector<Tip>& tips);

// Plain text, one tip per line: "- [high] Seq Scan on orders: <message>" (the label is left out
// when the message starts with it), an estimate-based tip marked "(estimated)", and under a
// verified fix one more line: "  verified on your clone: estimated cost 12,345 → 8.4 (1,470×
// cheaper)".
std::string TipsToText(const std::vector<Tip>& tips);

// The relations `query` reads, each once, spelled as tips and CatalogFacts name them (orders,
// sales."Items"): what the catalog is read for.
std::vector<std::string> RelationsRead(const ExplainQuery& query);

// Memory settings as the tips write them, for the core's verification of a setting fix: a value
// ("64MB", "4096kB", "1GB") in kB; a kB amount rounded up as FriendlyMemory does ("128MB"); the
// hash_mem_multiplier the plan's SETTINGS show (2, PostgreSQL 15's default, when not listed).
std::optional<double> MemorySettingKb(const std::string& value);
std::string MemorySetting(double kb);
double PlanHashMemMultiplier(const ExplainQuery& query);

// The line above for one verification, without indent: "verified on your clone: ...".
std::string VerificationLine(const Verification& v);

}  // namespace planbot::analyzer
