// LocalCloneProvider against the real server: what a clone is and what its role may do, the
// warm pool, Release/Reset/Exists/Health, Shutdown, orphans from a crashed run, and a busy source.
#include "adapters/clones/local_clones.h"

#include <doctest/doctest.h>

#include <chrono>

#include "adapters/postgres/pg_connection.h"
#include "tests/result_testing.h"
#include "tests/support/pg_test_env.h"

namespace planbot::adapters {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

double MillisSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// A connection as the clone's own role.
std::unique_ptr<pqxx::connection> ConnectAs(const core::ConnectionInfo& info,
                                            const std::string& dbname = "") {
  return std::make_unique<pqxx::connection>("host=" + info.host +
                                            " port=" + std::to_string(info.port) +
                                            " dbname=" + (dbname.empty() ? info.dbname : dbname) +
                                            " user=" + info.user + " password=" + info.password);
}

// The SQLSTATE `sql` fails with as the clone's role, or "ok". (PgConnection records the
// SQLSTATE: libpqxx 6 leaves pqxx::sql_error::sqlstate() empty for several error classes.)
std::string RunAs(const core::ConnectionInfo& info, const std::string& sql) {
  PgConnection conn({{"host", info.host},
                     {"port", std::to_string(info.port)},
                     {"dbname", info.dbname},
                     {"user", info.user},
                     {"password", info.password}});
  try {
    pqxx::work txn(conn);
    txn.exec(sql);
    txn.commit();
    return "ok";
  } catch (const pqxx::sql_error&) {
    return conn.first_error().sqlstate;
  }
}

std::string CountNamed(const std::string& prefix) {
  return testing::Scalar(
      "", "SELECT (SELECT count(*) FROM pg_database WHERE datname LIKE '" + prefix +
              "%') + (SELECT count(*) FROM pg_roles WHERE rolname LIKE '" + prefix + "%')");
}

TEST_CASE("a clone: its own database and role, reachable where the admin connection is") {
  auto provider = testing::MakeProvider(0);
  auto lease = provider->Acquire();
  REQUIRE_MESSAGE(lease.ok(), planbot::testing::ErrorText(lease));
  const core::ConnectionInfo& c = lease->connection;
  CHECK(c.dbname == lease->id);
  CHECK(c.user == lease->id);
  CHECK(c.host == std::getenv("PGHOST"));
  CHECK(c.port == std::stoi(std::getenv("PGPORT")));
  CHECK(c.password.size() == 48);
  CHECK(provider->Exists(lease->id));
  CHECK(provider->Health().ok());
  CHECK(provider->kind() == "local");
  CHECK(testing::Scalar("",
                        "SELECT rolsuper OR rolcreatedb OR rolcreaterole OR rolinherit OR "
                        "rolreplication OR rolbypassrls OR NOT rolcanlogin FROM pg_roles "
                        "WHERE rolname = '" +
                            c.user + "'") == "f");
  CHECK(testing::Scalar("",
                        "SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON "
                        "r.oid = m.member WHERE r.rolname = '" +
                            c.user + "'") == "0");
  CHECK(testing::Scalar(lease->id, "SELECT count(*) FROM pg_extension WHERE extname = 'hypopg'") ==
        "1");
}

TEST_CASE("with an explicit admin_dsn, clones are still set up inside the clone database") {
  core::LocalProviderConfig config;
  config.admin_dsn = std::string("host=") + std::getenv("PGHOST") +
                     " port=" + std::getenv("PGPORT") + " user=postgres dbname=postgres";
  config.source = testing::SourceDatabase();
  config.warm_clones = 0;
  config.clone_prefix = testing::UniqueName("pbt");
  auto provider = LocalCloneProvider::Create(config, {});
  REQUIRE_MESSAGE(provider.ok(), planbot::testing::ErrorText(provider));
  auto lease = (*provider)->Acquire();
  REQUIRE_MESSAGE(lease.ok(), planbot::testing::ErrorText(lease));
  CHECK(testing::Scalar(lease->id,
                        "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname "
                        "= 'customers'") == lease->connection.user);
  CHECK(testing::Scalar("", "SELECT count(*) FROM pg_extension WHERE extname = 'hypopg'") == "0");
}

TEST_CASE("the session role owns the clone's schemas and relations, and nothing more") {
  auto provider = testing::MakeProvider(0);
  auto lease = provider->Acquire();
  REQUIRE(lease.ok());
  const std::string role = lease->connection.user;
  CHECK(testing::Scalar(lease->id,
                        "SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_class c "
                        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN "
                        "('public', 'app') AND c.relkind IN ('r','p','v','m','S') AND "
                        "pg_get_userbyid(c.relowner) <> '" +
                            role +
                            "' AND NOT EXISTS (SELECT "
                            "FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')") ==
        "NULL");
  CHECK(testing::Scalar(lease->id,
                        "SELECT string_agg(nspname, ',') FROM pg_namespace WHERE "
                        "nspname IN ('public', 'app') AND pg_get_userbyid(nspowner) "
                        "<> '" +
                            role + "'") == "NULL");
  // What `exec` needs: indexes and table changes.
  CHECK(RunAs(lease->connection, "CREATE INDEX ON customers (age)") == "ok");
  CHECK(RunAs(lease->connection, "ALTER TABLE orders ADD COLUMN note text") == "ok");
  CHECK(RunAs(lease->connection, "CREATE INDEX ON app.events (id)") == "ok");
  CHECK(RunAs(lease->connection, "REFRESH MATERIALIZED VIEW order_totals") == "ok");
  CHECK(RunAs(lease->connection, "SELECT hypopg_create_index('CREATE INDEX ON orders (amount)')") ==
        "ok");
}

TEST_CASE("the session role cannot reach files, programs, temp objects or other clones") {
  auto provider = testing::MakeProvider(0);
  auto lease = provider->Acquire();
  auto other = provider->Acquire();
  REQUIRE(lease.ok());
  REQUIRE(other.ok());
  const core::ConnectionInfo& c = lease->connection;
  CHECK(RunAs(c, "CREATE TEMP TABLE t (x int)") == "42501");
  CHECK(RunAs(c, "CREATE TABLE pg_temp.t (x int)") == "42501");
  CHECK(RunAs(c, "SELECT pg_read_file('/etc/passwd')") == "42501");
  CHECK(RunAs(c, "SELECT pg_ls_dir('.')") == "42501");
  CHECK(RunAs(c, "SELECT lo_import('/etc/passwd')") == "42501");
  CHECK(RunAs(c, "COPY customers TO PROGRAM 'cat > /tmp/planbot-leak'") == "42501");
  CHECK(RunAs(c, "COPY customers TO '/tmp/planbot-leak'") == "42501");
  CHECK(RunAs(c, "CREATE EXTENSION dblink") != "ok");
  CHECK(RunAs(c, "SET ROLE postgres") == "42501");
  CHECK_THROWS_AS(ConnectAs(c, other->id), pqxx::broken_connection);
  CHECK_THROWS_AS(ConnectAs(other->connection, lease->id), pqxx::broken_connection);
}

TEST_CASE("DML on a clone leaves the source untouched") {
  auto provider = testing::MakeProvider(0);
  auto lease = provider->Acquire();
  REQUIRE(lease.ok());
  CHECK(RunAs(lease->connection, "DELETE FROM orders") == "ok");
  CHECK(RunAs(lease->connection, "UPDATE customers SET email = 'x' || id") == "ok");
  CHECK(testing::Scalar(lease->id, "SELECT count(*) FROM orders") == "0");
  CHECK(testing::Scalar(testing::SourceDatabase(), "SELECT count(*) FROM orders") == "1000");
  CHECK(testing::Scalar(testing::SourceDatabase(),
                        "SELECT count(*) FROM customers WHERE email LIKE '%@%'") == "2");
  CHECK(testing::Scalar(testing::SourceDatabase(),
                        "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = "
                        "'orders'") == "postgres");
}

TEST_CASE("the warm pool hands out a ready clone at once and refills") {
  testing::LogCapture logs;
  auto cold = testing::MakeProvider(0, logs.logger());
  auto start = Clock::now();
  auto made = cold->Acquire();
  double cold_ms = MillisSince(start);
  REQUIRE(made.ok());

  auto provider = testing::MakeProvider(1, logs.logger());
  REQUIRE(provider->WaitForWarm(1, 60s));
  start = Clock::now();
  auto lease = provider->Acquire();
  double warm_ms = MillisSince(start);
  REQUIRE(lease.ok());
  MESSAGE("Acquire: " << cold_ms << " ms making a clone, " << warm_ms << " ms from the pool");
  CHECK(warm_ms < 50);
  CHECK(provider->Exists(lease->id));
  start = Clock::now();
  REQUIRE(provider->WaitForWarm(1, 60s));
  MESSAGE("pool refilled after " << MillisSince(start) << " ms");
  auto second = provider->Acquire();
  REQUIRE(second.ok());
  CHECK(second->id != lease->id);
  CHECK(logs.Text().find(lease->connection.password) == std::string::npos);
}

TEST_CASE("Release, Reset and Exists") {
  auto provider = testing::MakeProvider(0);
  auto lease = provider->Acquire();
  REQUIRE(lease.ok());
  CHECK(RunAs(lease->connection, "DELETE FROM orders") == "ok");
  auto reset = provider->Reset(lease->id);
  REQUIRE(reset.ok());
  CHECK(reset->id != lease->id);
  CHECK_FALSE(provider->Exists(lease->id));
  CHECK(provider->Exists(reset->id));
  CHECK(testing::Scalar(reset->id, "SELECT count(*) FROM orders") == "1000");

  CHECK(provider->Release(reset->id).ok());
  CHECK_FALSE(provider->Exists(reset->id));
  CHECK(testing::Scalar("", "SELECT count(*) FROM pg_roles WHERE rolname = '" + reset->id + "'") ==
        "0");
  CHECK(provider->Release(reset->id).ok());  // idempotent
  // Names that are not this provider's clones are never dropped.
  CHECK(provider->Release("postgres").ok());
  CHECK(provider->Release(testing::SourceDatabase()).ok());
  CHECK(testing::Scalar("", "SELECT count(*) FROM pg_database WHERE datname IN ('postgres', '" +
                                testing::SourceDatabase() + "')") == "2");
  CHECK_FALSE(provider->Exists("postgres"));
}

TEST_CASE("Shutdown drops every clone the provider made") {
  auto provider = testing::MakeProvider(2);
  const std::string prefix = provider->Acquire()->id.substr(0, 12);  // pbt_<8 hex>
  REQUIRE(provider->Acquire().ok());
  REQUIRE(provider->WaitForWarm(2, 60s));
  CHECK(CountNamed(prefix) == "8");  // 4 databases, 4 roles
  provider->Shutdown();
  CHECK(CountNamed(prefix) == "0");
  auto after = provider->Acquire();
  REQUIRE_FALSE(after.ok());
  CHECK(after.error().code == "clone_unavailable");
  provider->Shutdown();  // twice: nothing left to do
}

TEST_CASE("clones left by a crashed run are dropped at Create, unless kept") {
  const std::string prefix = testing::UniqueName("pbt");
  const std::string dead = prefix + "_aaaaaaaaaaaa";
  const std::string kept = prefix + "_bbbbbbbbbbbb";
  const std::string unrelated = prefix + "_notaclone";
  for (const std::string& name : {dead, kept, unrelated}) {
    testing::Execute("", "CREATE ROLE " + name);
    testing::Execute("", "CREATE DATABASE " + name);
  }
  testing::Execute("", "CREATE ROLE " + prefix + "_cccccccccccc");  // a role alone

  core::LocalProviderConfig config;
  config.source = testing::SourceDatabase();
  config.warm_clones = 0;
  config.clone_prefix = prefix;
  LocalCloneOptions options;
  options.keep = [&](const std::string& id) { return id == kept; };
  auto provider = LocalCloneProvider::Create(config, options);
  REQUIRE(provider.ok());
  auto exists = [](const std::string& name) {
    return testing::Scalar("", "SELECT (SELECT count(*) FROM pg_database WHERE datname = '" + name +
                                   "') + (SELECT count(*) FROM pg_roles WHERE rolname = '" + name +
                                   "')");
  };
  CHECK(exists(dead) == "0");
  CHECK(exists(prefix + "_cccccccccccc") == "0");
  CHECK(exists(kept) == "2");
  CHECK(exists(unrelated) == "2");
  CHECK((*provider)->Exists(kept));
  CHECK((*provider)->Release(kept).ok());
  CHECK(exists(kept) == "0");
  testing::Execute("", "DROP DATABASE " + unrelated);
  testing::Execute("", "DROP ROLE " + unrelated);
}

TEST_CASE("the admin connection is re-opened when it was killed") {
  auto provider = testing::MakeProvider(0);
  CHECK(testing::Scalar("",
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE application_name = 'planbot-admin'") != "0");
  CHECK(provider->Health().ok());
  auto lease = provider->Acquire();
  REQUIRE(lease.ok());
  CHECK(provider->Release(lease->id).ok());
}

TEST_CASE("a source with other sessions: source_busy, and fine again once it is idle") {
  auto provider = testing::MakeProvider(0);
  {
    auto busy = testing::Connect(testing::SourceDatabase());
    auto lease = provider->Acquire();
    REQUIRE_FALSE(lease.ok());
    CHECK(lease.error().code == "source_busy");
    CHECK(lease.error().message.find("other sessions") != std::string::npos);
    CHECK(lease.error().message.find("template database") != std::string::npos);
  }
  CHECK(provider->Acquire().ok());
}

TEST_CASE("Create and Health report what is wrong") {
  core::LocalProviderConfig config;
  config.source = testing::UniqueName("planbot_missing");
  auto missing = LocalCloneProvider::Create(config, {});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == "clone_unavailable");
  CHECK(missing.error().message.find("does not exist") != std::string::npos);

  config.source = testing::SourceDatabase();
  config.clone_prefix = "Bad-Prefix";
  auto bad = LocalCloneProvider::Create(config, {});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == "bad_config");

  config.admin_dsn = "host=127.0.0.1 port=1 connect_timeout=2";
  config.clone_prefix = "pbt";
  auto unreachable = LocalCloneProvider::Create(config, {});
  REQUIRE_FALSE(unreachable.ok());
  CHECK(unreachable.error().code == "clone_unavailable");

  const std::string source = testing::UniqueName("planbot_test_gone");
  testing::Execute("", "CREATE DATABASE " + source);
  config.admin_dsn = "";
  config.source = source;
  config.clone_prefix = testing::UniqueName("pbt");
  auto provider = LocalCloneProvider::Create(config, {});
  REQUIRE(provider.ok());
  CHECK((*provider)->Health().ok());
  testing::Execute("", "DROP DATABASE " + source);
  CHECK_FALSE((*provider)->Health().ok());
}

TEST_CASE("an admin role without CREATEDB/CREATEROLE is refused with a clear message") {
  const std::string role = testing::UniqueName("planbot_weak");
  testing::Execute("", "CREATE ROLE " + role + " LOGIN");
  core::LocalProviderConfig config;
  config.source = testing::SourceDatabase();
  config.admin_dsn = "dbname=postgres user=" + role;
  auto provider = LocalCloneProvider::Create(config, {});
  REQUIRE_FALSE(provider.ok());
  CHECK(provider.error().message.find("must be a superuser, or have CREATEDB and CREATEROLE") !=
        std::string::npos);
  testing::Execute("", "DROP ROLE " + role);
}

}  // namespace
}  // namespace planbot::adapters
