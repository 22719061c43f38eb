#include "analyzer/node_label.h"

#include <doctest/doctest.h>

#include "tests/analyzer/plan_builders.h"

namespace planbot::analyzer {
using testing::Node;

TEST_CASE("NodeLabel names scans as the text EXPLAIN does") {
  CHECK(NodeLabel(Node("Seq Scan").Rel("orders")) == "Seq Scan on orders");
  CHECK(NodeLabel(Node("Seq Scan").Rel("orders", "o")) == "Seq Scan on orders o");
  CHECK(NodeLabel(Node("Seq Scan").Rel("orders").Set([](PlanNode& n) {
          n.parallel_aware = true;
        })) == "Parallel Seq Scan on orders");
  CHECK(NodeLabel(Node("Index Scan").Index("orders_pkey").Rel("orders")) ==
        "Index Scan using orders_pkey on orders");
  CHECK(NodeLabel(Node("Index Only Scan").Index("i").Rel("t").Set([](PlanNode& n) {
          n.scan_direction = "Backward";
        })) == "Index Only Scan Backward using i on t");
  CHECK(NodeLabel(Node("Bitmap Index Scan").Index("orders_status_idx")) ==
        "Bitmap Index Scan on orders_status_idx");
  CHECK(NodeLabel(Node("CTE Scan").Set([](PlanNode& n) {
          n.cte_name = "x";
          n.alias = "a";
        })) == "CTE Scan on x a");
  CHECK(NodeLabel(Node("Values Scan").Set([](PlanNode& n) { n.alias = "*VALUES*"; })) ==
        "Values Scan on \"*VALUES*\"");
  CHECK(NodeLabel(Node("Seq Scan").Rel("Order Items")) == "Seq Scan on \"Order Items\"");
}

TEST_CASE("NodeLabel names joins, aggregates and modifications") {
  CHECK(NodeLabel(Node("Hash Join").Set([](PlanNode& n) { n.join_type = "Inner"; })) ==
        "Hash Join");
  CHECK(NodeLabel(Node("Hash Join").Set([](PlanNode& n) { n.join_type = "Left"; })) ==
        "Hash Left Join");
  CHECK(NodeLabel(Node("Nested Loop").Set([](PlanNode& n) { n.join_type = "Anti"; })) ==
        "Nested Loop Anti Join");
  CHECK(NodeLabel(Node("Merge Join").Set([](PlanNode& n) { n.join_type = "Full"; })) ==
        "Merge Full Join");
  CHECK(NodeLabel(Node("Aggregate").Set([](PlanNode& n) {
          n.strategy = "Hashed";
          n.partial_mode = "Partial";
        })) == "Partial HashAggregate");
  CHECK(NodeLabel(Node("Aggregate").Set([](PlanNode& n) {
          n.strategy = "Plain";
          n.partial_mode = "Simple";
        })) == "Aggregate");
  CHECK(NodeLabel(Node("ModifyTable").Rel("orders").Set([](PlanNode& n) {
          n.operation = "Insert";
        })) == "Insert on orders");
  CHECK(NodeLabel(Node("Gather Merge")) == "Gather Merge");
}

}  // namespace planbot::analyzer
