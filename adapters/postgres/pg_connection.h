// PgConnection: the libpqxx connection every planbot adapter uses to talk to PostgreSQL (the
// session on a clone, the local clone provider's admin connection). It differs from
// pqxx::connection in four ways that matter for safety:
//   - it connects with PQconnectdbParams, so a password travels as a parameter and never
//     through a connection string we build;
//   - it never reconnects on its own (libpqxx 6 silently re-activates a broken connection, which
//     would lose the session's SET state and hide that a clone went away): once broken, every
//     use throws pqxx::broken_connection;
//   - every server notice (RAISE NOTICE, WARNING, ...) is discarded inside libpq, before libpqxx
//     or anything else sees it, and libpqxx's own notices go to a quiet error handler;
//   - the fields of the first server error since ClearError() (SQLSTATE, primary message,
//     DETAIL, ... as libpq reports them) are recorded, because pqxx::sql_error only carries the
//     formatted text. They may hold values from the data: see analyzer/server_errors.h.
//
// Failures: the constructor throws pqxx::broken_connection with libpq's message (which never
// holds the password); other members throw what libpqxx throws. Callers at the adapter edge
// catch and translate.
//
// Thread-safety: like any libpq connection, one thread at a time. raw() is for calls libpq
// documents as safe (PQgetCancel, PQsocket) or for use by the owning thread.
#pragma once

#include <memory>
#include <pqxx/connection>
#include <pqxx/errorhandler>
#include <string>
#include <utility>
#include <vector>

typedef struct pg_conn PGconn;

namespace planbot::adapters {

// libpq connection keywords and values, in order (later ones override earlier ones).
using ConnParams = std::vector<std::pair<std::string, std::string>>;

// One server error as libpq reports it (PG_DIAG_* fields).
struct ServerError {
  bool present = false;
  std::string sqlstate;
  std::string primary;
  std::string detail;
  std::string hint;
  std::string context;
  std::string source_function;  // e.g. exec_stmt_raise for PL/pgSQL RAISE
  int position = 0;             // 1-based character offset into the statement, 0 if none

  // Everything, for a debug log that the operator enabled (sensitive).
  std::string FullText() const;
};

namespace internal {
class CapturingPolicy;  // pg_connection.cc: connects, never reconnects, records errors

// Owns the policy; a base class of PgConnection so that the policy exists before
// pqxx::connection_base, which keeps a reference to it, is constructed.
class PolicyHolder {
 protected:
  PolicyHolder(ConnParams params, bool expand_dbname);
  ~PolicyHolder();
  std::unique_ptr<CapturingPolicy> policy_;
};
}  // namespace internal

class PgConnection : private internal::PolicyHolder, public pqxx::connection_base {
 public:
  // With expand_dbname, the first "dbname" value may be a whole connection string (libpq's
  // expand_dbname): that is how a configured DSN is honoured while we still add parameters.
  explicit PgConnection(ConnParams params, bool expand_dbname = false);
  ~PgConnection() noexcept;
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // The libpq handle; null once closed or broken beyond use.
  PGconn* raw() const noexcept;

  // The first server error since the last ClearError().
  const ServerError& first_error() const noexcept;
  void ClearError() noexcept;

 private:
  pqxx::quiet_errorhandler quiet_;  // libpqxx's own notices; destroyed before the connection
};

// The first line of libpq's error text, e.g. for "could not connect" messages.
std::string FirstLine(const std::string& text);

}  // namespace planbot::adapters
