// Wording and setting values shared by the tip rules: friendly memory settings derived from the
// plan ("SET work_mem = '64MB'"), relation names as SQL would spell them, counts and ratios as
// people read them. Internal to the analyzer. Pure functions, no failure modes; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/plan_metrics.h"
#include "analyzer/plan_model.h"
#include "analyzer/tips.h"

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

// hash_mem_multiplier as the plan shows it: the SETTINGS value, else 2 (the default since
// PostgreSQL 15; it was 1 in 13 and 14).
double HashMemMultiplier(const ExplainQuery& query);

// The setting fix for a suggested work_mem: {kSetting, ["SET work_mem = '<value>'"]}.
Fix WorkMemFix(const std::string& value);

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

// Index advice (issue 14): the statements index tips propose, as `exec` accepts them, and what
// the rules that propose them share so that two rules never propose for the same node.
namespace planbot::analyzer::tips {

// Plan-only EXPLAIN: no time was measured, so no saving can be estimated; tips read from the
// planner's estimates carry this severity (their fix is checked on the clone before it is shown).
inline constexpr Severity kEstimatedSeverity = Severity::kMedium;

// True when no node has ANALYZE figures (EXPLAIN without ANALYZE: `plan`).
bool PlanOnly(const PlanMetrics& metrics);

// "CREATE INDEX ON orders (customer_id, created_at DESC)", with " WHERE <predicate>" when given.
// No trailing semicolon: what `exec` and hypopg_create_index accept.
std::string IndexStatement(const std::string& relation, const std::vector<std::string>& columns,
                           const std::string& predicate = "");

// A kIndex fix: the first candidate's statement, the others (duplicates dropped) as alternatives
// in order. Every candidate indexes `relation`, with `predicate` when given.
Fix IndexFix(const std::string& relation, const std::vector<std::vector<std::string>>& candidates,
             const std::string& predicate = "");

// Candidates for a column list: as given; then the first two swapped and the first alone when
// there are several.
std::vector<std::vector<std::string>> ColumnOrders(const std::vector<std::string>& columns);

// What the catalog says about the relation `scan` reads, or one of its columns (spelled as the
// plan prints it); null without catalog facts or when it does not list them.
const RelationFacts* FactsOf(const CatalogFacts* catalog, const PlanNode& scan);
const ColumnFacts* ColumnFactsOf(const CatalogFacts* catalog, const PlanNode& scan,
                                 const std::string& column);

// The number of distinct values pg_stats estimates (a negative n_distinct is a fraction of the
// relation's rows); unset when unknown.
std::optional<double> DistinctValues(const RelationFacts& relation, const ColumnFacts& column);

// Equality columns most selective (most distinct values) first when the catalog knows every one
// of them; otherwise in the order given (the condition's text order).
std::vector<std::string> MostSelectiveFirst(const CatalogFacts* catalog, const PlanNode& scan,
                                            std::vector<std::string> columns);

// B-tree columns for a condition compared with constants or parameters: equality columns (most
// selective first), then range columns; functions of one column as expressions (lower(email)).
std::vector<std::string> FilterIndexColumns(const CatalogFacts* catalog, const PlanNode& scan,
                                            std::string_view condition);

// One index of pg_get_indexdef(): "CREATE UNIQUE INDEX orders_pkey ON public.orders USING btree
// (id)" gives name orders_pkey and keys {"id"}; keys keep their opclass and order ("created_at
// DESC"); `partial` when it has a WHERE clause.
struct IndexDefinition {
  std::string name;
  std::vector<std::string> keys;
  bool partial = false;
};
std::optional<IndexDefinition> ParseIndexDefinition(std::string_view definition);

// The column (or expression) of an index key: "created_at DESC" -> created_at, "email
// text_pattern_ops" -> email, `"Order Date" DESC` -> `"Order Date"`.
std::string IndexKeyColumn(std::string_view key);

// True when the catalog shows a valid, non-partial index on `scan`'s relation whose leading
// columns are `columns` in this order. False without catalog facts.
bool HasIndexLeadingWith(const CatalogFacts* catalog, const PlanNode& scan,
                         const std::vector<std::string>& columns);

// A comparison of a column with a constant or parameter, read from the condition text as
// printed: "(events.status = 'pending'::text)", "((email)::text ~~ 'ab%'::text)",
// "(lower(code) ~~ 'c1%'::text)", "(account_id = $1)".
struct ConstantComparison {
  std::string qualifier;   // "events", empty when unqualified
  std::string column;      // as printed, quotes kept
  std::string expression;  // column, or function(column): lower(code)
  std::string cast;        // "text" for (email)::text, else empty
  std::string op;          // "=", "~~", "~~*", "<", ...
  std::string constant;    // as printed: 'pending'::text, 42, $1
  bool parameter = false;  // $n
};

// The comparisons of one column with one constant or parameter that `condition` ANDs together;
// nothing at all when it has OR or NOT (other than IS NOT): a branch implies no index condition.
std::vector<ConstantComparison> ConstantComparisons(std::string_view condition);

// A Sort Key of `scan`'s own columns as an index key: "events.created_at DESC" -> "created_at
// DESC" (NULLS FIRST/LAST kept); empty for an expression or another relation's column.
std::string SortKeyIndexColumn(const PlanNode& scan, const std::string& key);

// Rules that would both propose an index for the same node defer to the more specific one:
// seq_scan_filter and the plan-only seq-scan rule stay quiet where these fire.
// like_prefix_index.cc: the scan's Filter has a LIKE/ILIKE prefix or pattern-range condition.
bool LikePrefixApplies(const PlanNode& scan);
// partial_index.cc: partial_index fires on this scan.
bool PartialIndexApplies(const PlanMetrics& metrics, const CatalogFacts* catalog,
                         const NodeMetrics& scan);
// estimated_scans.cc: on plan-only EXPLAIN, a Seq Scan with a Filter over a large table (catalog
// reltuples) that the planner expects to keep a small share of; unset otherwise (or without
// catalog facts). `kept` counts every process of a Parallel Seq Scan.
struct EstimatedScan {
  double table_rows = 0;
  double kept = 0;
};
std::optional<EstimatedScan> EstimatedSelectiveScan(const PlanMetrics& metrics,
                                                    const CatalogFacts* catalog,
                                                    const NodeMetrics& scan);
// order_by_limit_index.cc: order_by_limit_index fires on the Sort above this scan.
bool OrderByLimitCovers(const PlanMetrics& metrics, const CatalogFacts* catalog,
                        const NodeMetrics& scan);

}  // namespace planbot::analyzer::tips
