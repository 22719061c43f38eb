// The ports of the bot core: what it needs from the outside world, as narrow interfaces that
// adapters implement (adapters/postgres_*, adapters/local_clones*, later dblab). The core never
// names an adapter; app/main.cc wires concrete ones in.
//
// Failures are values (common/result.h). Error codes the core relies on:
//   "clone_unavailable"  the clone cannot be created, reached, or went away  (HTTP 503)
//   "source_busy"        the source database has other connections (TEMPLATE)  (HTTP 503)
//   "timeout"            statement_timeout, lock_timeout or the client deadline  (HTTP 408)
//   "database_error"     any other error from the server; `sqlstate` is set and `message` holds
//                        no value from the data (see analyzer/server_errors.h)    (HTTP 400)
//
// Secrets: ConnectionInfo::password is never logged, printed or returned in an answer.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/tips.h"
#include "common/result.h"

namespace planbot::core {

// Where a clone can be reached, as the session role.
struct ConnectionInfo {
  std::string host;
  int port = 5432;
  std::string dbname;
  std::string user;
  std::string password;  // secret
  std::string sslmode;   // empty: libpq's default
  // The database the clone was made from, on the same server (local: the source; dblab: the
  // same name as dbname). `\l` lists only this one and the clone.
  std::string source_dbname;

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

  // Takes a clone made before a restart of planbot back into use, so its session survives the
  // restart. `saved_password` is the password the lease had (the core keeps it encrypted); a
  // provider that can set a new one (local: ALTER ROLE) may ignore it. Errors: "not_found"
  // when the clone is gone, "clone_unavailable" otherwise.
  virtual Result<CloneLease> Reattach(const std::string& clone_id,
                                      const std::string& saved_password) = 0;

  // Readiness for /healthz: the provider can create clones right now.
  virtual Status Health() = 0;

  // The clones this provider holds now, for /metrics: ready in the warm pool, leased to sessions.
  struct PoolSize {
    int warm = 0;
    int leased = 0;
  };
  virtual PoolSize Pool() const { return {}; }

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

// What `exec` reports: the command tag ("CREATE INDEX", "UPDATE 12") and the rows it affected
// (-1 when the command does not report a count). Never rows of data.
struct ExecResult {
  std::string tag;
  int64_t rows = -1;
};

// One HypoPG hypothetical index.
struct HypoIndex {
  int64_t oid = 0;
  std::string name;        // e.g. "<16390>btree_orders_customer_id"
  std::string table;       // schema-qualified
  std::string definition;  // CREATE INDEX ... as hypopg_get_indexdef() prints it
  int64_t estimated_bytes = 0;
};

// A setting made with SET LOCAL for one re-plan: a name planbot chose (work_mem, ...) and its
// value, never the user's text.
struct LocalSetting {
  std::string name;
  std::string value;  // as it goes between single quotes: "64MB"
};

// One non-idle backend of a clone (pg_stat_activity). `query` is the raw text: the core
// normalizes it before anyone sees it and never logs it.
struct Backend {
  int pid = 0;
  std::string state;
  std::optional<double> duration_ms;  // since query_start
  std::string wait_event_type;
  std::string wait_event;
  std::string backend_type;
  std::string query;
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

  // Plan-only EXPLAIN (as ExplainMode::kPlan) of `sql` after SET LOCAL of each of `settings`
  // (none: as it plans now, hypothetical indexes included),
  // in a transaction that is rolled back: how the planner would plan it with them. Used to
  // verify advice (core/advice.h); never executes the statement.
  virtual Result<std::string> Replan(const std::string& sql,
                                     const std::vector<LocalSetting>& settings,
                                     const StatementLimits& limits) = 0;

  // The clone's catalog facts (analyzer/tips.h) for `relations`, spelled as SQL names them
  // ("orders", "sales.\"Items\""), matched against the tables' own spellings (unknown ones are
  // left out),
  // and the database's collation. Metadata and statistics figures only: never pg_stats' lists
  // of values.
  virtual Result<analyzer::CatalogFacts> ReadCatalog(const std::vector<std::string>& relations,
                                                     const StatementLimits& limits) = 0;

  // Runs one statement `exec` accepts (the core has checked its kind) so that it persists in
  // the clone. `transactional`: inside BEGIN ... COMMIT with SET LOCAL timeouts; otherwise
  // (VACUUM, CREATE INDEX CONCURRENTLY, ...) with the timeouts set for the session around it.
  // Rows a statement returns (RETURNING) are discarded.
  virtual Result<ExecResult> Exec(const std::string& sql, bool transactional,
                                  const StatementLimits& limits) = 0;

  // HypoPG, on this connection (hypothetical indexes live only in the backend that made them).
  // Error "hypo_unavailable" when the extension is not installed in the clone.
  virtual Result<HypoIndex> HypoCreate(const std::string& create_index_sql,
                                       const StatementLimits& limits) = 0;
  virtual Result<std::vector<HypoIndex>> HypoList(const StatementLimits& limits) = 0;
  virtual Result<bool> HypoDrop(int64_t oid, const StatementLimits& limits) = 0;
  virtual Status HypoReset(const StatementLimits& limits) = 0;

  // Non-idle backends of this clone other than this connection.
  virtual Result<std::vector<Backend>> Activity(const StatementLimits& limits) = 0;
  // pg_terminate_backend(pid) for a backend of this clone; Error "not_found" when `pid` is not
  // a backend of this clone.
  virtual Result<bool> Terminate(int pid, const StatementLimits& limits) = 0;
  // This connection's backend pid.
  virtual int backend_pid() const = 0;

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

// psql's \d family on a clone (SPEC §2), as psql itself prints it. Thread-safe.
class CatalogDescriber {
 public:
  virtual ~CatalogDescriber() = default;
  // `meta` is one of \d \d+ \dt \dt+ \di \di+ \dv \dv+ \dm \dm+ \dn \dx \df \l, `pattern`
  // an object name or psql pattern the core has validated (may be empty; always empty for \l,
  // which lists only connection.dbname and connection.source_dbname). Errors: "refused"
  // for a meta-command or pattern that is not allowed, "describe_failed" when psql fails (with
  // its message), "timeout".
  virtual Result<std::string> Describe(const ConnectionInfo& connection, const std::string& meta,
                                       const std::string& pattern,
                                       std::chrono::milliseconds timeout) = 0;
};

}  // namespace planbot::core
