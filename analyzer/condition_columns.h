// Best-effort reading of the conditions PostgreSQL prints in EXPLAIN (Filter, Index Cond, Join
// Filter, Hash Cond, ...) to find the columns they compare, so that tips can name them:
// "((amount > '100'::numeric) AND (o.status = 'shipped'::text))" compares `status` for equality
// and `amount` as a range with constants.
//
// This is not a SQL parser: it understands the fully parenthesized form of ruleutils.c (casts,
// function calls, ANY/ALL arrays, IS [NOT] NULL, parameters, InitPlan/SubPlan references) and
// skips what it does not understand. It never fails and never throws; unknown input simply
// yields fewer comparisons. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace planbot::analyzer {

struct ColumnRef {
  std::string qualifier;   // table alias as printed ("o"), empty when unqualified
  std::string column;      // as printed, quotes kept: status, "Order Date"
  std::string expression;  // what an index would be built on: "status" or "lower(email)"
};

enum class ComparisonKind {
  kEquality,  // =, = ANY (array), IS NULL, IS NOT DISTINCT FROM: a B-tree's leading columns
  kRange,     // <, <=, >, >=, LIKE (~~): B-tree columns after the equality ones
  kOther,     // <>, regular expressions, containment, ...: not helped by a plain B-tree
};

struct Comparison {
  ColumnRef column;
  ComparisonKind kind = ComparisonKind::kOther;
  // Set when compared with another column (a join condition); unset: a constant or parameter.
  std::optional<ColumnRef> other;
  // The constant involves a parameter ($1) or an InitPlan's output: a value the planner did not
  // know, so column statistics could not tell how selective the comparison is.
  bool parameter = false;
};

// Every comparison of a column (or a function of one column) with a constant, a parameter or
// another column, in the order they appear.
std::vector<Comparison> ExtractComparisons(std::string_view condition);

// The distinct index expressions that `condition` compares with constants or parameters using
// B-tree-friendly operators: equality first, then ranges, each in order of appearance.
std::vector<std::string> IndexCandidateColumns(std::string_view condition);

}  // namespace planbot::analyzer
