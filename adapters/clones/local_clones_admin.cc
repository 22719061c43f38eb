#include "adapters/clones/local_clones_admin.h"

#include <libpq-fe.h>

#include <pqxx/pqxx>

namespace planbot::adapters {
namespace {

constexpr char kApplicationName[] = "planbot-admin";

// Held for the admin connection's lifetime (session level): one planbot per clone prefix.
constexpr char kLockPrefix[] = "SELECT pg_try_advisory_lock(hashtextextended($1, 0))";
constexpr char kAdminPrivileges[] =
    "SELECT current_user, rolsuper, rolcreatedb, rolcreaterole FROM pg_roles "
    "WHERE rolname = current_user";

constexpr char kDatabaseExists[] = "SELECT 1 FROM pg_database WHERE datname = $1";

constexpr char kCloneExists[] =
    "SELECT 1 FROM pg_database d JOIN pg_roles r ON r.rolname = d.datname "
    "WHERE d.datname = $1 AND r.rolcanlogin";

constexpr char kNamesWithPrefix[] =
    "SELECT datname::text FROM pg_database WHERE starts_with(datname, $1) "
    "UNION SELECT rolname::text FROM pg_roles WHERE starts_with(rolname, $1)";

// ALTER ... OWNER statements that give role $1 the schemas and relations of the current
// database; extension members and sequences owned by a column (they follow their table) are
// left alone.
constexpr char kOwnershipStatements[] = R"sql(
SELECT format('ALTER SCHEMA %I OWNER TO %I', n.nspname, $1::text)
FROM pg_namespace n
WHERE n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass
                  AND d.objid = n.oid AND d.deptype = 'e')
UNION ALL
SELECT format('ALTER %s %I.%I OWNER TO %I',
              CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                             WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE'
                             ELSE 'TABLE' END,
              n.nspname, c.relname, $1::text)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
  AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                  AND d.objid = c.oid
                  AND (d.deptype = 'e' OR (c.relkind = 'S' AND d.deptype IN ('a', 'i'))))
)sql";

constexpr char kHypopgAvailable[] = "SELECT 1 FROM pg_available_extensions WHERE name = 'hypopg'";
constexpr char kCreateHypopg[] = "CREATE EXTENSION IF NOT EXISTS hypopg";

// The SCRAM-SHA-256 verifier of `password`, computed by libpq on the client.
std::string ScramVerifier(PGconn* conn, const std::string& role, const std::string& password) {
  char* verifier = PQencryptPasswordConn(conn, password.c_str(), role.c_str(), "scram-sha-256");
  if (verifier == nullptr) throw pqxx::failure("could not compute the password verifier");
  std::string result = verifier;
  PQfreemem(verifier);
  return result;
}

}  // namespace

CloneAdmin::CloneAdmin(std::string admin_dsn, std::string source, std::string prefix, Logger logger)
    : admin_dsn_(std::move(admin_dsn)),
      source_(std::move(source)),
      prefix_(std::move(prefix)),
      logger_(std::move(logger)) {}

CloneAdmin::~CloneAdmin() = default;

ConnParams CloneAdmin::Params(const std::string& dbname) const {
  ConnParams params{{"fallback_application_name", kApplicationName}};
  if (!admin_dsn_.empty()) params.emplace_back("dbname", admin_dsn_);  // expanded by libpq
  // An explicit database overrides the DSN's; without one, the maintenance database when the
  // DSN's database is the source.
  const std::string& db = dbname.empty() ? maintenance_db_ : dbname;
  if (!db.empty()) params.emplace_back("dbname", db);
  return params;
}

Error CloneAdmin::Failed(const std::string& what, const ServerError& error,
                         const std::string& fallback) {
  std::string reason = error.present ? error.primary : fallback;
  if (error.present && !error.sqlstate.empty()) reason += " (SQLSTATE " + error.sqlstate + ")";
  logger_.Warn(what + " failed: " + reason);
  Error out = MakeError(ErrorCode::kCloneUnavailable, what + " failed: " + reason);
  out.sqlstate = error.sqlstate;
  return out;
}

