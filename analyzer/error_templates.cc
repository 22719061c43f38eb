#include "analyzer/error_templates.h"

#include <algorithm>
#include <array>
#include <vector>

#include "analyzer/sql_scan.h"

namespace planbot::analyzer::internal {
namespace {

constexpr size_t kMaxNameBytes = 63;  // NAMEDATALEN - 1

struct Template {
  std::string_view sqlstate;
  std::string_view text;
};

// PostgreSQL 15's own wording (the msgids of its message catalog). Only errors that parse
// analysis raises for a SELECT/INSERT/UPDATE/DELETE/MERGE or the query of a CREATE TABLE AS.
constexpr auto kTemplates = std::to_array<Template>({
    {"42P01", "relation \"%N\" does not exist"},
    {"42P01", "missing FROM-clause entry for table \"%N\""},
    {"42P01", "invalid reference to FROM-clause entry for table \"%N\""},
    {"42703", "column \"%N\" does not exist"},
    {"42703", "column %N does not exist"},
    {"42703", "column \"%N\" of relation \"%N\" does not exist"},
    {"42703", "column \"%N\" specified in USING clause does not exist in left table"},
    {"42703", "column \"%N\" specified in USING clause does not exist in right table"},
    {"42702", "column reference \"%N\" is ambiguous"},
    {"42702", "table reference \"%N\" is ambiguous"},
    {"42702", "common column name \"%N\" appears more than once in left table"},
    {"42702", "common column name \"%N\" appears more than once in right table"},
    {"42712", "table name \"%N\" specified more than once"},
    {"42712", "WITH query name \"%N\" specified more than once"},
    {"42701", "column \"%N\" specified more than once"},
    {"42701", "column name \"%N\" appears more than once in USING clause"},
    {"42883", "function %F does not exist"},
    {"42883", "operator does not exist: %O"},
    {"42883", "could not identify an equality operator for type %T"},
    {"42883", "could not identify an ordering operator for type %T"},
    {"42725", "function %F is not unique"},
    {"42725", "operator is not unique: %O"},
    {"42704", "type \"%T\" does not exist"},
    {"42803",
     "column \"%N\" must appear in the GROUP BY clause or be used in an aggregate function"},
    {"42803", "subquery uses ungrouped column \"%N\" from outer query"},
    {"42803", "aggregate functions are not allowed in %C"},
    {"42803", "aggregate function calls cannot be nested"},
    {"42803", "aggregate function calls cannot contain window function calls"},
    {"42803", "aggregate function calls cannot contain set-returning function calls"},
    {"42P20", "window functions are not allowed in %C"},
    {"42P20", "window function calls cannot be nested"},
    {"42804", "argument of %C must be type %T, not type %T"},
    {"42804", "column \"%N\" is of type %T but expression is of type %T"},
    {"42804", "%C types %T and %T cannot be matched"},
    {"42804", "%C could not convert type %T to %T"},
    {"42846", "cannot cast type %T to %T"},
    {"42P10", "%C position %I is not in select list"},
    {"42P10", "SELECT DISTINCT ON expressions must match initial ORDER BY expressions"},
    {"42P10", "for SELECT DISTINCT, ORDER BY expressions must appear in select list"},
    {"42P18", "could not determine data type of parameter $%I"},
    {"42P02", "there is no parameter $%I"},
    {"42809", "op ANY/ALL (array) requires array on right side"},
    {"42601", "improper qualified name (too many dotted names): %N"},
    {"42601", "improper relation name (too many dotted names): %N"},
    {"42601", "subquery in FROM must have an alias"},
    {"42601", "VALUES in FROM must have an alias"},
    {"42601", "each %C query must have the same number of columns"},
    {"42601", "INSERT has more expressions than target columns"},
    {"42601", "INSERT has more target columns than expressions"},
    {"42601", "VALUES lists must all be the same length"},
    {"42601", "SELECT * with no tables specified is not valid"},
    {"42601", "syntax error at end of input"},
    {"0A000", "cross-database references are not implemented: %N"},
    {"0A000", "cross-database references are not implemented: \"%N\""},
    {"0A000", "set-returning functions are not allowed in %C"},
});

// Words of built-in type names as format_type_be() prints them.
constexpr auto kTypeWords = std::to_array<std::string_view>({
    "aclitem",
    "any",
    "anyarray",
    "anycompatible",
    "anycompatiblearray",
    "anycompatiblemultirange",
    "anycompatiblenonarray",
    "anycompatiblerange",
    "anyelement",
    "anyenum",
    "anymultirange",
    "anynonarray",
    "anyrange",
    "bigint",
    "bit",
    "boolean",
    "box",
    "bytea",
    "char",
    "character",
    "cid",
    "cidr",
    "circle",
    "cstring",
    "date",
    "datemultirange",
    "daterange",
    "double",
    "event_trigger",
    "fdw_handler",
    "gtsvector",
    "index_am_handler",
    "inet",
    "int2vector",
    "int4multirange",
    "int4range",
    "int8multirange",
    "int8range",
    "integer",
    "internal",
    "interval",
    "json",
    "jsonb",
    "jsonpath",
    "language_handler",
    "line",
    "lseg",
    "macaddr",
    "macaddr8",
    "money",
    "name",
    "numeric",
    "nummultirange",
    "numrange",
    "oid",
    "oidvector",
    "path",
    "pg_catalog",
    "pg_dependencies",
    "pg_lsn",
    "pg_mcv_list",
    "pg_ndistinct",
    "pg_node_tree",
    "pg_snapshot",
    "point",
    "polygon",
    "precision",
    "real",
    "record",
    "refcursor",
    "regclass",
    "regcollation",
    "regconfig",
    "regdictionary",
    "regnamespace",
    "regoper",
    "regoperator",
    "regproc",
    "regprocedure",
    "regrole",
    "regtype",
    "smallint",
    "table_am_handler",
    "text",
    "tid",
    "time",
    "timestamp",
    "trigger",
    "tsm_handler",
    "tsmultirange",
    "tsquery",
    "tsrange",
    "tstzmultirange",
    "tstzrange",
    "tsvector",
    "txid_snapshot",
    "unknown",
    "uuid",
    "varying",
    "void",
    "with",
    "without",
    "xid",
    "xid8",
    "xml",
    "zone",
});

// Lower-case words in the names of SQL constructs (ParseExprKindName and friends).
constexpr auto kConstructWords = std::to_array<std::string_view>({
    "arguments",  "bound",       "check",     "column",     "conditions", "constraint",
    "expression", "expressions", "functions", "generation", "in",         "index",
    "key",        "parameters",  "partition", "policy",     "predicate",  "statistics",
    "transform",  "trigger",     "window",
});

// Upper-case words of those names (ParseExprKindName, the select_common_type and coercion
// contexts of PostgreSQL 15): a fixed list, so that no other upper-case word passes as one.
constexpr auto kConstructUpperWords = std::to_array<std::string_view>({
    "AND",       "ARRAY",    "BY",         "CALL",     "CASE",   "CASE/WHEN", "CHECK",  "COALESCE",
    "COPY",      "CYCLE",    "DEFAULT",    "DISTINCT", "EXCEPT", "EXECUTE",   "FALSE",  "FILTER",
    "FROM",      "GREATEST", "GROUP",      "GROUPS",   "HAVING", "IN",        "INSERT", "INTERSECT",
    "IS",        "JOIN/ON",  "JOIN/USING", "LEAST",    "LIMIT",  "MERGE",     "NOT",    "NULL",
    "NULLIF",    "OFFSET",   "ON",         "OR",       "ORDER",  "PARTITION", "POLICY", "RANGE",
    "RETURNING", "ROWS",     "SELECT",     "TRUE",     "UNION",  "UNKNOWN",   "UPDATE", "USING",
    "VALUES",    "WHEN",     "WHERE",
});

template <size_t N>
bool InList(const std::array<std::string_view, N>& list, std::string_view word) {
  return std::find(list.begin(), list.end(), word) != list.end();
}

bool IsNameByte(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '$' || u >= 0x80;
}

bool IsOperatorChar(char c) {
  return std::string_view("+-*/<>=~!@#%^&|`?").find(c) != std::string_view::npos;
}

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string WithoutLeadingZeros(std::string_view digits) {
  size_t first = digits.find_first_not_of('0');
  return first == std::string_view::npos ? "0" : std::string(digits.substr(first));
}

// The first `max` bytes of `s`, not cutting a UTF-8 sequence (as PostgreSQL's pg_mbcliplen).
std::string Clip(std::string s, size_t max) {
  if (s.size() <= max) return s;
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xc0) == 0x80) --cut;
  s.resize(cut);
  return s;
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

class HoleChecker {
 public:
  explicit HoleChecker(const SqlVocabulary& v) : v_(v) {}

