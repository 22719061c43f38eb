#include "analyzer/plan_compare.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "analyzer/human_format.h"
#include "analyzer/node_label.h"
#include "analyzer/plan_metrics.h"
#include "analyzer/summary.h"

namespace planbot::analyzer {
namespace {

using nlohmann::json;

// Below this factor the two sides are "no real difference".
constexpr double kSameWithin = 1.10;
// An estimate change is listed when one side misfires by at least this factor...
constexpr double kMisfireTelling = 10;
// ...and the two factors differ by at least this much.
constexpr double kMisfireChange = 2;
// Floors for the verdict's division: the smallest figure PostgreSQL prints (ms, cost).
constexpr double kMinMs = 0.001, kMinCost = 0.01;

double Round(double value, int decimals) {
  const double scale = std::pow(10, decimals);
  return std::round(value * scale) / scale;
}

// Three significant digits, for ratios that may be far below 1.
double RoundSignificant(double value) {
  if (value == 0 || !std::isfinite(value)) return value;
  const int magnitude = static_cast<int>(std::floor(std::log10(std::fabs(value))));
  return Round(value, std::max(0, 2 - magnitude));
}

// A count as a JSON integer when it is whole (rows × loops can be fractional on PostgreSQL 18).
json Count(double value) {
  const double r = Round(value, 2);
  if (r == std::floor(r) && std::fabs(r) < 9e15) return static_cast<int64_t>(r);
  return r;
}

json Figure(const std::optional<double>& value, int decimals, bool count) {
  if (!value) return nullptr;
  return count ? Count(*value) : json(Round(*value, decimals));
}

// "4,471" for costs of 100 and more, else PostgreSQL's two decimals ("10.86").
std::string FormatCost(double cost) {
  if (std::fabs(cost) >= 99.995) return FormatCount(std::llround(cost));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", cost);
  return buf;
}

// "143.4" below 1,000, then "2,345".
std::string FormatFactor(double factor) {
  if (factor >= 999.95) return FormatCount(std::llround(factor));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", factor);
  return buf;
}

// A misfire factor: "120×", "1.1×".
std::string FormatMisfire(double factor) {
  return (factor >= 9.95 ? FormatCount(std::llround(factor)) : FormatFactor(factor)) + "×";
}

std::string FormatBlocks(double blocks, int64_t block_size) {
  const int64_t n = std::llround(blocks);
  if (block_size <= 0) return FormatCount(n);
  return FormatCount(n) + " (" +
         FormatBytes(static_cast<double>(n) * static_cast<double>(block_size)) + ")";
}

bool IsJoin(const PlanNode& node) {
  return node.node_type == "Hash Join" || node.node_type == "Merge Join" ||
         node.node_type == "Nested Loop";
}

// One plan as the comparison reads it: its metrics and each node's path from the root.
struct Tree {
  const Analysis& analysis;
  const std::vector<NodeMetrics>& nodes;
  std::vector<std::vector<int>> paths;

