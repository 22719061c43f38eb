// ParseDescribe (adapters/postgres/psql_describer.h): the allow-list check of a describe command.
//
// Everything that reaches psql's -c passes here, so the rules are strict and explained in the
// refusal: psql's backslash-command lexer gives meaning to backslashes (another command), to
// `...` outside double quotes (a shell command), to :name and :'name' (variables), to '...'
// (C escapes) and to whitespace (more arguments). Inside double quotes it copies text verbatim,
// which is what makes "Order Items" safe.
#include <array>
#include <string>
#include <string_view>

#include "adapters/postgres/psql_describer.h"

namespace planbot::adapters {
namespace {

constexpr std::array<std::string_view, 14> kMetaCommands = {
    "\\d",   "\\d+", "\\dt",  "\\dt+", "\\di", "\\di+", "\\dv",
    "\\dv+", "\\dm", "\\dm+", "\\dn",  "\\dx", "\\df",  "\\l"};
constexpr char kAllowed[] =
    "describe commands are \\d [NAME], \\d+, \\dt[+], \\di[+], \\dv[+], \\dm[+], \\dn, \\dx, "
    "\\df and \\l";
constexpr size_t kMaxPatternBytes = 200;

bool IsSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
bool IsControl(unsigned char c) { return c < 0x20 || c == 0x7f; }
bool IsContinuation(unsigned char c) { return c >= 0x80 && c <= 0xbf; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

Error Refused(std::string message) { return MakeError(ErrorCode::kRefused, std::move(message)); }

// Code point of the UTF-8 sequence at s[i] and its length; length 0 when it is not valid UTF-8
// (overlong, surrogate, truncated).
std::pair<char32_t, size_t> DecodeUtf8(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  unsigned char lead = b(0);
  size_t n = lead >= 0xc2 && lead <= 0xdf   ? 2
             : lead >= 0xe0 && lead <= 0xef ? 3
             : lead >= 0xf0 && lead <= 0xf4 ? 4
                                            : 0;
  if (n == 0 || i + n > s.size()) return {0, 0};
  for (size_t k = 1; k < n; ++k) {
    if (!IsContinuation(b(k))) return {0, 0};
  }
  if ((lead == 0xe0 && b(1) < 0xa0) || (lead == 0xed && b(1) > 0x9f) ||
      (lead == 0xf0 && b(1) < 0x90) || (lead == 0xf4 && b(1) > 0x8f)) {
    return {0, 0};
  }
  char32_t cp = lead & (0xff >> (n + 1));
  for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (b(k) & 0x3f);
  return {cp, n};
}

// C1 controls, line and paragraph separators, bidirectional overrides and isolates: characters
// that are invisible or rearrange what a chat reader sees.
bool IsInvisibleControl(char32_t cp) {
  return (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 ||
         (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

bool IsPatternChar(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '$' || c == '.' || c == '*' || c == '?';
}

std::string NotAllowed(unsigned char c) {
  if (c == '\\') return "a backslash is not allowed (it would start another psql command)";
  if (c == '`') return "'`' is not allowed (psql hands backquoted text to a shell)";
  return std::string("'") + static_cast<char>(c) + "' is not allowed";
}

constexpr char kControl[] = "control characters (newline, tab, NUL, ...) are not allowed";

// What is wrong with `pattern` as one psql pattern; empty when nothing is.
std::string PatternProblem(std::string_view p) {
  bool quoted = false;
  for (size_t i = 0; i < p.size();) {
    auto c = static_cast<unsigned char>(p[i]);
    if (c >= 0x80) {
      auto [cp, n] = DecodeUtf8(p, i);
      if (n == 0) return "it is not valid UTF-8";
      if (IsInvisibleControl(cp)) return kControl;
      i += n;
    } else if (IsControl(c)) {
      return kControl;
    } else if (quoted) {
      if (c == '"' && i + 1 < p.size() && p[i + 1] == '"') {
        i += 2;  // "" is a quote inside the name
        continue;
      }
      if (c == '\\' || c == ';' || c == '`') return NotAllowed(c);
      quoted = c != '"';
      ++i;
    } else if (c == '"') {
      quoted = true;
      ++i;
    } else if (c == ' ') {
      return "a second argument is not allowed";
    } else if (IsPatternChar(c)) {
      ++i;
    } else {
      return NotAllowed(c);
    }
  }
  return quoted ? "a double quote is not closed" : "";
}

bool IsMetaCommand(std::string_view meta) {
  for (auto allowed : kMetaCommands) {
    if (meta == allowed) return true;
  }
  return false;
}

Error UnknownMeta(std::string_view meta) {
  bool printable = meta.size() <= 12;
  for (char c : meta) printable = printable && c > ' ' && c < 0x7f;
  std::string what = printable ? std::string(meta) : "this backslash command";
  return Refused(what + " is not allowed; " + kAllowed);
}

}  // namespace

Result<DescribeRequest> ParseDescribe(std::string_view text) {
  text = Trim(text);
  if (text.empty() || text.front() != '\\') {
    return Refused(std::string("not a describe command; ") + kAllowed);
  }
  size_t end = 0;
  while (end < text.size() && text[end] != ' ' && !IsControl(text[end])) ++end;
  DescribeRequest request{std::string(text.substr(0, end)), ""};
  if (!IsMetaCommand(request.meta)) return UnknownMeta(request.meta);
  std::string_view pattern = text.substr(end);
  while (!pattern.empty() && pattern.front() == ' ') pattern.remove_prefix(1);
  std::string takes = request.meta + " takes one object name";
  if (pattern.size() > kMaxPatternBytes) {
    return Refused(takes + " of at most " + std::to_string(kMaxPatternBytes) + " bytes");
  }
  std::string problem = PatternProblem(pattern);
  if (!problem.empty()) return Refused(takes + "; " + problem);
  request.pattern = std::string(pattern);
  return request;
}

}  // namespace planbot::adapters
