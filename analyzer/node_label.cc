#include "analyzer/node_label.h"

#include <cctype>

namespace planbot::analyzer {
namespace {

// PostgreSQL quotes an identifier unless it is all lower-case letters, digits and underscores
// (quote_identifier); keywords are not checked here, which only matters for odd names.
std::string QuoteIdentifier(const std::string& name) {
  bool safe =
      !name.empty() && (std::islower(static_cast<unsigned char>(name[0])) || name[0] == '_');
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (!(std::islower(u) || std::isdigit(u) || c == '_')) safe = false;
  }
  if (safe) return name;
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string AggregateName(const PlanNode& node) {
  std::string name = "Aggregate";
  if (node.strategy == "Sorted") name = "GroupAggregate";
  if (node.strategy == "Hashed") name = "HashAggregate";
  if (node.strategy == "Mixed") name = "MixedAggregate";
  if (node.partial_mode == "Partial" || node.partial_mode == "Finalize") {
    name = node.partial_mode + " " + name;
  }
  return name;
}

std::string JoinName(const PlanNode& node) {
  if (node.join_type.empty() || node.join_type == "Inner") return node.node_type;
  std::string base = node.node_type;
  if (base == "Hash Join") base = "Hash";
  if (base == "Merge Join") base = "Merge";
  return base + " " + node.join_type + " Join";
}

std::string BaseName(const PlanNode& node) {
  const std::string& type = node.node_type;
  if (type == "Aggregate") return AggregateName(node);
  if (type == "SetOp") return node.strategy == "Hashed" ? "HashSetOp" : "SetOp";
  if (type == "ModifyTable" && !node.operation.empty()) return node.operation;
  if (type == "Foreign Scan" && !node.operation.empty() && node.operation != "Select") {
    return "Foreign " + node.operation;
  }
  if (type == "Custom Scan" && !node.custom_plan_provider.empty()) {
    return "Custom Scan (" + node.custom_plan_provider + ")";
  }
  if (type == "Hash Join" || type == "Merge Join" || type == "Nested Loop") return JoinName(node);
  return type;
}

// The object a scan or modification reads or writes, as ExplainTargetRel chooses it.
const OptString& TargetObject(const PlanNode& node) {
  if (node.relation_name) return node.relation_name;
  if (node.function_name) return node.function_name;
  if (node.cte_name) return node.cte_name;
  if (node.tuplestore_name) return node.tuplestore_name;
  return node.table_function_name;
}

}  // namespace

std::string NodeOperationName(const PlanNode& node) {
  std::string name;
  if (node.parallel_aware) name += "Parallel ";
  if (node.async_capable) name += "Async ";
  return name + BaseName(node);
}

std::string NodeLabel(const PlanNode& node) {
  std::string label = NodeOperationName(node);
  const bool index_scan = node.node_type == "Index Scan" || node.node_type == "Index Only Scan";
  if (index_scan && node.scan_direction == "Backward") label += " Backward";
  if (!node.index_name.empty()) {
    label += (index_scan ? " using " : " on ") + QuoteIdentifier(node.index_name);
  }
  const OptString& object = TargetObject(node);
  if (object || node.alias) {
    label += " on";
    if (object) label += " " + QuoteIdentifier(*object);
    if (node.alias && (!object || *node.alias != *object))
      label += " " + QuoteIdentifier(*node.alias);
  }
  return label;
}

}  // namespace planbot::analyzer
