#include "analyzer/condition_tokens.h"

#include <cctype>
#include <cstring>

namespace planbot::analyzer::conditions {
namespace {

bool IdentStart(char c) {
  auto u = static_cast<unsigned char>(c);
  return std::isalpha(u) || c == '_' || u >= 0x80;
}
bool IdentChar(char c) {
  return IdentStart(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '$';
}
bool OpChar(char c) { return c != '\0' && std::strchr("+-*/<>=~!@#%^&|`?", c) != nullptr; }

// Reads a quoted run starting at `i` (the opening quote); doubled quotes are escapes.
size_t QuotedEnd(std::string_view s, size_t i) {
  const char quote = s[i];
  for (++i; i < s.size(); ++i) {
    if (s[i] != quote) continue;
    if (i + 1 < s.size() && s[i + 1] == quote) {
      ++i;
      continue;
    }
    return i + 1;
  }
  return s.size();
}

size_t NumberEnd(std::string_view s, size_t i) {
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    size_t j = i + 1;
    if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
    if (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) {
      i = j;
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    }
  }
  return i;
}

Tok Punctuation(char c) {
  switch (c) {
    case '(':
      return Tok::kLParen;
    case ')':
      return Tok::kRParen;
    case '[':
      return Tok::kLBracket;
    case ']':
      return Tok::kRBracket;
    case ',':
      return Tok::kComma;
    case '.':
      return Tok::kDot;
    default:
      return Tok::kOther;
  }
}

}  // namespace

std::vector<Token> Tokenize(std::string_view s) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    size_t end = i + 1;
    Tok type;
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    } else if ((c == 'E' || c == 'e') && i + 1 < s.size() && s[i + 1] == '\'') {
      type = Tok::kString, end = QuotedEnd(s, i + 1);
    } else if (c == '\'') {
      type = Tok::kString, end = QuotedEnd(s, i);
    } else if (c == '"') {
      type = Tok::kQuoted, end = QuotedEnd(s, i);
    } else if (IdentStart(c)) {
      type = Tok::kIdent;
      while (end < s.size() && IdentChar(s[end])) ++end;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      type = Tok::kNumber, end = NumberEnd(s, i);
    } else if (c == '$' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
      type = Tok::kParam;
      while (end < s.size() && std::isdigit(static_cast<unsigned char>(s[end]))) ++end;
    } else if (c == ':' && i + 1 < s.size() && s[i + 1] == ':') {
      type = Tok::kCast, end = i + 2;
    } else if (OpChar(c)) {
      type = Tok::kOp;
      while (end < s.size() && OpChar(s[end])) ++end;
    } else {
      type = Punctuation(c);
    }
    tokens.push_back({type, std::string(s.substr(i, end - i))});
    i = end;
  }
  return tokens;
}

}  // namespace planbot::analyzer::conditions
