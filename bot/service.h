// Service: the bot core's front door. Every channel (HTTP API, Slack, `planbot ask`) turns a
// chat command into a CommandRequest and gets a structured Answer back (SPEC §2, §3).
//
// For `plan`/`explain` it checks the SQL with the analyzer (one statement of an allowed kind)
// before anything reaches a database, runs EXPLAIN on the caller's session clone, analyzes the
// plan, and records a history entry (under the database's history policy) and an audit entry
// before answering: a command that could not be recorded is not answered.
//
// Thread-safety: Run() may be called concurrently from any number of threads.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "bot/answer.h"
#include "bot/config.h"
#include "bot/ports.h"
#include "bot/sessions.h"
#include "common/log.h"
#include "storage/store.h"

namespace planbot::bot {

// Who sends a command, as the channel authenticated them.
struct Caller {
  std::string user;     // token name, "loopback:127.0.0.1", Slack user id
  std::string role;     // "user" or "admin"
  std::string channel;  // "http", "slack", "cli"
};

struct CommandRequest {
  std::string text;      // the chat command, e.g. "explain select ..."
  std::string database;  // empty: the first configured database
  std::string session;   // empty: the caller's default session
  Caller caller;
};

// What the core needs from the configuration.
struct ServiceOptions {
  LimitsConfig limits;
  std::vector<DatabaseConfig> databases;
};

class Service {
 public:
  // `providers` maps database names to their clone providers; the pointers must outlive the
  // service, as must `store` and `factory`.
  Service(ServiceOptions options, storage::Store* store,
          std::map<std::string, CloneProvider*> providers, SessionFactory* factory, Logger log);
  ~Service();

  // Runs one command. Failures are in Answer::error (with the history id when one was written).
  Answer Run(const CommandRequest& request);

  // {"status": "ok"|"unavailable", "store": {...}, "databases": {name: {...}}}.
  nlohmann::json Health();

  // Audit entries for events outside commands.
  void AuditAuthFailure(const std::string& channel, const std::string& who,
                        const std::string& reason);
  void AuditEvent(const std::string& action, const std::string& details_json);

  // Stops taking commands, cancels running ones and releases every clone.
  void Shutdown();

  SessionManager& sessions() { return sessions_; }

  // The state of one running command (bot/service_context.h); internal to the core.
  struct Context;

 private:
  Answer RunExplain(Context& ctx, bool analyze);
  Status RunOnSession(Context& ctx, bool analyze);
  void Finish(Context& ctx, Answer& answer);
  const DatabaseConfig* FindDatabase(const std::string& name) const;

  ServiceOptions options_;
  storage::Store* store_;
  std::map<std::string, CloneProvider*> providers_;
  Logger log_;
  SessionManager sessions_;
  std::atomic<bool> stopping_{false};
};

}  // namespace planbot::bot
