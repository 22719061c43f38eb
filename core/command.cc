#include "core/command.h"

#include <algorithm>
#include <cctype>

namespace planbot::core {
namespace {

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

const std::vector<CommandInfo>& Commands() {
  static const std::vector<CommandInfo> kCommands = {
      {"plan", "plan SQL",
       "EXPLAIN (COSTS, VERBOSE) without running the statement: plan, estimated cost and rows, "
       "tips; shows hypothetical indexes it would use",
       "plan select * from orders where customer_id = 42"},
      {"explain", "explain SQL",
       "EXPLAIN (ANALYZE, BUFFERS, VERBOSE, SETTINGS, WAL) in a transaction that is always rolled "
       "back: plan, timings, buffers, rows, tips",
       "explain select count(*) from orders where created_at > now() - interval '7 days'"},
      {"exec", "exec SQL",
       "changes your clone until `reset`: CREATE/DROP/ALTER INDEX, ALTER/CREATE/DROP TABLE, CREATE "
       "TABLE AS, CREATE STATISTICS, INSERT/UPDATE/DELETE, ANALYZE, VACUUM, SET/RESET, REINDEX, "
       "CLUSTER, CREATE EXTENSION hypopg; answers the command tag and row count, never rows",
       "exec create index on orders (customer_id)"},
      {"reset", "reset", "returns your clone to the source's state (indexes, data, settings)",
       "reset"},
      {"hypo", "hypo create index ... | hypo desc | hypo drop ID | hypo reset",
       "hypothetical indexes (HypoPG) that `plan` can use without building them",
       "hypo create index on orders (customer_id)"},
      {"activity", "activity",
       "what runs on your clone now: pid, state, duration, wait event, normalized query",
       "activity"},
      {"terminate", "terminate PID", "ends a backend of your clone (see `activity`)",
       "terminate 12345"},
      {"\\d",
       "\\d [NAME] | \\d+ | \\dt[+] | \\di[+] | \\dv[+] | \\dm[+] | \\dn | \\dx | \\df | \\l",
       "describes tables, indexes, views, schemas, extensions, functions as psql shows them",
       "\\d+ orders"},
      {"history", "history [N]",
       "your last N commands (default 10): id, time, command, execution time, normalized query",
       "history 20"},
      {"purge", "purge FILTERS",
       "admins: deletes history entries; filters --before TIME|DURATION, --user, --session, "
       "--fingerprint, --database, --id, or --all",
       "purge --before 90d"},
      {"redact", "redact FILTERS",
       "admins: drops the raw SQL of matching history entries and masks their plans' literals, "
       "keeping the figures (same filters as purge)",
       "redact --user alice"},
      {"help", "help", "this list", "help"},
  };
  return kCommands;
}

bool IsDescribeCommand(const std::string& name) {
  static const char* const kNames[] = {"\\d",   "\\d+", "\\dt",  "\\dt+", "\\di", "\\di+", "\\dv",
                                       "\\dv+", "\\dm", "\\dm+", "\\dn",  "\\dx", "\\df",  "\\l"};
  for (const char* n : kNames) {
    if (name == n) return true;
  }
  return false;
}

Result<Command> ParseCommand(std::string_view text) {
  std::string_view t = Trim(text);
  if (t.empty()) return MakeError(ErrorCode::kMissingText, "empty command; try `help`");
  size_t end = 0;
  while (end < t.size() && !IsSpace(t[end])) ++end;
  // psql's meta-commands are case-sensitive (\dT lists types, \dt tables): never folded.
  const std::string_view word = t.substr(0, end);
  if (word.starts_with('\\')) {
    Command describe{std::string(word), std::string(Trim(t.substr(end)))};
    if (IsDescribeCommand(describe.name)) return describe;
    std::string shown =
        word.size() > 40 ? std::string(word.substr(0, 40)) + "..." : std::string(word);
    return MakeError(ErrorCode::kUnknownCommand,
                     "\"" + shown +
                         "\" is not one of planbot's describe commands: \\d [NAME], \\d+, "
                         "\\dt[+], \\di[+], \\dv[+], \\dm[+], \\dn, \\dx, \\df, \\l "
                         "(psql's commands are case-sensitive)");
  }
  Command cmd{Lower(word), std::string(Trim(t.substr(end)))};
  for (const CommandInfo& info : Commands()) {
    if (cmd.name == info.name) return cmd;
  }
  std::string names;
  for (const CommandInfo& info : Commands()) {
    names += names.empty() ? "" : ", ";
    names += info.name;
  }
  std::string shown = cmd.name.size() > 40 ? cmd.name.substr(0, 40) + "..." : cmd.name;
  return MakeError(ErrorCode::kUnknownCommand,
                   "unknown command \"" + shown + "\"; commands: " + names + " (try `help`)");
}

std::string HelpText() {
  std::string text = "planbot answers with plans, timings and advice — never with table data.\n";
  for (const CommandInfo& info : Commands()) {
    text += "\n" + std::string(info.usage) + "\n    " + info.summary + "\n    e.g. " +
            info.example + "\n";
  }
  return text;
}

}  // namespace planbot::core
