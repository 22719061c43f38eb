// large_offset: a Limit whose input produced far more rows than it returned — the rows an OFFSET
// skipped, read (and sorted) only to be thrown away, more of them on every later page. Advice:
// keyset pagination. No fix: it is a rewrite of the query.
#include <algorithm>
#include <string>
#include <vector>

#include "analyzer/tips/advice.h"
#include "analyzer/tips/rules.h"

namespace planbot::analyzer::tips {
namespace {

constexpr double kMinSkipped = 1000;       // rows the Limit read and did not return, at least
constexpr double kMinSkippedShare = 0.90;  // of the rows its input produced, at least
constexpr double kSavingShare = 1.0;       // × the skipped share of the Limit's time

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The Sort Key that orders the Limit's input (through Gather Merge), or empty.
std::vector<std::string> SortKey(const TipContext& ctx, const NodeMetrics& limit) {
  for (int id : limit.children) {
    const NodeMetrics* c = &ctx.nodes()[id];
    if (IsSubplan(*c->node)) continue;
    if (c->node->node_type == "Gather Merge" && !c->children.empty()) {
      c = &ctx.nodes()[c->children[0]];
    }
    return c->node->sort_key;
  }
  return {};
}

// "WHERE (a, b) > (last a, last b) ORDER BY a, b LIMIT n" for keys in one direction, else a
// template.
std::string Keyset(std::vector<std::string> keys) {
  bool desc = false, asc = false;
  for (std::string& key : keys) {
    for (const char* tail : {" NULLS FIRST", " NULLS LAST"}) {
      if (EndsWith(key, tail)) key.resize(key.size() - std::string(tail).size());
    }
    if (EndsWith(key, " DESC")) {
      key.resize(key.size() - 5);
      desc = true;
    } else {
      asc = true;
    }
  }
  if (keys.empty() || (asc && desc)) {
    return "WHERE (sort_key) > (last value) ORDER BY sort_key LIMIT n";
  }
  std::string last, order;
  for (const std::string& key : keys) {
    last += (last.empty() ? "last " : ", last ") + key;
    order += (order.empty() ? "" : ", ") + key + (desc ? " DESC" : "");
  }
  return "WHERE (" + JoinList(keys) + ") " + (desc ? "<" : ">") + " (" + last + ") ORDER BY " +
         order + " LIMIT n";
}

}  // namespace

void LargeOffsetTips(const TipContext& ctx, Tips& out) {
  for (const NodeMetrics& m : ctx.nodes()) {
    if (m.node->node_type != "Limit" || !m.executed || m.children.empty()) continue;
    const NodeMetrics& input = ctx.nodes()[m.children[0]];
    if (IsSubplan(*input.node)) continue;  // an InitPlan of the Limit's count, not its input
    const double read = input.actual_rows_total.value_or(0);
    const double returned = m.actual_rows_total.value_or(0);
    const double skipped = read - returned;
    if (skipped < kMinSkipped || skipped < kMinSkippedShare * read) continue;
    const std::vector<std::string> keys = SortKey(ctx, m);
    std::string message = m.label + " returned " + RowsWithNoun(returned) +
                          " but its input produced " + Rows(read) + ": the OFFSET skipped " +
                          Rows(skipped) + " (" + Percent(skipped / read) +
                          "), read and ordered only to be thrown away, and more on every later "
                          "page. Keyset pagination reads only the rows it returns: remember the "
                          "sort key of the last row shown and continue after it, " +
                          Keyset(keys) +
                          ", with an index on the sort key and a unique column (such as the "
                          "primary key) as its last part, so that the order is total.";
    out.push_back(ctx.Make("large_offset", m.id, std::move(message),
                           kSavingShare * m.inclusive_ms.value_or(0) * skipped / read));
  }
}

}  // namespace planbot::analyzer::tips
