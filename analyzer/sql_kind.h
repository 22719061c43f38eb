// Internal to analyzer/: the kind of a statement, read from libpg_query's JSON parse tree.
//
// Maps every PostgreSQL 15 statement node to SqlStatement::kind and ::detail (see sql.h); node
// types without a kind of their own map to "other" with the node name in snake case as detail,
// so the mapping is total and deterministic.
//
// What can fail: nothing; an unexpected tree shape yields kind "other".
// Thread-safety: pure function, safe to call concurrently.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "analyzer/statement_kind.h"

namespace planbot::analyzer::internal {

struct StatementClass {
  StatementKind kind = StatementKind::kOther;
  std::string detail;
};

// True for CREATE INDEX CONCURRENTLY, DROP INDEX CONCURRENTLY and REINDEX (CONCURRENTLY).
bool IsConcurrently(const nlohmann::json& node);

// `node` is the value of a raw statement's "stmt" member, e.g. {"SelectStmt": {...}}.
StatementClass ClassifyStatement(const nlohmann::json& node);

}  // namespace planbot::analyzer::internal
