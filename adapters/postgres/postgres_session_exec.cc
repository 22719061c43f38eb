// PostgresSession::Exec: one statement that `exec` accepts, so that its effect persists in the
// clone. Two ways, chosen by the core:
//   transactional:      BEGIN; SET LOCAL statement_timeout = N; SET LOCAL lock_timeout = M
//                       <the statement>                  -- extended protocol, one statement
//                       COMMIT                           -- ROLLBACK after an error
//   at session level:   SET statement_timeout = N; SET lock_timeout = M
//   (VACUUM, ... CONCURRENTLY, which cannot run in a transaction block)
//                       <the statement>
//                       SET statement_timeout = <at connect>; SET lock_timeout = <at connect>;
//                         SET idle_in_transaction_session_timeout = <planbot's>
// The restore also follows a transactional SET or RESET (their effect outlives COMMIT), so that
// whatever a user sets, planbot's own session settings are back before the next command; the
// per-statement limits are SET LOCAL in every command anyway.
//
// The statement is first parsed as the unnamed prepared statement (an error there is one of its
// parse analysis, which may quote the user's own names: analyzer/server_errors.h), then bound and
// executed in single-row mode: rows it returns (RETURNING) are read one at a time and dropped,
// never held; only PQcmdStatus and PQcmdTuples are kept.
#include <libpq-fe.h>

#include <cstdlib>
#include <memory>

#include "adapters/postgres/postgres_session_impl.h"

