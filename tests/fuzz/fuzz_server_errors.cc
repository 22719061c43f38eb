// Fuzz target: a database error as the server reports it (SQLSTATE, phase, primary message) for
// the user's SQL → the error sanitizer, which decides what the user sees (SECURITY.md: error
// messages that quote a value). The input is four fields split at NUL bytes: sqlstate, phase
// ("a" = parse analysis, anything else = execution), the server's message, the user's SQL.
// The property on every input: no byte sequence of the server's message reaches the user unless
// the user's SQL holds it as a name. The answer is the fixed text of the SQLSTATE, or for a
// constraint violation that text naming the constraint or column (a plain identifier: schema,
// not data), or the server's message when it was raised in parse analysis and every word in it
// is a name or integer of the SQL (never a string literal or a comment) or fixed template text.
#include <cstdint>
#include <string>

#include "analyzer/error_templates.h"
#include "analyzer/server_errors.h"
#include "tests/fuzz/fuzz_support.h"

using namespace planbot;

namespace {

bool IsNameByte(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '$' || u >= 0x80;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool PlainIdentifier(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    // Non-ASCII bytes are letters to PostgreSQL's scanner, as in the sanitizer.
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                        static_cast<unsigned char>(c) >= 0x80;
    // A catalog name may start with a digit or '$' when it was created quoted.
    if (!(letter || (c >= '0' && c <= '9') || c == '$')) return false;
  }
  return true;
}

// Every word of `message` is fixed template text or in the SQL's vocabulary (its names and
// integers, never its literals or comments).
void CheckWords(const std::string& message, const std::string& sql) {
  const auto vocabulary = analyzer::internal::VocabularyOf(sql);
  size_t i = 0;
  while (i < message.size()) {
    if (!IsNameByte(message[i])) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < message.size() && IsNameByte(message[end])) ++end;
    const std::string word = message.substr(i, end - i);
    // $n: a parameter number of the SQL (the vocabulary keeps its digits).
    const bool parameter =
        word.size() > 1 && word[0] == '$' && vocabulary.integers.count(word.substr(1)) > 0;
    bool known = analyzer::internal::IsTemplateWord(word) || vocabulary.integers.count(word) > 0 ||
                 parameter;
    for (const std::string& name : vocabulary.names) {
      if (known) break;
      known = name.find(word) != std::string::npos || name.find(Lower(word)) != std::string::npos;
    }
    fuzz::Check(known, "a shown message holds only the SQL's names and fixed text",
                "word `" + word + "` in: " + message + "\n  sql: " + sql);
    i = end;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto f = fuzz::Fields(fuzz::AsText(data, size), 4);
  const std::string& sqlstate = f[0];
  const auto phase =
      f[1] == "a" ? analyzer::ErrorPhase::kAnalysis : analyzer::ErrorPhase::kExecution;
  const std::string& message = f[2];
  const std::string& sql = f[3];

  const std::string shown = analyzer::SafeErrorMessage(sqlstate, message, phase, sql);
  const std::string fixed = analyzer::FixedErrorMessage(sqlstate);
  if (shown == fixed || shown == "database error") return 0;

  // The tag PostgreSQL's condition name is given with: " [SQLSTATE 42P01 undefined_table]".
  const size_t tag = fixed.rfind(" [SQLSTATE ");
  fuzz::Check(tag != std::string::npos, "a fixed message is tagged", fixed);
  const std::string suffix = fixed.substr(tag);
  fuzz::Check(shown.size() >= suffix.size() &&
                  shown.compare(shown.size() - suffix.size(), suffix.size(), suffix) == 0,
              "every answer carries the SQLSTATE tag", shown);
  const std::string body = shown.substr(0, shown.size() - suffix.size());

  if (sqlstate.compare(0, 2, "23") == 0 && body != message) {
    const std::string fixed_text = fixed.substr(0, tag);
    for (const char* kind : {" (constraint \"", " (column \""}) {
      const std::string head = fixed_text + kind;
      if (body.compare(0, head.size(), head) == 0 && body.size() >= head.size() + 2 &&
          body.compare(body.size() - 2, 2, "\")") == 0) {
        const std::string name = body.substr(head.size(), body.size() - head.size() - 2);
        fuzz::Check(PlainIdentifier(name), "a constraint or column name is a plain identifier",
                    shown);
        return 0;
      }
    }
    fuzz::Fail("a constraint violation shows its fixed text and at most a name", shown);
  }

  fuzz::Check(body == message, "the server's text is shown whole or not at all", shown);
  fuzz::Check(phase == analyzer::ErrorPhase::kAnalysis,
              "only parse-analysis errors show the server's text", shown);
  CheckWords(message, sql);
  return 0;
}
