#include "analyzer/tips/advice.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "analyzer/condition_columns.h"
#include "analyzer/condition_tokens.h"
#include "analyzer/human_format.h"
#include "analyzer/plan_settings.h"

namespace planbot::analyzer::tips {

std::string FriendlyMemory(double kb) {
  double mb = 1;
  while (mb * 1024 < kb && mb < 1024.0 * 1024 * 1024) mb *= 2;
  if (mb >= 1024) return std::to_string(static_cast<int64_t>(mb / 1024)) + "GB";
  return std::to_string(static_cast<int64_t>(mb)) + "MB";
}

std::optional<double> ParseMemoryKb(const std::string& value) {
  const char* begin = value.c_str();
  char* end = nullptr;
  const double number = std::strtod(begin, &end);
  if (end == begin || !(number >= 0)) return std::nullopt;
  std::string unit(end);
  unit.erase(
      std::remove_if(unit.begin(), unit.end(), [](unsigned char c) { return std::isspace(c); }),
      unit.end());
  if (unit.empty() || unit == "kB") return number;
  if (unit == "B") return number / 1024;
  if (unit == "MB") return number * 1024;
  if (unit == "GB") return number * 1024 * 1024;
  if (unit == "TB") return number * 1024 * 1024 * 1024;
  return std::nullopt;
}

std::optional<double> CurrentWorkMemKb(const ExplainQuery& query) {
  for (const auto& [name, value] : query.settings) {
    if (name == "work_mem") return ParseMemoryKb(value);
  }
  if (query.has_settings) return 4096;  // SETTINGS lists only values that differ from defaults
  return std::nullopt;
}

std::string SuggestedWorkMem(const ExplainQuery& query, double needed_kb) {
  const std::optional<double> current = CurrentWorkMemKb(query);
  return FriendlyMemory(current ? std::max(needed_kb, *current * 2) : needed_kb);
}

std::string CurrentWorkMemNote(const ExplainQuery& query) {
  for (const auto& [name, value] : query.settings) {
    if (name == "work_mem") return value == kWithheldSetting ? "" : " (work_mem is " + value + ")";
  }
  return query.has_settings ? " (work_mem is 4MB)" : "";
}

double HashMemMultiplier(const ExplainQuery& query) {
  for (const auto& [name, value] : query.settings) {
    if (name != "hash_mem_multiplier") continue;
    char* end = nullptr;
    const double m = std::strtod(value.c_str(), &end);
    if (end != value.c_str() && m >= 1) return m;
  }
  return 2;
}

Fix WorkMemFix(const std::string& value) {
  Fix fix;
  fix.kind = FixKind::kSetting;
  fix.statements = {"SET work_mem = '" + value + "'"};
  return fix;
}

std::string QuoteName(const std::string& name) {
  bool plain = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0]));
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (!(std::islower(u) || std::isdigit(u) || c == '_')) plain = false;
  }
  if (plain) return name;
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string RelationSql(const PlanNode& node) {
  if (!node.relation_name) return "";
  std::string name = QuoteName(*node.relation_name);
  if (node.schema && *node.schema != "public") name = QuoteName(*node.schema) + "." + name;
  return name;
}

std::vector<std::string> JoinColumnsOf(const PlanNode& scan,
                                       const std::vector<std::string>& conditions) {
  const std::string alias = scan.alias.value_or(scan.relation_name.value_or(""));
  auto mine = [&](const ColumnRef& ref, const ColumnRef& other) {
    if (!ref.qualifier.empty()) return ref.qualifier == alias;
    return !other.qualifier.empty() && other.qualifier != alias;
  };
  std::vector<std::string> columns;
  for (const std::string& condition : conditions) {
    for (const Comparison& c : ExtractComparisons(condition)) {
      if (!c.other || c.kind != ComparisonKind::kEquality) continue;
      const ColumnRef* ref = mine(c.column, *c.other)   ? &c.column
                             : mine(*c.other, c.column) ? &*c.other
                                                        : nullptr;
      if (ref && std::find(columns.begin(), columns.end(), ref->column) == columns.end()) {
        columns.push_back(ref->column);
      }
    }
  }
  return columns;
}

std::vector<std::string> RelationsBelow(const PlanMetrics& metrics, int id, size_t limit) {
  std::vector<std::string> out;
  std::vector<int> stack{id};
  while (!stack.empty() && out.size() < limit) {
    const NodeMetrics& m = metrics.nodes[stack.back()];
    stack.pop_back();
    const std::string name = RelationSql(*m.node);
    if (!name.empty() && std::find(out.begin(), out.end(), name) == out.end()) {
      out.push_back(name);
    }
    for (auto it = m.children.rbegin(); it != m.children.rend(); ++it) stack.push_back(*it);
  }
  return out;
}

