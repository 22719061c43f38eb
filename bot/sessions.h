// Sessions: a session is (user, database, name) with its own clone and one dedicated connection
// that every command of the session uses. Commands of one session run one at a time, in arrival
// order (FifoLock); different sessions run in parallel.
//
// The manager creates sessions on first use, acquires their clone lazily (under the session's
// lock, so a slow clone never blocks other sessions), ends sessions idle longer than the idle
// timeout (releasing their clone), and releases every clone at shutdown.
//
// Thread-safety: all methods are thread-safe. A Session's clone/db members may only be touched
// while holding its `lock`.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bot/fifo_lock.h"
#include "bot/ports.h"
#include "common/log.h"
#include "common/result.h"

namespace planbot::bot {

struct Session {
  std::string key;
  std::string name;  // shown to the user
  std::string user;
  std::string database;
  FifoLock lock;
  // Guarded by `lock`:
  std::optional<CloneLease> clone;
  std::unique_ptr<DatabaseSession> db;
  // Guarded by the manager's mutex:
  std::chrono::steady_clock::time_point last_used;

  // The connection while a statement runs on it, so that shutdown can cancel it from another
  // thread. Set and cleared by the command holding `lock` (see RunningStatement).
  std::mutex running_mu;
  DatabaseSession* running = nullptr;
};

// Marks `session.db` as running a statement for the lifetime of this object.
class RunningStatement {
 public:
  explicit RunningStatement(Session& s) : s_(s) {
    std::lock_guard<std::mutex> guard(s_.running_mu);
    s_.running = s_.db.get();
  }
  ~RunningStatement() {
    std::lock_guard<std::mutex> guard(s_.running_mu);
    s_.running = nullptr;
  }
  RunningStatement(const RunningStatement&) = delete;
  RunningStatement& operator=(const RunningStatement&) = delete;

 private:
  Session& s_;
};

class SessionManager {
 public:
  SessionManager(std::map<std::string, CloneProvider*> providers, SessionFactory* factory,
                 std::chrono::seconds idle_timeout, Logger log);
  ~SessionManager();
  SessionManager(const SessionManager&) = delete;
  SessionManager& operator=(const SessionManager&) = delete;

  // The session for (user, database, name), created when new. Error "shutting_down" after
  // Shutdown(). `database` must be one of the providers' keys.
  Result<std::shared_ptr<Session>> Get(const std::string& user, const std::string& database,
                                       const std::string& name);

  // With session.lock held: a usable connection to the session's clone, acquiring a clone and
  // connecting as needed. Errors from the provider or the session factory.
  Status Ensure(Session& session);

  // With session.lock held: forget the connection and release the clone (after it went away).
  void Discard(Session& session);

  // Marks the session used now (idle timeout counts from here).
  void Touch(Session& session);

  // Ends sessions idle longer than the timeout; returns how many. Called by the reaper thread
  // (and by tests).
  int ReapIdle();

  size_t size() const;

  // Cancels running statements, releases every session's clone; later Get() calls fail.
  void Shutdown();

 private:
  void ReaperLoop();
  void End(Session& session);

  std::map<std::string, CloneProvider*> providers_;
  SessionFactory* factory_;
  std::chrono::seconds idle_timeout_;
  Logger log_;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::map<std::string, std::shared_ptr<Session>> sessions_;
  bool stopping_ = false;
  std::thread reaper_;
};

}  // namespace planbot::bot
