// Sessions: a session is (user, database, name) with its own clone and one dedicated connection
// that every command of the session uses, so that `exec` changes, settings and HypoPG indexes are
// seen by the session's following commands. The Dispatcher (core/dispatcher.h) runs a session's
// commands one at a time; `lock` additionally keeps the idle reaper and shutdown away from a
// session while a command uses it.
//
// The manager creates sessions on first use, acquires their clone lazily, saves every live
// session in the store (clone password sealed) so that it survives a restart of planbot when the
// clone still exists (Restore + Reattach), ends sessions idle longer than the idle timeout
// (dropping their clone), and at shutdown drops every clone.
//
// Thread-safety: all methods are thread-safe. A Session's clone/db members may only be touched
// while holding its `lock`.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/log.h"
#include "common/result.h"
#include "common/telemetry.h"
#include "core/fifo_lock.h"
#include "core/ports.h"
#include "storage/store.h"

namespace planbot::core {

struct Session {
  std::string key;
  std::string name;  // shown to the user
  std::string user;
  std::string database;
  FifoLock lock;
  // Guarded by `lock`:
  std::optional<CloneLease> clone;
  std::unique_ptr<DatabaseSession> db;
  bool restored = false;  // `clone` comes from before a restart and must be reattached
  std::string notice;     // one line for the next answer ("session restored after a restart")
  // Guarded by the manager's mutex:
  std::chrono::steady_clock::time_point last_used;

  // A copy of `clone` readable without `lock`, for commands that do not use the session's own
  // connection (activity, terminate). Written together with `clone` (SessionManager::SetClone).
  mutable std::mutex clone_mu;
  std::optional<CloneLease> clone_copy;

  // The dedicated connection's backend pid (0 when not connected), for `activity`.
  std::atomic<int> backend_pid{0};

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

// The key of a session, the same for the core and the store.
std::string SessionKey(const std::string& user, const std::string& database,
                       const std::string& name);

class SessionManager {
 public:
  // `store` may be null (no persistence).
  SessionManager(std::map<std::string, CloneProvider*> providers, SessionFactory* factory,
                 storage::SessionStore* store, std::chrono::seconds idle_timeout, Logger log,
                 Telemetry* telemetry = nullptr);
  ~SessionManager();
  SessionManager(const SessionManager&) = delete;
  SessionManager& operator=(const SessionManager&) = delete;

  // Sessions saved before a restart: they come back with their clone, to be reattached on their
  // next command. Call once, before commands arrive.
  void Restore(const std::vector<storage::SessionRecord>& saved);

  // The session for (user, database, name), created when new. Error "shutting_down" after
  // Shutdown(). `database` must be one of the providers' keys.
  Result<std::shared_ptr<Session>> Get(const std::string& user, const std::string& database,
                                       const std::string& name);

  // The session if it exists (no creation).
  std::shared_ptr<Session> Find(const std::string& user, const std::string& database,
                                const std::string& name);

  // With session.lock held: a usable connection to the session's clone, acquiring (or
  // reattaching) a clone and connecting as needed.
  Status Ensure(Session& session);

  // With session.lock held, after the connection broke: keeps the clone when it still exists
  // (the next command reconnects) and returns a line saying so; otherwise forgets the clone.
  std::string ConnectionLost(Session& session);

  // With session.lock held: drops the session's clone; the next command gets a new one.
  void Discard(Session& session);

  // With session.lock held: the clone back to the source's state, and a new connection.
  Status ResetClone(Session& session);

  // The session's clone without taking its lock (nullopt when it has none yet).
  static std::optional<CloneLease> CurrentClone(const Session& session);

  // The provider of `database`, or null.
  CloneProvider* provider(const std::string& database) const;

  // Marks the session used now (idle timeout counts from here).
  void Touch(Session& session);

  // Ends sessions idle longer than the timeout; returns how many. Called by the reaper thread
  // (and by tests).
  int ReapIdle();

  size_t size() const;

  // Cancels running statements, drops every session's clone; later Get() calls fail.
  void Shutdown();

 private:
  void ReaperLoop();
  void End(Session& session);
  void Save(const Session& session);
  Status Reattach(Session& session, CloneProvider& provider);
  static void SetClone(Session& session, std::optional<CloneLease> clone);

  std::map<std::string, CloneProvider*> providers_;
  SessionFactory* factory_;
  storage::SessionStore* store_;
  std::chrono::seconds idle_timeout_;
  Logger log_;
  Telemetry* telemetry_;  // may be null

  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::map<std::string, std::shared_ptr<Session>> sessions_;
  bool stopping_ = false;
  std::thread reaper_;
};

}  // namespace planbot::core