namespace planbot::adapters::session_internal {
namespace {

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

core::ExecResult Outcome(const PGresult* result) {
  core::ExecResult out;
  out.tag = PQcmdStatus(const_cast<PGresult*>(result));
  const char* rows = PQcmdTuples(const_cast<PGresult*>(result));
  if (rows != nullptr && *rows != '\0') out.rows = std::strtoll(rows, nullptr, 10);
  return out;
}

}  // namespace

void PostgresSession::ParseUserStatement(const std::string& sql) {
  PGconn* conn = conn_->raw();
  if (!ConnectionOk()) throw pqxx::broken_connection("the connection is closed");
  if (PQsendPrepare(conn, "", sql.c_str(), 0, nullptr) == 0) {
    throw pqxx::broken_connection(FirstLine(PQerrorMessage(conn)));
  }
  bool failed = false;
  while (ResultPtr result{PQgetResult(conn)}) {
    if (PQresultStatus(result.get()) == PGRES_FATAL_ERROR) failed = true;
  }
  if (failed) {
    if (!ConnectionOk()) throw pqxx::broken_connection("the connection was lost");
    analysis_failed_ = true;
    throw pqxx::sql_error("the statement failed");
  }
}

// Throws what libpqxx would: pqxx::broken_connection when the connection is gone,
// pqxx::sql_error for a server error (recorded by PgConnection).
core::ExecResult PostgresSession::RunDiscardingRows(const std::string& sql) {
  ParseUserStatement(sql);
  PGconn* conn = conn_->raw();
  if (PQsendQueryPrepared(conn, "", 0, nullptr, nullptr, nullptr, 0) == 0) {
    throw pqxx::broken_connection(FirstLine(PQerrorMessage(conn)));
  }
  PQsetSingleRowMode(conn);
  core::ExecResult out;
  bool failed = false;
  bool unexpected = false;
  while (ResultPtr result{PQgetResult(conn)}) {
    switch (PQresultStatus(result.get())) {
      case PGRES_SINGLE_TUPLE:
        break;  // a row of data: dropped
      case PGRES_COMMAND_OK:
      case PGRES_TUPLES_OK:
        out = Outcome(result.get());
        break;
      case PGRES_FATAL_ERROR:
        failed = true;
        break;
      default:  // COPY and the like: never accepted by the core; the protocol state is unknown
        unexpected = true;
        break;
    }
    if (unexpected) break;
  }
  if (unexpected) {
    usable_ = false;
    conn_->disconnect();
    throw pqxx::broken_connection("unexpected result from the statement");
  }
  if (failed) {
    if (!ConnectionOk()) throw pqxx::broken_connection("the connection was lost");
    throw pqxx::sql_error("the statement failed");
  }
  return out;
}

void PostgresSession::RestoreSessionSettings(pqxx::nontransaction& txn) {
  const std::string sql = "SET statement_timeout = " + txn.quote(defaults_.statement_timeout) +
                          "; SET lock_timeout = " + txn.quote(defaults_.lock_timeout) +
                          "; SET idle_in_transaction_session_timeout = " +
                          std::to_string(defaults_.idle_in_transaction_session_timeout.count());
  try {
    txn.exec(sql);
  } catch (const pqxx::sql_error&) {
    // A cancel request that arrived late (the caller's, or the deadline's just as the statement
    // finished) hits this instead of the statement: once more. A second failure is reported.
    if (!ConnectionOk()) throw;
    txn.exec(sql);
  }
}

Result<core::ExecResult> PostgresSession::Exec(const std::string& sql, bool transactional,
                                               const core::StatementLimits& limits) {
  Result<core::ExecResult> out =
      Guarded<core::ExecResult>(sql, 0, limits, [&](const core::StatementLimits& bounded) {
        return transactional ? ExecInTransaction(sql, bounded) : ExecAtSessionLevel(sql, bounded);
      });
  if (!usable_) return out;  // the connection is gone, and its settings with it
  // Succeeded or not, the statement may have changed settings from data (postgres_session_
  // settings.cc); a session whose settings cannot be vouched for is closed.
  const bool set = out.ok() && (out->tag == "SET" || out->tag == "RESET");
  const std::string set_sql = set ? sql : std::string();
  bool stuck = false;
  Status settled = Guarded<Ok>("", kNoPosition, limits, [&](const core::StatementLimits&) {
    try {
      SettleSettings(set_sql);
    } catch (const pqxx::usage_error&) {  // a value could not be set back
      stuck = true;
    } catch (const pqxx::sql_error&) {  // a statement of the settle itself failed
      RollbackQuietly();
      stuck = true;
    }
    return Status(Ok{});
  });
  if (stuck || !settled) {
    // Whatever stopped the check (a value that would not go back, the deadline, a broken
    // connection), a session whose settings cannot be vouched for does not go on.
    usable_ = false;
    conn_->disconnect();
    return Unavailable(
        "the settings the statement may have changed could not be checked and set back, so the "
        "session was closed");
  }
  return out;
}

Result<core::ExecResult> PostgresSession::ExecInTransaction(const std::string& sql,
                                                            const core::StatementLimits& limits) {
  core::ExecResult out;
  {
    SessionTxn t(*this, "BEGIN", limits);
    out = RunDiscardingRows(sql);
    t.Commit();
  }
  if (out.tag == "SET" || out.tag == "RESET") {
    pqxx::nontransaction txn(*conn_);
    RestoreSessionSettings(txn);
  }
  return out;
}

Result<core::ExecResult> PostgresSession::ExecAtSessionLevel(const std::string& sql,
                                                             const core::StatementLimits& limits) {
  pqxx::nontransaction txn(*conn_);
  txn.exec("SET statement_timeout = " + std::to_string(limits.statement_timeout.count()) +
           "; SET lock_timeout = " + std::to_string(limits.lock_timeout.count()));
  core::ExecResult out;
  try {
    out = RunDiscardingRows(sql);
  } catch (const pqxx::sql_error&) {
    try {
      RollbackQuietly();  // nothing should be open; never leave a transaction behind
      if (ConnectionOk()) RestoreSessionSettings(txn);
    } catch (...) {
      // The statement's error is the one to report; a session left with planbot's limits at
      // session level is only stricter than before, and every command sets its own anyway.
    }
    throw;
  }
  RollbackQuietly();
  RestoreSessionSettings(txn);
  return out;
}

}  // namespace planbot::adapters::session_internal