  bool Check(char kind, std::string_view s) const {
    switch (kind) {
      case 'N':
        return QualifiedName(s);
      case 'F':
        return FunctionSignature(s);
      case 'T':
        return TypeName(s);
      case 'O':
        return OperatorSignature(s);
      case 'C':
        return Construct(s);
      case 'I':
        return IsDigits(s) && s.size() <= 10 && v_.integers.count(WithoutLeadingZeros(s)) > 0;
      default:
        return false;
    }
  }

 private:
  bool Name(std::string_view s) const { return !s.empty() && v_.names.count(std::string(s)) > 0; }

  // The whole text a name of the SQL (a quoted identifier may hold dots), or each part.
  bool QualifiedName(std::string_view s) const {
    if (Name(s)) return true;
    if (s.find('.') == std::string_view::npos) return false;
    size_t begin = 0;
    while (true) {
      size_t dot = s.find('.', begin);
      std::string_view part = s.substr(begin, dot == std::string_view::npos ? dot : dot - begin);
      if (!Name(part)) return false;
      if (dot == std::string_view::npos) return true;
      begin = dot + 1;
    }
  }

  bool TypeWord(std::string_view w) const { return InList(kTypeWords, w) || Name(w); }

  // Words, "quoted" parts, dots, single spaces, one (digits[,digits]) modifier, [] suffixes.
  bool TypeName(std::string_view s) const {
    if (s.empty() || s.size() > 200) return false;
    size_t i = 0;
    bool any_word = false;
    while (i < s.size()) {
      const char c = s[i];
      if (c == '"') {
        size_t close = i + 1;
        std::string content;
        while (close < s.size()) {
          if (s[close] == '"') {
            if (close + 1 < s.size() && s[close + 1] == '"') {
              content += '"';
              close += 2;
              continue;
            }
            break;
          }
          content += s[close++];
        }
        if (close >= s.size() || !TypeWord(content)) return false;
        any_word = true;
        i = close + 1;
      } else if (IsNameByte(c) && !(c >= '0' && c <= '9')) {
        size_t end = i;
        while (end < s.size() && IsNameByte(s[end])) ++end;
        if (!TypeWord(s.substr(i, end - i))) return false;
        any_word = true;
        i = end;
      } else if (c == '(') {
        size_t close = s.find(')', i);
        if (close == std::string_view::npos) return false;
        std::string_view inside = s.substr(i + 1, close - i - 1);
        if (inside.empty() || inside.find_first_not_of("0123456789,") != std::string_view::npos) {
          return false;
        }
        i = close + 1;
      } else if (c == '[' && i + 1 < s.size() && s[i + 1] == ']') {
        i += 2;
      } else if (c == '.' || c == ' ') {
        if (i == 0 || i + 1 >= s.size() || s[i + 1] == ' ' || s[i + 1] == '.') return false;
        ++i;
      } else {
        return false;
      }
    }
    return any_word;
  }

