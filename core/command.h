// The chat command grammar shared by every channel (SPEC §2): the first word is the command,
// the rest is its argument with formatting kept. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace planbot::core {

struct Command {
  std::string name;      // lower-case: "plan", "explain", "help", ...
  std::string argument;  // everything after the command word, trimmed
};

// One command as `help` lists it.
struct CommandInfo {
  const char* name;
  const char* usage;
  const char* summary;
  const char* example;
};

// The commands planbot answers, in the order `help` lists them.
const std::vector<CommandInfo>& Commands();

// True for psql's \\d family that planbot runs (\\d, \\d+, \\dt, ..., \\l).
bool IsDescribeCommand(const std::string& name);

// Splits `text` into command and argument. Errors: "missing_text" (nothing but whitespace),
// "unknown_command" (the message lists the commands).
Result<Command> ParseCommand(std::string_view text);

// The `help` answer: every command with its usage and one example.
std::string HelpText();

}  // namespace planbot::core
