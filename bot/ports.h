// The ports of the bot core: what it needs from the outside world, as narrow interfaces that
// adapters implement (adapters/postgres_*, adapters/local_clones*, later dblab). The core never
// names an adapter; bot/main.cc wires concrete ones in.
//
// Failures are values (common/result.h). Error codes the core relies on:
//   "clone_unavailable"  the clone cannot be created, reached, or went away  (HTTP 503)
//   "source_busy"        the source database has other connections (TEMPLATE)  (HTTP 503)
//   "timeout"            statement_timeout, lock_timeout or the client deadline  (HTTP 408)
//   "database_error"     any other error from the server; `sqlstate` is set and `message` holds
//                        no value from the data (see adapters/pg_errors.h)    (HTTP 400)
//
// Secrets: ConnectionInfo::password is never logged, printed or returned in an answer.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/result.h"

namespace planbot::bot {

// Where a clone can be reached, as the session role.
struct ConnectionInfo {
  std::string host;
  int port = 5432;
  std::string dbname;
  std::string user;
  std::string password;  // secret
  std::string sslmode;   // empty: libpq's default

  // "host=... port=... dbname=... user=..." without the password, for logs and errors.
  std::string Describe() const;
};

// A clone handed to one session until it is released.
struct CloneLease {
  std::string id;  // provider-specific (local: the clone database's name)
  ConnectionInfo connection;
};

// Makes and drops clones of one source database. Thread-safe: sessions call it concurrently.
class CloneProvider {
 public:
  virtual ~CloneProvider() = default;

  // "local" or "dblab".
  virtual std::string kind() const = 0;

  // A ready clone for a new session; from the warm pool when one is there.
  virtual Result<CloneLease> Acquire() = 0;

  // Drops the clone and everything that belongs to it. Idempotent: an unknown id is gone.
  virtual Status Release(const std::string& clone_id) = 0;

  // Back to the source's state (local: drop and re-create; dblab: reset). The lease's connection
  // details may change; existing connections to the clone are closed.
  virtual Result<CloneLease> Reset(const std::string& clone_id) = 0;

  // True when the clone still exists (a session checks after its connection broke).
  virtual bool Exists(const std::string& clone_id) = 0;

  // Readiness for /healthz: the provider can create clones right now.
  virtual Status Health() = 0;

  // Drops every clone this provider made (service shutdown).
  virtual void Shutdown() = 0;
};

// Bounds on one statement run for a user.
struct StatementLimits {
  std::chrono::milliseconds statement_timeout{30000};  // SET LOCAL statement_timeout
  std::chrono::milliseconds lock_timeout{5000};        // SET LOCAL lock_timeout
  // The client-side deadline after which planbot cancels the statement on the server, whatever
  // the server's settings say (normally a little longer than statement_timeout).
  std::chrono::milliseconds deadline{31000};
};

enum class ExplainMode {
  kPlan,     // EXPLAIN (COSTS, VERBOSE, FORMAT JSON)
  kAnalyze,  // EXPLAIN (ANALYZE, BUFFERS, VERBOSE, SETTINGS, WAL, FORMAT JSON), rolled back
};

// One connection to one clone, used by one session. Not thread-safe, except Cancel().
class DatabaseSession {
 public:
  virtual ~DatabaseSession() = default;

  // EXPLAIN of one statement the analyzer has accepted (`sql` holds exactly one statement),
  // through the extended protocol, inside a transaction that is always rolled back. Returns the
  // EXPLAIN JSON text.
  virtual Result<std::string> Explain(const std::string& sql, ExplainMode mode,
                                      const StatementLimits& limits) = 0;

  // current_setting('block_size') and server_version_num, read once at connect.
  virtual int64_t block_size() const = 0;
  virtual int server_version_num() const = 0;

  // False once the connection is known to be broken.
  virtual bool usable() const = 0;

  // Cancels the running statement on the server. Safe to call from any thread, at any time.
  virtual void Cancel() = 0;
};

// Opens sessions. Thread-safe.
class SessionFactory {
 public:
  virtual ~SessionFactory() = default;
  virtual Result<std::unique_ptr<DatabaseSession>> Open(const ConnectionInfo& connection) = 0;
};

}  // namespace planbot::bot
