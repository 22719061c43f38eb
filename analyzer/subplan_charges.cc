#include "analyzer/subplan_charges.h"

#include <cctype>

namespace planbot::analyzer {
namespace {

void Visit(const PlanNode& node, int parent, PreorderTree& tree) {
  const int id = static_cast<int>(tree.nodes.size());
  tree.nodes.push_back(&node);
  tree.parent.push_back(parent);
  tree.subtree_end.push_back(0);
  for (const PlanNode& child : node.children) Visit(child, id, tree);
  tree.subtree_end[id] = static_cast<int>(tree.nodes.size());
}

void Append(std::string& text, const OptString& field) {
  if (field) text += *field + "\n";
}

void Append(std::string& text, const std::vector<std::string>& fields) {
  for (const std::string& field : fields) text += field + "\n";
}

// Every expression of a node in which a parameter can be evaluated.
std::string ExpressionText(const PlanNode& node) {
  std::string text;
  for (const auto* field :
       {&node.index_cond, &node.order_by, &node.recheck_cond, &node.tid_cond, &node.merge_cond,
        &node.hash_cond, &node.join_filter, &node.filter, &node.one_time_filter,
        &node.run_condition, &node.function_call, &node.table_function_call, &node.cache_key}) {
    Append(text, *field);
  }
  Append(text, node.output);
  Append(text, node.sort_key);
  Append(text, node.group_key);
  Append(text, node.params_evaluated);
  for (const ExtraProperty& extra : node.extra) text += extra.value + "\n";
  return text;
}

int FindEvaluator(const PreorderTree& tree, int holder, int initplan,
                  const std::vector<std::string>& references) {
  for (int id = holder; id < tree.subtree_end[holder]; ++id) {
    if (id == initplan) {
      id = tree.subtree_end[initplan] - 1;  // skip the InitPlan's own subtree
      continue;
    }
    const std::string text = ExpressionText(*tree.nodes[id]);
    for (const std::string& reference : references) {
      if (ContainsReference(text, reference)) return id;
    }
  }
  return holder;
}

std::vector<int> FindCteScans(const PreorderTree& tree, int holder, int initplan,
                              const std::string& cte_name) {
  std::vector<int> scans;
  for (int id = holder; id < tree.subtree_end[holder]; ++id) {
    if (id >= initplan && id < tree.subtree_end[initplan]) continue;
    const PlanNode& node = *tree.nodes[id];
    if (node.node_type == "CTE Scan" && node.cte_name == cte_name) scans.push_back(id);
  }
  return scans;
}

}  // namespace

PreorderTree BuildPreorder(const PlanNode& root) {
  PreorderTree tree;
  Visit(root, -1, tree);
  return tree;
}

std::vector<std::string> InitPlanReferences(const std::string& subplan_name) {
  if (subplan_name.rfind("InitPlan ", 0) != 0) return {};
  const std::string returns = "(returns ";
  const size_t at = subplan_name.find(returns);
  if (at == std::string::npos) return {"(" + subplan_name + ")"};
  std::vector<std::string> references;
  std::string current;
  for (size_t i = at + returns.size(); i < subplan_name.size(); ++i) {
    const char c = subplan_name[i];
    if (c == ',' || c == ')' || c == ' ') {
      if (!current.empty()) references.push_back(current);
      current.clear();
      if (c == ')') break;
    } else {
      current += c;
    }
  }
  return references;
}

bool ContainsReference(const std::string& text, const std::string& reference) {
  if (reference.empty()) return false;
  for (size_t at = text.find(reference); at != std::string::npos;
       at = text.find(reference, at + 1)) {
    const size_t end = at + reference.size();
    if (end >= text.size() || !std::isdigit(static_cast<unsigned char>(text[end]))) return true;
  }
  return false;
}

std::vector<InitPlanCharge> FindInitPlanCharges(const PreorderTree& tree) {
  std::vector<InitPlanCharge> charges;
  for (int id = 1; id < static_cast<int>(tree.nodes.size()); ++id) {
    const PlanNode& node = *tree.nodes[id];
    if (node.parent_relationship != "InitPlan") continue;
    const int holder = tree.parent[id];
    InitPlanCharge charge;
    charge.initplan = id;
    if (node.subplan_name.rfind("CTE ", 0) == 0) {
      charge.cte = true;
      charge.targets = FindCteScans(tree, holder, id, node.subplan_name.substr(4));
    } else {
      charge.targets.push_back(
          FindEvaluator(tree, holder, id, InitPlanReferences(node.subplan_name)));
    }
    charges.push_back(std::move(charge));
  }
  return charges;
}

}  // namespace planbot::analyzer
