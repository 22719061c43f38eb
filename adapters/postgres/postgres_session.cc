#include "adapters/postgres/postgres_session.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <pqxx/pqxx>

#include "adapters/postgres/pg_connection.h"
#include "adapters/postgres/postgres_session_impl.h"
#include "analyzer/server_errors.h"

namespace planbot::adapters {
namespace session_internal {
namespace {

constexpr char kPlanPrefix[] = "EXPLAIN (COSTS, VERBOSE, FORMAT JSON) ";
constexpr char kAnalyzePrefix[] =
    "EXPLAIN (ANALYZE, BUFFERS, VERBOSE, SETTINGS, WAL, FORMAT JSON) ";

}  // namespace

std::string FormatDuration(Millis d) {
  long long ms = d.count();
  if (ms < 1000) return std::to_string(ms) + "ms";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(ms) / 1000.0);
  std::string s = buf;
  while (s.back() == '0') s.pop_back();
  return s + "s";
}

PostgresSession::PostgresSession(std::unique_ptr<PgConnection> conn,
                                 const PostgresSessionOptions& options,
                                 std::shared_ptr<Watchdog> watchdog, std::string where,
                                 int64_t block_size, int server_version_num,
                                 SessionDefaults defaults)
    : conn_(std::move(conn)),
      logger_(options.logger),
      debug_errors_(options.debug_database_errors),
      grace_(options.cancel_grace),
      watchdog_(std::move(watchdog)),
      where_(std::move(where)),
      block_size_(block_size),
      server_version_num_(server_version_num),
      defaults_(std::move(defaults)) {
  trusted_settings_ = defaults_.settings;
  backend_pid_ = PQbackendPID(conn_->raw());
  cancel_ = PQgetCancel(conn_->raw());
  // Our own descriptor of the socket: shutdown(2) on it reaches the connection, and it stays
  // valid (never reused by another file) even if libpq closes its descriptor meanwhile.
  socket_ = ::fcntl(PQsocket(conn_->raw()), F_DUPFD_CLOEXEC, 0);
}

PostgresSession::~PostgresSession() {
  if (cancel_ != nullptr) PQfreeCancel(cancel_);
  if (socket_ >= 0) ::close(socket_);
}

PostgresSession::Run::Run(PostgresSession& session, Millis deadline) : session_(session) {
  {
    std::lock_guard<std::mutex> lock(session_.mu_);
    session_.running_ = true;
    session_.deadline_passed_ = session_.caller_cancelled_ = session_.socket_cut_ = false;
  }
  auto now = Watchdog::Clock::now();
  PostgresSession* s = &session_;
  cancel_at_ = s->watchdog_->Schedule(now + deadline, [s] { s->SendCancel(true); });
  cut_at_ = s->watchdog_->Schedule(now + deadline + s->grace_, [s] { s->CutSocket(); });
}

PostgresSession::Run::~Run() {
  {
    std::lock_guard<std::mutex> lock(session_.mu_);
    session_.running_ = false;
  }
  if (cancel_at_ != 0) session_.watchdog_->Disarm(cancel_at_);
  if (cut_at_ != 0) session_.watchdog_->Disarm(cut_at_);
}

void PostgresSession::SendCancel(bool by_deadline) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!running_ || cancel_ == nullptr) return;
  (by_deadline ? deadline_passed_ : caller_cancelled_) = true;
  char message[256];
  if (PQcancel(cancel_, message, sizeof message) == 0) {
    logger_.Warn("could not send a cancel request to " + where_ + ": " + FirstLine(message));
  }
}

void PostgresSession::CutSocket() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!running_ || !deadline_passed_ || socket_ < 0) return;
  ::shutdown(socket_, SHUT_RDWR);
  socket_cut_ = true;
  usable_ = false;
  logger_.Warn("statement on " + where_ + " did not stop " + FormatDuration(grace_) +
               " after its cancel request; connection closed");
}

bool PostgresSession::ConnectionOk() const {
  return conn_->raw() != nullptr && PQstatus(conn_->raw()) == CONNECTION_OK;
}

PostgresSession::SessionTxn::SessionTxn(PostgresSession& session, const std::string& begin,
                                        const core::StatementLimits& limits,
                                        const std::string& lookup)
    : session_(session), txn_(*session.conn_) {
  std::string sql = begin + "; SET LOCAL statement_timeout = " +
                    std::to_string(limits.statement_timeout.count()) +
                    "; SET LOCAL lock_timeout = " + std::to_string(limits.lock_timeout.count());
  if (!lookup.empty()) sql += "; " + lookup;
  try {
    lookup_ = txn_.exec(sql);  // PQexec: the result of the last statement
  } catch (...) {
    session_.RollbackQuietly();
    throw;
  }
}

PostgresSession::SessionTxn::~SessionTxn() {
  if (open_) session_.RollbackQuietly();
}

void PostgresSession::SessionTxn::Commit() {
  open_ = false;  // after a failed COMMIT the server has ended the transaction too
  txn_.exec("COMMIT");
}