int FirstRelationNode(const PlanMetrics& metrics, int id) {
  const NodeMetrics& m = metrics.nodes[id];
  if (m.node->relation_name) return id;
  for (int child : m.children) {
    const int found = FirstRelationNode(metrics, child);
    if (found >= 0) return found;
  }
  return -1;
}

double LoopsTotal(const OptNum& per_loop, const NodeMetrics& m) {
  if (!per_loop || !m.loops) return 0;
  return per_loop->value * *m.loops;
}

std::string Rows(double rows) { return FormatCount(std::llround(rows)); }

std::string RowsWithNoun(double rows) {
  return Rows(rows) + (std::llround(rows) == 1 ? " row" : " rows");
}

std::string Percent(double share) {
  const double v = share * 100;
  char buf[32];
  // One decimal where rounding would hide the difference: 2.5%, 99.6% (not 100%).
  const bool fine = v < 10 || (v >= 99 && v < 99.95);
  std::snprintf(buf, sizeof buf, fine ? "%.1f%%" : "%.0f%%", v);
  return buf;
}

std::string Factor(double factor) {
  if (factor >= 9.95) return FormatCount(std::llround(factor)) + "x";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fx", factor);
  return buf;
}

std::string JoinList(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

}  // namespace planbot::analyzer::tips

namespace planbot::analyzer::tips {
namespace {

using conditions::Tok;
using conditions::Token;

bool IsName(const Token& t) { return t.type == Tok::kIdent || t.type == Tok::kQuoted; }

bool IsPlainWord(const std::string& word) {
  return !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return std::islower(u) || std::isdigit(u) || c == '_' || c == '$';
  });
}

bool IsTypeWord(const std::string& word) {
  return word == "without" || word == "with" || word == "time" || word == "zone" ||
         word == "varying" || word == "precision";
}

// A dotted name at t[j]: events.email -> {"events", "email"}; advances j past it.
std::vector<std::string> ReadName(const std::vector<Token>& t, size_t& j) {
  std::vector<std::string> parts;
  if (j >= t.size() || !IsName(t[j])) return parts;
  parts.push_back(t[j++].text);
  while (j + 1 < t.size() && t[j].type == Tok::kDot && IsName(t[j + 1])) {
    parts.push_back(t[j + 1].text);
    j += 2;
  }
  return parts;
}

// A type name after "::": text, character varying, timestamp with time zone, numeric(10,2), int[].
std::string ReadType(const std::vector<Token>& t, size_t& j) {
  std::vector<std::string> parts = ReadName(t, j);
  if (parts.empty()) return "";
  std::string type;
  for (const std::string& part : parts) type += (type.empty() ? "" : ".") + part;
  while (j < t.size() && t[j].type == Tok::kIdent && IsTypeWord(t[j].text))
    type += " " + t[j++].text;
  if (j < t.size() && t[j].type == Tok::kLParen) {
    int depth = 0;
    do {
      if (t[j].type == Tok::kLParen) ++depth;
      if (t[j].type == Tok::kRParen) --depth;
      type += t[j].text;
      ++j;
    } while (j < t.size() && depth > 0);
  }
  while (j + 1 < t.size() && t[j].type == Tok::kLBracket && t[j + 1].type == Tok::kRBracket) {
    type += "[]";
    j += 2;
  }
  return type;
}

// The operand side: col, t.col, (col)::text, lower(col).
bool ReadColumn(const std::vector<Token>& t, size_t& j, ConstantComparison& c) {
  if (j < t.size() && t[j].type == Tok::kLParen) {
    ++j;
    const std::vector<std::string> name = ReadName(t, j);
    if (name.empty() || j + 1 >= t.size() || t[j].type != Tok::kRParen ||
        t[j + 1].type != Tok::kCast) {
      return false;
    }
    j += 2;
    c.cast = ReadType(t, j);
    c.column = name.back();
    c.expression = c.column;
    if (name.size() >= 2) c.qualifier = name[name.size() - 2];
    return !c.cast.empty();
  }
  const std::vector<std::string> name = ReadName(t, j);
  if (name.empty()) return false;
  if (j < t.size() && t[j].type == Tok::kLParen) {  // a function of one column
    if (name.size() != 1 || !IsPlainWord(name[0])) return false;
    ++j;
    const std::vector<std::string> arg = ReadName(t, j);
    if (arg.empty() || j >= t.size() || t[j].type != Tok::kRParen) return false;
    ++j;
    c.column = arg.back();
    c.expression = name[0] + "(" + c.column + ")";
    if (arg.size() >= 2) c.qualifier = arg[arg.size() - 2];
    return true;
  }
  for (const std::string& part : name) {
    if (part.front() != '"' && !IsPlainWord(part)) return false;  // AND, CASE, NULL, ...
  }
  c.column = name.back();
  c.expression = c.column;
  if (name.size() >= 2) c.qualifier = name[name.size() - 2];
  return true;
}

