#include "analyzer/tips/misfire_advice.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "analyzer/condition_columns.h"
#include "analyzer/tips/advice.h"

namespace planbot::analyzer::tips {
namespace {

constexpr int kStatisticsTarget = 1000;  // suggested per-column statistics target (default 100)

// What a scan's conditions compare, sorted by what the planner could know about it.
struct ScanConditions {
  bool any = false;                      // the scan has conditions at all
  std::vector<std::string> constants;    // plain columns compared with literal values
  std::vector<std::string> expressions;  // lower(email) and the like, compared with values
  bool parameters = false;               // some comparison is with $n or an InitPlan's output
  std::vector<std::string> joins;        // columns compared with another table's column
};

void AddOnce(std::vector<std::string>& list, const std::string& item) {
  if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

ScanConditions ReadConditions(const PlanNode& node) {
  ScanConditions c;
  std::vector<std::string> texts;
  for (const auto* cond : {&node.index_cond, &node.recheck_cond, &node.filter}) {
    if (*cond) texts.push_back(**cond);
  }
  c.any = !texts.empty();
  for (const std::string& text : texts) {
    for (const Comparison& cmp : ExtractComparisons(text)) {
      if (cmp.other) continue;
      if (cmp.parameter) {
        c.parameters = true;
      } else if (cmp.column.expression == cmp.column.column) {
        AddOnce(c.constants, cmp.column.column);
      } else {
        AddOnce(c.expressions, cmp.column.expression);
      }
    }
  }
  c.joins = JoinColumnsOf(node, texts);
  return c;
}

std::string StatisticsName(const std::string& relation, const std::vector<std::string>& columns) {
  std::string name = relation;
  for (const std::string& column : columns) name += "_" + column;
  name += "_stats";
  std::string clean;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '_') clean += static_cast<char>(std::tolower(u));
  }
  return clean.substr(0, 63);
}

std::string SetStatistics(const std::string& relation, const std::string& column) {
  return "ALTER TABLE " + relation + " ALTER COLUMN " + column + " SET STATISTICS " +
         std::to_string(kStatisticsTarget) + ";";
}

std::string ColumnAdvice(const PlanNode& node, const std::string& relation,
                         const ScanConditions& c) {
  if (c.constants.size() == 1) {
    return " If it stays off, raise the statistics target of " + c.constants[0] + ": " +
           SetStatistics(relation, c.constants[0]) + " ANALYZE " + relation + ";";
  }
  if (c.constants.size() > 1) {
    const std::string list = JoinList(c.constants);
    return " If it stays off and " + list +
           " are correlated, create extended statistics: CREATE STATISTICS " +
           StatisticsName(node.relation_name.value_or(""), c.constants) +
           " (dependencies, mcv) ON " + list + " FROM " + relation + "; ANALYZE " + relation +
           "; or raise their statistics target (" + SetStatistics(relation, c.constants[0]) + ").";
  }
  if (!c.expressions.empty()) {
    return " The planner has no statistics on " + c.expressions[0] + ": CREATE STATISTICS ON (" +
           c.expressions[0] + ") FROM " + relation +
           "; (PostgreSQL 14+) or an index on it, then ANALYZE " + relation + ";";
  }
  if (c.parameters) {
    return " The condition compares with a value unknown at planning time (a parameter or a "
           "subquery's result), so the planner guessed its selectivity: a literal value, or "
           "plan_cache_mode = force_custom_plan for prepared statements, lets it use statistics.";
  }
  if (!c.joins.empty()) {
    return " The rows per loop depend on the number of distinct values of " + c.joins[0] +
           ": raise its statistics target (" + SetStatistics(relation, c.joins[0]) +
           ") or set it with ALTER TABLE " + relation + " ALTER COLUMN " + c.joins[0] +
           " SET (n_distinct = ...);";
  }
  if (c.any) {
    return " Its condition uses expressions without statistics of their own: extended "
           "statistics on the expression (CREATE STATISTICS, PostgreSQL 14+) or an expression "
           "index give the planner some.";
  }
  return " With no condition to misjudge, the table's own row count estimate is out of date.";
}

// A scan of `relation_node`'s table, with the conditions of `cond_node` (they differ for a
// Bitmap Index Scan, whose table is its parent's).
std::string ScanAdvice(const PlanNode& relation_node, const PlanNode& cond_node) {
  const std::string relation = RelationSql(relation_node);
  PlanNode conditions = cond_node;
  conditions.relation_name = relation_node.relation_name;
  conditions.alias = relation_node.alias;
  return " Run ANALYZE " + relation + ";" +
         ColumnAdvice(relation_node, relation, ReadConditions(conditions));
}

std::string TablesAdvice(const std::vector<std::string>& tables) {
  return tables.empty() ? " Run ANALYZE on the tables involved."
                        : " Run ANALYZE on " + JoinList(tables) + ".";
}

// The CTE's own plan: the InitPlan named "CTE <name>".
int CteRoot(const TipContext& ctx, const std::string& name) {
  for (const NodeMetrics& m : ctx.nodes()) {
    if (m.node->parent_relationship == "InitPlan" && m.node->subplan_name == "CTE " + name) {
      return m.id;
    }
  }
  return -1;
}

std::string OtherAdvice(const TipContext& ctx, const NodeMetrics& m) {
  const PlanNode& node = *m.node;
  if (node.node_type == "Function Scan") {
    return " A set-returning function is estimated from its ROWS setting (1,000 by default) or a "
           "planner support function; for a function of your own, ALTER FUNCTION ... ROWS n "
           "with a typical row count gives the planner a better estimate.";
  }
  int subtree = m.id;
  if (node.node_type == "CTE Scan" && node.cte_name) subtree = CteRoot(ctx, *node.cte_name);
  std::string advice = TablesAdvice(subtree >= 0 ? RelationsBelow(ctx.metrics(), subtree, 4)
                                                 : std::vector<std::string>{});
  const OptString& cond = node.hash_cond    ? node.hash_cond
                          : node.merge_cond ? node.merge_cond
                                            : node.join_filter;
  if (cond) {
    return advice + " If it stays off, the join condition " + *cond +
           " or filters on correlated columns are misjudged: extended statistics (CREATE "
           "STATISTICS) on the filtered columns of each table can help.";
  }
  if (!node.group_key.empty()) {
    return advice + " The number of groups of (" + JoinList(node.group_key) +
           ") was misjudged; for several columns of one table, CREATE STATISTICS (ndistinct) ON "
           "those columns FROM that table lets the planner count their combinations.";
  }
  return advice;
}

}  // namespace

std::string MisfireAdvice(const TipContext& ctx, const NodeMetrics& m) {
  const PlanNode& node = *m.node;
  if (node.relation_name) return ScanAdvice(node, node);
  const NodeMetrics* parent = ctx.Parent(m);
  if (node.node_type == "Bitmap Index Scan" && parent && parent->node->relation_name) {
    return ScanAdvice(*parent->node, node);
  }
  return OtherAdvice(ctx, m);
}

}  // namespace planbot::analyzer::tips
