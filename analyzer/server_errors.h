// Database errors as users may see them (SECURITY.md: "error messages that quote the offending
// value", "... print a value without quotes, or whose quotes a value re-pairs", "dictionary echo",
// "constraint violations").
//
// A PostgreSQL error text can hold data: `invalid input syntax for type integer: "bob@..."`,
// `relation "bob@..." does not exist` (a regclass cast of a column), `operator does not exist:
// <value>` (a regoper cast), `Key (email)=(bob@...) already exists` in DETAIL. So what a user sees
// is the SQLSTATE, its condition name and a fixed message chosen by SQLSTATE. The server's primary
// message is shown only when it provably holds nothing but the user's own names:
//   1. the error was raised while PostgreSQL parsed and analysed the user's statement
//      (ErrorPhase::kAnalysis: the extended protocol's Parse step, before any row was read or any
//      expression evaluated; a value computed from data can only appear at run time), and
//   2. its SQLSTATE is class 42 (syntax error or access rule violation) or 0A000, and
//   3. the whole message matches one of a small table of message templates of PostgreSQL 15
//      (`relation "%s" does not exist`, `function %s does not exist`, ...), and every name in it
//      is an identifier or keyword token of the user's SQL as PostgreSQL's scanner reads it
//      (folded to lower case, or as quoted) — never a string literal and never a comment, so
//      candidates written into a literal or comment do not count (the dictionary echo). Type
//      names must be PostgreSQL's built-in ones or such tokens; numbers must be integer constants
//      of the SQL; operators only operator characters.
// Errors raised while the statement runs (planning included) always get the fixed message, and
// so do errors raised inside a function or trigger (the caller passes ErrorPhase::kExecution for
// those too). Constraint violations may name the constraint (or the NOT NULL column), which is
// schema, not data: the name must be a plain identifier of at most 63 bytes. DETAIL, HINT,
// CONTEXT and WHERE never appear.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace planbot::analyzer {

// When the server raised an error.
enum class ErrorPhase {
  kAnalysis,   // while parsing and analysing the statement (Parse message of the protocol)
  kExecution,  // while planning or running it, or inside a function or trigger it called
};

// The message for the user: e.g. "a value could not be converted to the target type (the value
// is withheld) [SQLSTATE 22P02 invalid_text_representation]".
std::string SafeErrorMessage(const std::string& sqlstate, const std::string& primary_message,
                             ErrorPhase phase, std::string_view user_sql);

// The fixed message of `sqlstate` with its tag, as SafeErrorMessage gives it when the server's
// text may not be shown; what the store keeps of an error it can no longer judge (migrations,
// redact).
std::string FixedErrorMessage(const std::string& sqlstate);

// True when `primary_message` of an analysis-phase error may be shown as it is (rules 2 and 3).
bool PrimaryMessageIsSafe(const std::string& sqlstate, const std::string& primary_message,
                          std::string_view user_sql);

// The SQLSTATE's condition name ("22P02" -> "invalid_text_representation"); empty if unknown.
std::string ConditionName(const std::string& sqlstate);

// True for SQLSTATEs that mean the connection is gone: class 08, admin_shutdown (57P01),
// crash_shutdown (57P02), cannot_connect_now (57P03), database_dropped (57P04).
bool IsConnectionLoss(const std::string& sqlstate);

}  // namespace planbot::analyzer
