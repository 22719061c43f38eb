// The tokens of the condition text PostgreSQL prints in EXPLAIN (ruleutils.c's deparsed
// expressions), for condition_columns.cc. Internal to the analyzer.
//
// Identifiers, "quoted identifiers", 'strings' (also E'...'), numbers, $n parameters, operator
// runs, brackets, commas, dots and :: casts; anything else is a one-character kOther token.
// Unterminated quotes run to the end of the input. Never fails; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace planbot::analyzer::conditions {

enum class Tok {
  kIdent,
  kQuoted,
  kString,
  kNumber,
  kParam,
  kOp,
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kComma,
  kDot,
  kCast,
  kOther,
  kEnd
};

struct Token {
  Tok type = Tok::kEnd;
  std::string text;
};

std::vector<Token> Tokenize(std::string_view text);

}  // namespace planbot::analyzer::conditions