bool ReadConstant(const std::vector<Token>& t, size_t& j, ConstantComparison& c) {
  if (j >= t.size()) return false;
  const Token& first = t[j];
  if (first.type != Tok::kString && first.type != Tok::kNumber && first.type != Tok::kParam) {
    return false;
  }
  c.parameter = first.type == Tok::kParam;
  c.constant = first.text;
  ++j;
  while (j < t.size() && t[j].type == Tok::kCast) {
    ++j;
    const std::string type = ReadType(t, j);
    if (type.empty()) return false;
    c.constant += "::" + type;
  }
  return true;
}

}  // namespace

bool PlanOnly(const PlanMetrics& metrics) {
  return std::none_of(metrics.nodes.begin(), metrics.nodes.end(),
                      [](const NodeMetrics& m) { return m.loops.has_value(); });
}

std::string IndexStatement(const std::string& relation, const std::vector<std::string>& columns,
                           const std::string& predicate) {
  std::string statement = "CREATE INDEX ON " + relation + " (" + JoinList(columns) + ")";
  if (!predicate.empty()) statement += " WHERE " + predicate;
  return statement;
}

Fix IndexFix(const std::string& relation, const std::vector<std::vector<std::string>>& candidates,
             const std::string& predicate) {
  Fix fix;
  fix.kind = FixKind::kIndex;
  std::vector<std::string> seen;
  for (const std::vector<std::string>& columns : candidates) {
    if (columns.empty()) continue;
    std::string statement = IndexStatement(relation, columns, predicate);
    if (std::find(seen.begin(), seen.end(), statement) != seen.end()) continue;
    seen.push_back(statement);
    if (fix.statements.empty()) {
      fix.statements.push_back(std::move(statement));
    } else {
      fix.alternatives.push_back({std::move(statement)});
    }
  }
  return fix;
}

std::vector<std::vector<std::string>> ColumnOrders(const std::vector<std::string>& columns) {
  std::vector<std::vector<std::string>> out{columns};
  if (columns.size() >= 2) {
    std::vector<std::string> swapped = columns;
    std::swap(swapped[0], swapped[1]);
    out.push_back(std::move(swapped));
    out.push_back({columns[0]});
  }
  return out;
}

const RelationFacts* FactsOf(const CatalogFacts* catalog, const PlanNode& scan) {
  if (catalog == nullptr || !scan.relation_name) return nullptr;
  return catalog->Relation(RelationSql(scan));
}

const ColumnFacts* ColumnFactsOf(const CatalogFacts* catalog, const PlanNode& scan,
                                 const std::string& column) {
  const RelationFacts* relation = FactsOf(catalog, scan);
  return relation ? relation->Column(column) : nullptr;
}

std::optional<double> DistinctValues(const RelationFacts& relation, const ColumnFacts& column) {
  if (!column.n_distinct || *column.n_distinct == 0) return std::nullopt;
  if (*column.n_distinct > 0) return *column.n_distinct;
  const double rows = relation.reltuples > 0 ? relation.reltuples : relation.live_tuples;
  if (rows <= 0) return std::nullopt;
  return -*column.n_distinct * rows;
}

std::vector<std::string> MostSelectiveFirst(const CatalogFacts* catalog, const PlanNode& scan,
                                            std::vector<std::string> columns) {
  const RelationFacts* relation = FactsOf(catalog, scan);
  if (relation == nullptr || columns.size() < 2) return columns;
  std::vector<std::pair<double, std::string>> ranked;
  for (const std::string& column : columns) {
    const ColumnFacts* facts = relation->Column(column);
    const std::optional<double> distinct = facts ? DistinctValues(*relation, *facts) : std::nullopt;
    if (!distinct) return columns;
    ranked.emplace_back(*distinct, column);
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t i = 0; i < ranked.size(); ++i) columns[i] = ranked[i].second;
  return columns;
}

std::vector<std::string> FilterIndexColumns(const CatalogFacts* catalog, const PlanNode& scan,
                                            std::string_view condition) {
  std::vector<std::string> equality, range;
  for (const Comparison& c : ExtractComparisons(condition)) {
    if (c.other) continue;
    std::vector<std::string>* list = c.kind == ComparisonKind::kEquality ? &equality
                                     : c.kind == ComparisonKind::kRange  ? &range
                                                                         : nullptr;
    if (list && std::find(list->begin(), list->end(), c.column.expression) == list->end()) {
      list->push_back(c.column.expression);
    }
  }
  std::vector<std::string> columns = MostSelectiveFirst(catalog, scan, std::move(equality));
  for (const std::string& column : range) {
    if (std::find(columns.begin(), columns.end(), column) == columns.end()) {
      columns.push_back(column);
    }
  }
  return columns;
}

