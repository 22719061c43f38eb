// like_prefix_index: a Seq Scan whose Filter matches a text column by prefix (LIKE 'abc%',
// ILIKE 'abc%') or with the pattern range operators (~>=~, ~<~, ...) and discards most of what
// it reads. A B-tree serves a LIKE prefix only when it compares bytes: under the C collation a
// plain index does, under any other collation only an index with the pattern operator class
// (text_pattern_ops, varchar_pattern_ops for varchar, bpchar_pattern_ops for char) does, and the
// pattern range operators need that class whatever the collation. Equality columns of the same
// Filter come first. Without catalog facts the collation is unknown: the plain index is proposed
// and the pattern-class one is its alternative, so verification on the clone picks.
//
// ILIKE cannot use a B-tree at all: the advice is to rewrite it as lower(col) LIKE lower(pattern)
// with an index on lower(col). That needs the statement changed, which verification (it re-plans
// the statement as written) cannot check, so that tip carries no Fix.
//
// Plan-only EXPLAIN: fires on the planner's estimates where the plan-only seq-scan rule would
// (EstimatedSelectiveScan), marked estimate_based.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/tips/advice.h"
#include "analyzer/tips/rules.h"

namespace planbot::analyzer::tips {
namespace {

constexpr double kMinRowsRead = 10000;     // rows read (kept + removed) over all loops
constexpr double kMinRemovedShare = 0.90;  // share of the rows read that the Filter removed

bool IsPatternRange(const std::string& op) {
  return op == "~>=~" || op == "~>~" || op == "~<=~" || op == "~<~";
}

// The first LIKE/ILIKE with a literal prefix ('abc%'::text: not starting with a wildcard) or
// pattern range comparison with a constant.
std::optional<ConstantComparison> PatternComparison(const std::string& filter) {
  for (const ConstantComparison& c : ConstantComparisons(filter)) {
    if (c.parameter) continue;
    if (IsPatternRange(c.op)) return c;
    if (c.op != "~~" && c.op != "~~*") continue;
    if (c.constant.size() < 3 || c.constant[0] != '\'') continue;
    const char first = c.constant[1];
    if (first == '%' || first == '_' || first == '\'' || first == '\\') continue;
    return c;
  }
  return std::nullopt;
}

std::string PatternOpclass(const ColumnFacts* facts) {
  if (facts != nullptr && facts->type.starts_with("character varying")) {
    return "varchar_pattern_ops";
  }
  if (facts != nullptr && facts->type.starts_with("character")) return "bpchar_pattern_ops";
  return "text_pattern_ops";
}

// Equality columns (constants or parameters) of the filter other than the pattern's column.
std::vector<std::string> EqualityColumns(const TipContext& ctx, const PlanNode& node,
                                         const ConstantComparison& pattern) {
  std::vector<std::string> columns;
  for (const ConstantComparison& c : ConstantComparisons(*node.filter)) {
    if (c.op != "=" || c.expression == pattern.expression) continue;
    if (std::find(columns.begin(), columns.end(), c.expression) == columns.end()) {
      columns.push_back(c.expression);
    }
  }
  return MostSelectiveFirst(ctx.catalog(), node, std::move(columns));
}

std::vector<std::string> With(std::vector<std::string> columns, const std::string& key) {
  columns.push_back(key);
  return columns;
}

// What was seen: "... to match email by prefix (LIKE)".
std::string Seen(const NodeMetrics& m, const ConstantComparison& c, double read, double removed) {
  const std::string what = c.op == "~~"    ? "by prefix (LIKE)"
                           : c.op == "~~*" ? "by prefix (ILIKE)"
                                           : "with a pattern range (" + c.op + ")";
  if (!m.executed) {
    return m.label + " is expected to read about " + Rows(read) + " rows of the table to keep " +
           Rows(read - removed) + " matching " + c.expression + " " + what + ".";
  }
  return m.label + " read " + Rows(read) + " rows and its filter discarded " +
         Percent(removed / read) + " of them (" + Rows(read - removed) + " kept) matching " +
         c.expression + " " + what + ".";
}

void Propose(const TipContext& ctx, const NodeMetrics& m, const ConstantComparison& c, double read,
             double removed, double saving_ms, Tips& out) {
  const PlanNode& node = *m.node;
  const std::string relation = RelationSql(node);
  const ColumnFacts* facts = ColumnFactsOf(ctx.catalog(), node, c.column);
  std::string collation;
  if (facts != nullptr) {
    collation = ctx.catalog()->EffectiveCollation(*facts);
  } else if (ctx.catalog() != nullptr) {
    collation = ctx.catalog()->datcollate;
  }
  const bool c_collation = !collation.empty() && IsCCollation(collation);
  const std::string opclass = PatternOpclass(facts);
  const std::vector<std::string> equality = EqualityColumns(ctx, node, c);
  std::string message = Seen(m, c, read, removed);
  std::optional<Fix> fix;

  if (c.op == "~~*") {
    const std::string key = "lower(" + c.column + ")" + (c_collation ? "" : " " + opclass);
    message += " A B-tree index cannot serve ILIKE: rewrite the condition as lower(" + c.column +
               ") LIKE lower(pattern) and index that expression: " +
               IndexStatement(relation, With(equality, key)) + ";";
  } else if (IsPatternRange(c.op) || (!collation.empty() && !c_collation)) {
    const std::string key = c.expression + " " + opclass;
    fix = IndexFix(relation, {With(equality, key), {key}});
    message += IsPatternRange(c.op) ? " Only an index with the pattern operator class serves "
                                      "these operators: "
                                    : " Under the collation " + collation +
                                          " a plain B-tree index cannot serve a LIKE prefix; one "
                                          "with the pattern operator class can: ";
    message += fix->statements[0] + ";";
  } else if (c_collation) {
    fix = IndexFix(relation, {With(equality, c.expression), {c.expression}});
    message +=
        " Under the C collation a plain B-tree index serves the prefix: " + fix->statements[0] +
        ";";
  } else {
    const std::string key = c.expression + " " + opclass;
    fix = IndexFix(relation, {With(equality, c.expression), With(equality, key), {key}});
    message +=
        " An index lets PostgreSQL read only the rows with that prefix: " + fix->statements[0] +
        "; under a collation other than C it needs the pattern operator class (" + opclass +
        ") to serve LIKE.";
  }
  Tip tip = ctx.Make("like_prefix_index", m.id, std::move(message), saving_ms);
  tip.fix = std::move(fix);
  if (!m.executed) {
    tip.estimate_based = true;
    tip.severity = kEstimatedSeverity;
  }
  out.push_back(std::move(tip));
}

}  // namespace

bool LikePrefixApplies(const PlanNode& scan) {
  return scan.node_type == "Seq Scan" && scan.filter && !RelationSql(scan).empty() &&
         PatternComparison(*scan.filter).has_value();
}

void LikePrefixIndexTips(const TipContext& ctx, Tips& out) {
  const bool plan_only = PlanOnly(ctx.metrics());
  for (const NodeMetrics& m : ctx.nodes()) {
    const PlanNode& node = *m.node;
    if (!LikePrefixApplies(node)) continue;
    const ConstantComparison c = *PatternComparison(*node.filter);
    if (plan_only) {
      const std::optional<EstimatedScan> estimate =
          EstimatedSelectiveScan(ctx.metrics(), ctx.catalog(), m);
      if (!estimate) continue;
      Propose(ctx, m, c, estimate->table_rows, estimate->table_rows - estimate->kept, 0, out);
      continue;
    }
    if (!m.executed || !node.rows_removed_by_filter || !m.actual_rows_total) continue;
    const double removed = LoopsTotal(node.rows_removed_by_filter, m);
    const double read = removed + *m.actual_rows_total;
    if (read < kMinRowsRead || removed < kMinRemovedShare * read) continue;
    Propose(ctx, m, c, read, removed, m.exclusive_ms.value_or(0) * removed / read, out);
  }
}

}  // namespace planbot::analyzer::tips
