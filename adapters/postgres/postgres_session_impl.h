// PostgresSession: the core::DatabaseSession that adapters/postgres/postgres_session.h's factory
// opens. Internal to the adapter; its members are split by operation:
//   postgres_session.cc           connect, the deadline (Run), cancel, errors, Explain
//   postgres_session_exec.cc      Exec
//   postgres_session_hypo.cc      HypoCreate, HypoList, HypoDrop, HypoReset
//   postgres_session_activity.cc  Activity, Terminate
//
// Every operation goes through Guarded(): the connection must be usable, the limits are bounded
// below by 1 ms, the client-side deadline is armed (Run), the recorded server error is cleared,
// libpqxx's exceptions become the error values of core/ports.h (Failure), and a connection left
// inside a transaction is closed (the server then rolls back). Inside, SessionTxn is the
//   BEGIN [READ ONLY]; SET LOCAL statement_timeout = N; SET LOCAL lock_timeout = M[; <lookup>]
// round trip, ended by COMMIT or ROLLBACK (ROLLBACK, quietly, when it goes out of scope first).
// Explain (plan, explain: the commands that matter for throughput) sends the same BEGIN and SET
// LOCALs, the EXPLAIN and ROLLBACK as one libpq pipeline instead: one round trip (PipelineRows).
//
// Thread-safety: as core::DatabaseSession: one thread at a time, except Cancel().
#pragma once

#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <string>

#include "adapters/postgres/deadline.h"
#include "adapters/postgres/pg_connection.h"
#include "adapters/postgres/postgres_session.h"

namespace planbot::adapters::session_internal {

using Millis = std::chrono::milliseconds;

// Passed as `prefix_chars` when the server's error position does not point into the user's
// text (it was passed as a parameter, or there is no user text).
inline constexpr size_t kNoPosition = static_cast<size_t>(-1);

// "1s", "1.5s", "250ms": how limits appear in messages.
std::string FormatDuration(Millis d);

inline Error Timeout(std::string message) {
  return MakeError(ErrorCode::kTimeout, std::move(message));
}
inline Error Unavailable(std::string message) {
  return MakeError(ErrorCode::kCloneUnavailable, std::move(message));
}

// Every setting's current_setting() text, by name.
using SettingValues = std::map<std::string, std::string>;

// Session-level settings as planbot left them at connect; restored after an `exec` that may
// have changed them (see postgres_session_exec.cc).
struct SessionDefaults {
  std::string statement_timeout;  // current_setting() text, e.g. "0"
  std::string lock_timeout;
  Millis idle_in_transaction_session_timeout{0};
  SettingValues settings;  // all of them, when planbot had set up the connection
};

// Every setting of the session, as pg_settings lists them.
SettingValues ReadSettings(pqxx::transaction_base& txn);

class PostgresSession final : public core::DatabaseSession {
 public:
  PostgresSession(std::unique_ptr<PgConnection> conn, const PostgresSessionOptions& options,
                  std::shared_ptr<Watchdog> watchdog, std::string where, int64_t block_size,
                  int server_version_num, SessionDefaults defaults);
  ~PostgresSession() override;

  Result<std::string> Explain(const std::string& sql, core::ExplainMode mode,
                              const core::StatementLimits& limits) override;
  Result<std::string> Replan(const std::string& sql,
                             const std::vector<core::LocalSetting>& settings,
                             const core::StatementLimits& limits) override;
  Result<analyzer::CatalogFacts> ReadCatalog(const std::vector<std::string>& relations,
                                             const core::StatementLimits& limits) override;
  Result<core::ExecResult> Exec(const std::string& sql, bool transactional,
                                const core::StatementLimits& limits) override;
  Result<core::HypoIndex> HypoCreate(const std::string& create_index_sql,
                                     const core::StatementLimits& limits) override;
  Result<std::vector<core::HypoIndex>> HypoList(const core::StatementLimits& limits) override;
  Result<bool> HypoDrop(int64_t oid, const core::StatementLimits& limits) override;
  Status HypoReset(const core::StatementLimits& limits) override;
  Result<std::vector<core::Backend>> Activity(const core::StatementLimits& limits) override;
  Result<bool> Terminate(int pid, const core::StatementLimits& limits) override;

  int backend_pid() const override { return backend_pid_; }
  int64_t block_size() const override { return block_size_; }
  int server_version_num() const override { return server_version_num_; }
  bool usable() const override { return usable_.load(); }
  void Cancel() override { SendCancel(/*by_deadline=*/false); }

 private:
  // Runs while a statement is under way: arms the deadline and clears the flags, and on
  // destruction marks the statement finished before disarming, so that a late timer does nothing.
  class Run {
   public:
    Run(PostgresSession& session, Millis deadline);
    ~Run();

   private:
    PostgresSession& session_;
    Watchdog::Ticket cancel_at_ = 0;
    Watchdog::Ticket cut_at_ = 0;
  };

  // One transaction on the session's connection: the constructor sends BEGIN, the SET LOCALs and
  // `lookup` (our own fixed text, or nothing) in one simple-protocol round trip; lookup() is the
  // result of `lookup`. Commit()/Rollback() end it; otherwise the destructor rolls back quietly.
  class SessionTxn {
   public:
    SessionTxn(PostgresSession& session, const std::string& begin,
               const core::StatementLimits& limits, const std::string& lookup = "");
    ~SessionTxn();
    pqxx::nontransaction& txn() { return txn_; }
    const pqxx::result& lookup() const { return lookup_; }
    void Commit();
    void Rollback();

