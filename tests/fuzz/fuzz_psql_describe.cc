// Fuzz target: psql's describe commands as typed (`\d orders`, `\dt+ public.*`) → the allow-list
// check that decides what reaches psql. Properties on every input it accepts: the command is one
// of psql's describe commands, and the pattern handed to psql holds no byte psql would read as
// something else: no control character (a newline would start a second meta-command), no
// backslash (`\!` runs a shell), no backtick (psql substitutes shell output), no ':' variable.
#include <cstdint>
#include <set>
#include <string>

#include "adapters/postgres/psql_describer.h"
#include "tests/fuzz/fuzz_support.h"

using namespace planbot;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(fuzz::AsText(data, size));
  auto request = adapters::ParseDescribe(text);
  if (!request) return 0;
  static const std::set<std::string> kDescribe = {"\\d",   "\\d+", "\\dt",  "\\dt+", "\\di",
                                                  "\\di+", "\\dv", "\\dv+", "\\dm",  "\\dm+",
                                                  "\\dn",  "\\dx", "\\df",  "\\l"};
  fuzz::Check(kDescribe.count(request->meta) == 1, "the command is a describe command",
              request->meta);
  // psql's lexer: outside double quotes only name and wildcard bytes (no ':' variable, no
  // whitespace that would start a second argument); inside them text is copied verbatim.
  bool quoted = false;
  const std::string& p = request->pattern;
  for (size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    const auto u = static_cast<unsigned char>(c);
    fuzz::Check(u >= 0x20 && u != 0x7f, "no control character reaches psql", p);
    fuzz::Check(c != '\\' && c != '`', "no backslash or backquote reaches psql", p);
    if (c == '"') {
      if (quoted && i + 1 < p.size() && p[i + 1] == '"') {
        ++i;
        continue;
      }
      quoted = !quoted;
      continue;
    }
    if (!quoted) {
      const bool name = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '$' || c == '.' || c == '*' ||
                        c == '?' || u >= 0x80;
      fuzz::Check(name, "outside quotes only names and wildcards reach psql", p);
    }
  }
  fuzz::Check(!quoted, "every double quote is closed", p);
  return 0;
}
