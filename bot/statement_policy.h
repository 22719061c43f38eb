// Which SQL statements each command accepts (SPEC §2), and the refusal that names the right
// command for the rest. Pure functions; thread-safe.
#pragma once

#include <string>

#include "analyzer/sql.h"
#include "common/result.h"

namespace planbot::bot {

// `plan` and `explain` take SELECT, INSERT, UPDATE, DELETE, MERGE, VALUES, TABLE and WITH.
// Anything else is an Error "refused" whose message says what to use instead.
Status CheckExplainable(const analyzer::SqlStatement& statement, const std::string& command);

}  // namespace planbot::bot
