// PostgresSession::Activity and Terminate: the backends of this clone (its database), as
// pg_stat_activity shows them to the session role. Another role's backend (the admin's) shows
// no state and its query reads "<insufficient privilege>": it is listed, as its state is
// unknown, and terminating it is a database_error (42501). Both run as
//   BEGIN [READ ONLY]; SET LOCAL statement_timeout = N; SET LOCAL lock_timeout = M
//   <the query>                            -- extended protocol; the pid as $1
//   ROLLBACK (Activity) / COMMIT (Terminate; the signal is sent at once either way)
// Terminate refuses this session's own backend: it would end the session's connection (and its
// hypothetical indexes) while the user meant another statement; `reset` is the way to start over.
#include "adapters/postgres/postgres_session_impl.h"

namespace planbot::adapters::session_internal {
namespace {

constexpr char kActivity[] =
    "SELECT pid, coalesce(state, ''), "
    "(extract(epoch FROM pg_catalog.clock_timestamp() - query_start) * 1000)::float8, "
    "coalesce(wait_event_type, ''), coalesce(wait_event, ''), coalesce(backend_type, ''), "
    "coalesce(query, '') "
    "FROM pg_catalog.pg_stat_activity "
    "WHERE datname = pg_catalog.current_database() AND pid <> pg_catalog.pg_backend_pid() "
    "AND state IS DISTINCT FROM 'idle' "
    "ORDER BY query_start NULLS LAST, pid";

constexpr char kTerminate[] =
    "SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity "
    "WHERE pid = $1 AND datname = pg_catalog.current_database()";

core::Backend ToBackend(const pqxx::row& row) {
  core::Backend b;
  b.pid = row[0].as<int>();
  b.state = row[1].as<std::string>();
  if (!row[2].is_null()) b.duration_ms = row[2].as<double>();
  b.wait_event_type = row[3].as<std::string>();
  b.wait_event = row[4].as<std::string>();
  b.backend_type = row[5].as<std::string>();
  b.query = row[6].as<std::string>();
  return b;
}

}  // namespace

Result<std::vector<core::Backend>> PostgresSession::Activity(const core::StatementLimits& limits) {
  using List = std::vector<core::Backend>;
  return Guarded<List>("", kNoPosition, limits,
                       [&](const core::StatementLimits& bounded) -> Result<List> {
                         SessionTxn t(*this, "BEGIN READ ONLY", bounded);
                         pqxx::result rows = t.txn().exec_params(kActivity);
                         t.Rollback();
                         List backends;
                         for (const auto& row : rows) backends.push_back(ToBackend(row));
                         return backends;
                       });
}

Result<bool> PostgresSession::Terminate(int pid, const core::StatementLimits& limits) {
  if (pid == backend_pid_ && pid != 0) {
    return MakeError(ErrorCode::kRefused,
                     "PID " + std::to_string(pid) +
                         " is this session's own connection; use `reset` to start "
                         "over, or terminate another backend");
  }
  return Guarded<bool>(
      "", kNoPosition, limits, [&](const core::StatementLimits& bounded) -> Result<bool> {
        SessionTxn t(*this, "BEGIN", bounded);
        pqxx::result rows = t.txn().exec_params(kTerminate, pid);
        t.Commit();
        if (rows.empty()) {
          return MakeError(ErrorCode::kNotFound,
                           "no backend with PID " + std::to_string(pid) + " on your clone");
        }
        return rows[0][0].as<bool>();
      });
}

}  // namespace planbot::adapters::session_internal
