// or_across_tables: a join whose Join Filter (or Filter) is an OR of conditions on two different
// relations, "((c.email = 'x') OR (o.note = 'y'))", evaluated only once rows of both are joined,
// so neither condition can use an index and both relations are read in full (Seq Scans). Advice:
// a UNION of two queries, one per condition, each of which can use an index of its own table. No
// fix: it is a rewrite of the query.
#include <algorithm>
#include <string>
#include <vector>

#include "analyzer/condition_columns.h"
#include "analyzer/tips/advice.h"
#include "analyzer/tips/rules.h"

namespace planbot::analyzer::tips {
namespace {

constexpr double kMinScanRows = 1000;  // rows each Seq Scan read (kept + removed), at least
constexpr double kSavingShare = 0.5;   // of the join's and both scans' own time

// Drops parentheses that enclose the whole text.
std::string_view Unwrap(std::string_view text) {
  while (text.size() >= 2 && text.front() == '(' && text.back() == ')') {
    int depth = 0;
    bool quoted = false, whole = true;
    for (size_t i = 0; i < text.size(); ++i) {
      const char c = text[i];
      if (c == '\'' || c == '"') quoted = !quoted;  // '' and "" toggle twice
      if (quoted) continue;
      if (c == '(') ++depth;
      if (c == ')' && --depth == 0 && i + 1 < text.size()) whole = false;
    }
    if (!whole) break;
    text = text.substr(1, text.size() - 2);
  }
  return text;
}

// The arms of a top-level OR, or nothing when the condition is not one.
std::vector<std::string_view> OrArms(std::string_view condition) {
  const std::string_view text = Unwrap(condition);
  std::vector<std::string_view> arms;
  int depth = 0;
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\'' || c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (depth == 0 && text.compare(i, 4, " OR ") == 0) {
      arms.push_back(text.substr(start, i - start));
      start = i + 4;
    }
  }
  if (arms.empty()) return {};
  arms.push_back(text.substr(start));
  return arms;
}

// The one alias every column of `arm` is qualified with and those columns; empty alias when the
// arm mentions none or several.
std::pair<std::string, std::vector<std::string>> ArmColumns(std::string_view arm) {
  std::string alias;
  std::vector<std::string> columns;
  for (const Comparison& c : ExtractComparisons(arm)) {
    for (const ColumnRef* ref : {&c.column, c.other ? &*c.other : nullptr}) {
      if (ref == nullptr) continue;
      if (ref->qualifier.empty() || (!alias.empty() && ref->qualifier != alias)) return {};
      alias = ref->qualifier;
      if (std::find(columns.begin(), columns.end(), ref->expression) == columns.end()) {
        columns.push_back(ref->expression);
      }
    }
  }
  return {alias, columns};
}

std::string AliasOf(const PlanNode& node) {
  return node.alias.value_or(node.relation_name.value_or(""));
}

// The Seq Scan with alias `alias` in the subtree of `id`, or nullptr.
const NodeMetrics* SeqScanOf(const TipContext& ctx, int id, const std::string& alias) {
  const NodeMetrics& m = ctx.nodes()[id];
  const PlanNode& node = *m.node;
  if ((node.node_type == "Seq Scan" || node.node_type == "Parallel Seq Scan") &&
      AliasOf(node) == alias) {
    return &m;
  }
  for (int child : m.children) {
    if (const NodeMetrics* found = SeqScanOf(ctx, child, alias)) return found;
  }
  return nullptr;
}

struct Side {
  const NodeMetrics* scan = nullptr;
  std::vector<std::string> columns;
};

}  // namespace

void OrAcrossTablesTips(const TipContext& ctx, Tips& out) {
  for (const NodeMetrics& m : ctx.nodes()) {
    const PlanNode& node = *m.node;
    if (!m.executed || (node.node_type != "Nested Loop" && node.node_type != "Hash Join" &&
                        node.node_type != "Merge Join")) {
      continue;
    }
    std::vector<int> inputs;
    for (int id : m.children) {
      if (!IsSubplan(*ctx.nodes()[id].node)) inputs.push_back(id);
    }
    const OptString& condition = node.join_filter ? node.join_filter : node.filter;
    if (!condition || inputs.size() != 2) continue;
    std::vector<Side> sides(2);  // outer, inner
    bool fits = true;
    const std::vector<std::string_view> arms = OrArms(*condition);
    for (std::string_view arm : arms) {
      auto [alias, columns] = ArmColumns(arm);
      const NodeMetrics* outer = alias.empty() ? nullptr : SeqScanOf(ctx, inputs[0], alias);
      const NodeMetrics* inner = alias.empty() ? nullptr : SeqScanOf(ctx, inputs[1], alias);
      const NodeMetrics* scan = outer ? outer : inner;
      Side& side = sides[outer ? 0 : 1];
      if (scan == nullptr || (side.scan && side.scan != scan)) {
        fits = false;
        break;
      }
      side.scan = scan;
      for (const std::string& c : columns) {
        if (std::find(side.columns.begin(), side.columns.end(), c) == side.columns.end()) {
          side.columns.push_back(c);
        }
      }
    }
    if (!fits || !sides[0].scan || !sides[1].scan) continue;
    if (ArmColumns(arms[0]).first != AliasOf(*sides[0].scan->node)) {
      std::swap(sides[0], sides[1]);  // name them in the order the condition does
    }
    double scans_ms = 0;
    for (const Side& side : sides) {
      const NodeMetrics& s = *side.scan;
      const double read =
          s.actual_rows_total.value_or(0) + LoopsTotal(s.node->rows_removed_by_filter, s);
      if (read < kMinScanRows) fits = false;
      scans_ms += s.exclusive_ms.value_or(0);
    }
    if (!fits) continue;
    auto on = [](const Side& side) {
      return RelationSql(*side.scan->node) + " (" + JoinList(side.columns) + ")";
    };
    auto read = [](const Side& side) {
      const NodeMetrics& s = *side.scan;
      return s.label + ": " +
             Rows(s.actual_rows_total.value_or(0) + LoopsTotal(s.node->rows_removed_by_filter, s)) +
             " rows";
    };
    std::string message =
        m.label + ": its " + (node.join_filter ? "Join Filter" : "Filter") +
        " is an OR of a condition on " + on(sides[0]) + " and one on " + on(sides[1]) +
        ", which can only be checked on joined rows, so no index can serve either and both "
        "tables were read in full (" +
        read(sides[0]) + ", " + read(sides[1]) +
        "). Rewrite the query as a UNION of two queries, one with each condition, so that each "
        "can use an index on its own table (" +
        on(sides[0]) + ", " + on(sides[1]) +
        "); UNION removes the rows both return, or use UNION ALL and exclude the first "
        "condition's rows in the second query.";
    const double saving = kSavingShare * (m.exclusive_ms.value_or(0) + scans_ms);
    out.push_back(ctx.Make("or_across_tables", m.id, std::move(message), saving));
  }
}

}  // namespace planbot::analyzer::tips
