#include "analyzer/literal_mask.h"

#include <algorithm>
#include <string>
#include <vector>

#include "analyzer/sql_scan.h"

namespace planbot::analyzer {
namespace {

using internal::SqlToken;
using internal::TokenClass;

// Parameter numbers above this are ignored when choosing the first placeholder number.
constexpr long kMaxParamNumber = 1000000;

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool IsIdentChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '_' ||
         u == '$' || u >= 0x80;
}

// Length of the comment starting at `text[0]`, or 0 if it is not a (terminated) comment.
size_t CommentLength(std::string_view text) {
  if (text.starts_with("--")) {
    const size_t eol = text.find_first_of("\r\n");
    return eol == std::string_view::npos ? text.size() : eol;
  }
  if (!text.starts_with("/*")) return 0;
  int depth = 0;  // PostgreSQL's block comments nest
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] == '/' && text[i + 1] == '*') {
      ++depth;
      ++i;
    } else if (text[i] == '*' && text[i + 1] == '/') {
      ++i;
      if (--depth == 0) return i + 1;
    }
  }
  return 0;
}

// The scanner leaves only whitespace and comments between tokens; anything else means token
// offsets were wrong, and the bytes must not be trusted.
bool IsBlankOrComments(std::string_view gap) {
  size_t i = 0;
  while (i < gap.size()) {
    if (IsSpace(gap[i])) {
      ++i;
      continue;
    }
    const size_t comment = CommentLength(gap.substr(i));
    if (comment == 0) return false;
    i += comment;
  }
  return true;
}

// First byte that could open a quoted literal: a quote, or a `$` that is not a parameter `$n`.
size_t FirstQuote(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\'') return i;
    if (text[i] == '$' && !(i + 1 < text.size() && text[i + 1] >= '0' && text[i + 1] <= '9')) {
      return i;
    }
  }
  return text.size();
}

// Where to stop trusting `text` after the scanner failed at 1-based byte `position`: the error or
// the first quote, whichever is earlier, moved back over a literal prefix (E' B' X' N' U&').
// Always less than text.size() so that rescanning the rest makes progress.
size_t ConservativeCut(std::string_view text, int position) {
  size_t cut = position > 0 ? static_cast<size_t>(position - 1) : 0;
  cut = std::min(cut, FirstQuote(text));
  if (cut < text.size() && text[cut] == '\'') {
    auto opens_word = [&](size_t at) { return at == 0 || !IsIdentChar(text[at - 1]); };
    const std::string_view one_letter = "eEbBxXnN";
    if (cut >= 1 && one_letter.find(text[cut - 1]) != std::string_view::npos &&
        opens_word(cut - 1)) {
      cut -= 1;
    } else if (cut >= 2 && text[cut - 1] == '&' && (text[cut - 2] == 'u' || text[cut - 2] == 'U') &&
               opens_word(cut - 2)) {
      cut -= 2;
    }
  }
  return cut < text.size() ? cut : 0;
}

int FirstPlaceholderNumber(std::string_view text, const std::vector<SqlToken>& tokens) {
  long highest = 0;
  for (const SqlToken& token : tokens) {
    if (token.token_class != TokenClass::kParam) continue;
    long number = 0;
    for (int i = token.start + 1; i < token.end && number <= kMaxParamNumber; ++i) {
      if (text[i] < '0' || text[i] > '9') break;
      number = number * 10 + (text[i] - '0');
    }
    if (number <= kMaxParamNumber) highest = std::max(highest, number);
  }
  return static_cast<int>(highest) + 1;
}

class Masker {
 public:
  Masker(std::string_view text, int first_number) : text_(text), next_number_(first_number) {
    out_.reserve(text.size());
  }

