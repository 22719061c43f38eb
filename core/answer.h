// Answers as structured data first (SPEC §3); the chat text is derived from them. The HTTP API
// returns Answer::ToJson(), `planbot ask` prints `message`, Slack formats the same fields.
//
// Plain values; thread-compatible.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace planbot::core {

struct Answer {
  std::string command;
  std::string database;
  std::string session;
  int64_t id = 0;  // history entry; 0 when none was written
  std::string fingerprint;
  std::string normalized;
  std::string plan_text;     // as PostgreSQL's text EXPLAIN prints it
  nlohmann::json plan_json;  // EXPLAIN JSON; null when there is no plan
  nlohmann::json summary;    // SPEC §3 summary; null when there is no plan
  nlohmann::json tips = nlohmann::json::array();
  std::string text;       // for answers without a plan (help, exec, \d, ...)
  nlohmann::json result;  // structured result of other commands; null when none
  std::vector<std::string> hypothetical_indexes;  // HypoPG indexes the plan uses
  double duration_ms = 0;                         // wall-clock time planbot spent
  std::string message;                            // the chat-formatted answer
  std::optional<Error> error;                     // set when the command failed

  bool ok() const { return !error.has_value(); }

  // SPEC §3 for answers, SPEC §4 ({"error": {...}}) for failures; both carry `message`.
  nlohmann::json ToJson() const;
};

// The HTTP status for an error code (SPEC §4): 400, 401, 403, 404, 408, 413, 429 or 503.
int HttpStatusFor(const Error& error);

// {"error": {"code", "message", "position"?, "sqlstate"?}} plus "id" of the history entry.
nlohmann::json ErrorToJson(const Error& error, int64_t history_id = 0);

// One line for chat: "error: <message> (SQLSTATE 22P02)".
std::string ErrorToChat(const Error& error);

}  // namespace planbot::core