  // One argument of a function signature: [VARIADIC ][name => ]type.
  bool Argument(std::string_view a) const {
    if (a.starts_with("VARIADIC ")) a.remove_prefix(9);
    if (size_t arrow = a.find(" => "); arrow != std::string_view::npos) {
      if (!Name(a.substr(0, arrow))) return false;
      a.remove_prefix(arrow + 4);
    }
    return TypeName(a);
  }

  bool FunctionSignature(std::string_view s) const {
    size_t open = s.find('(');
    if (open == std::string_view::npos || open == 0 || s.back() != ')') return false;
    if (!QualifiedName(s.substr(0, open))) return false;
    std::string_view args = s.substr(open + 1, s.size() - open - 2);
    if (args.empty() || args == "*") return true;
    int depth = 0;
    size_t begin = 0;
    for (size_t i = 0; i <= args.size(); ++i) {
      if (i < args.size() && args[i] == '(') ++depth;
      if (i < args.size() && args[i] == ')') --depth;
      const bool end = i == args.size() || (depth == 0 && args.compare(i, 2, ", ") == 0);
      if (!end) continue;
      if (!Argument(args.substr(begin, i - begin))) return false;
      begin = i + 2;
      ++i;
    }
    return depth == 0;
  }

  // [schema.]operator characters.
  bool Operator(std::string_view op) const {
    size_t dot = op.rfind('.');
    std::string_view symbol = dot == std::string_view::npos ? op : op.substr(dot + 1);
    if (symbol.empty() || symbol.size() > kMaxNameBytes ||
        !std::all_of(symbol.begin(), symbol.end(), IsOperatorChar)) {
      return false;
    }
    return dot == std::string_view::npos || QualifiedName(op.substr(0, dot));
  }

  // "left op right" or "op right", where op stands between spaces (or first).
  bool OperatorSignature(std::string_view s) const {
    size_t space = s.find(' ');
    if (space != std::string_view::npos && Operator(s.substr(0, space)) &&
        TypeName(s.substr(space + 1))) {
      return true;
    }
    for (size_t at = s.find(' '); at != std::string_view::npos; at = s.find(' ', at + 1)) {
      size_t next = s.find(' ', at + 1);
      if (next == std::string_view::npos) break;
      if (Operator(s.substr(at + 1, next - at - 1)) && TypeName(s.substr(0, at)) &&
          TypeName(s.substr(next + 1))) {
        return true;
      }
    }
    return false;
  }

