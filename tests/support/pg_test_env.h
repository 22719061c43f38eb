// Helpers for adapter tests that need the real PostgreSQL started by scripts/test (libpq
// environment: PGHOST, PGPORT, PGUSER). When the server cannot be reached the test FAILS with a
// message saying how to start one; it is never skipped.
//
// The fixture source database (customers with e-mail addresses, orders, a view, a materialized
// view, a partitioned table in another schema, and functions that RAISE their argument) is made
// once per test binary under a unique name and dropped at exit. Clone prefixes are unique per
// provider, so tests never drop each other's clones (or another engineer's).
//
// Not thread-safe unless stated; tests call them from the doctest thread.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "adapters/clones/local_clones.h"
#include "adapters/postgres/postgres_session.h"
#include "common/log.h"
#include "core/ports.h"

namespace planbot::testing {

// A connection as the admin (environment) role to `dbname` (empty: the environment's).
std::unique_ptr<pqxx::connection> Connect(const std::string& dbname = "");

// The first column of the first row of `sql` on `dbname`, as text.
std::string Scalar(const std::string& dbname, const std::string& sql);

// Runs `sql` (one or more statements) on `dbname`.
void Execute(const std::string& dbname, const std::string& sql);

// "stem_<random hex>", a fresh name for a database, role or prefix.
std::string UniqueName(const std::string& stem);

// The fixture source database's name (made on first use).
const std::string& SourceDatabase();

// A provider for the fixture source with a unique prefix.
std::unique_ptr<adapters::LocalCloneProvider> MakeProvider(int warm_clones, Logger logger = {},
                                                           const std::string& prefix = "");

// A clone of the fixture and a session on it; members are destroyed session first, clone last.
struct SessionOnClone {
  std::unique_ptr<adapters::LocalCloneProvider> provider;
  core::CloneLease lease;
  std::unique_ptr<adapters::PostgresSessionFactory> factory;
  std::unique_ptr<core::DatabaseSession> session;
};
SessionOnClone OpenSessionOnClone(adapters::PostgresSessionOptions options = {});

// Limits for tests: generous unless a test says otherwise.
core::StatementLimits Limits(int statement_timeout_ms = 30000, int deadline_ms = 31000,
                             int lock_timeout_ms = 5000);

// Collects log lines (any thread).
class LogCapture {
 public:
  Logger logger(LogLevel min_level = LogLevel::kDebug);
  std::string Text() const;

 private:
  struct Lines {
    std::mutex mu;
    std::vector<std::string> lines;
  };
  std::shared_ptr<Lines> lines_ = std::make_shared<Lines>();
};

// Redirects this process's stderr (fd 2) to a file while alive; Text() reads what was written.
class StderrCapture {
 public:
  StderrCapture();
  ~StderrCapture();
  std::string Text();

 private:
  int saved_ = -1;
  std::string path_;
};

}  // namespace planbot::testing
