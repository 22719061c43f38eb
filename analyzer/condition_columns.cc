#include "analyzer/condition_columns.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "analyzer/condition_tokens.h"

namespace planbot::analyzer {
namespace {

using conditions::Tok;
using conditions::Token;
using conditions::Tokenize;

bool IsConstantKeyword(const std::string& word) {
  static const char* const kWords[] = {"NULL",           "TRUE",           "FALSE",
                                       "CURRENT_DATE",   "CURRENT_TIME",   "CURRENT_TIMESTAMP",
                                       "LOCALTIME",      "LOCALTIMESTAMP", "CURRENT_USER",
                                       "SESSION_USER",   "CURRENT_ROLE",   "CURRENT_CATALOG",
                                       "CURRENT_SCHEMA", "USER",           "DEFAULT"};
  return std::any_of(std::begin(kWords), std::end(kWords),
                     [&](const char* w) { return word == w; });
}

bool IsTypeContinuation(const std::string& word) {
  return word == "without" || word == "with" || word == "time" || word == "zone" ||
         word == "varying" || word == "precision";
}

ComparisonKind KindOf(const std::string& op, bool any) {
  if (op == "=") return ComparisonKind::kEquality;
  if (any) return ComparisonKind::kOther;  // < ANY (...) and friends
  if (op == "<" || op == "<=" || op == ">" || op == ">=" || op == "~~") {
    return ComparisonKind::kRange;
  }
  return ComparisonKind::kOther;
}

bool IsComparisonOperator(const std::string& op) {
  static const char* const kOps[] = {"=",   "<>",   "!=", "<",  ">",  "<=",  ">=", "~~", "~~*",
                                     "!~~", "!~~*", "~",  "~*", "!~", "!~*", "@>", "<@", "&&"};
  return std::any_of(std::begin(kOps), std::end(kOps), [&](const char* o) { return op == o; });
}

constexpr int kMaxDepth = 64;

struct Operand {
  enum Kind { kColumn, kFunction, kConst, kOther } kind = kOther;
  ColumnRef ref;
  bool parameter = false;  // a constant that involves $n or an InitPlan's output
};

Operand Constant(bool parameter = false) { return Operand{Operand::kConst, {}, parameter}; }

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  std::vector<Comparison> Run() {
    while (Peek().type != Tok::kEnd) {
      const size_t before = i_;
      Expr();
      if (i_ == before) ++i_;  // skip what nothing understood
    }
    return std::move(out_);
  }

 private:
  const Token& Peek(size_t ahead = 0) const {
    static const Token kEnd;
    return i_ + ahead < t_.size() ? t_[i_ + ahead] : kEnd;
  }
  bool PeekWord(const char* word, size_t ahead = 0) const {
    return Peek(ahead).type == Tok::kIdent && Peek(ahead).text == word;
  }

  Operand Expr() {
    Operand left = Unary();
    while (true) {
      if (PeekWord("AND") || PeekWord("OR")) {
        ++i_;
        Unary();
        left = Operand{};
      } else if (PeekWord("IS")) {
        left = IsTest(left);
      } else if (Peek().type == Tok::kOp) {
        left = Binary(left);
      } else {
        return left;
      }
    }
  }

  Operand IsTest(const Operand& left) {
    ++i_;  // IS
    const bool negated = PeekWord("NOT");
    if (negated) ++i_;
    if (PeekWord("DISTINCT") && PeekWord("FROM", 1)) {
      i_ += 2;
      Operand right = Unary();
      Record(left, negated ? ComparisonKind::kEquality : ComparisonKind::kOther, right);
    } else if (Peek().type == Tok::kIdent) {
      const bool null_test = Peek().text == "NULL";
      ++i_;  // NULL, TRUE, FALSE, UNKNOWN
      if (null_test) {
        Record(left, negated ? ComparisonKind::kOther : ComparisonKind::kEquality, Constant());
      }
    }
    return Operand{};
  }

