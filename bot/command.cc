#include "bot/command.h"

#include <algorithm>
#include <cctype>

namespace planbot::bot {
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
       "tips",
       "plan select * from orders where customer_id = 42"},
      {"explain", "explain SQL",
       "EXPLAIN (ANALYZE, BUFFERS, VERBOSE, SETTINGS, WAL) in a transaction that is always rolled "
       "back: plan, timings, buffers, rows, tips",
       "explain select count(*) from orders where created_at > now() - interval '7 days'"},
      {"help", "help", "this list", "help"},
  };
  return kCommands;
}

Result<Command> ParseCommand(std::string_view text) {
  std::string_view t = Trim(text);
  if (t.empty()) return MakeError("missing_text", "empty command; try `help`");
  size_t end = 0;
  while (end < t.size() && !IsSpace(t[end])) ++end;
  Command cmd{Lower(t.substr(0, end)), std::string(Trim(t.substr(end)))};
  for (const CommandInfo& info : Commands()) {
    if (cmd.name == info.name) return cmd;
  }
  std::string names;
  for (const CommandInfo& info : Commands()) {
    names += names.empty() ? "" : ", ";
    names += info.name;
  }
  std::string shown = cmd.name.size() > 40 ? cmd.name.substr(0, 40) + "..." : cmd.name;
  return MakeError("unknown_command",
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

}  // namespace planbot::bot
