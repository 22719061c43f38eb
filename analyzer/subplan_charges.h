// Where an InitPlan's time and buffers are already counted, so that plan_metrics.cc subtracts
// them exactly once. Internal to the analyzer (used by plan_metrics.cc and its tests).
//
// - A CTE ("CTE name") runs on demand while CTE Scans read it: its figures are inside those
//   CTE Scans' figures, not (directly) inside the node the CTE hangs on.
// - An ordinary InitPlan runs when its output parameter is first evaluated: its figures are
//   inside the node whose expressions reference the parameter first (in preorder), which is the
//   node it hangs on or one of its descendants. PostgreSQL up to 16 names parameters "$n" and
//   lists them as "InitPlan 1 (returns $0,$1)"; 17+ prints references as "(InitPlan 1).col1".
//   When no reference is found (e.g. the target list without VERBOSE), the node it hangs on is
//   taken, which is where PostgreSQL attaches it.
//
// Pure functions over a preorder list; no failure modes; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "analyzer/plan_model.h"

namespace planbot::analyzer {

// A preorder view of a plan tree: nodes[i], parent[i] and the end of i's subtree (exclusive).
struct PreorderTree {
  std::vector<const PlanNode*> nodes;
  std::vector<int> parent;
  std::vector<int> subtree_end;
};

PreorderTree BuildPreorder(const PlanNode& root);

struct InitPlanCharge {
  int initplan = 0;          // id of the InitPlan's top node
  bool cte = false;          // a CTE: targets are its CTE Scans, in preorder
  std::vector<int> targets;  // ordinary InitPlan: exactly one; CTE: zero or more
};

// One entry per InitPlan child in the tree, in preorder of the InitPlans.
std::vector<InitPlanCharge> FindInitPlanCharges(const PreorderTree& tree);

// The parameter references an InitPlan's output appears as: {"$0", "$1"} for
// "InitPlan 1 (returns $0,$1)", {"(InitPlan 1)"} for "InitPlan 1". Empty for anything else.
std::vector<std::string> InitPlanReferences(const std::string& subplan_name);

// True if `text` contains `reference` as a whole parameter ("$1" does not match "$12").
bool ContainsReference(const std::string& text, const std::string& reference);

}  // namespace planbot::analyzer
