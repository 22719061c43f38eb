// Internal to analyzer/: PostgreSQL's SQL scanner (libpg_query's pg_query_scan) as plain values.
//
// The scanner is the lexer of the real parser; literal masking and identifier quoting use it so
// that they agree with PostgreSQL about where a string, number or keyword starts and ends.
// libpg_query types stay inside sql_scan.cc.
//
// What can fail: ScanSql returns a "syntax_error" when the scanner rejects the text (unterminated
// quote or comment, junk after a number) or the text holds a NUL byte; the error's position is a
// 1-based byte offset of the offending token.
//
// Thread-safety: every function may be called from any thread concurrently; libpg_query keeps its
// state per thread.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace planbot::analyzer::internal {

enum class TokenClass {
  kLiteral,     // string, bit-string, hex-string, integer or numeric constant
  kParam,       // $1, $2, ...
  kIdentifier,  // an identifier that is not a keyword: plain, "quoted" or U&"..."
  kComment,     // -- ... or /* ... */
  kOther,       // keywords, operators, punctuation
};

// PostgreSQL's keyword categories (kwlist.h).
enum class KeywordCategory { kNone, kUnreserved, kColName, kTypeFuncName, kReserved };

struct SqlToken {
  int start = 0;  // byte offset of the first byte
  int end = 0;    // byte offset one past the last byte
  TokenClass token_class = TokenClass::kOther;
  KeywordCategory keyword = KeywordCategory::kNone;
  // An integer constant (ICONST), e.g. 42.
  bool integer = false;
  // libpg_query 15-4.0.0 reports a wrong end for U&'...' and U&"..." tokens (end <= start + 1);
  // such a token really extends up to the next token.
  bool end_unreliable = false;
};

// Tokens in input order, comments included; whitespace is not a token.
Result<std::vector<SqlToken>> ScanSql(std::string_view sql);

// What the scanner tells about a text's size and shape, before anything builds a tree of it
// (libpg_query writes its parse tree with recursive functions: a tree deep enough overflows the
// stack, and a large one takes seconds and hundreds of megabytes as JSON).
struct SqlShape {
  size_t tokens = 0;  // comments not counted
  // An upper bound on how deeply the grammar nests the parse tree, counted in levels: every
  // bracket or CASE ... END is a level, and within one level every operator (which PostgreSQL's
  // grammar nests one per operator: 1+1+1 is ((1+1)+1)) counts one more, except that a comma,
  // AND, OR, WHEN, THEN, ELSE or ';' ends a run (they make lists, not chains); UNION, INTERSECT,
  // EXCEPT and JOIN chain the whole level.
  int depth = 0;
};
Result<SqlShape> MeasureSql(std::string_view sql);

// Every keyword the scanner knows (lower case) with its category, in no particular order.
std::vector<std::pair<std::string, KeywordCategory>> ListKeywords();

// libpg_query reports error positions as 1-based character counts (PostgreSQL's cursorpos in the
// server encoding, UTF-8); converts one to a 1-based byte offset into `text`. 0 stays 0.
int CursorPosToByteOffset(std::string_view text, int cursorpos);

// An Error with code "syntax_error", libpg_query's message and the byte position.
Error SyntaxError(std::string_view text, const char* message, int cursorpos);

// If `text` holds a NUL byte (which a C string would silently cut off), the error to report.
bool HasNulByte(std::string_view text, Error* error);

// If `text` holds a NUL byte or is not valid UTF-8 (which PostgreSQL would reject with the same
// message, and which would break JSON answers later), the error to report.
bool IsUnfitForParser(std::string_view text, Error* error);

}  // namespace planbot::analyzer::internal
