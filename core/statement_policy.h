// Which SQL statements each command accepts (SPEC §2), and the refusal that names the right
// command for the rest. Pure functions; thread-safe.
#pragma once

#include <string>

#include "analyzer/sql.h"
#include "common/result.h"

namespace planbot::core {

// `plan` and `explain` take SELECT, INSERT, UPDATE, DELETE, MERGE, VALUES, TABLE and WITH.
// Anything else is an Error "refused" whose message says what to use instead. HypoPG's functions
// (hypopg_*) are refused in every command's SQL: `hypo` is the way to them.
Status CheckExplainable(const analyzer::SqlStatement& statement, const std::string& command);

// How `exec` runs a statement it accepts.
struct ExecPlan {
  bool transactional = true;  // false: cannot run in a transaction block (VACUUM, CONCURRENTLY)
};

// `exec` takes the statements that shape a clone for an experiment (an allow-list); the rest is
// an Error "refused" that says why (code that can write data anywhere, roles and privileges,
// other databases, transaction control, planbot's own limits, hypopg_* functions, partition
// bounds that are not constants).
Result<ExecPlan> CheckExecutable(const analyzer::SqlStatement& statement);

// The statement of `hypo create index ...`: a CREATE INDEX without hypopg_* functions.
Status CheckHypothetical(const analyzer::SqlStatement& statement);

}  // namespace planbot::core
