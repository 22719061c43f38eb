// A command as a channel hands it to the core: its text, where it goes, and who sent it.
// Plain values; thread-compatible.
#pragma once

#include <string>

#include "core/config.h"

namespace planbot::core {

// Who sends a command, as the channel authenticated them.
struct Caller {
  std::string user;  // token name, "loopback:127.0.0.1", Slack user id
  Role role = Role::kUser;
  std::string channel;  // "http", "slack", "cli"
  // The request this came with (the HTTP X-Request-Id, a Slack event id); in audit entries and
  // log lines, so they can be matched. Empty when there is none.
  std::string request_id;
};

struct CommandRequest {
  std::string text;      // the chat command, e.g. "explain select ..."
  std::string database;  // empty: the first configured database
  std::string session;   // empty: the caller's default session
  Caller caller;
};

}  // namespace planbot::core
