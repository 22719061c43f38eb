// SQL checks with PostgreSQL's own parser (libpg_query): splitting a text into statements,
// classifying each statement, normalizing and fingerprinting.
//
// The bot refuses everything but one statement of an allowed kind before anything reaches the
// database, so splitting is done by the real parser (never by searching for ';'): `$$;$$` bodies,
// strings and comments holding ';', and empty statements (`select 1;;`) come out right.
// libpg_query types never leave the analyzer; callers see only the values below.
//
// What can fail:
// - "too_complex": the text is beyond what planbot analyses — more than kMaxSqlTokens tokens, or
//   nested deeper than kMaxSqlDepth levels (brackets, and chains of operators, which the grammar
//   nests one level per operator). Checked with the scanner alone, before any tree is built, by
//   every function below (SECURITY.md: "exhausting planbot").
// - "syntax_error": the text does not parse. `message` is the parser's (e.g. `syntax error at or
//   near "selec"`) and may quote a token of the input, which can be a literal: treat it like the
//   SQL text itself when storing it. `position` is the 1-based byte offset of the error, 0 if
//   unknown. A NUL byte in the text is a syntax error too (C strings would cut the text there).
// - ParseSingleStatement only: "empty" (no statement) and "multiple_statements".
//
// Thread-safety: every function may be called from any thread concurrently (libpg_query keeps
// its memory per thread).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "analyzer/statement_kind.h"
#include "common/result.h"

namespace planbot::analyzer {

struct SqlStatement {
  // The statement type (analyzer/statement_kind.h), e.g. kSelect, kCreateIndex, kSet, kDrop;
  // kOther for statement types without a kind of their own. sql_kind.cc maps every node.
  StatementKind kind = StatementKind::kOther;
  // Kind-specific: the GUC name for set/show/alter_system ("statement_timeout", "role",
  // "session_authorization", "all" for RESET ALL); the extension for create_extension; the object
  // type for drop, comment, alter_other and create_other ("index", "materialized_view", ...);
  // "procedure" for CREATE PROCEDURE; the command for transaction ("begin", "commit", ...); the
  // node name for other ("reassign_owned"). Otherwise "".
  std::string detail;
  // The statement's text as split by the parser, original bytes, without the trailing ';' and
  // without surrounding whitespace (comments are kept).
  std::string text;
  // Byte offset of `text` in the input.
  int location = 0;
  // Every function called anywhere in the statement (FuncCall nodes, incl. CALL), as the parser
  // folded it ("schema.name" when qualified), deduplicated, in first-seen order. SQL-syntax
  // functions appear under their catalog name (EXTRACT -> "pg_catalog.extract"). Function bodies
  // ($$...$$, DO blocks) are strings and are not looked into.
  std::vector<std::string> functions;
  // CREATE INDEX / DROP INDEX / REINDEX ... CONCURRENTLY: cannot run in a transaction block.
  bool concurrently = false;
  // A partition bound (CREATE TABLE ... PARTITION OF, ALTER TABLE ... ATTACH PARTITION) that is
  // not made of constants, MINVALUE and MAXVALUE only: an expression such as current_setting()
  // is evaluated once and its value is printed back by \d.
  bool partition_bound_expression = false;
};

// The limits of "too_complex". A 50,000-element IN list is 100,000 tokens; PostgreSQL itself
// stops at a few thousand levels (max_stack_depth).
inline constexpr size_t kMaxSqlTokens = 100000;
inline constexpr int kMaxSqlDepth = 1000;

// Ok, or the "too_complex" (or "syntax_error") Error for `sql`.
Status CheckSqlShape(std::string_view sql);

// Parses and splits with the real parser; empty statements (";;", comments only) are not
// statements, so an empty or comment-only text gives an empty vector.
Result<std::vector<SqlStatement>> ParseStatements(std::string_view sql);

// Exactly one statement: errors "empty" ("no SQL statement") and "multiple_statements"
// ("N statements; send one at a time") besides "syntax_error".
Result<SqlStatement> ParseSingleStatement(std::string_view sql);

// pg_query_normalize: constants become $1, $2, ... (numbered after any existing parameter), and
// comments are dropped (a comment can hold anything: a secret pasted by mistake, or candidate
// values written there to be echoed; normalized text is kept in history and in the audit log,
// which is never purged). A comment between two tokens leaves one space. String constants that
// pg_query_normalize leaves in utility statements (`create index ... where b = 'x'`, found by
// tests/fuzz/fuzz_sql_check) become further $n placeholders too; numbers there (type modifiers,
// storage options) are kept.
Result<std::string> Normalize(std::string_view sql);

// pg_query_fingerprint: 16 lower-case hex characters; equal for queries that differ only in
// constants (also in the length of IN lists) and in aliases of the select list.
Result<std::string> Fingerprint(std::string_view sql);

// One statement as the bot checks it: ParseSingleStatement, then Normalize and Fingerprint of the
// statement's text, with the limits checked once.
struct CheckedSql {
  SqlStatement statement;
  std::string normalized;
  std::string fingerprint;
};
Result<CheckedSql> CheckSingleStatement(std::string_view sql);

}  // namespace planbot::analyzer