void PostgresSession::SessionTxn::Rollback() {
  open_ = false;
  txn_.exec("ROLLBACK");
}

// libpq directly, so that it also serves PipelineRows, which has no pqxx transaction. If the
// ROLLBACK fails the connection broke (the server rolls back at the disconnect) or the
// transaction stays open and Guarded closes the connection.
void PostgresSession::RollbackQuietly() {
  if (ConnectionOk() && PQtransactionStatus(conn_->raw()) != PQTRANS_IDLE) {
    PQclear(PQexec(conn_->raw(), "ROLLBACK"));
  }
}

std::string PostgresSession::PipelineRows(const std::vector<std::string>& statements,
                                          size_t rows_of) {
  PGconn* c = conn_->raw();
  if (c == nullptr || PQstatus(c) != CONNECTION_OK) {
    throw pqxx::broken_connection("the connection to the clone is closed");
  }
  if (PQenterPipelineMode(c) != 1) throw pqxx::broken_connection(PQerrorMessage(c));
  for (size_t i = 0; i < statements.size(); ++i) {
    // The extended protocol, which takes exactly one statement. statements[rows_of] is parsed
    // (the unnamed statement) and then bound and executed, so that an error of its parse
    // analysis is told apart from one raised while it runs. A failure here or below leaves the
    // connection in an unknown state: broken_connection, which Guarded (Failure) turns into an
    // unusable session.
    const char* sql = statements[i].c_str();
    const int sent = i == rows_of
                         ? PQsendPrepare(c, "", sql, 0, nullptr) &&
                               PQsendQueryPrepared(c, "", 0, nullptr, nullptr, nullptr, 0)
                         : PQsendQueryParams(c, sql, 0, nullptr, nullptr, nullptr, nullptr, 0);
    if (sent != 1) throw pqxx::broken_connection(PQerrorMessage(c));
  }
  if (PQpipelineSync(c) != 1) throw pqxx::broken_connection(PQerrorMessage(c));
  std::string rows;
  bool failed = false;
  // Each command's results end with a null result (statements[rows_of] is two commands: its
  // Parse, then its Bind/Execute); the Sync comes last.
  for (size_t command = 0; command < statements.size() + 1; ++command) {
    const bool parse = command == rows_of;
    const bool rows_here = command == rows_of + 1;
    while (PGresult* r = PQgetResult(c)) {
      ExecStatusType status = PQresultStatus(r);
      if (status == PGRES_FATAL_ERROR) {
        if (!failed && parse) analysis_failed_ = true;
        failed = true;
      }
      if (status == PGRES_TUPLES_OK && rows_here) {
        for (int row = 0; row < PQntuples(r); ++row) rows += PQgetvalue(r, row, 0);
      }
      PQclear(r);
    }
    if (PQstatus(c) != CONNECTION_OK) throw pqxx::broken_connection("the connection was lost");
  }
  PGresult* sync = PQgetResult(c);
  bool synced = sync != nullptr && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
  PQclear(sync);
  if (!synced || PQexitPipelineMode(c) != 1) {
    throw pqxx::broken_connection("the connection was lost");
  }
  if (failed) {
    RollbackQuietly();
    throw pqxx::sql_error("the statement failed");
  }
  return rows;
}

// One round trip (libpq pipeline mode): BEGIN, the two SET LOCALs, the EXPLAIN and ROLLBACK, each
// its own extended-protocol query, then Sync. pgbench sends the bare EXPLAIN in one round trip too.
Result<std::string> PostgresSession::Explain(const std::string& sql, core::ExplainMode mode,
                                             const core::StatementLimits& limits) {
  const bool plan = mode == core::ExplainMode::kPlan;
  const std::string statement = (plan ? kPlanPrefix : kAnalyzePrefix) + sql;
  const size_t prefix_chars = statement.size() - sql.size();
  return Guarded<std::string>(sql, prefix_chars, limits, [&](const core::StatementLimits& bounded) {
    const std::vector<std::string> pipeline = {
        plan ? "BEGIN READ ONLY" : "BEGIN",
        "SET LOCAL statement_timeout = " + std::to_string(bounded.statement_timeout.count()),
        "SET LOCAL lock_timeout = " + std::to_string(bounded.lock_timeout.count()),
        statement,
        "ROLLBACK",  // nothing the statement did survives it
    };
    return WithholdUntrustedSettings(PipelineRows(pipeline, 3));
  });
}

