#include "analyzer/tips/advice.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "analyzer/condition_columns.h"
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
