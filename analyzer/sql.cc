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

using Json = nlohmann::ordered_json;

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

// Every FuncCall in the tree (wrapped as {"FuncCall": {...}} in node lists, bare as CallStmt's
// typed "funccall" member), in text order, deduplicated. Iterative: trees can be deep.
std::vector<std::string> CollectFunctions(const Json& root) {
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
    }
    if (node.is_structured()) {
      for (const Json& child : node) pending.push_back(&child);
    }
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> functions;
  for (auto& [location, name] : found) {
    if (std::find(functions.begin(), functions.end(), name) == functions.end()) {
      functions.push_back(std::move(name));
    }
  }
  return functions;
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
  statement.kind = std::move(kind.kind);
  statement.detail = std::move(kind.detail);
  statement.text = std::string(piece);
  statement.location = location + static_cast<int>(leading);
  statement.functions = CollectFunctions(node);
  statement.concurrently = internal::IsConcurrently(node);
  return statement;
}

}  // namespace

Result<std::vector<SqlStatement>> ParseStatements(std::string_view sql) {
  Error unfit;
  if (internal::IsUnfitForParser(sql, &unfit)) return unfit;
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
    return MakeError("internal_error", "the SQL parser returned an unreadable parse tree");
  }
  std::vector<SqlStatement> statements;
  auto stmts = tree.find("stmts");
  if (stmts == tree.end() || !stmts->is_array()) return statements;
  try {
    for (const Json& raw : *stmts) statements.push_back(ToStatement(text, raw));
  } catch (const nlohmann::json::exception&) {  // a tree shape libpg_query 15 does not produce
    return MakeError("internal_error", "the SQL parser returned an unexpected parse tree");
  }
  return statements;
}

Result<SqlStatement> ParseSingleStatement(std::string_view sql) {
  Result<std::vector<SqlStatement>> statements = ParseStatements(sql);
  if (!statements.ok()) return statements.error();
  if (statements->empty()) return MakeError("empty", "no SQL statement");
  if (statements->size() > 1) {
    return MakeError("multiple_statements",
                     std::to_string(statements->size()) + " statements; send one at a time",
                     (*statements)[1].location + 1);
  }
  return std::move(statements->front());
}

Result<std::string> Normalize(std::string_view sql) {
  Error unfit;
  if (internal::IsUnfitForParser(sql, &unfit)) return unfit;
  const std::string text(sql);
  PgQueryNormalizeResult result = pg_query_normalize(text.c_str());
  Result<std::string> normalized = result.error != nullptr
                                       ? Result<std::string>(internal::SyntaxError(
                                             text, result.error->message, result.error->cursorpos))
                                       : Result<std::string>(std::string(result.normalized_query));
  pg_query_free_normalize_result(result);
  return normalized;
}

Result<std::string> Fingerprint(std::string_view sql) {
  Error unfit;
  if (internal::IsUnfitForParser(sql, &unfit)) return unfit;
  const std::string text(sql);
  PgQueryFingerprintResult result = pg_query_fingerprint(text.c_str());
  Result<std::string> fingerprint = result.error != nullptr
                                        ? Result<std::string>(internal::SyntaxError(
                                              text, result.error->message, result.error->cursorpos))
                                        : Result<std::string>(std::string(result.fingerprint_str));
  pg_query_free_fingerprint_result(result);
  return fingerprint;
}

}  // namespace planbot::analyzer
