#include "analyzer/sql.h"

#include <pg_query.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "analyzer/sql_kind.h"
#include "analyzer/sql_scan.h"

namespace planbot::analyzer {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kSpace = " \t\n\r\f\v";

// "schema.name" from a FuncCall's funcname list of String nodes.
std::string FunctionName(const Json& func_call) {
  std::string name;
  auto names = func_call.find("funcname");
  if (names == func_call.end() || !names->is_array()) return name;
  for (const Json& part : *names) {
    const Json* string = part.contains("String") ? &part["String"] : nullptr;
    if (string == nullptr || !string->contains("sval")) continue;
    if (!name.empty()) name += '.';
    name += (*string)["sval"].get<std::string>();
  }
  return name;
}

// A datum of a partition bound that is a constant: a literal, a cast of one, MINVALUE, MAXVALUE.
bool ConstantDatum(const Json& datum) {
  const Json* node = &datum;
  while (node->is_object() && node->contains("TypeCast")) {
    const Json& cast = (*node)["TypeCast"];
    if (!cast.is_object() || !cast.contains("arg")) return false;
    node = &cast["arg"];
  }
  if (!node->is_object()) return false;
  if (node->contains("A_Const")) return true;
  auto ref = node->find("ColumnRef");
  if (ref == node->end() || !ref->is_object()) return false;
  auto fields = ref->find("fields");
  if (fields == ref->end() || !fields->is_array() || fields->size() != 1) return false;
  const Json& field = (*fields)[0];
  if (!field.contains("String") || !field["String"].contains("sval")) return false;
  const Json& word = field["String"]["sval"];
  return word == "minvalue" || word == "maxvalue";
}

bool PartitionBoundHasExpression(const Json& node) {
  for (const char* key : {"listdatums", "lowerdatums", "upperdatums"}) {
    auto datums = node.find(key);
    if (datums == node.end() || !datums->is_array()) continue;
    if (!std::all_of(datums->begin(), datums->end(), ConstantDatum)) return true;
  }
  return false;
}

// What one walk over the tree finds.
struct TreeFacts {
  std::vector<std::string> functions;
  bool partition_bound_expression = false;
};

// Every FuncCall in the tree (wrapped as {"FuncCall": {...}} in node lists, bare as CallStmt's
// typed "funccall" member), in text order, deduplicated; and partition bounds (CreateStmt's
// "partbound", PartitionCmd's "bound"). Iterative: trees can be deep.
TreeFacts WalkTree(const Json& root) {
  TreeFacts facts;
  std::vector<std::pair<int, std::string>> found;
  std::vector<const Json*> pending = {&root};
  while (!pending.empty()) {
    const Json& node = *pending.back();
    pending.pop_back();
    if (node.is_object()) {
      for (const char* key : {"FuncCall", "funccall"}) {
        auto it = node.find(key);
        if (it == node.end() || !it->is_object()) continue;
        std::string name = FunctionName(*it);
        if (!name.empty()) found.emplace_back(it->value("location", 0), std::move(name));
      }
      for (const char* key : {"partbound", "bound"}) {
        auto it = node.find(key);
        if (it != node.end() && it->is_object() && PartitionBoundHasExpression(*it)) {
          facts.partition_bound_expression = true;
        }
      }
    }
    if (node.is_structured()) {
      for (const Json& child : node) pending.push_back(&child);
    }
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [location, name] : found) {
    if (std::find(facts.functions.begin(), facts.functions.end(), name) == facts.functions.end()) {
      facts.functions.push_back(std::move(name));
    }
  }
  return facts;
}

SqlStatement ToStatement(std::string_view text, const Json& raw) {
  const int size = static_cast<int>(text.size());
  const int location = std::clamp(raw.value("stmt_location", 0), 0, size);
  int length = std::clamp(raw.value("stmt_len", 0), 0, size - location);
  if (length == 0) length = size - location;  // the last statement runs to the end
  std::string_view piece = text.substr(location, length);
  const size_t first = piece.find_first_not_of(kSpace);
  const size_t leading = first == std::string_view::npos ? piece.size() : first;
  piece.remove_prefix(leading);
  piece = piece.substr(0, piece.find_last_not_of(kSpace) + 1);

  SqlStatement statement;
  const Json empty = Json::object();
  const Json& node = raw.contains("stmt") ? raw["stmt"] : empty;
  internal::StatementClass kind = internal::ClassifyStatement(node);
  statement.kind = kind.kind;
  statement.detail = std::move(kind.detail);
  statement.text = std::string(piece);
  statement.location = location + static_cast<int>(leading);
  TreeFacts facts = WalkTree(node);
  statement.functions = std::move(facts.functions);
  statement.partition_bound_expression = facts.partition_bound_expression;
  statement.concurrently = internal::IsConcurrently(node);
  return statement;
}

// The functions below expect a text that passed CheckSqlShape.
Result<std::vector<SqlStatement>> ParseChecked(std::string_view sql) {
  const std::string text(sql);
  PgQueryParseResult result = pg_query_parse(text.c_str());
  if (result.error != nullptr) {
    Error error = internal::SyntaxError(text, result.error->message, result.error->cursorpos);
    pg_query_free_parse_result(result);
    return error;
  }
  Json tree = Json::parse(result.parse_tree, nullptr, /*allow_exceptions=*/false);
  pg_query_free_parse_result(result);
  if (tree.is_discarded() || !tree.is_object()) {
    return MakeError(ErrorCode::kInternal, "the SQL parser returned an unreadable parse tree");
  }
  std::vector<SqlStatement> statements;
  auto stmts = tree.find("stmts");
  if (stmts == tree.end() || !stmts->is_array()) return statements;
  try {
    for (const Json& raw : *stmts) statements.push_back(ToStatement(text, raw));
  } catch (const nlohmann::json::exception&) {  // a tree shape libpg_query 15 does not produce
    return MakeError(ErrorCode::kInternal, "the SQL parser returned an unexpected parse tree");
  }
  return statements;
}

Result<SqlStatement> SingleChecked(std::string_view sql) {
  Result<std::vector<SqlStatement>> statements = ParseChecked(sql);
  if (!statements.ok()) return statements.error();
  if (statements->empty()) return MakeError(ErrorCode::kEmpty, "no SQL statement");
  if (statements->size() > 1) {
    return MakeError(ErrorCode::kMultipleStatements,
                     std::to_string(statements->size()) + " statements; send one at a time",
                     (*statements)[1].location + 1);
  }
  return std::move(statements->front());
}

bool IsSpace(char c) { return kSpace.find(c) != std::string_view::npos; }

// A string constant (quoted, E'', B'', X'', U&'', $tag$...$tag$), as opposed to a number.
bool IsStringConstant(const std::string& text, const internal::SqlToken& token) {
  if (token.token_class != internal::TokenClass::kLiteral || token.integer) return false;
  const char first = text[static_cast<size_t>(token.start)];
  return !(first >= '0' && first <= '9') && first != '.';
}

// The highest $n parameter number in `tokens` (0 when none).
long HighestParameter(const std::string& text, const std::vector<internal::SqlToken>& tokens) {
  long highest = 0;
  for (const internal::SqlToken& token : tokens) {
    if (token.token_class != internal::TokenClass::kParam) continue;
    long number = 0;
    for (int i = token.start + 1; i < token.end && number < 1000000; ++i) {
      if (text[i] < '0' || text[i] > '9') break;
      number = number * 10 + (text[i] - '0');
    }
    highest = std::max(highest, number);
  }
  return highest;
}

// pg_query_normalize's text, made fit to keep: without its comments (a comment between two
// tokens leaves one separator), and with the string constants it leaves in place (it replaces
// constants in queries, not in utility statements: `create index ... where b = 'x'`) replaced
// by further $n placeholders. Numbers it leaves (type modifiers, storage options) are kept.
std::string Scrubbed(const std::string& text) {
  // Without "--", "/*", a quote or a dollar quote ($1 is a parameter) there is nothing to scan
  // for: the common case of a normalized query.
  bool quote = text.find('\'') != std::string::npos;
  for (size_t d = text.find('$'); !quote && d != std::string::npos; d = text.find('$', d + 1)) {
    quote = d + 1 < text.size() && !(text[d + 1] >= '0' && text[d + 1] <= '9');
  }
  if (!quote && text.find("--") == std::string::npos && text.find("/*") == std::string::npos) {
    return text;
  }
  Result<std::vector<internal::SqlToken>> tokens = internal::ScanSql(text);
  if (!tokens.ok()) return text;
  long next_parameter = HighestParameter(text, *tokens) + 1;
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  bool changed = false;
  for (size_t i = 0; i < tokens->size(); ++i) {
    const internal::SqlToken& token = (*tokens)[i];
    if (IsStringConstant(text, token)) {
      // libpg_query misreports the end of U&'...': it reaches to the next token, less blanks.
      size_t end = static_cast<size_t>(token.end);
      if (token.end_unreliable) {
        end = i + 1 < tokens->size() ? static_cast<size_t>((*tokens)[i + 1].start) : text.size();
        while (end > static_cast<size_t>(token.start) + 1 && IsSpace(text[end - 1])) --end;
      }
      out.append(text, pos, token.start - pos);
      out += "$" + std::to_string(next_parameter++);
      pos = std::max(pos, end);
      changed = true;
      continue;
    }
    if (token.token_class != internal::TokenClass::kComment) continue;
    out.append(text, pos, token.start - pos);
    const bool space_before = out.empty() || IsSpace(out.back());
    const bool space_after = static_cast<size_t>(token.end) >= text.size() ||
                             IsSpace(text[static_cast<size_t>(token.end)]);
    if (!space_before && !space_after) out += ' ';
    pos = static_cast<size_t>(token.end);
    changed = true;
    // Between two blanks: the blanks after it go too, so that one separator is left.
    while (space_before && pos < text.size() && IsSpace(text[pos])) ++pos;
  }
  if (!changed) return text;
  if (pos < text.size()) out.append(text, pos, std::string::npos);
  const size_t first = out.find_first_not_of(kSpace);
  if (first == std::string::npos) return std::string();
  return out.substr(first, out.find_last_not_of(kSpace) - first + 1);
}

Result<std::string> NormalizeChecked(std::string_view sql) {
  const std::string text(sql);
  PgQueryNormalizeResult result = pg_query_normalize(text.c_str());
  Result<std::string> normalized = result.error != nullptr
                                       ? Result<std::string>(internal::SyntaxError(
                                             text, result.error->message, result.error->cursorpos))
                                       : Result<std::string>(Scrubbed(result.normalized_query));
  pg_query_free_normalize_result(result);
  return normalized;
}

Result<std::string> FingerprintChecked(std::string_view sql) {
  const std::string text(sql);
  PgQueryFingerprintResult result = pg_query_fingerprint(text.c_str());
  Result<std::string> fingerprint = result.error != nullptr
                                        ? Result<std::string>(internal::SyntaxError(
                                              text, result.error->message, result.error->cursorpos))
                                        : Result<std::string>(std::string(result.fingerprint_str));
  pg_query_free_fingerprint_result(result);
  return fingerprint;
}

}  // namespace