  void AppendTokens(const std::vector<SqlToken>& tokens) {
    size_t pos = 0;
    for (size_t i = 0; i < tokens.size(); ++i) {
      const size_t start = std::max(static_cast<size_t>(tokens[i].start), pos);
      const size_t end = TokenEnd(tokens, i, start);
      AppendGap(text_.substr(pos, start - pos));
      if (tokens[i].token_class == TokenClass::kLiteral && !IsPlanReference(tokens, i)) {
        AppendPlaceholder();
        // `'a'b` is a constant and a name; `$1b` would read as one (malformed) parameter, and
        // masking the masked text again would change it: keep them apart.
        if (end < text_.size() && ContinuesParameter(text_[end])) out_ += ' ';
      } else {
        out_.append(text_.substr(start, end - start));
      }
      pos = end;
    }
    AppendGap(text_.substr(pos));
  }

  static bool ContinuesParameter(char c) {
    const auto u = static_cast<unsigned char>(c);
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '$' || u >= 0x80;
  }

  void AppendPlaceholder() {
    // Glued to a `$` or a name before it, the placeholder would open a dollar quote (`$$2`,
    // `$a$1`) or join the name (`a$1`): keep them apart.
    if (!out_.empty() && ContinuesParameter(out_.back())) out_ += ' ';
    out_ += "$" + std::to_string(next_number_++);
  }

  std::string Take() { return std::move(out_); }

 private:
  // `SubPlan 1`, `InitPlan 2`: EXPLAIN's names for subplans, not constants of the query.
  bool IsPlanReference(const std::vector<SqlToken>& tokens, size_t i) const {
    if (i == 0 || tokens[i - 1].end_unreliable) return false;
    const std::string_view number = Text(tokens[i]);
    const std::string_view before = Text(tokens[i - 1]);
    return (before == "SubPlan" || before == "InitPlan") && !number.empty() &&
           number.find_first_not_of("0123456789") == std::string_view::npos;
  }

  std::string_view Text(const SqlToken& token) const {
    return text_.substr(token.start, token.end - token.start);
  }

  // A token whose end libpg_query gets wrong ends where the next one starts, minus whitespace.
  size_t TokenEnd(const std::vector<SqlToken>& tokens, size_t i, size_t start) const {
    size_t end = std::max(static_cast<size_t>(tokens[i].end), start);
    if (!tokens[i].end_unreliable) return end;
    end = i + 1 < tokens.size() ? std::max(static_cast<size_t>(tokens[i + 1].start), start)
                                : text_.size();
    while (end > start + 1 && IsSpace(text_[end - 1])) --end;
    return end;
  }

  void AppendGap(std::string_view gap) {
    if (IsBlankOrComments(gap)) {
      out_.append(gap);
      return;
    }
    const size_t first = gap.find_first_not_of(" \t\n\r\f\v");
    const size_t last = gap.find_last_not_of(" \t\n\r\f\v");
    out_.append(gap.substr(0, first));
    AppendPlaceholder();
    out_.append(gap.substr(last + 1));
  }

  std::string_view text_;
  int next_number_;
  std::string out_;
};

}  // namespace

std::string MaskLiterals(std::string_view expression) {
  // Every constant has a quote (strings, B'', X'', E'', U&''), a digit (numbers) or a dollar sign
  // ($tag$ strings) in it: a text with none of them has nothing to mask and is not scanned. The
  // scanner rejects only unterminated quotes, identifiers and comments, and malformed numbers,
  // so such a text without '"' or "/*" scans cleanly: no cut to make either.
  if (expression.find_first_of("'0123456789$\"") == std::string_view::npos &&
      expression.find("/*") == std::string_view::npos) {
    return std::string(expression);
  }
  std::string_view trusted = expression;
  Result<std::vector<SqlToken>> tokens = internal::ScanSql(trusted);
  while (!tokens.ok()) {
    if (trusted.empty()) {
      tokens = std::vector<SqlToken>{};
      break;
    }
    trusted = trusted.substr(0, ConservativeCut(trusted, tokens.error().position));
    tokens = internal::ScanSql(trusted);
  }
  Masker masker(trusted, FirstPlaceholderNumber(trusted, *tokens));
  masker.AppendTokens(*tokens);
  if (trusted.size() < expression.size()) masker.AppendPlaceholder();
  return masker.Take();
}

}  // namespace planbot::analyzer
