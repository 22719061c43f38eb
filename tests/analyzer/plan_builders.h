// Builders for plan trees in tests, so a test states only the figures it is about:
//
//   PlanNode scan = Node("Seq Scan").Rel("orders").Est(100).Act(50.0, 1000).Filter("(x = 1)", 9e4);
//   ExplainQuery q = Query(Node("Hash Join").Child(scan).Child(hash), /*execution_ms=*/120);
//
// Children get "Outer" then "Inner" as Parent Relationship unless As() set one. Header-only,
// test code only; plain values, no failure modes.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "analyzer/plan_model.h"

namespace planbot::analyzer::testing {

inline Num N(double value, int decimals = 0) { return Num{value, decimals}; }

class Node {
 public:
  explicit Node(std::string type) { n_.node_type = std::move(type); }

  Node& Rel(std::string relation, std::optional<std::string> alias = std::nullopt) {
    n_.alias = alias ? *alias : relation;
    n_.relation_name = std::move(relation);
    return *this;
  }
  Node& Index(std::string name) {
    n_.index_name = std::move(name);
    return *this;
  }
  // Estimates: Plan Rows (per loop) and Total Cost.
  Node& Est(double rows, double total_cost = 100) {
    n_.plan_rows = N(rows);
    n_.startup_cost = N(0, 2);
    n_.total_cost = N(total_cost, 2);
    n_.plan_width = 8;
    return *this;
  }
  // ANALYZE figures: per-loop total time and rows, and loops.
  Node& Act(double total_ms, double rows, double loops = 1) {
    n_.actual.startup_ms = N(0, 3);
    n_.actual.total_ms = N(total_ms, 3);
    n_.actual.rows = N(rows);
    n_.actual.loops = N(loops);
    return *this;
  }
  // ANALYZE figures with TIMING OFF.
  Node& Counted(double rows, double loops = 1) {
    n_.actual.rows = N(rows);
    n_.actual.loops = N(loops);
    return *this;
  }
  Node& Filter(std::string filter, double removed_per_loop) {
    n_.filter = std::move(filter);
    n_.rows_removed_by_filter = N(removed_per_loop);
    return *this;
  }
  Node& As(std::string relationship, std::string subplan_name = "") {
    n_.parent_relationship = std::move(relationship);
    n_.subplan_name = std::move(subplan_name);
    return *this;
  }
  Node& Shared(int64_t hit, int64_t read) {
    n_.buffers.present = true;
    n_.buffers.shared_hit = hit;
    n_.buffers.shared_read = read;
    return *this;
  }
  Node& Temp(int64_t read, int64_t written) {
    n_.buffers.present = true;
    n_.buffers.temp_read = read;
    n_.buffers.temp_written = written;
    return *this;
  }
  Node& Set(const std::function<void(PlanNode&)>& edit) {
    edit(n_);
    return *this;
  }
  Node& Child(PlanNode child) {
    if (child.parent_relationship.empty()) {
      bool has_outer = false;
      for (const PlanNode& c : n_.children) has_outer |= c.parent_relationship == "Outer";
      child.parent_relationship = has_outer ? "Inner" : "Outer";
    }
    n_.children.push_back(std::move(child));
    return *this;
  }

  operator PlanNode() const { return n_; }  // NOLINT: implicit by design
  PlanNode Build() const { return n_; }

 private:
  PlanNode n_;
};

inline ExplainQuery Query(PlanNode root, std::optional<double> execution_ms = std::nullopt,
                          std::optional<double> planning_ms = std::nullopt) {
  ExplainQuery q;
  q.plan = std::move(root);
  if (execution_ms) q.execution_time_ms = N(*execution_ms, 3);
  if (planning_ms) {
    q.has_planning = true;
    q.planning_time_ms = N(*planning_ms, 3);
  }
  return q;
}

}  // namespace planbot::analyzer::testing