Status CheckSqlShape(std::string_view sql) {
  Error unfit;
  if (internal::IsUnfitForParser(sql, &unfit)) return unfit;
  // Every token and every level of nesting takes at least one byte: a text no longer than both
  // limits is within them, and the parser reports its scanner errors as the scanner would.
  if (sql.size() <= kMaxSqlTokens && sql.size() <= static_cast<size_t>(kMaxSqlDepth)) {
    return Ok{};
  }
  Result<internal::SqlShape> shape = internal::MeasureSql(sql);
  if (!shape) return shape.error();
  if (shape->tokens > kMaxSqlTokens) {
    return MakeError(ErrorCode::kTooComplex, "the statement has " + std::to_string(shape->tokens) +
                                                 " tokens; planbot analyses at most " +
                                                 std::to_string(kMaxSqlTokens) +
                                                 " (e.g. an IN list of 50,000 values)");
  }
  if (shape->depth > kMaxSqlDepth) {
    return MakeError(ErrorCode::kTooComplex,
                     "the statement nests more than " + std::to_string(kMaxSqlDepth) +
                         " levels deep (brackets, or a chain of operators such as a + b + c ..., "
                         "each of which is a level); planbot does not analyse it");
  }
  return Ok{};
}

Result<std::vector<SqlStatement>> ParseStatements(std::string_view sql) {
  if (Status shape = CheckSqlShape(sql); !shape) return shape.error();
  return ParseChecked(sql);
}

Result<SqlStatement> ParseSingleStatement(std::string_view sql) {
  if (Status shape = CheckSqlShape(sql); !shape) return shape.error();
  return SingleChecked(sql);
}

Result<std::string> Normalize(std::string_view sql) {
  if (Status shape = CheckSqlShape(sql); !shape) return shape.error();
  return NormalizeChecked(sql);
}

Result<std::string> Fingerprint(std::string_view sql) {
  if (Status shape = CheckSqlShape(sql); !shape) return shape.error();
  return FingerprintChecked(sql);
}

Result<CheckedSql> CheckSingleStatement(std::string_view sql) {
  if (Status shape = CheckSqlShape(sql); !shape) return shape.error();
  Result<SqlStatement> statement = SingleChecked(sql);
  if (!statement) return statement.error();
  Result<std::string> normalized = NormalizeChecked(statement->text);
  if (!normalized) return normalized.error();
  Result<std::string> fingerprint = FingerprintChecked(statement->text);
  if (!fingerprint) return fingerprint.error();
  return CheckedSql{std::move(*statement), std::move(*normalized), std::move(*fingerprint)};
}

}  // namespace planbot::analyzer
