#include "analyzer/sql_scan.h"

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <memory>
#include <string>

namespace planbot::analyzer::internal {
namespace {

TokenClass ClassOf(PgQuery__Token token) {
  switch (token) {
    case PG_QUERY__TOKEN__SCONST:
    case PG_QUERY__TOKEN__USCONST:
    case PG_QUERY__TOKEN__BCONST:
    case PG_QUERY__TOKEN__XCONST:
    case PG_QUERY__TOKEN__ICONST:
    case PG_QUERY__TOKEN__FCONST:
      return TokenClass::kLiteral;
    case PG_QUERY__TOKEN__PARAM:
      return TokenClass::kParam;
    case PG_QUERY__TOKEN__IDENT:
    case PG_QUERY__TOKEN__UIDENT:
      return TokenClass::kIdentifier;
    case PG_QUERY__TOKEN__SQL_COMMENT:
    case PG_QUERY__TOKEN__C_COMMENT:
      return TokenClass::kComment;
    default:
      return TokenClass::kOther;
  }
}

KeywordCategory CategoryOf(PgQuery__KeywordKind kind) {
  switch (kind) {
    case PG_QUERY__KEYWORD_KIND__UNRESERVED_KEYWORD:
      return KeywordCategory::kUnreserved;
    case PG_QUERY__KEYWORD_KIND__COL_NAME_KEYWORD:
      return KeywordCategory::kColName;
    case PG_QUERY__KEYWORD_KIND__TYPE_FUNC_NAME_KEYWORD:
      return KeywordCategory::kTypeFuncName;
    case PG_QUERY__KEYWORD_KIND__RESERVED_KEYWORD:
      return KeywordCategory::kReserved;
    default:
      return KeywordCategory::kNone;
  }
}

SqlToken ToToken(const PgQuery__ScanToken& t, int text_size) {
  SqlToken token;
  token.start = std::clamp(t.start, 0, text_size);
  token.end = std::clamp(t.end, token.start, text_size);
  token.token_class = ClassOf(t.token);
  token.keyword = CategoryOf(t.keyword_kind);
  token.integer = t.token == PG_QUERY__TOKEN__ICONST;
  token.end_unreliable = t.token == PG_QUERY__TOKEN__USCONST || t.token == PG_QUERY__TOKEN__UIDENT;
  return token;
}

// The keyword a token name of the grammar stands for: ABSOLUTE_P -> absolute, SELECT -> select.
// PostgreSQL names every keyword token this way (kwlist.h); other names simply scan as IDENT.
std::string KeywordCandidate(std::string_view token_name) {
  std::string word(token_name);
  if (word.size() > 2 && word.ends_with("_P")) word.resize(word.size() - 2);
  for (char& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return word;
}

// Length of the valid UTF-8 sequence at text[at], or 0 (the rules of PostgreSQL's
// pg_utf8_islegal: no overlong forms, no surrogates, nothing above U+10FFFF).
size_t Utf8SequenceLength(std::string_view text, size_t at) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[at + i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead == 0xe0) low = 0xa0;
    if (lead == 0xed) high = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead == 0xf0) low = 0x90;
    if (lead == 0xf4) high = 0x8f;
  } else {
    return 0;
  }
  if (at + length > text.size()) return 0;
  if (byte(1) < low || byte(1) > high) return 0;
  for (size_t i = 2; i < length; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xbf) return 0;
  }
  return length;
}

struct ScanFree {
  void operator()(PgQuery__ScanResult* scan) const {
    pg_query__scan_result__free_unpacked(scan, nullptr);
  }
};
using ScanPtr = std::unique_ptr<PgQuery__ScanResult, ScanFree>;

