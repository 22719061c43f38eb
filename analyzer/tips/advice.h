// Wording and setting values shared by the tip rules: friendly memory settings derived from the
// plan ("SET work_mem = '64MB'"), relation names as SQL would spell them, counts and ratios as
// people read them. Internal to the analyzer. Pure functions, no failure modes; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analyzer/plan_metrics.h"
#include "analyzer/plan_model.h"

namespace planbot::analyzer::tips {

// A memory setting at least `kb` kilobytes, rounded up to a power of two in MB or GB as people
// write them: "1MB" at least, then "2MB", "4MB", ... "512MB", "1GB", "2GB", ...
std::string FriendlyMemory(double kb);

// A PostgreSQL memory setting ("64MB", "4096kB", "1GB", "8192" = kB) in kilobytes.
std::optional<double> ParseMemoryKb(const std::string& value);

// work_mem in kB as the plan shows it: the SETTINGS value, 4MB (the built-in default) when
// SETTINGS was requested and work_mem is not listed, unknown otherwise.
std::optional<double> CurrentWorkMemKb(const ExplainQuery& query);

// The work_mem value to suggest for an operation that needs `needed_kb`: at least twice the
// current work_mem when known, so the suggestion is always a real increase.
std::string SuggestedWorkMem(const ExplainQuery& query, double needed_kb);

// " (work_mem is 4MB)" when work_mem is known from SETTINGS, else "".
std::string CurrentWorkMemNote(const ExplainQuery& query);

// The relation a scan reads as SQL spells it: orders, sales."Order Items". The schema is left
// out when it is "public" or unknown (EXPLAIN prints it only with VERBOSE).
std::string RelationSql(const PlanNode& node);

// Identifier quoting as PostgreSQL does for names that are not plain lower-case words.
std::string QuoteName(const std::string& name);

// Columns of `scan`'s relation that `conditions` compare for equality with another relation's
// columns (join conditions, nested-loop parameters): qualified with the scan's alias, or
// unqualified against a column qualified with another alias (as EXPLAIN prints a scan's own
// columns without VERBOSE).
std::vector<std::string> JoinColumnsOf(const PlanNode& scan,
                                       const std::vector<std::string>& conditions);

// The distinct relations read in the subtree of node `id`, in preorder, at most `limit`.
std::vector<std::string> RelationsBelow(const PlanMetrics& metrics, int id, size_t limit);

// The first node in preorder of `id`'s subtree that reads a relation, or -1.
int FirstRelationNode(const PlanMetrics& metrics, int id);

// A per-loop average PostgreSQL prints (Rows Removed by Filter, Heap Fetches, ...) times the
// node's loops: the total over the run. 0 when absent.
double LoopsTotal(const OptNum& per_loop, const NodeMetrics& m);

// 1,234,567 for a row count that may carry decimals.
std::string Rows(double rows);

// "1 row", "12,000 rows".
std::string RowsWithNoun(double rows);

// "2.5%", "45%", "99.6%", "100%", "200%": one decimal below 10% and between 99% and 99.95%.
std::string Percent(double share);

// "12×", "1.5×", "3,400×".
std::string Factor(double factor);

// "a, b, c".
std::string JoinList(const std::vector<std::string>& items);

}  // namespace planbot::analyzer::tips