  Operand Binary(const Operand& left) {
    const std::string op = Peek().text;
    ++i_;
    bool any = false;
    Operand right;
    if ((PeekWord("ANY") || PeekWord("ALL")) && Peek(1).type == Tok::kLParen) {
      any = true;
      const bool all = PeekWord("ALL");
      i_ += 2;
      right = Expr();
      Expect(Tok::kRParen);
      if (all) {
        Record(left, ComparisonKind::kOther, right);
        return Operand{};
      }
    } else {
      right = Unary();
    }
    if (IsComparisonOperator(op)) {
      Record(left, KindOf(op, any && op != "="), right);
      return Operand{};
    }
    // Arithmetic and concatenation: constant only if both sides are.
    if (left.kind == Operand::kConst && right.kind == Operand::kConst) {
      return Constant(left.parameter || right.parameter);
    }
    return Operand{};
  }

  Operand Unary() {
    if (Peek().type == Tok::kOp && (Peek().text == "-" || Peek().text == "+")) {
      ++i_;
      return Unary();
    }
    if (PeekWord("NOT")) {
      ++i_;
      Unary();
      return Operand{};
    }
    return Postfix();
  }

  Operand Postfix() {
    Operand operand = Primary();
    while (true) {
      if (Peek().type == Tok::kCast) {
        ++i_;
        TypeName();
      } else if (Peek().type == Tok::kLBracket) {
        SkipBalanced(Tok::kLBracket, Tok::kRBracket);
        operand.kind = operand.kind == Operand::kConst ? Operand::kConst : Operand::kOther;
      } else if (Peek().type == Tok::kDot &&
                 (Peek(1).type == Tok::kIdent || Peek(1).type == Tok::kQuoted)) {
        i_ += 2;  // field selection: (InitPlan 1).col1, (row).field
        if (operand.kind != Operand::kConst) operand = Operand{};
      } else {
        return operand;
      }
    }
  }

  void TypeName() {
    if (Peek().type != Tok::kIdent && Peek().type != Tok::kQuoted) return;
    ++i_;
    while (Peek().type == Tok::kDot &&
           (Peek(1).type == Tok::kIdent || Peek(1).type == Tok::kQuoted)) {
      i_ += 2;
    }
    while (Peek().type == Tok::kIdent && IsTypeContinuation(Peek().text)) ++i_;
    if (Peek().type == Tok::kLParen) SkipBalanced(Tok::kLParen, Tok::kRParen);
    while (Peek().type == Tok::kLBracket) SkipBalanced(Tok::kLBracket, Tok::kRBracket);
  }

  Operand Primary() {
    const Token& token = Peek();
    switch (token.type) {
      case Tok::kString:
      case Tok::kNumber:
        ++i_;
        return Constant();
      case Tok::kParam:
        ++i_;
        return Constant(/*parameter=*/true);
      case Tok::kLParen:
        return Parenthesized();
      case Tok::kIdent:
      case Tok::kQuoted:
        return Name();
      default:
        return Operand{};  // not consumed: the caller decides
    }
  }

  Operand Parenthesized() {
    if (PeekWord("InitPlan", 1) || PeekWord("SubPlan", 1) || PeekWord("hashed", 1) ||
        PeekWord("alternatives", 1)) {
      const bool initplan = PeekWord("InitPlan", 1);
      SkipBalanced(Tok::kLParen, Tok::kRParen);
      return initplan ? Constant(/*parameter=*/true) : Operand{};
    }
    if (++depth_ > kMaxDepth) {
      i_ = t_.size();
      return Operand{};
    }
    ++i_;
    Operand inner = Expr();
    if (Peek().type == Tok::kComma) {  // a row constructor
      inner = Operand{};
      while (Peek().type == Tok::kComma) {
        ++i_;
        Expr();
      }
    }
    Expect(Tok::kRParen);
    --depth_;
    return inner;
  }

  Operand Name() {
    const std::string& word = Peek().text;
    const bool keyword = Peek().type == Tok::kIdent;
    if (keyword && IsConstantKeyword(word)) {
      ++i_;
      return Constant();
    }
    if (keyword && word == "CASE") {
      SkipCase();
      return Operand{};
    }
    if (keyword && word == "ARRAY" && Peek(1).type == Tok::kLBracket) {
      ++i_;
      return List(Tok::kRBracket, "");
    }
    std::vector<std::string> parts{word};
    ++i_;
    while (Peek().type == Tok::kDot &&
           (Peek(1).type == Tok::kIdent || Peek(1).type == Tok::kQuoted)) {
      parts.push_back(Peek(1).text);
      i_ += 2;
    }
    if (Peek().type == Tok::kLParen) return List(Tok::kRParen, parts.back());
    Operand column{Operand::kColumn, {}};
    column.ref.column = parts.back();
    column.ref.expression = parts.back();
    if (parts.size() >= 2) column.ref.qualifier = parts[parts.size() - 2];
    return column;
  }