// libpg_query's scanner over `sql`, its tokens unpacked.
Result<ScanPtr> Scan(std::string_view sql) {
  Error nul;
  if (HasNulByte(sql, &nul)) return nul;
  const std::string text(sql);
  PgQueryScanResult result = pg_query_scan(text.c_str());
  if (result.error != nullptr) {
    Error error = SyntaxError(text, result.error->message, result.error->cursorpos);
    pg_query_free_scan_result(result);
    return error;
  }
  ScanPtr scan(pg_query__scan_result__unpack(nullptr, result.pbuf.len,
                                             reinterpret_cast<const uint8_t*>(result.pbuf.data)));
  pg_query_free_scan_result(result);
  if (scan == nullptr)
    return MakeError(ErrorCode::kSyntaxError, "the SQL scanner returned no tokens");
  return scan;
}

// How a token shapes the tree, for MeasureSql.
enum class Shape { kNone, kOpen, kClose, kSeparator, kChain, kOperator };

Shape ShapeOf(PgQuery__Token token) {
  switch (static_cast<int>(token)) {
    case '(':
    case '[':
    case PG_QUERY__TOKEN__CASE:
      return Shape::kOpen;
    case ')':
    case ']':
    case PG_QUERY__TOKEN__END_P:
      return Shape::kClose;
    case ',':
    case ';':
    case PG_QUERY__TOKEN__AND:
    case PG_QUERY__TOKEN__OR:
    case PG_QUERY__TOKEN__WHEN:
    case PG_QUERY__TOKEN__THEN:
    case PG_QUERY__TOKEN__ELSE:
      return Shape::kSeparator;
    case PG_QUERY__TOKEN__UNION:
    case PG_QUERY__TOKEN__INTERSECT:
    case PG_QUERY__TOKEN__EXCEPT:
    case PG_QUERY__TOKEN__JOIN:
      return Shape::kChain;
    case '+':
    case '-':
    case '*':
    case '/':
    case '%':
    case '^':
    case '<':
    case '>':
    case '=':
    case PG_QUERY__TOKEN__Op:
    case PG_QUERY__TOKEN__TYPECAST:
    case PG_QUERY__TOKEN__LESS_EQUALS:
    case PG_QUERY__TOKEN__GREATER_EQUALS:
    case PG_QUERY__TOKEN__NOT_EQUALS:
    case PG_QUERY__TOKEN__NOT:
    case PG_QUERY__TOKEN__COLLATE:
    case PG_QUERY__TOKEN__AT:
    case PG_QUERY__TOKEN__IS:
    case PG_QUERY__TOKEN__ISNULL:
    case PG_QUERY__TOKEN__NOTNULL:
    case PG_QUERY__TOKEN__LIKE:
    case PG_QUERY__TOKEN__ILIKE:
    case PG_QUERY__TOKEN__SIMILAR:
    case PG_QUERY__TOKEN__BETWEEN:
    case PG_QUERY__TOKEN__IN_P:
    case PG_QUERY__TOKEN__OPERATOR:
      return Shape::kOperator;
    default:
      return Shape::kNone;
  }
}

// One bracket level of MeasureSql.
struct Level {
  int chain = 0;      // set operations and joins at this level
  int run = 0;        // operators since the last separator
  int run_child = 0;  // deepest bracket level closed since the last separator
  int deepest = 0;    // deepest run (operators + child) ended so far

  void EndRun() {
    deepest = std::max(deepest, run + run_child);
    run = run_child = 0;
  }
  int Depth() {
    EndRun();
    return 1 + chain + deepest;
  }
};

}  // namespace

Result<SqlShape> MeasureSql(std::string_view sql) {
  Result<ScanPtr> scan = Scan(sql);
  if (!scan) return scan.error();
  SqlShape shape;
  std::vector<Level> levels(1);
  for (size_t i = 0; i < (*scan)->n_tokens; ++i) {
    const PgQuery__Token token = (*scan)->tokens[i]->token;
    if (token == PG_QUERY__TOKEN__SQL_COMMENT || token == PG_QUERY__TOKEN__C_COMMENT) continue;
    ++shape.tokens;
    switch (ShapeOf(token)) {
      case Shape::kOpen:
        levels.emplace_back();
        break;
      case Shape::kClose:
        if (levels.size() > 1) {  // an unbalanced closer is the parser's to report
          const int depth = levels.back().Depth();
          levels.pop_back();
          levels.back().run_child = std::max(levels.back().run_child, depth);
        }
        break;
      case Shape::kSeparator:
        levels.back().EndRun();
        break;
      case Shape::kChain:
        levels.back().EndRun();
        ++levels.back().chain;
        break;
      case Shape::kOperator:
        ++levels.back().run;
        break;
      case Shape::kNone:
        break;
    }
  }
  while (levels.size() > 1) {  // unclosed brackets: as if closed at the end
    const int depth = levels.back().Depth();
    levels.pop_back();
    levels.back().run_child = std::max(levels.back().run_child, depth);
  }
  shape.depth = levels.back().Depth();
  return shape;
}