  explicit Tree(const Analysis& a) : analysis(a), nodes(a.metrics.nodes), paths(nodes.size()) {
    for (const NodeMetrics& m : nodes) {
      for (size_t k = 0; k < m.children.size(); ++k) {
        const auto child = static_cast<size_t>(m.children[k]);
        if (child >= paths.size()) continue;
        paths[child] = paths[static_cast<size_t>(m.id)];
        paths[child].push_back(static_cast<int>(k));
      }
    }
  }
  const PlanNode& node(int id) const { return *nodes[static_cast<size_t>(id)].node; }
  bool analyzed() const { return !nodes.empty() && nodes[0].loops.has_value(); }
};

enum class MatchKind { kNone, kPosition, kRelation };

struct Matching {
  std::vector<int> a_of_b, b_of_a;  // -1: unmatched
  std::vector<MatchKind> kind;      // per b node
};

bool SameNode(const PlanNode& a, const PlanNode& b) {
  return a.node_type == b.node_type && a.relation_name == b.relation_name;
}

Matching MatchNodes(const Tree& a, const Tree& b) {
  Matching m;
  m.a_of_b.assign(b.nodes.size(), -1);
  m.b_of_a.assign(a.nodes.size(), -1);
  m.kind.assign(b.nodes.size(), MatchKind::kNone);
  auto pair = [&m](int ai, int bi, MatchKind kind) {
    m.a_of_b[static_cast<size_t>(bi)] = ai;
    m.b_of_a[static_cast<size_t>(ai)] = bi;
    m.kind[static_cast<size_t>(bi)] = kind;
  };
  std::map<std::vector<int>, int> a_at;
  for (size_t i = 0; i < a.nodes.size(); ++i) a_at.emplace(a.paths[i], static_cast<int>(i));
  for (size_t j = 0; j < b.nodes.size(); ++j) {
    auto it = a_at.find(b.paths[j]);
    if (it == a_at.end() || m.b_of_a[static_cast<size_t>(it->second)] >= 0) continue;
    if (SameNode(a.node(it->second), b.node(static_cast<int>(j)))) {
      pair(it->second, static_cast<int>(j), MatchKind::kPosition);
    }
  }
  for (size_t j = 0; j < b.nodes.size(); ++j) {
    const PlanNode& bn = b.node(static_cast<int>(j));
    if (m.a_of_b[j] >= 0 || !bn.relation_name) continue;
    int best = -1;
    for (size_t i = 0; i < a.nodes.size(); ++i) {
      if (m.b_of_a[i] >= 0 || !(a.node(static_cast<int>(i)).relation_name == bn.relation_name)) {
        continue;
      }
      const auto distance = [&j](size_t k) { return k > j ? k - j : j - k; };
      if (best < 0 || distance(i) < distance(static_cast<size_t>(best))) {
        best = static_cast<int>(i);
      }
    }
    if (best >= 0) pair(best, static_cast<int>(j), MatchKind::kRelation);
  }
  return m;
}

const char* MatchName(MatchKind kind) {
  switch (kind) {
    case MatchKind::kPosition:
      return "position";
    case MatchKind::kRelation:
      return "relation";
    case MatchKind::kNone:
      break;
  }
  return "none";
}

// --- totals and verdict -------------------------------------------------------------------------

enum class Unit { kMs, kCost, kRows, kBlocks, kCount };

struct Total {
  const char* metric;
  std::string label;
  Unit unit;
  std::optional<double> a, b;
};

std::string Human(Unit unit, double value, int64_t block_size) {
  switch (unit) {
    case Unit::kMs:
      return FormatMillis(value);
    case Unit::kCost:
      return FormatCost(value);
    case Unit::kBlocks:
      return FormatBlocks(value, block_size);
    case Unit::kRows:
    case Unit::kCount:
      break;
  }
  return FormatCount(std::llround(value));
}

json TotalJson(const Total& t, int64_t a_block_size, int64_t b_block_size) {
  const bool count = t.unit != Unit::kMs && t.unit != Unit::kCost;
  const int decimals = t.unit == Unit::kMs ? 3 : 2;
  json out = {{"metric", t.metric}, {"label", t.label}};
  out["a"] = Figure(t.a, decimals, count);
  out["b"] = Figure(t.b, decimals, count);
  out["a_human"] = t.a ? json(Human(t.unit, *t.a, a_block_size)) : json(nullptr);
  out["b_human"] = t.b ? json(Human(t.unit, *t.b, b_block_size)) : json(nullptr);
  out["ratio"] = t.a && t.b && *t.a != 0 ? json(RoundSignificant(*t.b / *t.a)) : json(nullptr);
  return out;
}

std::optional<double> Blocks(const Summary& s, int64_t BufferCounts::*counter) {
  if (!s.buffers) return std::nullopt;
  return static_cast<double>((*s.buffers).*counter);
}

std::optional<double> TempBlocks(const Summary& s) {
  if (!s.buffers) return std::nullopt;
  return static_cast<double>(s.buffers->temp_written + s.buffers->temp_read);
}

json Totals(const Tree& a, const Tree& b) {
  const Summary& sa = a.analysis.summary;
  const Summary& sb = b.analysis.summary;
  const bool actual_rows = sa.rows && sb.rows;
  const std::vector<Total> totals = {
      {"execution_ms", "Execution time", Unit::kMs, sa.execution_ms, sb.execution_ms},
      {"planning_ms", "Planning time", Unit::kMs, sa.planning_ms, sb.planning_ms},
      {"total_cost", "Total cost", Unit::kCost, sa.total_cost, sb.total_cost},
      {"rows", actual_rows ? "Rows" : "Rows (estimated)", Unit::kRows,
       actual_rows ? sa.rows : sa.estimated_rows, actual_rows ? sb.rows : sb.estimated_rows},
      {"shared_hit_blocks", "Shared blocks hit", Unit::kBlocks,
       Blocks(sa, &BufferCounts::shared_hit), Blocks(sb, &BufferCounts::shared_hit)},
      {"shared_read_blocks", "Shared blocks read", Unit::kBlocks,
       Blocks(sa, &BufferCounts::shared_read), Blocks(sb, &BufferCounts::shared_read)},
      {"temp_blocks", "Temp blocks (written + read)", Unit::kBlocks, TempBlocks(sa),
       TempBlocks(sb)},
      {"node_count", "Nodes", Unit::kCount, static_cast<double>(a.nodes.size()),
       static_cast<double>(b.nodes.size())},
  };
  json out = json::array();
  for (const Total& t : totals) {
    if (t.a || t.b) out.push_back(TotalJson(t, sa.block_size, sb.block_size));
  }
  return out;
}

json Verdict(bool time, const std::optional<double>& a, const std::optional<double>& b) {
  if (!a || !b) {
    return {{"better", nullptr},
            {"factor", nullptr},
            {"text", "nothing to compare (a plan without costs)"}};
  }
  const double floor = time ? kMinMs : kMinCost;
  const double va = std::max(*a, floor), vb = std::max(*b, floor);
  const double factor = std::max(va / vb, vb / va);
  if (factor < kSameWithin) {
    return {{"better", nullptr},
            {"factor", Round(factor, 2)},
            {"text", "no real difference (within 10 %)"}};
  }
  const bool after = vb < va;
  std::string text = std::string(after ? "after" : "before") + " is " + FormatFactor(factor) + "× ";
  if (time) {
    text += "faster (" + FormatMillis(*a) + " → " + FormatMillis(*b) + ")";
  } else {
    text +=
        "cheaper by the planner's estimate (cost " + FormatCost(*a) + " → " + FormatCost(*b) + ")";
  }
  return {{"better", after ? "b" : "a"}, {"factor", Round(factor, 2)}, {"text", text}};
}

// --- changes ------------------------------------------------------------------------------------

// The relation names under a node (itself included), sorted: what a join joins.
std::vector<std::string> RelationsBelow(const Tree& t, int id) {
  std::vector<std::string> out;
  std::vector<int> stack = {id};
  while (!stack.empty()) {
    const int n = stack.back();
    stack.pop_back();
    const NodeMetrics& m = t.nodes[static_cast<size_t>(n)];
    if (m.node->relation_name) out.push_back(*m.node->relation_name);
    stack.insert(stack.end(), m.children.begin(), m.children.end());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// True where execution may stop before the input is exhausted, so that fewer rows than estimated
// is expected, not a misfire (the rule of the row_misfire tip): below a Limit or a Merge Join, a
// WindowAgg's Run Condition, an InitPlan or SubPlan, the inner side of a semi or anti Nested Loop.
bool MayStopEarly(const Tree& t, const NodeMetrics& m) {
  if (m.node->node_type == "WindowAgg" && m.node->run_condition) return true;
  for (const NodeMetrics* c = &m; c->parent >= 0; c = &t.nodes[static_cast<size_t>(c->parent)]) {
    const PlanNode& parent = *t.nodes[static_cast<size_t>(c->parent)].node;
    if (parent.node_type == "Limit" || parent.node_type == "Merge Join") return true;
    if (parent.node_type == "WindowAgg" && parent.run_condition) return true;
    if (IsSubplan(*c->node)) return true;
    if (parent.node_type == "Nested Loop" && c->node->parent_relationship == "Inner" &&
        (parent.join_type == "Semi" || parent.join_type == "Anti")) {
      return true;
    }
  }
  return false;
}

// A node's row-estimate misfire for the comparison: 1 for an expected overestimate.
double MisfireFactor(const Tree& t, const NodeMetrics& m) {
  if (m.misfire->direction == MisfireDirection::kOver && MayStopEarly(t, m)) return 1;
  return m.misfire->factor;
}

// What a join is compared by: the relations it joins, or, with none below it, its position.
std::vector<std::string> JoinKey(const Tree& t, int id) {
  std::vector<std::string> key = RelationsBelow(t, id);
  if (!key.empty()) return key;
  std::string path = "#";
  for (int k : t.paths[static_cast<size_t>(id)]) path += "/" + std::to_string(k);
  return {path};
}

struct Change {
  const char* kind;
  std::string text;
};

class Changes {
 public:
  Changes(const Tree& a, const Tree& b, const Matching& m)
      : a_(a), b_(b), m_(m), a_seen_(a.nodes.size(), false), b_seen_(b.nodes.size(), false) {
    for (size_t i = 0; i < a.nodes.size(); ++i) a_seen_[i] = m.b_of_a[i] >= 0;
    for (size_t j = 0; j < b.nodes.size(); ++j) b_seen_[j] = m.a_of_b[j] >= 0;
  }

  json Compute() {
    std::vector<Change> joins = JoinChanges();  // first: it claims the joins left unmatched
    std::vector<Change> out = NodeTypeChanges();
    for (Change& c : IndexChanges()) out.push_back(std::move(c));
    for (Change& c : joins) out.push_back(std::move(c));
    for (Change& c : EstimateChanges()) out.push_back(std::move(c));
    for (size_t j = 0; j < b_.nodes.size(); ++j) {
      if (!b_seen_[j]) out.push_back({"added", b_.nodes[j].label});
    }
    for (size_t i = 0; i < a_.nodes.size(); ++i) {
      if (!a_seen_[i]) out.push_back({"removed", a_.nodes[i].label});
    }
    json result = json::array();
    std::set<std::pair<std::string, std::string>> listed;
    for (const Change& c : out) {
      if (listed.emplace(c.kind, c.text).second) {
        result.push_back({{"kind", c.kind}, {"text", c.text}});
      }
    }
    return result;
  }

 private:
  // Joins paired as in `nodes`, else by the relations they join (a Hash Join that moved under a
  // Gather is still the same join); a pair with different methods is a change.
  std::vector<Change> JoinChanges() {
    std::vector<Change> out;
    std::map<int, std::vector<std::string>> a_keys;  // the unpaired joins of a
    for (size_t i = 0; i < a_.nodes.size(); ++i) {
      const int id = static_cast<int>(i);
      if (!a_seen_[i] && IsJoin(a_.node(id))) a_keys.emplace(id, JoinKey(a_, id));
    }
    for (size_t j = 0; j < b_.nodes.size(); ++j) {
      const PlanNode& bn = b_.node(static_cast<int>(j));
      if (!IsJoin(bn)) continue;
      int i = m_.a_of_b[j];
      if (i < 0) {
        const std::vector<std::string> key = JoinKey(b_, static_cast<int>(j));
        auto it = std::find_if(a_keys.begin(), a_keys.end(),
                               [&key](const auto& entry) { return entry.second == key; });
        if (it == a_keys.end()) continue;
        i = it->first;
        a_keys.erase(it);
        a_seen_[static_cast<size_t>(i)] = b_seen_[j] = true;
      }
      const std::string from = NodeOperationName(a_.node(i)), to = NodeOperationName(bn);
      if (from != to) out.push_back({"join", from + " → " + to});
    }
    return out;
  }

  // Matched pairs whose operation differs (a Seq Scan and an Index Scan of the same relation, a
  // HashAggregate and a GroupAggregate), then, of the nodes without a relation that did not just
  // move, those that stand alone at the same position on both sides (Sort → Incremental Sort);
  // each in b's preorder.
  std::vector<Change> NodeTypeChanges() {
    std::vector<Change> out;
    for (size_t j = 0; j < b_.nodes.size(); ++j) {
      const int i = m_.a_of_b[j];
      if (i >= 0) AddNodeType(i, static_cast<int>(j), out);
    }
    PairMoved();
    std::map<std::vector<int>, int> a_at;
    for (size_t i = 0; i < a_.nodes.size(); ++i) a_at.emplace(a_.paths[i], static_cast<int>(i));
    for (size_t j = 0; j < b_.nodes.size(); ++j) {
      const PlanNode& bn = b_.node(static_cast<int>(j));
      auto it = a_at.find(b_.paths[j]);
      if (b_seen_[j] || bn.relation_name || IsJoin(bn) || it == a_at.end()) continue;
      const auto i = static_cast<size_t>(it->second);
      const PlanNode& an = a_.node(it->second);
      if (a_seen_[i] || an.relation_name || IsJoin(an)) continue;
      a_seen_[i] = b_seen_[j] = true;
      AddNodeType(it->second, static_cast<int>(j), out);
    }
    return out;
  }

  void AddNodeType(int i, int j, std::vector<Change>& out) const {
    const PlanNode& an = a_.node(i);
    const PlanNode& bn = b_.node(j);
    if ((IsJoin(an) && IsJoin(bn)) || NodeOperationName(an) == NodeOperationName(bn)) return;
    out.push_back({"node_type", a_.nodes[static_cast<size_t>(i)].label + " → " +
                                    b_.nodes[static_cast<size_t>(j)].label});
  }

  // A node left alone on both sides under the same label (the Hash of a join that moved under a
  // Gather, an Append above changed children) moved rather than came or went: not listed.
  void PairMoved() {
    for (size_t j = 0; j < b_.nodes.size(); ++j) {
      if (b_seen_[j]) continue;
      for (size_t i = 0; i < a_.nodes.size(); ++i) {
        if (a_seen_[i] || a_.nodes[i].label != b_.nodes[j].label) continue;
        a_seen_[i] = b_seen_[j] = true;
        break;
      }
    }
  }

  static std::vector<std::string> IndexesOf(const Tree& t) {
    std::vector<std::string> out;
    for (const NodeMetrics& m : t.nodes) {
      const std::string& index = m.node->index_name;
      if (!index.empty() && std::find(out.begin(), out.end(), index) == out.end()) {
        out.push_back(index);
      }
    }
    return out;
  }

  std::vector<Change> IndexChanges() const {
    std::vector<Change> out;
    const std::vector<std::string> before = IndexesOf(a_), after = IndexesOf(b_);
    for (const std::string& index : after) {
      if (std::find(before.begin(), before.end(), index) == before.end()) {
        out.push_back({"index", "now uses index " + index});
      }
    }
    for (const std::string& index : before) {
      if (std::find(after.begin(), after.end(), index) == after.end()) {
        out.push_back({"index", "no longer uses index " + index});
      }
    }
    return out;
  }

  std::vector<Change> EstimateChanges() const {
    std::vector<Change> out;
    for (size_t j = 0; j < b_.nodes.size(); ++j) {
      const int i = m_.a_of_b[j];
      if (i < 0) continue;
      const NodeMetrics& am = a_.nodes[static_cast<size_t>(i)];
      const NodeMetrics& bm = b_.nodes[j];
      if (!am.misfire || !bm.misfire) continue;
      const double fa = MisfireFactor(a_, am), fb = MisfireFactor(b_, bm);
      const double high = std::max(fa, fb), low = std::max(1.0, std::min(fa, fb));
      if (high < kMisfireTelling || high / low < kMisfireChange) continue;
      out.push_back({"estimate", am.label + ": estimate misfire " + FormatMisfire(fa) + " → " +
                                     FormatMisfire(fb)});
    }
    return out;
  }

  const Tree& a_;
  const Tree& b_;
  const Matching& m_;
  std::vector<bool> a_seen_, b_seen_;  // accounted for: matched, or named by a change
};

// --- nodes --------------------------------------------------------------------------------------

struct NodeFigure {
  const char* key;
  std::optional<double> value;
  int decimals;
  bool count;
};

std::vector<NodeFigure> FiguresOf(const NodeMetrics& m) {
  const PlanNode& n = *m.node;
  std::optional<double> cost, hit, read;
  if (n.total_cost) cost = n.total_cost->value;
  if (m.exclusive_buffers) {
    hit = static_cast<double>(m.exclusive_buffers->shared_hit);
    read = static_cast<double>(m.exclusive_buffers->shared_read);
  }
  return {{"total_ms", m.inclusive_ms, 3, false},
          {"exclusive_ms", m.exclusive_ms, 3, false},
          {"rows", m.actual_rows_total, 2, true},
          {"plan_rows", m.planned_rows_total, 2, true},
          {"loops", m.loops, 2, true},
          {"total_cost", cost, 2, false},
          {"shared_hit", hit, 0, true},
          {"shared_read", read, 0, true}};
}

json NodeJson(const NodeMetrics& m) {
  const PlanNode& n = *m.node;
  json out = {{"id", m.id}, {"label", m.label}, {"node_type", n.node_type}};
  out["relation"] = n.relation_name ? json(*n.relation_name) : json(nullptr);
  out["index"] = n.index_name.empty() ? json(nullptr) : json(n.index_name);
  for (const NodeFigure& f : FiguresOf(m)) out[f.key] = Figure(f.value, f.decimals, f.count);
  return out;
}

json Delta(const NodeMetrics& a, const NodeMetrics& b) {
  json out = json::object();
  const std::vector<NodeFigure> fa = FiguresOf(a), fb = FiguresOf(b);
  for (size_t k = 0; k < fa.size(); ++k) {
    if (!fa[k].value || !fb[k].value) continue;
    const int decimals = fa[k].decimals;
    const double delta = Round(*fb[k].value, decimals) - Round(*fa[k].value, decimals);
    out[fa[k].key] = fa[k].count ? Count(delta) : json(Round(delta, decimals));
  }
  return out;
}

json Nodes(const Tree& a, const Tree& b, const Matching& m) {
  json out = json::array();
  for (size_t j = 0; j < b.nodes.size(); ++j) {
    const int i = m.a_of_b[j];
    const NodeMetrics* am = i >= 0 ? &a.nodes[static_cast<size_t>(i)] : nullptr;
    out.push_back({{"match", MatchName(m.kind[j])},
                   {"a", am ? NodeJson(*am) : json(nullptr)},
                   {"b", NodeJson(b.nodes[j])},
                   {"delta", am ? Delta(*am, b.nodes[j]) : json::object()}});
  }
  for (size_t i = 0; i < a.nodes.size(); ++i) {
    if (m.b_of_a[i] >= 0) continue;
    out.push_back({{"match", "none"},
                   {"a", NodeJson(a.nodes[i])},
                   {"b", nullptr},
                   {"delta", json::object()}});
  }
  return out;
}

json SideJson(const CompareSide& side, const Tree& tree) {
  return {{"id", side.id},
          {"created_at", side.created_at},
          {"command", side.command},
          {"database", side.database},
          {"session", side.session},
          {"normalized", side.normalized},
          {"fingerprint", side.fingerprint},
          {"analyzed", tree.analyzed()}};
}

}  // namespace

json ComparePlans(const CompareSide& a, const CompareSide& b) {
  const Analysis none{};  // stands in for a missing analysis: a plan without nodes or figures
  const Tree ta(a.analysis ? *a.analysis : none);
  const Tree tb(b.analysis ? *b.analysis : none);
  const bool time = ta.analysis.metrics.total_ms && tb.analysis.metrics.total_ms;
  const Matching matching = MatchNodes(ta, tb);

  json out = json::object();
  out["a"] = SideJson(a, ta);
  out["b"] = SideJson(b, tb);
  out["measure"] = time ? "time" : "cost";
  out["totals"] = Totals(ta, tb);
  out["verdict"] =
      time ? Verdict(true, ta.analysis.metrics.total_ms, tb.analysis.metrics.total_ms)
           : Verdict(false, ta.analysis.summary.total_cost, tb.analysis.summary.total_cost);
  out["changes"] = Changes(ta, tb, matching).Compute();
  out["nodes"] = Nodes(ta, tb, matching);
  return out;
}

}  // namespace planbot::analyzer