  // One to four words, each from the two fixed lists (WHERE, JOIN/ON, window, ...).
  bool Construct(std::string_view s) const {
    if (s.empty() || s.size() > 40) return false;
    int words = 0;
    size_t begin = 0;
    while (begin <= s.size()) {
      size_t space = s.find(' ', begin);
      std::string_view w = s.substr(begin, space == std::string_view::npos ? space : space - begin);
      if (!InList(kConstructUpperWords, w) && !InList(kConstructWords, w)) return false;
      if (++words > 4) return false;
      if (space == std::string_view::npos) return true;
      begin = space + 1;
    }
    return false;
  }

  const SqlVocabulary& v_;
};

// Matches message[m..] against tmpl[t..]; holes end where the next literal part of the template
// occurs, every occurrence tried.
bool Match(std::string_view tmpl, size_t t, std::string_view message, size_t m,
           const HoleChecker& holes) {
  while (t < tmpl.size() && tmpl[t] != '%') {
    if (m >= message.size() || message[m] != tmpl[t]) return false;
    ++t;
    ++m;
  }
  if (t == tmpl.size()) return m == message.size();
  const char kind = tmpl[t + 1];
  const size_t literal_begin = t + 2;
  const size_t literal_end = std::min(tmpl.find('%', literal_begin), tmpl.size());
  const std::string_view literal = tmpl.substr(literal_begin, literal_end - literal_begin);
  if (literal.empty()) {  // the hole runs to the end of the message
    return m < message.size() && holes.Check(kind, message.substr(m));
  }
  for (size_t at = message.find(literal, m + 1); at != std::string_view::npos;
       at = message.find(literal, at + 1)) {
    if (holes.Check(kind, message.substr(m, at - m)) &&
        Match(tmpl, literal_begin, message, at, holes)) {
      return true;
    }
  }
  return false;
}

// The identifier a token stands for, as the server prints it; empty when unknown (U&"...").
std::string TokenName(std::string_view text, const SqlToken& token) {
  if (token.end_unreliable) return std::string();
  std::string_view raw = text.substr(token.start, token.end - token.start);
  if (raw.size() >= 2 && raw.front() == '"' && raw.back() == '"') {
    std::string name;
    for (size_t i = 1; i + 1 < raw.size(); ++i) {
      name += raw[i];
      if (raw[i] == '"') ++i;  // "" stands for one "
    }
    return Clip(std::move(name), kMaxNameBytes);
  }
  return Clip(AsciiLower(raw), kMaxNameBytes);
}

}  // namespace

SqlVocabulary VocabularyOf(std::string_view sql) {
  SqlVocabulary vocabulary;
  Result<std::vector<SqlToken>> tokens = ScanSql(sql);
  if (!tokens.ok()) return vocabulary;
  for (const SqlToken& token : *tokens) {
    if (token.token_class == TokenClass::kIdentifier ||
        (token.token_class == TokenClass::kOther && token.keyword != KeywordCategory::kNone)) {
      std::string name = TokenName(sql, token);
      if (!name.empty()) vocabulary.names.insert(std::move(name));
    } else if (token.integer || token.token_class == TokenClass::kParam) {
      std::string_view digits = sql.substr(token.start, token.end - token.start);
      if (!digits.empty() && digits.front() == '$') digits.remove_prefix(1);
      if (IsDigits(digits)) vocabulary.integers.insert(WithoutLeadingZeros(digits));
    }
  }
  return vocabulary;
}

bool IsTemplateWord(std::string_view word) {
  if (word.empty()) return false;
  if (word == "VARIADIC") return true;  // in a %F signature
  if (InList(kTypeWords, word) || InList(kConstructWords, word) ||
      InList(kConstructUpperWords, word)) {
    return true;
  }
  for (const Template& t : kTemplates) {
    std::string_view text = t.text;
    size_t i = 0;
    while (i < text.size()) {
      if (text[i] == '%') {
        i += 2;  // a hole
        continue;
      }
      if (!IsNameByte(text[i])) {
        ++i;
        continue;
      }
      size_t end = i;
      while (end < text.size() && IsNameByte(text[end])) ++end;
      if (text.substr(i, end - i) == word) return true;
      i = end;
    }
  }
  return false;
}

bool MatchesSafeTemplate(std::string_view sqlstate, std::string_view message,
                         const SqlVocabulary& vocabulary) {
  const HoleChecker holes(vocabulary);
  return std::any_of(kTemplates.begin(), kTemplates.end(), [&](const Template& t) {
    return t.sqlstate == sqlstate && Match(t.text, 0, message, 0, holes);
  });
}

}  // namespace planbot::analyzer::internal
