#include "core/command.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

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

const CommandSpec& Spec(CommandId id) {
  for (const CommandSpec& spec : Commands()) {
    if (spec.id == id) return spec;
  }
  std::abort();  // command_table_test checks that every id has its row
}

namespace {

bool IsDescribeWord(std::string_view word) {
  static constexpr std::string_view kNames[] = {"\\d",   "\\d+", "\\dt",  "\\dt+", "\\di",
                                                "\\di+", "\\dv", "\\dv+", "\\dm",  "\\dm+",
                                                "\\dn",  "\\dx", "\\df",  "\\l"};
  for (std::string_view n : kNames) {
    if (word == n) return true;
  }
  return false;
}

}  // namespace

const CommandSpec* FindCommand(std::string_view word) {
  if (IsDescribeWord(word)) return &Spec(CommandId::kDescribe);
  for (const CommandSpec& spec : Commands()) {
    if (spec.id != CommandId::kDescribe && spec.name == word) return &spec;
  }
  return nullptr;
}

Result<Command> ParseCommand(std::string_view text) {
  std::string_view t = Trim(text);
  if (t.empty()) return MakeError(ErrorCode::kMissingText, "empty command; try `help`");
  size_t end = 0;
  while (end < t.size() && !IsSpace(t[end])) ++end;
  // psql's meta-commands are case-sensitive (\dT lists types, \dt tables): never folded.
  const std::string_view word = t.substr(0, end);
  if (word.starts_with('\\')) {
    if (const CommandSpec* spec = FindCommand(word)) {
      return Command{spec, std::string(word), std::string(Trim(t.substr(end)))};
    }
    std::string shown =
        word.size() > 40 ? std::string(word.substr(0, 40)) + "..." : std::string(word);
    return MakeError(ErrorCode::kUnknownCommand,
                     "\"" + shown +
                         "\" is not one of planbot's describe commands: \\d [NAME], \\d+, "
                         "\\dt[+], \\di[+], \\dv[+], \\dm[+], \\dn, \\dx, \\df, \\l "
                         "(psql's commands are case-sensitive)");
  }
  const std::string name = Lower(word);
  if (const CommandSpec* spec = FindCommand(name)) {
    return Command{spec, name, std::string(Trim(t.substr(end)))};
  }
  std::string names;
  for (const CommandSpec& spec : Commands()) {
    names += names.empty() ? "" : ", ";
    names += spec.name;
  }
  std::string shown = name.size() > 40 ? name.substr(0, 40) + "..." : name;
  return MakeError(ErrorCode::kUnknownCommand,
                   "unknown command \"" + shown + "\"; commands: " + names + " (try `help`)");
}

std::string HelpText() {
  std::string text = "planbot answers with plans, timings and advice — never with table data.\n";
  for (const CommandSpec& spec : Commands()) {
    text += "\n" + std::string(spec.usage) + "\n    " + std::string(spec.summary) + "\n    e.g. " +
            std::string(spec.example) + "\n";
  }
  return text;
}

}  // namespace planbot::core