   private:
    PostgresSession& session_;
    pqxx::nontransaction txn_;
    pqxx::result lookup_;
    bool open_ = true;
  };

  // The frame of every operation (see the file comment). `body(limits)` gets the bounded limits
  // and returns Result<T>; `user_sql`/`prefix_chars` are what a database error is reported
  // against (kNoPosition: the server's position is not shown).
  template <typename T, typename Body>
  Result<T> Guarded(const std::string& user_sql, size_t prefix_chars,
                    const core::StatementLimits& limits, Body body);

  // One round trip in libpq pipeline mode: each of `statements` goes as its own extended-protocol
  // query (Parse/Bind/Execute, exactly one statement each; statements[rows_of] with its Parse
  // apart, so that analysis_failed_ tells where it failed), then one Sync. Returns column 0 of
  // every row of statements[rows_of], concatenated. When a statement fails the server skips the
  // rest up to the Sync; the transaction left open is rolled back here and pqxx::sql_error is
  // thrown (the error is in conn_->first_error()). pqxx::broken_connection when the connection
  // broke.
  std::string PipelineRows(const std::vector<std::string>& statements, size_t rows_of);

  // Exec's pieces (postgres_session_exec.cc).
  core::ExecResult RunDiscardingRows(const std::string& sql);
  void RestoreSessionSettings(pqxx::nontransaction& txn);
  Result<core::ExecResult> ExecInTransaction(const std::string& sql,
                                             const core::StatementLimits& limits);
  Result<core::ExecResult> ExecAtSessionLevel(const std::string& sql,
                                              const core::StatementLimits& limits);

  // The settings watch (postgres_session_settings.cc): the values the session can vouch for are
  // those of the connection's start and of literal `SET`s (SECURITY.md: "EXPLAIN's Settings:
  // line and session state"). `set_sql` is the statement of an `exec` that succeeded with the tag
  // SET or RESET: what it changed is trusted; empty after any other `exec`: whatever changed
  // (set_config() over rows in a CREATE TABLE AS, a trigger, ...) is set back. Throws (pqxx) when
  // that fails; the caller then closes the session.
  void SettleSettings(const std::string& set_sql);
  bool SettingShown(const std::string& name, const std::string& value) const;
  Result<std::string> WithholdUntrustedSettings(std::string explain_json);

  // HypoPG's schema in this clone, quoted, from a SessionTxn lookup of kHypopgSchema (hypo.cc);
  // empty when the extension is not installed.
  std::string HypoSchema(const SessionTxn& t) const;
  Error HypoUnavailable() const;

  // Ends a transaction left open on the connection; never throws.
  void RollbackQuietly();
  Error Failure(bool broken, const std::string& sql, size_t prefix_chars,
                const core::StatementLimits& limits);
  Error DatabaseError(const ServerError& error, const std::string& sql, size_t prefix_chars);
  void SendCancel(bool by_deadline);
  void CutSocket();
  bool ConnectionOk() const;

  // Sends `sql` as the unnamed prepared statement and waits for the server's answer; a failure
  // is an error of the statement's parse analysis (analysis_failed_). Throws like
  // RunDiscardingRows.
  void ParseUserStatement(const std::string& sql);

  std::unique_ptr<PgConnection> conn_;
  Logger logger_;
  bool debug_errors_;
  Millis grace_;
  std::shared_ptr<Watchdog> watchdog_;
  std::string where_;  // ConnectionInfo::Describe(): no password
  int64_t block_size_;
  int server_version_num_;
  SessionDefaults defaults_;
  SettingValues trusted_settings_;  // see SettleSettings
  int backend_pid_ = 0;
  std::atomic<bool> usable_{true};
  // The error being reported was raised by the Parse step of the user's statement (see
  // analyzer/server_errors.h); reset by Guarded before every operation.
  bool analysis_failed_ = false;

  std::mutex mu_;  // guards the fields below, cancel_ and socket_ against the watchdog thread
  PGcancel* cancel_ = nullptr;
  int socket_ = -1;
  bool running_ = false;
  bool deadline_passed_ = false;
  bool caller_cancelled_ = false;
  bool socket_cut_ = false;
};

template <typename T, typename Body>
Result<T> PostgresSession::Guarded(const std::string& user_sql, size_t prefix_chars,
                                   const core::StatementLimits& limits, Body body) {
  if (!usable_) return Unavailable("the connection to the clone was lost; open a new session");
  try {
    const core::StatementLimits bounded{std::max(limits.statement_timeout, Millis(1)),
                                        std::max(limits.lock_timeout, Millis(1)),
                                        std::max(limits.deadline, Millis(1))};
    Run run(*this, bounded.deadline);
    conn_->ClearError();
    analysis_failed_ = false;
    try {
      Result<T> out = body(bounded);
      if (!ConnectionOk() || PQtransactionStatus(conn_->raw()) != PQTRANS_IDLE) {
        // The transaction did not end; closing the connection makes the server roll back.
        usable_ = false;
        conn_->disconnect();
        return Failure(true, user_sql, prefix_chars, bounded);
      }
      return out;
    } catch (const pqxx::broken_connection&) {
      return Failure(true, user_sql, prefix_chars, bounded);
    } catch (const pqxx::sql_error&) {
      return Failure(false, user_sql, prefix_chars, bounded);
    }
  } catch (const std::exception&) {
    usable_ = false;
    return Unavailable("internal error while running the statement; the session was closed");
  }
}

}  // namespace planbot::adapters::session_internal
