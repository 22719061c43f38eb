// The command table and the chat command grammar shared by every channel (SPEC §2).
//
// Every command planbot answers is one row of Commands(): its name, the Service member that runs
// it, the lane it runs in, whether its argument is one SQL statement checked before it runs,
// whether it leaves a history entry, whether it is for admins only, and its help line. Intake
// and dispatch (core/service.cc), recording (core/service_record.cc), `help`, and the Slack
// checks (slack/slack_bot.cc) all read the row; no command is named by a string elsewhere.
//
// Pure data and functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "core/answer.h"

namespace planbot::core {

class Service;
struct CommandContext;

enum class CommandId {
  kPlan,
  kExplain,
  kExec,
  kReset,
  kHypo,
  kActivity,
  kTerminate,
  kDescribe,  // psql's \d family: \d, \d+, \dt, ..., \l
  kHistory,
  kPurge,
  kRedact,
  kHelp,
};

// Where a command runs.
enum class Lane {
  kOwn,     // in its session's lane: one command of a session at a time, in arrival order
  kBeside,  // in a lane beside the session's: answered while a long statement occupies it
  kInline,  // at intake, on the caller's thread: needs no database, session or clone
};

// Which commands leave a history entry (under the database's history policy).
enum class HistoryRecord {
  kNever,
  kAlways,   // also when the statement was refused or failed
  kWhenSql,  // only when the command carried a checked SQL statement (`hypo create index`)
};

using CommandHandler = Answer (Service::*)(CommandContext&);

struct CommandSpec {
  CommandId id;
  std::string_view name;   // the word that starts the command, lower-case ("\\d" for the family)
  CommandHandler handler;  // runs the command; Service::Finish records and formats its answer
  Lane lane;
  bool needs_sql;  // the argument is exactly one SQL statement, checked before the handler runs
  HistoryRecord history;
  bool admin_only;  // refused for other roles (by the channel before any work, and by the core)
  std::string_view usage;
  std::string_view summary;
  std::string_view example;
};

// Every command, in the order `help` lists them (core/command_table.cc).
const std::vector<CommandSpec>& Commands();

// The row of `id`; every CommandId has one.
const CommandSpec& Spec(CommandId id);

// The row whose name is `word` ("plan", "\\dt+" finds the \d family), or null. `word` is
// compared as given: lower-case it first for chat words; psql's commands are case-sensitive.
const CommandSpec* FindCommand(std::string_view word);

// One parsed command.
struct Command {
  const CommandSpec* spec = nullptr;
  std::string name;      // the word as the table or psql knows it: "plan", "\\dt+", ...
  std::string argument;  // everything after the command word, trimmed
};

// Splits `text` into command and argument. Errors: "missing_text" (nothing but whitespace),
// "unknown_command" (the message lists the commands).
Result<Command> ParseCommand(std::string_view text);

// The `help` answer: every command with its usage and one example.
std::string HelpText();

}  // namespace planbot::core
