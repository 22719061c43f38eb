// `planbot ask` (SPEC §1): a client of the HTTP API for scripts and terminals. Sends one chat
// command to POST /api/v1/commands and prints the chat-formatted reply, or the JSON.
//
// The command comes from exactly one source: the TEXT words (joined by spaces), `-` for stdin,
// or --file F (a large query does not fit in one argument); its text is sent as it is.
//
// Exit codes: 0 the command succeeded; 1 the command failed (the error is printed); 2 usage or
// connection error (bad URL, no or two command sources, unreadable file, unreachable server —
// said as "connection refused", "timed out", "TLS ...", "cannot resolve host ..." —, not planbot
// on the other end, bad token).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace planbot::adapters {

struct AskArgs {
  std::string url = "http://127.0.0.1:8080";  // base URL; a path prefix is kept
  std::string token;                          // Bearer token; empty: none
  std::string database;
  std::string session;
  bool json = false;
  int timeout_seconds = 120;
  std::vector<std::string> words;  // TEXT; {"-"}: read the command from `in`
  std::string file;                // --file: read the command from this file
};

// Reads stdin from `in` only for TEXT `-`.
int RunAsk(const AskArgs& args, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace planbot::adapters
