// sort_spill: a Sort (or Incremental Sort) that did not fit in work_mem and sorted on disk. Fix:
// SET work_mem to what the sort needs in memory — its disk space × kMemoryPerDiskKb (measured on
// PostgreSQL 15, docs/tips.md "Derived values"), rounded up to a power of two, at least twice the
// current work_mem.
#include <algorithm>
#include <cctype>
#include <string>

#include "analyzer/human_format.h"
#include "analyzer/tips/advice.h"
#include "analyzer/tips/rules.h"

namespace planbot::analyzer::tips {
namespace {

constexpr double kMinDiskKb = 1;  // any sort that wrote to disk
// An in-memory sort needs up to 4× the space its tuples take on disk: each tuple is a palloc'd
// chunk (header, size rounded up to a power of two) plus a 24-byte SortTuple; narrow rows pay
// most (two int columns: 3.99×, md5 text: 2.08×, 200-byte rows: 1.27×).
constexpr double kMemoryPerDiskKb = 4;
constexpr double kSavingShare = 0.5;  // an in-memory sort is about twice as fast

double DiskKb(const SortStats& sort) {
  return sort.space_type == "Disk" ? static_cast<double>(sort.space_used_kb) : 0;
}

double DiskKb(const std::vector<IncrementalSortGroups>& groups) {
  double kb = 0;
  for (const IncrementalSortGroups& g : groups) {
    if (g.disk_avg_peak_kb) kb = std::max(kb, static_cast<double>(g.disk_avg_peak_kb->second));
  }
  return kb;
}

// The most one process wrote: work_mem applies per process.
double PeakDiskKb(const PlanNode& node) {
  double kb = std::max(DiskKb(node.sort), DiskKb(node.incremental_sort));
  for (const Worker& w : node.workers) {
    kb = std::max({kb, DiskKb(w.sort), DiskKb(w.incremental_sort)});
  }
  return kb;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool PlainIdentifier(const std::string& part) {
  if (part.size() >= 2 && part.front() == '"' && part.back() == '"') return true;
  if (part.empty() || std::isdigit(static_cast<unsigned char>(part[0]))) return false;
  return std::all_of(part.begin(), part.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c)) || c == '_' || c == '$';
  });
}

// A Sort Key as an index column: "orders.amount" -> "amount", "o.created_at DESC" ->
// "created_at DESC". Empty for expressions, which are left to the reader.
std::string IndexColumn(std::string key) {
  std::string suffix;
  for (const char* tail : {" NULLS FIRST", " NULLS LAST", " DESC"}) {
    if (EndsWith(key, tail)) {
      suffix = tail + suffix;
      key.resize(key.size() - std::string(tail).size());
    }
  }
  const size_t dot = key.rfind('.');
  const std::string column = dot == std::string::npos ? key : key.substr(dot + 1);
  const std::string qualifier = dot == std::string::npos ? "" : key.substr(0, dot);
  if (!PlainIdentifier(column) || (!qualifier.empty() && !PlainIdentifier(qualifier))) return "";
  return column + suffix;
}

// Where the sort's input comes from one relation and its keys are columns, the index to create.
std::string IndexAdvice(const TipContext& ctx, const NodeMetrics& m) {
  const PlanNode& node = *m.node;
  if (node.sort_key.empty()) return "";
  const std::vector<std::string> relations = RelationsBelow(ctx.metrics(), m.id, 2);
  std::vector<std::string> columns;
  for (const std::string& key : node.sort_key) columns.push_back(IndexColumn(key));
  const bool plain =
      std::none_of(columns.begin(), columns.end(), [](const std::string& c) { return c.empty(); });
  if (relations.size() != 1 || !plain) {
    return " An index that returns rows already ordered by " + JoinList(node.sort_key) +
           " would avoid the sort.";
  }
  return " An index that returns rows in this order would avoid the sort: CREATE INDEX ON " +
         relations[0] + " (" + JoinList(columns) + ");";
}

}  // namespace

void SortSpillTips(const TipContext& ctx, Tips& out) {
  for (const NodeMetrics& m : ctx.nodes()) {
    const PlanNode& node = *m.node;
    if (node.node_type != "Sort" && node.node_type != "Incremental Sort") continue;
    const double disk_kb = PeakDiskKb(node);
    if (disk_kb < kMinDiskKb) continue;
    const std::string setting = SuggestedWorkMem(ctx.query(), disk_kb * kMemoryPerDiskKb);
    std::string message = m.label + " spilled " + FormatBytes(disk_kb * 1024) + " to disk" +
                          (node.sort.method.empty() ? "" : " (" + node.sort.method + ")") +
                          " because it did not fit in memory" + CurrentWorkMemNote(ctx.query()) +
                          ". Give this query more sort memory: SET work_mem = '" + setting +
                          "'; (per sort and per process, so prefer SET LOCAL or a role setting "
                          "over a server-wide change).";
    message += IndexAdvice(ctx, m);
    Tip tip =
        ctx.Make("sort_spill", m.id, std::move(message), kSavingShare * m.exclusive_ms.value_or(0));
    tip.fix = WorkMemFix(setting);
    out.push_back(std::move(tip));
  }
}

}  // namespace planbot::analyzer::tips
