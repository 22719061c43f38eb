#include "analyzer/tips/misfire_advice.h"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <vector>

#include "analyzer/condition_columns.h"
#include "analyzer/tips/advice.h"

namespace planbot::analyzer::tips {
namespace {

constexpr int kStatisticsTarget = 1000;  // suggested per-column statistics target (default 100)
constexpr double kSavingShare = 0.5;     // of the consumer's own time a better plan may save

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
         std::to_string(kStatisticsTarget);
}

std::string Analyze(const std::string& relation) { return "ANALYZE " + relation; }

Fix Maintenance(std::vector<std::string> statements) {
  Fix fix;
  fix.kind = FixKind::kMaintenance;
  fix.statements = std::move(statements);
  return fix;
}

// The statements of a fix as the message writes them: "A; B;".
std::string Written(const Fix& fix) {
  std::string out;
  for (const std::string& s : fix.statements) out += (out.empty() ? "" : " ") + s + ";";
  return out;
}

// Several columns compared with constants. An underestimate means the combination is more
// common than the product of the columns' selectivities (the columns are correlated):
// functional dependencies correct that. Not together with an MCV list: PostgreSQL applies the
// MCV list first, and for a combination outside it keeps the independent product, leaving the
// dependencies unused (measured on PostgreSQL 15: zip/city 31 rows planned for 1,600 with
// (dependencies, mcv), 1,599 with (dependencies) alone).
// An overestimate means the combination is rarer than that product; dependencies can only raise
// a combined selectivity, so only the MCV list helps.
MisfireAdvice SeveralColumns(const NodeMetrics& m, const std::string& relation,
                             const std::vector<std::string>& columns) {
  const std::string list = JoinList(columns);
  const bool under = m.misfire && m.misfire->direction == MisfireDirection::kUnder;
  const std::string create =
      "CREATE STATISTICS " + StatisticsName(m.node->relation_name.value_or(""), columns) +
      (under ? " (dependencies) ON " : " (mcv) ON ") + list + " FROM " + relation;
  MisfireAdvice advice;
  advice.fix = Maintenance({create, Analyze(relation)});
  advice.text = " If it stays off and " + list +
                (under ? " are correlated, create extended statistics: "
                       : " rarely take these values together, create extended statistics: ") +
                Written(*advice.fix) + " or raise their statistics target (" +
                SetStatistics(relation, columns[0]) + ";).";
  return advice;
}

MisfireAdvice ColumnAdvice(const NodeMetrics& m, const std::string& relation,
                           const ScanConditions& c) {
  MisfireAdvice advice;
  if (c.constants.size() == 1) {
    advice.fix = Maintenance({SetStatistics(relation, c.constants[0]), Analyze(relation)});
    advice.text = " If it stays off, raise the statistics target of " + c.constants[0] + ": " +
                  Written(*advice.fix);
    return advice;
  }
  if (c.constants.size() > 1) return SeveralColumns(m, relation, c.constants);
  if (!c.expressions.empty()) {
    // The name is optional only from PostgreSQL 16 on; expression statistics need 14.
    advice.fix =
        Maintenance({"CREATE STATISTICS " +
                         StatisticsName(m.node->relation_name.value_or(""), {c.expressions[0]}) +
                         " ON (" + c.expressions[0] + ") FROM " + relation,
                     Analyze(relation)});
    advice.text = " The planner has no statistics on " + c.expressions[0] + ": " +
                  advice.fix->statements[0] + "; (PostgreSQL 14+) or an index on it, then " +
                  Analyze(relation) + ";";
    return advice;
  }
  advice.fix = Maintenance({Analyze(relation)});
  if (c.parameters) {
    advice.text =
        " The condition compares with a value unknown at planning time (a parameter or a "
        "subquery's result), so the planner guessed its selectivity: a literal value, or "
        "plan_cache_mode = force_custom_plan for prepared statements, lets it use statistics.";
  } else if (!c.joins.empty()) {
    advice.fix = Maintenance({SetStatistics(relation, c.joins[0]), Analyze(relation)});
    advice.text = " The rows per loop depend on the number of distinct values of " + c.joins[0] +
                  ": raise its statistics target (" + advice.fix->statements[0] +
                  ";) or set it with ALTER TABLE " + relation + " ALTER COLUMN " + c.joins[0] +
                  " SET (n_distinct = ...);";
  } else if (c.any) {
    advice.text =
        " Its condition uses expressions without statistics of their own: extended "
        "statistics on the expression (CREATE STATISTICS, PostgreSQL 14+) or an expression "
        "index give the planner some.";
  } else {
    advice.text =
        " With no condition to misjudge, the table's own row count estimate is out of date.";
  }
  return advice;
}

// A scan of `relation_node`'s table, with the conditions of `cond_node` (they differ for a
// Bitmap Index Scan, whose table is its parent's).
MisfireAdvice ScanAdvice(const NodeMetrics& m, const PlanNode& relation_node,
                         const PlanNode& cond_node) {
  const std::string relation = RelationSql(relation_node);
  PlanNode conditions = cond_node;
  conditions.relation_name = relation_node.relation_name;
  conditions.alias = relation_node.alias;
  NodeMetrics scan = m;
  scan.node = &relation_node;
  MisfireAdvice advice = ColumnAdvice(scan, relation, ReadConditions(conditions));
  advice.text = " Run " + Analyze(relation) + ";" + advice.text;
  return advice;
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

bool PlainIdentifier(const std::string& part) {
  if (part.size() >= 2 && part.front() == '"' && part.back() == '"') return true;
  if (part.empty() || std::isdigit(static_cast<unsigned char>(part[0]))) return false;
  return std::all_of(part.begin(), part.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return std::islower(u) || std::isdigit(u) || c == '_';
  });
}

// Group Key items that are plain columns ("o.status", "status"), without qualifiers; empty when
// any is an expression.
std::vector<std::string> GroupColumns(const std::vector<std::string>& keys) {
  std::vector<std::string> columns;
  for (const std::string& key : keys) {
    const size_t dot = key.rfind('.');
    const std::string column = dot == std::string::npos ? key : key.substr(dot + 1);
    const std::string qualifier = dot == std::string::npos ? "" : key.substr(0, dot);
    if (!PlainIdentifier(column) || (!qualifier.empty() && !PlainIdentifier(qualifier))) return {};
    AddOnce(columns, column);
  }
  return columns;
}

MisfireAdvice OtherAdvice(const TipContext& ctx, const NodeMetrics& m) {
  const PlanNode& node = *m.node;
  MisfireAdvice advice;
  if (node.node_type == "Function Scan") {
    advice.text =
        " A set-returning function is estimated from its ROWS setting (1,000 by default) or a "
        "planner support function; for a function of your own, ALTER FUNCTION ... ROWS n "
        "with a typical row count gives the planner a better estimate.";
    return advice;
  }
  int subtree = m.id;
  if (node.node_type == "CTE Scan" && node.cte_name) subtree = CteRoot(ctx, *node.cte_name);
  const std::vector<std::string> tables =
      subtree >= 0 ? RelationsBelow(ctx.metrics(), subtree, 4) : std::vector<std::string>{};
  if (tables.empty()) {
    advice.text = " Run ANALYZE on the tables involved.";
  } else {
    advice.text = " Run ANALYZE on " + JoinList(tables) + ".";
    std::vector<std::string> statements;
    for (const std::string& t : tables) statements.push_back(Analyze(t));
    advice.fix = Maintenance(std::move(statements));
  }
  const OptString& cond = node.hash_cond    ? node.hash_cond
                          : node.merge_cond ? node.merge_cond
                                            : node.join_filter;
  if (cond) {
    advice.text += " If it stays off, the join condition " + *cond +
                   " or filters on correlated columns are misjudged: extended statistics (CREATE "
                   "STATISTICS) on the filtered columns of each table can help.";
    return advice;
  }
  if (node.group_key.empty()) return advice;
  // The planner multiplies the columns' distinct counts: ndistinct statistics count their
  // combinations.
  const std::vector<std::string> columns = GroupColumns(node.group_key);
  const int relation_node = FirstRelationNode(ctx.metrics(), m.id);
  if (columns.size() >= 2 && tables.size() == 1 && relation_node >= 0) {
    const std::string& relation = tables[0];
    const PlanNode& scan = *ctx.nodes()[relation_node].node;
    advice.fix = Maintenance({"CREATE STATISTICS " +
                                  StatisticsName(scan.relation_name.value_or(""), columns) +
                                  " (ndistinct) ON " + JoinList(columns) + " FROM " + relation,
                              Analyze(relation)});
    advice.text += " The number of groups of (" + JoinList(node.group_key) +
                   ") was misjudged; statistics on the combinations of these columns let the "
                   "planner count them: " +
                   Written(*advice.fix);
    return advice;
  }
  advice.text += " The number of groups of (" + JoinList(node.group_key) +
                 ") was misjudged; for several columns of one table, CREATE STATISTICS "
                 "(ndistinct) ON those columns FROM that table lets the planner count their "
                 "combinations.";
  return advice;
}

}  // namespace

