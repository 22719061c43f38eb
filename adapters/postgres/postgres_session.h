// PostgresSessionFactory and PostgresSession: core::DatabaseSession on a clone, with libpqxx.
//
// A session is one connection as the clone's session role. Explain() runs
//   BEGIN [READ ONLY for plan]; SET LOCAL statement_timeout; SET LOCAL lock_timeout;
//   EXPLAIN (...) <the user's statement>      -- extended protocol: one statement, no more
//   ROLLBACK                                  -- always, also after an error
// so nothing the statement does (DML under ANALYZE, set_config, SET) outlives it.
//
// Deadline: besides statement_timeout, a client-side deadline is enforced by the factory's
// Watchdog (adapters/postgres/deadline.h): at limits.deadline the session sends a cancel request (a
// PGcancel made at connect time, never the PGconn from another thread); if the statement has
// still not returned `cancel_grace` later, the socket is shut down so the blocking read returns,
// and the session becomes unusable.
//
// Errors (core/ports.h codes): "timeout" (statement_timeout, lock_timeout, the deadline, a cancel
// request), "clone_unavailable" (cannot connect; connection lost: usable() turns false),
// "database_error" with `sqlstate` and a message from analyzer/server_errors.h. Server notices are
// discarded; the full server error text (DETAIL, HINT, CONTEXT) goes to the logger at debug
// level only when `debug_database_errors` is on (sensitive). Passwords are never logged.
// Nothing throws out of the public functions.
//
// Ownership: the factory owns the Watchdog; sessions share it, so a session may outlive its
// factory. Thread-safety: the factory is thread-safe; a session is used by one thread at a time,
// except Cancel(), which any thread may call at any time.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "adapters/postgres/deadline.h"
#include "common/log.h"
#include "core/ports.h"

namespace planbot::adapters {

struct PostgresSessionOptions {
  Logger logger;
  // core::LoggingConfig::debug_database_errors: log full error texts at debug level (sensitive).
  bool debug_database_errors = false;
  // A session left inside a transaction (a bug, a hung client) is ended by the server.
  std::chrono::milliseconds idle_in_transaction_session_timeout{60000};
  std::string application_name = "planbot";
  // How long after the deadline's cancel request the socket is shut down.
  std::chrono::milliseconds cancel_grace{2000};
};

class PostgresSessionFactory : public core::SessionFactory {
 public:
  explicit PostgresSessionFactory(PostgresSessionOptions options);
  ~PostgresSessionFactory() override;

  Result<std::unique_ptr<core::DatabaseSession>> Open(
      const core::ConnectionInfo& connection) override;

 private:
  PostgresSessionOptions options_;
  std::shared_ptr<Watchdog> watchdog_;
};

}  // namespace planbot::adapters