Result<std::vector<SqlToken>> ScanSql(std::string_view sql) {
  Result<ScanPtr> scan = Scan(sql);
  if (!scan) return scan.error();
  std::vector<SqlToken> tokens;
  tokens.reserve((*scan)->n_tokens);
  const int size = static_cast<int>(sql.size());
  for (size_t i = 0; i < (*scan)->n_tokens; ++i) {
    tokens.push_back(ToToken(*(*scan)->tokens[i], size));
  }
  return tokens;
}

std::vector<std::pair<std::string, KeywordCategory>> ListKeywords() {
  // One scan over all candidate words instead of one per word.
  std::string words;
  for (unsigned i = 0; i < pg_query__token__descriptor.n_values; ++i) {
    words += KeywordCandidate(pg_query__token__descriptor.values[i].name);
    words += ' ';
  }
  std::vector<std::pair<std::string, KeywordCategory>> keywords;
  Result<std::vector<SqlToken>> tokens = ScanSql(words);
  if (!tokens.ok()) return keywords;
  for (const SqlToken& token : *tokens) {
    if (token.keyword == KeywordCategory::kNone) continue;
    std::string word = words.substr(token.start, token.end - token.start);
    const bool seen = std::any_of(keywords.begin(), keywords.end(),
                                  [&](const auto& entry) { return entry.first == word; });
    if (!seen) keywords.emplace_back(std::move(word), token.keyword);
  }
  return keywords;
}

int CursorPosToByteOffset(std::string_view text, int cursorpos) {
  if (cursorpos <= 0) return 0;
  // Same character length rule as PostgreSQL's pg_utf_mblen, so invalid UTF-8 counts alike.
  size_t byte = 0;
  for (int chars = 1; chars < cursorpos && byte < text.size(); ++chars) {
    const auto lead = static_cast<unsigned char>(text[byte]);
    if ((lead & 0x80) == 0) {
      byte += 1;
    } else if ((lead & 0xe0) == 0xc0) {
      byte += 2;
    } else if ((lead & 0xf0) == 0xe0) {
      byte += 3;
    } else if ((lead & 0xf8) == 0xf0) {
      byte += 4;
    } else {
      byte += 1;
    }
  }
  return static_cast<int>(std::min(byte, text.size())) + 1;
}

Error SyntaxError(std::string_view text, const char* message, int cursorpos) {
  return MakeError(ErrorCode::kSyntaxError, message != nullptr ? message : "syntax error",
                   CursorPosToByteOffset(text, cursorpos));
}

bool HasNulByte(std::string_view text, Error* error) {
  const size_t nul = text.find('\0');
  if (nul == std::string_view::npos) return false;
  *error = MakeError(ErrorCode::kSyntaxError, "the SQL text contains a NUL byte",
                     static_cast<int>(nul) + 1);
  return true;
}

bool IsUnfitForParser(std::string_view text, Error* error) {
  if (HasNulByte(text, error)) return true;
  for (size_t at = 0; at < text.size();) {
    const size_t length = Utf8SequenceLength(text, at);
    if (length == 0) {
      *error = MakeError(ErrorCode::kSyntaxError, "invalid byte sequence for encoding \"UTF8\"",
                         static_cast<int>(at) + 1);
      return true;
    }
    at += length;
  }
  return false;
}

}  // namespace planbot::analyzer::internal
