// UnescapeSlack and StripCodeFormatting: undoing Slack's text escaping and the user's code
// formatting. ParseSlackMessageEvent and ExtractCommand are in slack_message.cc.
#include "slack/slack_text.h"

#include <array>
#include <cctype>
#include <utility>

namespace planbot::slack {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsBlank(s.back())) s.remove_suffix(1);
  return s;
}

bool StartsWithAt(std::string_view s, size_t at, std::string_view prefix) {
  return s.substr(at, prefix.size()) == prefix;
}

// The three entities Slack writes, decoded in one pass; returns the bytes consumed (0: none).
size_t DecodeEntity(std::string_view s, size_t at, std::string& out) {
  static constexpr std::array<std::pair<std::string_view, char>, 3> kEntities = {
      {{"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}}};
  for (const auto& [entity, c] : kEntities) {
    if (StartsWithAt(s, at, entity)) {
      out += c;
      return entity.size();
    }
  }
  return 0;
}

void AppendDecoded(std::string_view s, std::string& out) {
  for (size_t i = 0; i < s.size();) {
    size_t n = s[i] == '&' ? DecodeEntity(s, i, out) : 0;
    if (n == 0) out += s[i++];
    i += n;
  }
}

// Characters clients substitute for what was typed: smart quotes, primes, non-breaking spaces.
size_t DecodeTypography(std::string_view s, size_t at, std::string& out) {
  static constexpr std::array<std::pair<std::string_view, char>, 8> kTypography = {{
      {"\xE2\x80\x98", '\''},  // ‘
      {"\xE2\x80\x99", '\''},  // ’
      {"\xE2\x80\xB2", '\''},  // ′
      {"\xE2\x80\x9C", '"'},   // “
      {"\xE2\x80\x9D", '"'},   // ”
      {"\xE2\x80\xB3", '"'},   // ″
      {"\xC2\xA0", ' '},       // no-break space
      {"\xE2\x80\xAF", ' '},   // narrow no-break space
  }};
  for (const auto& [from, to] : kTypography) {
    if (StartsWithAt(s, at, from)) {
      out += to;
      return from.size();
    }
  }
  return 0;
}

// `<...>` markup starting at `at`: a link becomes its label (or its URL), a mention or special
// stays. Returns the bytes consumed, 0 when `at` does not open markup.
size_t DecodeMarkup(std::string_view s, size_t at, std::string& out) {
  size_t close = s.find('>', at + 1);
  if (close == std::string_view::npos) return 0;
  std::string_view inner = s.substr(at + 1, close - at - 1);
  if (inner.empty() || inner.find('<') != std::string_view::npos ||
      inner.find('\n') != std::string_view::npos) {
    return 0;
  }
  if (inner[0] == '@' || inner[0] == '#' || inner[0] == '!') {
    out.append(s.substr(at, close - at + 1));
  } else {
    size_t bar = inner.find('|');
    AppendDecoded(bar == std::string_view::npos ? inner : inner.substr(bar + 1), out);
  }
  return close - at + 1;
}

bool IsLanguageTag(std::string_view word) {
  std::string lower;
  for (char c : word) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "sql" || lower == "postgresql" || lower == "postgres" || lower == "pgsql" ||
         lower == "plpgsql" || lower == "psql";
}

}  // namespace

std::string UnescapeSlack(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  char literal = 0;  // ' or " while inside a literal or identifier typed with straight quotes
  for (size_t i = 0; i < text.size();) {
    char c = text[i];
    size_t n = 0;
    if (c == '&') {
      n = DecodeEntity(text, i, out);
    } else if (c == '<') {
      n = DecodeMarkup(text, i, out);
    } else if (c == '\'' || c == '"') {
      if (literal == 0) {
        literal = c;
      } else if (literal == c) {
        literal = 0;
      }
    } else if (literal == 0 && (c == '\xE2' || c == '\xC2')) {
      n = DecodeTypography(text, i, out);
    }
    if (n == 0) {
      out += c;
      n = 1;
    }
    i += n;
  }
  return StripCodeFormatting(out);
}

std::string StripCodeFormatting(std::string_view text) {
  std::string_view t = Trim(text);
  if (t.size() >= 6 && t.substr(0, 3) == "```" && t.substr(t.size() - 3) == "```") {
    std::string_view inner = t.substr(3, t.size() - 6);
    if (inner.find("```") == std::string_view::npos) {
      size_t newline = inner.find('\n');
      size_t space = inner.find(' ');
      if (newline != std::string_view::npos && IsLanguageTag(Trim(inner.substr(0, newline)))) {
        inner.remove_prefix(newline + 1);
      } else if (space == 3 && IsLanguageTag(inner.substr(0, 3))) {
        inner.remove_prefix(4);  // "```sql select 1```"
      }
      return std::string(Trim(inner));
    }
  }
  if (t.size() >= 2 && t.front() == '`' && t.back() == '`' &&
      t.substr(1, t.size() - 2).find('`') == std::string_view::npos) {
    return std::string(Trim(t.substr(1, t.size() - 2)));
  }
  return std::string(t);
}

}  // namespace planbot::slack