std::optional<IndexDefinition> ParseIndexDefinition(std::string_view definition) {
  const std::vector<Token> t = conditions::Tokenize(definition);
  size_t j = 0;
  if (j < t.size() && t[j].text == "CREATE") ++j;
  if (j < t.size() && t[j].text == "UNIQUE") ++j;
  if (j >= t.size() || t[j].text != "INDEX") return std::nullopt;
  ++j;
  if (j < t.size() && t[j].text == "CONCURRENTLY") ++j;
  IndexDefinition index;
  if (j >= t.size() || !IsName(t[j]) || t[j].text == "ON") return std::nullopt;
  index.name = t[j++].text;
  while (j < t.size() && t[j].text != "USING") ++j;
  j += 2;  // USING method
  if (j >= t.size() || t[j].type != Tok::kLParen) return std::nullopt;
  // Keys: the text between the parentheses split at top-level commas, read from the original so
  // expressions keep their spelling.
  const size_t open = definition.find(" (", definition.find(" USING "));
  if (open == std::string_view::npos) return std::nullopt;
  int depth = 0;
  bool quoted = false;
  char quote = 0;
  std::string key;
  size_t i = open + 1;
  for (; i < definition.size(); ++i) {
    const char c = definition[i];
    if (quoted) {
      quoted = c != quote;
    } else if (c == '"' || c == '\'') {
      quoted = true, quote = c;
    } else if (c == '(') {
      if (depth++ == 0) continue;
    } else if (c == ')') {
      if (--depth == 0) break;
    } else if (c == ',' && depth == 1) {
      index.keys.push_back(key);
      key.clear();
      continue;
    }
    if (!(key.empty() && c == ' ')) key += c;
  }
  if (!key.empty()) index.keys.push_back(key);
  index.partial = definition.find(" WHERE ", i) != std::string_view::npos;
  return index;
}

std::string IndexKeyColumn(std::string_view key) {
  int depth = 0;
  bool quoted = false;
  for (size_t i = 0; i < key.size(); ++i) {
    const char c = key[i];
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ' ' && depth == 0) return std::string(key.substr(0, i));
  }
  return std::string(key);
}

bool HasIndexLeadingWith(const CatalogFacts* catalog, const PlanNode& scan,
                         const std::vector<std::string>& columns) {
  const RelationFacts* relation = FactsOf(catalog, scan);
  if (relation == nullptr || columns.empty()) return false;
  for (const std::string& definition : relation->indexes) {
    const std::optional<IndexDefinition> index = ParseIndexDefinition(definition);
    if (!index || index->partial || index->keys.size() < columns.size()) continue;
    bool leading = true;
    for (size_t i = 0; i < columns.size() && leading; ++i) {
      leading = IndexKeyColumn(index->keys[i]) == columns[i];
    }
    if (leading) return true;
  }
  return false;
}

std::vector<ConstantComparison> ConstantComparisons(std::string_view condition) {
  const std::vector<Token> t = conditions::Tokenize(condition);
  std::vector<ConstantComparison> out;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i].type != Tok::kIdent) continue;
    const bool negation = t[i].text == "NOT" && (i == 0 || t[i - 1].text != "IS");
    if (t[i].text == "OR" || negation) return {};  // IS NOT NULL / DISTINCT FROM are fine
  }
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i].type != Tok::kLParen) continue;
    size_t j = i + 1;
    ConstantComparison c;
    if (!ReadColumn(t, j, c) || j >= t.size() || t[j].type != Tok::kOp) continue;
    c.op = t[j++].text;
    if (!ReadConstant(t, j, c) || j >= t.size() || t[j].type != Tok::kRParen) continue;
    out.push_back(std::move(c));
  }
  return out;
}

std::string SortKeyIndexColumn(const PlanNode& scan, const std::string& key) {
  const std::vector<Token> t = conditions::Tokenize(key);
  size_t j = 0;
  const std::vector<std::string> name = ReadName(t, j);
  if (name.empty() || (t[0].type == Tok::kIdent && !IsPlainWord(t[0].text))) return "";
  for (const std::string& part : name) {
    if (part.front() != '"' && !IsPlainWord(part)) return "";
  }
  const std::string alias = scan.alias.value_or(scan.relation_name.value_or(""));
  if (name.size() >= 2 && name[name.size() - 2] != QuoteName(alias) &&
      name[name.size() - 2] != alias) {
    return "";
  }
  std::string column = name.back();
  for (; j < t.size(); ++j) {
    const std::string& word = t[j].text;
    if (t[j].type != Tok::kIdent || !(word == "DESC" || word == "ASC" || word == "NULLS" ||
                                      word == "FIRST" || word == "LAST")) {
      return "";
    }
    if (word != "ASC") column += " " + word;
  }
  return column;
}

}  // namespace planbot::analyzer::tips
