// Answers as structured data first (SPEC §3); the chat text is derived from them. The HTTP API
// sends Answer::ToJsonText() (plan.json exactly as PostgreSQL printed it), `planbot ask` prints
// `message`, Slack lays out the same typed fields.
//
// Plain values (the analysis is shared, immutable); thread-compatible.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/analysis.h"
#include "common/result.h"

namespace planbot::core {

struct Answer {
  std::string command;
  std::string database;
  std::string session;
  int64_t id = 0;   // history entry; 0 when none was written
  std::string url;  // the entry's web view page (web.public_url/plans/ID); empty when none
  std::string fingerprint;
  std::string normalized;
  // plan and explain: the plan analysed once (PostgreSQL's JSON and text, summary, metrics,
  // tips, hypothetical indexes used); null for every other command.
  std::shared_ptr<const analyzer::Analysis> analysis;
  std::string notice;          // one line about the session itself ("restored after a restart")
  std::string text;            // for answers without a plan (help, exec, \d, ...)
  nlohmann::json result;       // structured result of other commands; null when none
  double duration_ms = 0;      // wall-clock time planbot spent
  std::string message;         // the chat-formatted answer
  std::optional<Error> error;  // set when the command failed
  // Under an error with a position in the user's SQL: that line of the SQL and a caret under
  // the byte, each indented by four spaces ("    select * frm t\n             ^"); else empty.
  std::string caret;

  bool ok() const { return !error.has_value(); }

  // SPEC §3 for answers, SPEC §4 ({"error": {...}}) for failures; both carry `message`.
  // plan.json as a document (nlohmann's: key order and number digits are its own).
  nlohmann::json ToJson() const;
  // The same as text, with plan.json exactly as PostgreSQL printed it: what the HTTP API sends,
  // so that `planbot render` of it prints plan.text.
  std::string ToJsonText() const;
};

// The HTTP status for an error (SPEC §4): its code's row in common/error_code.h.
int HttpStatusFor(const Error& error);

// {"error": {"code", "message", "position"?, "sqlstate"?}} plus "id" of the history entry.
nlohmann::json ErrorToJson(const Error& error, int64_t history_id = 0);

// One line for chat: "error: <message> (SQLSTATE 22P02)".
std::string ErrorToChat(const Error& error);

}  // namespace planbot::core
