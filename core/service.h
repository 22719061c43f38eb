// Service: the bot core's front door. Every channel (HTTP API, Slack, `planbot ask`) turns a
// chat command into a CommandRequest and gets a structured Answer back (SPEC §2, §3).
//
// Its jobs and where they live: intake and dispatch (service.cc, driven by the command table of
// core/command.h), the handlers (service_sql.cc: plan, explain, exec, hypo; service_clone.cc:
// reset, activity, terminate, \d; service_history.cc: history, purge, redact), finishing an
// answer (service_record.cc). It owns the parts with jobs of their own: the Recorder (history
// and audit entries), the HistoryApi (the history API's access rules), Retention (the purge of
// old history), the SessionManager and the Dispatcher.
//
// Commands are checked where they arrive (grammar, quota, SQL with the analyzer: one statement
// of an allowed kind, before anything reaches a database), then run in their session's lane of
// the Dispatcher: one at a time per session, in arrival order, sessions in parallel on a bounded
// pool of workers. Every command is recorded (audit; history for SQL commands, under the
// database's history policy) before it is answered: a command that could not be recorded is not
// answered.
//
// Thread-safety: Run() and Submit() may be called concurrently from any number of threads.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/log.h"
#include "common/telemetry.h"
#include "core/answer.h"
#include "core/command.h"
#include "core/config.h"
#include "core/dispatcher.h"
#include "core/history_api.h"
#include "core/ports.h"
#include "core/quota.h"
#include "core/recorder.h"
#include "core/request.h"
#include "core/retention.h"
#include "core/sessions.h"
#include "storage/store.h"

namespace planbot::core {

// What the core needs from the configuration.
struct ServiceOptions {
  LimitsConfig limits;
  std::vector<DatabaseConfig> databases;
  // How often history older than each database's `retention` is purged (also once at start).
  std::chrono::milliseconds retention_interval{std::chrono::hours(1)};
  // web.public_url: answers with a history entry link to its page there; empty: no link.
  std::string public_url;
};

// The outside world the core talks to; every pointer must outlive the service. `describer`
// may be null (then the \d family answers that it is not available).
struct ServicePorts {
  storage::HistoryStore* history = nullptr;
  storage::AuditLog* audit = nullptr;
  storage::SessionStore* saved_sessions = nullptr;
  std::map<std::string, CloneProvider*> providers;  // by database name
  SessionFactory* sessions = nullptr;
  CatalogDescriber* describer = nullptr;
  Telemetry* telemetry = nullptr;  // may be null: nothing measured

  // The three store interfaces from one object that implements them (storage::Store, a fake).
  template <class S>
  void UseStore(S* store) {
    history = store;
    audit = store;
    saved_sessions = store;
  }
};

class Service {
 public:
  Service(ServiceOptions options, ServicePorts ports, Logger log);
  ~Service();

  // Runs one command and waits for its answer. Failures are in Answer::error (with the history
  // id when one was written).
  Answer Run(const CommandRequest& request);

  // Queues one command; `done` is called with the answer on a worker thread (or on the
  // calling thread when the command is refused before it reaches a session).
  void Submit(const CommandRequest& request, std::function<void(Answer)> done);

  // {"status": "ok"|"unavailable", "store": {...}, "databases": {name: {...}}}.
  nlohmann::json Health();

  // The writer of audit entries for events outside commands (core/recorder.h), and the history
  // API with its access rules (core/history_api.h).
  Recorder& recorder() { return recorder_; }
  HistoryApi& history_api() { return history_api_; }

  // Stops taking commands, cancels running ones and drops every clone.
  void Shutdown();

  // The planned stop (SIGTERM): stops taking commands at once (they are answered 503
  // shutting_down, and ready() turns false, so /readyz fails), waits up to `max_wait` for the
  // commands already running to be answered, then Shutdown().
  void Drain(std::chrono::milliseconds max_wait);
  // Taking commands (false from Drain or Shutdown on).
  bool ready() const { return !stopping_; }
  // The store can record commands right now.
  Status StoreHealth() { return ports_.history->Health(); }

  // What /metrics shows as gauges, read now.
  struct Gauges {
    size_t sessions = 0;
    size_t queued = 0;  // commands running or waiting in a session's lane
    std::map<std::string, CloneProvider::PoolSize> pools;  // by database
  };
  Gauges ReadGauges() const;

  SessionManager& sessions() { return sessions_; }

  // The state of one running command (core/service_context.h); internal to the core.
  using Context = CommandContext;

 private:
  // The command table names the handlers below (core/command_table.cc).
  friend const std::vector<CommandSpec>& Commands();

  // Runs a command of the kOwn or kBeside lanes on a worker, then Finish.
  Answer Execute(Context& ctx);
  // The handlers, one per row of the command table. Each leaves its failure in the context and
  // returns what it has; Finish records and formats it.
  Answer RunPlan(Context& ctx);
  Answer RunExplain(Context& ctx);
  Answer RunExplainMode(Context& ctx, ExplainMode mode);
  Answer RunExec(Context& ctx);
  Answer RunHypo(Context& ctx);
  Answer RunReset(Context& ctx);
  Answer RunActivity(Context& ctx);
  Answer RunTerminate(Context& ctx);
  Answer RunDescribe(Context& ctx);
  Answer RunHistory(Context& ctx);
  Answer RunMaintenance(Context& ctx);  // purge and redact
  Answer RunHelp(Context& ctx);

  // Runs `fn` on the caller's session with a usable connection (`connect`), or just the
  // session (then `fn` must not use the connection). Turns a lost connection into one line.
  Status OnSession(Context& ctx, bool connect, const std::function<Status(Session&)>& fn);
  StatementLimits Limits() const;
  // Limits() with the client-side deadline cut to what is left of the command's.
  StatementLimits Limits(const Context& ctx) const;
  Answer Finish(Context& ctx, Answer answer);
  const DatabaseConfig* FindDatabase(const std::string& name) const;

  ServiceOptions options_;
  ServicePorts ports_;
  Logger log_;
  Quota quota_;
  SessionManager sessions_;
  std::atomic<bool> stopping_{false};   // no new commands (draining or shut down)
  std::atomic<bool> shut_down_{false};  // Shutdown() ran
  Recorder recorder_;
  HistoryApi history_api_;
  Retention retention_;
  Dispatcher dispatcher_;  // last: destroyed first, running what is queued while sessions exist
};

}  // namespace planbot::core
