// Short human labels for plan nodes, as PostgreSQL's text EXPLAIN names them on the node line:
// "Seq Scan on orders o", "Parallel Index Scan using orders_pkey on orders", "Hash Left Join",
// "Partial HashAggregate", "CTE Scan on x", "Insert on orders".
//
// Labels are for people (chat answers, tip messages) and for the analysis JSON; they are not
// unique (use the preorder node id of plan_metrics.h for that). Schema qualification is left out
// to keep them short. Pure functions, no failure modes; thread-safe.
#pragma once

#include <string>

#include "analyzer/plan_model.h"

namespace planbot::analyzer {

// The operation name without the target: "Hash Left Join", "Parallel Seq Scan", "HashAggregate".
std::string NodeOperationName(const PlanNode& node);

// The operation name plus index and target relation: "Index Scan using orders_pkey on orders".
std::string NodeLabel(const PlanNode& node);

}  // namespace planbot::analyzer
