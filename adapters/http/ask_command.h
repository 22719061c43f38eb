// `planbot ask` (SPEC §1): a client of the HTTP API for scripts and terminals. Sends one chat
// command to POST /api/v1/commands and prints the chat-formatted reply, or the JSON.
//
// Exit codes: 0 the command succeeded; 1 the command failed (the error is printed); 2 usage or
// connection error (bad URL, unreachable server, not planbot on the other end, bad token).
#pragma once

#include <iosfwd>
#include <string>

namespace planbot::adapters {

struct AskArgs {
  std::string url = "http://127.0.0.1:8080";  // base URL; a path prefix is kept
  std::string token;                          // Bearer token; empty: none
  std::string database;
  std::string session;
  bool json = false;
  int timeout_seconds = 120;
  std::string text;
};

int RunAsk(const AskArgs& args, std::ostream& out, std::ostream& err);

}  // namespace planbot::adapters
