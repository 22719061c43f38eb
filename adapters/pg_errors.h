// Database errors as users may see them (SECURITY.md: "error messages that quote the offending
// value", "constraint violations").
//
// A PostgreSQL error text can quote data: `invalid input syntax for type integer: "bob@..."`,
// `relation "bob@..." does not exist` (a cast to regclass), `Key (email)=(bob@...) already
// exists` in DETAIL, a PL/pgSQL RAISE of a column value. So what a user sees is the SQLSTATE,
// its condition name and a fixed message chosen by SQLSTATE. The server's primary message is
// shown only when it provably holds nothing but the user's own text:
//   - its SQLSTATE is class 42 (syntax error or access rule violation) or 0A000, and
//   - it has no single quote at all, no line break, and every double-quoted part of it appears
//     in the user's SQL as written (an all-lowercase part may match case-insensitively, because
//     the server folds unquoted identifiers; a part starting or ending with a word character
//     must stand as a whole word there).
// Constraint violations may name the constraint (or the NOT NULL column) when the primary
// message quotes it: that is schema, not data. DETAIL, HINT, CONTEXT and WHERE never appear.
// Callers pass an empty primary message when the error did not come from the statement itself
// (e.g. raised inside a function), which always gives the fixed message.
//
// Pure functions; thread-safe.
#pragma once

#include <string>

namespace planbot::adapters {

// The message for the user: e.g. "a value could not be converted to the target type (the value
// is withheld) [SQLSTATE 22P02 invalid_text_representation]".
std::string SafeErrorMessage(const std::string& sqlstate, const std::string& primary_message,
                             const std::string& user_sql);

// True when `primary_message` may be shown as it is (the rules above).
bool PrimaryMessageIsSafe(const std::string& sqlstate, const std::string& primary_message,
                          const std::string& user_sql);

// The SQLSTATE's condition name ("22P02" -> "invalid_text_representation"); empty if unknown.
std::string ConditionName(const std::string& sqlstate);

// True for SQLSTATEs that mean the connection is gone: class 08, admin_shutdown (57P01),
// crash_shutdown (57P02), cannot_connect_now (57P03), database_dropped (57P04).
bool IsConnectionLoss(const std::string& sqlstate);

}  // namespace planbot::adapters