  // A function call's or array's elements. A function of constants is a constant (now(),
  // CURRENT_DATE - 1); of one column and constants, an indexable expression: lower(email).
  Operand List(Tok close, const std::string& function) {
    if (++depth_ > kMaxDepth) {
      i_ = t_.size();
      return Operand{};
    }
    ++i_;  // the opening bracket
    int columns = 0, others = 0;
    bool parameter = false;
    Operand column;
    std::string args;
    while (Peek().type != close && Peek().type != Tok::kEnd) {
      const size_t start = i_;
      Operand arg = Expr();
      if (i_ == start) ++i_;
      if (arg.kind == Operand::kColumn) {
        ++columns, column = arg;
        args += (args.empty() ? "" : ", ") + arg.ref.column;
      } else if (arg.kind == Operand::kConst) {
        parameter |= arg.parameter;
        args += (args.empty() ? "" : ", ") + Text(start, i_);
      } else {
        ++others;
      }
      if (Peek().type == Tok::kComma) ++i_;
    }
    Expect(close);
    --depth_;
    if (others > 0 || columns > 1) return Operand{};
    if (columns == 0) return Constant(parameter);
    if (function.empty()) return Operand{};
    column.kind = Operand::kFunction;
    column.ref.expression = function + "(" + args + ")";
    return column;
  }

  std::string Text(size_t from, size_t to) const {
    std::string text;
    for (size_t k = from; k < to && k < t_.size(); ++k) {
      const bool glue =
          t_[k].type == Tok::kCast || t_[k].type == Tok::kLParen || t_[k].type == Tok::kRParen ||
          t_[k].type == Tok::kLBracket || t_[k].type == Tok::kRBracket || t_[k].type == Tok::kDot ||
          (k > from && (t_[k - 1].type == Tok::kCast || t_[k - 1].type == Tok::kLParen ||
                        t_[k - 1].type == Tok::kDot));
      if (!text.empty() && !glue) text += ' ';
      text += t_[k].text;
    }
    return text;
  }

  void SkipCase() {
    int depth = 0;
    while (Peek().type != Tok::kEnd) {
      if (PeekWord("CASE")) ++depth;
      if (PeekWord("END") && --depth == 0) {
        ++i_;
        return;
      }
      ++i_;
    }
  }

  void SkipBalanced(Tok open, Tok close) {
    int depth = 0;
    while (Peek().type != Tok::kEnd) {
      if (Peek().type == open) ++depth;
      if (Peek().type == close && --depth <= 0) {
        ++i_;
        return;
      }
      ++i_;
    }
  }

  void Expect(Tok type) {
    if (Peek().type == type) ++i_;
  }

  void Record(const Operand& left, ComparisonKind kind, const Operand& right) {
    auto is_column = [](const Operand& o) {
      return o.kind == Operand::kColumn || o.kind == Operand::kFunction;
    };
    if (is_column(left) && right.kind == Operand::kConst) {
      out_.push_back({left.ref, kind, std::nullopt, right.parameter});
    } else if (left.kind == Operand::kConst && is_column(right)) {
      out_.push_back({right.ref, kind, std::nullopt, left.parameter});
    } else if (is_column(left) && is_column(right)) {
      out_.push_back({left.ref, kind, right.ref, false});
    }
  }

  std::vector<Token> t_;
  size_t i_ = 0;
  int depth_ = 0;
  std::vector<Comparison> out_;
};

}  // namespace

std::vector<Comparison> ExtractComparisons(std::string_view condition) {
  return Parser(Tokenize(condition)).Run();
}

std::vector<std::string> IndexCandidateColumns(std::string_view condition) {
  const std::vector<Comparison> comparisons = ExtractComparisons(condition);
  std::vector<std::string> columns;
  for (ComparisonKind kind : {ComparisonKind::kEquality, ComparisonKind::kRange}) {
    for (const Comparison& c : comparisons) {
      if (c.other || c.kind != kind) continue;
      if (std::find(columns.begin(), columns.end(), c.column.expression) == columns.end()) {
        columns.push_back(c.column.expression);
      }
    }
  }
  return columns;
}

}  // namespace planbot::analyzer
