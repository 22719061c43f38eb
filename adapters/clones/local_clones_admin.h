// CloneAdmin: the SQL side of the `local` clone provider (adapters/clones/local_clones.h), on one
// shared admin connection.
//
// A clone named N (prefix_<id>) is a role N and a database N:
//   CREATE ROLE N LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS
//     PASSWORD '<SCRAM verifier>'        -- the password itself never crosses the wire
//   CREATE DATABASE N TEMPLATE source
//   REVOKE ALL ON DATABASE N FROM PUBLIC -- no CONNECT, no TEMPORARY for anybody else
//   GRANT CONNECT ON DATABASE N TO N     -- and no TEMPORARY for the role either
// and then, connected to N as the admin role, N becomes the owner of every non-system schema and
// of every table, partitioned table, view, materialized view, sequence and foreign table in
// them (so `exec create index` works for the session), and hypopg is created when available.
// Identifiers are quoted by libpq (PQescapeIdentifier) or by the server (format('%I')).
//
// Failures are values: "source_busy" (SQLSTATE 55006: the template has other sessions),
// "clone_unavailable" (anything else; the message names the step and the server's primary
// message — admin statements touch catalogs, not table data). Nothing throws.
//
// Thread-safety: every member may be called from any thread; the admin connection is guarded by
// a mutex (a libpq connection is never used by two threads at once) and re-opened when it
// broke. CREATE DATABASE (long for a big source) and PrepareClone() use short-lived connections
// of their own, so lookups, drops and Health() are not held up by a copy in progress.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "adapters/postgres/pg_connection.h"
#include "common/log.h"
#include "common/result.h"

namespace planbot::adapters {

class CloneAdmin {
 public:
  // `admin_dsn`: a libpq connection string; empty: the libpq environment (PGHOST, ...).
  // `source` is the database clones are made from: the admin connection never stays on it (the
  // libpq environment's PGDATABASE is often the source; TEMPLATE needs it idle).
  // `prefix` is the clone prefix: the admin connection holds a session advisory lock on it, so a
  // second planbot with the same prefix on this server is refused instead of dropping this
  // one's clones as orphans.
  CloneAdmin(std::string admin_dsn, std::string source, std::string prefix, Logger logger);
  ~CloneAdmin();

  // Connects if needed and checks that the admin role may create clones (superuser, or
  // CREATEDB and CREATEROLE).
  Status Connect();

  // The host and port of the admin connection: clones are reached there too.
  const std::string& host() const { return host_; }
  int port() const { return port_; }

  Result<bool> DatabaseExists(const std::string& name);

  // Names of databases and roles that start with `prefix` + "_" (possible clones).
  Result<std::vector<std::string>> ListClonesNamed(const std::string& prefix);

  // Role and database N from `source`, reachable by N with `password`.
  Status CreateRoleAndDatabase(const std::string& name, const std::string& password,
                               const std::string& source);

  // Ownership for role N inside database N, and hypopg.
  Status PrepareClone(const std::string& name);

  // True when both the database N and the login role N exist (a clone made earlier).
  Result<bool> CloneExists(const std::string& name);

  // ALTER ROLE N PASSWORD '<SCRAM verifier of password>'; connections already open stay open.
  Status SetPassword(const std::string& name, const std::string& password);

  // DROP DATABASE IF EXISTS N WITH (FORCE); DROP ROLE IF EXISTS N. Idempotent.
  Status Drop(const std::string& name);

 private:
  // Runs `step` on the admin connection under the mutex; exceptions become Errors naming `what`.
  template <typename F>
  Status WithAdmin(const std::string& what, F step);
  // Runs `step` on a new connection to `dbname` (empty: the admin DSN's database).
  template <typename F>
  Status WithOwnConnection(const std::string& what, const std::string& dbname, F step);
  Status ConnectLocked();
  Status CheckPrivilegesLocked();
  Status LockPrefixLocked(pqxx::nontransaction& txn);
  ConnParams Params(const std::string& dbname) const;
  Error Failed(const std::string& what, const ServerError& error, const std::string& fallback);

  std::string admin_dsn_;
  std::string source_;
  std::string prefix_;
  std::string maintenance_db_;  // set when the DSN's database is the source
  Logger logger_;
  std::mutex mu_;
  std::unique_ptr<PgConnection> conn_;
  bool superuser_ = false;
  std::string host_;
  int port_ = 5432;
  std::atomic<bool> hypopg_missing_logged_{false};
};

}  // namespace planbot::adapters