// A connection found broken is re-opened and the step tried once more. That is safe for every
// step here: each is idempotent (lookups, DROP ... IF EXISTS) or fails when repeated (CREATE
// ROLE/DATABASE of a name that now exists), and a failed clone is dropped by the caller.
template <typename F>
Status CloneAdmin::WithAdmin(const std::string& what, F step) {
  std::lock_guard<std::mutex> lock(mu_);
  for (int attempt = 1;; ++attempt) {
    Status connected = ConnectLocked();
    if (!connected) return connected;
    conn_->ClearError();
    try {
      step(*conn_);
      return Ok{};
    } catch (const pqxx::broken_connection& e) {
      conn_.reset();
      if (attempt < 2) continue;
      return Failed(what, ServerError(), "the admin connection was lost: " + FirstLine(e.what()));
    } catch (const pqxx::sql_error&) {
      return Failed(what, conn_->first_error(), "database error");
    } catch (const std::exception& e) {
      return Failed(what, ServerError(), FirstLine(e.what()));
    }
  }
}

template <typename F>
Status CloneAdmin::WithOwnConnection(const std::string& what, const std::string& dbname, F step) {
  std::unique_ptr<PgConnection> conn;
  try {
    conn = std::make_unique<PgConnection>(Params(dbname), /*expand_dbname=*/true);
    step(*conn);
    return Ok{};
  } catch (const pqxx::sql_error&) {
    return Failed(what, conn->first_error(), "database error");
  } catch (const std::exception& e) {
    return Failed(what, ServerError(), FirstLine(e.what()));
  }
}

Status CloneAdmin::Connect() {
  std::lock_guard<std::mutex> lock(mu_);
  return ConnectLocked();
}

Status CloneAdmin::ConnectLocked() {
  if (conn_ && conn_->raw() != nullptr && PQstatus(conn_->raw()) == CONNECTION_OK) return Ok{};
  conn_.reset();
  try {
    conn_ = std::make_unique<PgConnection>(Params(""), /*expand_dbname=*/true);
    const char* db = PQdb(conn_->raw());
    if (db != nullptr && db == source_ && maintenance_db_.empty()) {
      // The admin connection must not hold the source open: move to the maintenance database.
      conn_.reset();
      maintenance_db_ = "postgres";
      conn_ = std::make_unique<PgConnection>(Params(""), /*expand_dbname=*/true);
    }
  } catch (const std::exception& e) {
    std::string reason = FirstLine(e.what());
    logger_.Warn("cannot connect to the admin database: " + reason);
    return MakeError(ErrorCode::kCloneUnavailable,
                     "cannot connect to the admin database: " + reason);
  }
  if (host_.empty()) {
    const char* host = PQhost(conn_->raw());
    host_ = host != nullptr ? host : "";
    port_ = std::atoi(PQport(conn_->raw()));
  }
  return CheckPrivilegesLocked();
}

Status CloneAdmin::CheckPrivilegesLocked() {
  try {
    pqxx::nontransaction txn(*conn_);
    pqxx::row row = txn.exec1(kAdminPrivileges);
    superuser_ = row[1].as<bool>();
    if (superuser_ || (row[2].as<bool>() && row[3].as<bool>())) return LockPrefixLocked(txn);
    std::string message = "the admin role \"" + row[0].as<std::string>() +
                          "\" must be a superuser, or have CREATEDB and CREATEROLE (and own the "
                          "source database's objects), to make clones";
    logger_.Error(message);
    conn_.reset();
    return MakeError(ErrorCode::kCloneUnavailable, message);
  } catch (const std::exception& e) {
    conn_.reset();
    return MakeError(ErrorCode::kCloneUnavailable,
                     "cannot check the admin role's privileges: " + FirstLine(e.what()));
  }
}

Status CloneAdmin::LockPrefixLocked(pqxx::nontransaction& txn) {
  bool locked = txn.exec_params1(kLockPrefix, "planbot clone prefix " + prefix_)[0].as<bool>();
  if (locked) return Ok{};
  conn_.reset();
  std::string message = "another planbot uses clone prefix \"" + prefix_ +
                        "\" on this server; give each instance its own local.clone_prefix";
  logger_.Error(message);
  return MakeError(ErrorCode::kCloneUnavailable, message);
}