MisfireAdvice AdviseMisfire(const TipContext& ctx, const NodeMetrics& m) {
  const PlanNode& node = *m.node;
  if (node.relation_name) return ScanAdvice(m, node, node);
  const NodeMetrics* parent = ctx.Parent(m);
  if (node.node_type == "Bitmap Index Scan" && parent && parent->node->relation_name) {
    return ScanAdvice(m, *parent->node, node);
  }
  return OtherAdvice(ctx, m);
}

std::string ScannedRelation(const TipContext& ctx, const NodeMetrics& m) {
  if (m.node->relation_name) return RelationSql(*m.node);
  const NodeMetrics* parent = ctx.Parent(m);
  if (m.node->node_type == "Bitmap Index Scan" && parent && parent->node->relation_name) {
    return RelationSql(*parent->node);
  }
  return "";
}

double MisfireSaving(const TipContext& ctx, const NodeMetrics& m) {
  static const char* const kPassThrough[] = {
      "Hash",   "Sort",         "Incremental Sort", "Materialize",  "Memoize",      "Gather",
      "Result", "Gather Merge", "Append",           "Merge Append", "Subquery Scan"};
  for (const NodeMetrics* up = ctx.Parent(m); up != nullptr; up = ctx.Parent(*up)) {
    const std::string& type = up->node->node_type;
    if (std::none_of(std::begin(kPassThrough), std::end(kPassThrough),
                     [&](const char* t) { return type == t; })) {
      return kSavingShare * up->exclusive_ms.value_or(0);
    }
  }
  return 0;
}

}  // namespace planbot::analyzer::tips
