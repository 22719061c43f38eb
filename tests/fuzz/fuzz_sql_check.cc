// Fuzz target: a chat command as typed → the command grammar → for commands that carry SQL, the
// one-parse check (libpg_query: split, kind, normalize, fingerprint) → the statement policy of
// the command. Properties on every input:
// - the statement's text is the input's own bytes at its location;
// - the fingerprint is 16 lower-case hex characters;
// - the normalized text (kept in history and in the audit log, which is never purged) holds no
//   string constant and no comment of the input: a value typed into the SQL never reaches it.
#include <cstdint>
#include <string>

#include "analyzer/sql.h"
#include "analyzer/sql_scan.h"
#include "core/command.h"
#include "core/statement_policy.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using namespace planbot;

bool LowerHex16(const std::string& s) {
  if (s.size() != 16) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

void CheckNormalized(const std::string& normalized) {
  auto tokens = analyzer::internal::ScanSql(normalized);
  if (!tokens) return;  // pg_query_normalize may print what the scanner refuses; nothing to read
  for (const analyzer::internal::SqlToken& t : *tokens) {
    const std::string_view text =
        std::string_view(normalized).substr(t.start, t.end_unreliable ? 1 : t.end - t.start);
    fuzz::Check(t.token_class != analyzer::internal::TokenClass::kComment,
                "normalized text holds no comment", normalized);
    if (t.token_class == analyzer::internal::TokenClass::kLiteral && !t.integer) {
      const char first = text.empty() ? ' ' : text.front();
      const bool numeric = (first >= '0' && first <= '9') || first == '.';
      fuzz::Check(numeric, "normalized text holds no string constant", normalized);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = fuzz::AsText(data, size);
  auto command = core::ParseCommand(text);
  if (!command || command->spec == nullptr || !command->spec->needs_sql) {
    // Also the bare SQL path of `planbot normalize` / `fingerprint`.
    if (auto n = analyzer::Normalize(text)) CheckNormalized(*n);
    if (auto f = analyzer::Fingerprint(text)) fuzz::Check(LowerHex16(*f), "fingerprint shape", *f);
    return 0;
  }
  const std::string& argument = command->argument;
  auto checked = analyzer::CheckSingleStatement(argument);
  if (!checked) return 0;
  const analyzer::SqlStatement& statement = checked->statement;
  fuzz::Check(
      statement.location >= 0 &&
          static_cast<size_t>(statement.location) + statement.text.size() <= argument.size() &&
          argument.compare(statement.location, statement.text.size(), statement.text) == 0,
      "statement text is the input's bytes at its location", statement.text);
  fuzz::Check(LowerHex16(checked->fingerprint), "fingerprint shape", checked->fingerprint);
  CheckNormalized(checked->normalized);
  switch (command->spec->id) {
    case core::CommandId::kPlan:
    case core::CommandId::kExplain:
      (void)core::CheckExplainable(statement, command->name);
      break;
    case core::CommandId::kExec:
      (void)core::CheckExecutable(statement);
      break;
    case core::CommandId::kHypo:
      (void)core::CheckHypothetical(statement);
      break;
    default:
      break;
  }
  return 0;
}
