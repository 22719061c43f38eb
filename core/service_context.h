// The state of one command while Service runs it: its parsed command (and table row), database,
// session, checked SQL, analysis and failure. Internal to the core (service*.cc).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "analyzer/sql.h"
#include "core/answer.h"
#include "core/command.h"
#include "core/config.h"
#include "core/service.h"

namespace planbot::core {

struct CommandContext {
  explicit CommandContext(const CommandRequest& r)
      : request(r), start(std::chrono::steady_clock::now()) {}

  const CommandRequest request;  // a copy: Submit() returns before the command runs
  std::chrono::steady_clock::time_point start;
  // When the command must be done: set as it starts to run (Execute), from the client-side
  // deadline; the SQL check and every statement on the clone count against it.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  Command command;
  const DatabaseConfig* database = nullptr;
  std::string session_name;

  std::optional<analyzer::SqlStatement> statement;
  std::string normalized;
  std::string fingerprint;

  int64_t block_size = 8192;
  int server_version = 0;
  // plan and explain: the server's EXPLAIN JSON, analysed once; shared with the answer.
  std::shared_ptr<const analyzer::Analysis> analysis;
  std::string notice;  // a line about the session itself ("restored after a restart")

  std::optional<Error> error;
  Outcome outcome = Outcome::kOk;
  bool audited = false;  // the command wrote its own audit entry (purge, redact)

  // Records the failure; the outcome is the error code's (common/error_code.h) unless given.
  void Fail(Error e, std::optional<Outcome> outcome_override = std::nullopt);

  // Parses `sql` (default: the command's argument) as exactly one SQL statement and normalizes
  // it; on failure (also when that used up the deadline) records the error and returns false.
  bool CheckSql(const std::string* sql = nullptr);

  // Analyses the server's EXPLAIN JSON into `analysis`, letting `refine` add to it first (advice
  // verified on the clone); records the failure when it cannot be read.
  void Analyze(std::string plan_json,
               const std::function<void(analyzer::Analysis&)>& refine = nullptr);

  double ElapsedMs() const;
};

// The chat-formatted answer (`message`).
std::string ChatMessage(const CommandContext& ctx, const Answer& answer);

}  // namespace planbot::core