Error PostgresSession::Failure(bool broken, const std::string& sql, size_t prefix_chars,
                               const core::StatementLimits& limits) {
  const ServerError error = conn_->first_error();
  bool lost = broken || analyzer::IsConnectionLoss(error.sqlstate) || !ConnectionOk();
  if (lost) usable_ = false;
  bool deadline, cancelled, cut;
  {
    std::lock_guard<std::mutex> lock(mu_);
    deadline = deadline_passed_;
    cancelled = caller_cancelled_;
    cut = socket_cut_;
  }
  if (deadline && (lost || error.sqlstate == "57014")) {
    std::string message =
        "cancelled by planbot after the " + FormatDuration(limits.deadline) + " deadline";
    if (cut) message += "; the server did not stop the statement, so the connection was closed";
    return Timeout(message);
  }
  if (lost) {
    logger_.Warn("connection to clone lost: " + where_);
    return Unavailable("the connection to the clone was lost");
  }
  if (error.sqlstate == "57014") {
    if (cancelled) return Timeout("the statement was cancelled");
    return Timeout("statement exceeded statement_timeout (" +
                   FormatDuration(limits.statement_timeout) + ")");
  }
  if (error.sqlstate == "55P03") {
    if (error.primary.find("lock timeout") == std::string::npos) {
      return Timeout("could not obtain a lock (NOWAIT, or lock_timeout " +
                     FormatDuration(limits.lock_timeout) + ")");
    }
    return Timeout("statement exceeded lock_timeout (" + FormatDuration(limits.lock_timeout) +
                   ") waiting for a lock");
  }
  return DatabaseError(error, sql, prefix_chars);
}

Error PostgresSession::DatabaseError(const ServerError& error, const std::string& sql,
                                     size_t prefix_chars) {
  if (debug_errors_) logger_.Debug("database error on " + where_ + ": " + error.FullText());
  // An error raised inside a function or trigger (it has a CONTEXT) is not about the user's
  // text: its primary message is never shown. Only an error of the statement's parse analysis
  // can be about the user's text alone (analyzer/server_errors.h); its position, too, is shown
  // only then (which expression failed at run time can depend on the data).
  const bool in_function = !error.context.empty();
  const std::string primary = in_function ? std::string() : error.primary;
  const analyzer::ErrorPhase phase = analysis_failed_ && !in_function
                                         ? analyzer::ErrorPhase::kAnalysis
                                         : analyzer::ErrorPhase::kExecution;
  Error out = MakeError(ErrorCode::kDatabaseError,
                        analyzer::SafeErrorMessage(error.sqlstate, primary, phase, sql));
  out.sqlstate = error.sqlstate;
  if (phase == analyzer::ErrorPhase::kAnalysis && prefix_chars != kNoPosition &&
      error.position > static_cast<int>(prefix_chars)) {
    out.position = error.position - static_cast<int>(prefix_chars);
  }
  return out;
}

}  // namespace session_internal

namespace {

// Read once at connect: what the session reports, and the session-level values an `exec` must
// leave as they were.
constexpr char kReadSettings[] =
    "SELECT current_setting('block_size')::bigint, current_setting('server_version_num')::int, "
    "current_setting('statement_timeout'), current_setting('lock_timeout')";

ConnParams SessionParams(const core::ConnectionInfo& info, const std::string& application_name) {
  ConnParams params;
  if (!info.host.empty()) params.emplace_back("host", info.host);
  params.emplace_back("port", std::to_string(info.port));
  params.emplace_back("dbname", info.dbname);
  params.emplace_back("user", info.user);
  if (!info.password.empty()) params.emplace_back("password", info.password);
  if (!info.sslmode.empty()) params.emplace_back("sslmode", info.sslmode);
  params.emplace_back("application_name", application_name);
  return params;
}

}  // namespace

PostgresSessionFactory::PostgresSessionFactory(PostgresSessionOptions options)
    : options_(std::move(options)), watchdog_(std::make_shared<Watchdog>()) {}

PostgresSessionFactory::~PostgresSessionFactory() = default;

Result<std::unique_ptr<core::DatabaseSession>> PostgresSessionFactory::Open(
    const core::ConnectionInfo& connection) {
  const std::string where = connection.Describe();
  try {
    auto conn =
        std::make_unique<PgConnection>(SessionParams(connection, options_.application_name));
    pqxx::nontransaction txn(*conn);
    txn.exec0("SET idle_in_transaction_session_timeout = " +
              std::to_string(options_.idle_in_transaction_session_timeout.count()));
    pqxx::row settings = txn.exec1(kReadSettings);
    int64_t block_size = settings[0].as<int64_t>();
    int version = settings[1].as<int>();
    session_internal::SessionDefaults defaults{
        settings[2].as<std::string>(), settings[3].as<std::string>(),
        options_.idle_in_transaction_session_timeout, session_internal::ReadSettings(txn)};
    txn.commit();
    std::unique_ptr<core::DatabaseSession> session =
        std::make_unique<session_internal::PostgresSession>(
            std::move(conn), options_, watchdog_, where, block_size, version, std::move(defaults));
    return session;
  } catch (const pqxx::broken_connection& e) {
    options_.logger.Warn("cannot connect to clone: " + where + ": " + FirstLine(e.what()));
    return session_internal::Unavailable("cannot connect to the clone (" + where +
                                         "): " + FirstLine(e.what()));
  } catch (const std::exception&) {
    options_.logger.Warn("cannot set up a session on clone: " + where);
    return session_internal::Unavailable("cannot set up a session on the clone (" + where + ")");
  }
}

}  // namespace planbot::adapters