Result<bool> CloneAdmin::DatabaseExists(const std::string& name) {
  bool exists = false;
  Status s = WithAdmin("looking up database " + name, [&](PgConnection& conn) {
    pqxx::nontransaction txn(conn);
    exists = !txn.exec_params(kDatabaseExists, name).empty();
  });
  if (!s) return s.error();
  return exists;
}

Result<std::vector<std::string>> CloneAdmin::ListClonesNamed(const std::string& prefix) {
  std::vector<std::string> names;
  Status s = WithAdmin("listing clones", [&](PgConnection& conn) {
    pqxx::nontransaction txn(conn);
    for (const auto& row : txn.exec_params(kNamesWithPrefix, prefix + "_")) {
      names.push_back(row[0].as<std::string>());
    }
  });
  if (!s) return s.error();
  return names;
}

Status CloneAdmin::CreateRoleAndDatabase(const std::string& name, const std::string& password,
                                         const std::string& source) {
  Status role = WithAdmin("creating role " + name, [&](PgConnection& conn) {
    pqxx::nontransaction txn(conn);
    const std::string role_name = txn.quote_name(name);
    txn.exec0("CREATE ROLE " + role_name +
              " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS"
              " PASSWORD " +
              txn.quote(ScramVerifier(conn.raw(), name, password)));
    // A non-superuser admin may only hand objects to a role it belongs to.
    if (!superuser_) txn.exec0("GRANT " + role_name + " TO CURRENT_USER");
  });
  if (!role) return role;
  const std::string what = "creating database " + name + " from template " + source;
  // Copying a big source takes long: not on the shared connection, which Health() needs.
  Status db = WithOwnConnection(what, "", [&](PgConnection& conn) {
    pqxx::nontransaction txn(conn);
    const std::string db_name = txn.quote_name(name);
    txn.exec0("CREATE DATABASE " + db_name + " TEMPLATE " + txn.quote_name(source));
    txn.exec0("REVOKE ALL ON DATABASE " + db_name + " FROM PUBLIC");
    txn.exec0("GRANT CONNECT ON DATABASE " + db_name + " TO " + txn.quote_name(name));
  });
  if (!db && db.error().sqlstate == "55006") {
    return MakeError(ErrorCode::kSourceBusy,
                     "the source database \"" + source +
                         "\" has other sessions, and CREATE DATABASE ... TEMPLATE needs it idle; "
                         "make clones from a dedicated template database that nobody connects to");
  }
  return db;
}

Status CloneAdmin::PrepareClone(const std::string& name) {
  return WithOwnConnection("preparing clone " + name, name, [&](PgConnection& conn) {
    pqxx::work txn(conn);
    std::string statements;
    for (const auto& row : txn.exec_params(kOwnershipStatements, name)) {
      statements += row[0].as<std::string>() + ";\n";
    }
    if (!statements.empty()) txn.exec0(statements);
    if (!txn.exec(kHypopgAvailable).empty()) {
      txn.exec0(kCreateHypopg);
    } else if (!hypopg_missing_logged_.exchange(true)) {
      logger_.Warn("the hypopg extension is not available on the server; hypo commands will fail");
    }
    txn.commit();
  });
}

Result<bool> CloneAdmin::CloneExists(const std::string& name) {
  bool exists = false;
  Status s = WithAdmin("looking up clone " + name, [&](PgConnection& conn) {
    pqxx::nontransaction txn(conn);
    exists = !txn.exec_params(kCloneExists, name).empty();
  });
  if (!s) return s.error();
  return exists;
}

Status CloneAdmin::SetPassword(const std::string& name, const std::string& password) {
  return WithAdmin("setting the password of role " + name, [&](PgConnection& conn) {
    pqxx::nontransaction txn(conn);
    txn.exec0("ALTER ROLE " + txn.quote_name(name) + " PASSWORD " +
              txn.quote(ScramVerifier(conn.raw(), name, password)));
  });
}

Status CloneAdmin::Drop(const std::string& name) {
  return WithAdmin("dropping clone " + name, [&](PgConnection& conn) {
    pqxx::nontransaction txn(conn);
    txn.exec0("DROP DATABASE IF EXISTS " + txn.quote_name(name) + " WITH (FORCE)");
    txn.exec0("DROP ROLE IF EXISTS " + txn.quote_name(name));
  });
}

}  // namespace planbot::adapters
