// Internal to analyzer/: the message templates of PostgreSQL 15 errors that may be shown to the
// user when they are raised during parse analysis (server_errors.h, rule 3), and the vocabulary
// of the user's SQL their holes are checked against.
//
// A template is a message text with typed holes:
//   %N  a name, possibly qualified (a.b.c): the whole text, or each dot-separated part, is a name
//       of the SQL
//   %F  a function signature, name(type, ...): %N, then a list of %T (with `name => ` and
//       VARIADIC allowed), or `*`
//   %T  a type name: words that are built-in type names or names of the SQL, "quoted" parts,
//       qualification, (digits) modifiers, [] suffixes
//   %O  an operator signature: [%T ]op %T, where op is operator characters, possibly qualified
//   %C  the name of an SQL construct ("WHERE", "JOIN/ON", "window PARTITION BY", ...): one to
//       four words from a fixed vocabulary
//   %I  an integer that is an integer constant or a $n parameter number of the SQL
// The match is anchored at both ends and holes are never empty.
//
// Thread-safety: pure functions over immutable tables.
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>

namespace planbot::analyzer::internal {

// What the user's SQL offers to the holes: never its string literals or comments.
struct SqlVocabulary {
  // Identifier and keyword tokens as the server prints them: plain ones folded to lower case,
  // quoted ones as written between the quotes ("" read as "), both cut to 63 bytes.
  std::unordered_set<std::string> names;
  // Integer constants and parameter numbers, without leading zeros.
  std::unordered_set<std::string> integers;
};

// The vocabulary of `sql`; empty when the scanner rejects the text.
SqlVocabulary VocabularyOf(std::string_view sql);

// True when `word` (a run of name bytes: letters, digits, _, $, non-ASCII) is part of a template's
// fixed text, a word of a built-in type name or of a construct name: the words a shown message
// may hold besides the SQL's vocabulary (tests/fuzz/fuzz_server_errors.cc checks this).
bool IsTemplateWord(std::string_view word);

// True when `message` matches a template listed for `sqlstate` with every hole checked.
bool MatchesSafeTemplate(std::string_view sqlstate, std::string_view message,
                         const SqlVocabulary& vocabulary);

}  // namespace planbot::analyzer::internal
