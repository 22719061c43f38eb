#include "tests/support/pg_test_env.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace planbot::testing {
namespace {

constexpr char kFixture[] = R"sql(
CREATE TABLE customers (
  id serial PRIMARY KEY,
  email text NOT NULL UNIQUE,
  age int CHECK (age >= 0),
  note text,
  code varchar(4)
);
INSERT INTO customers (email, age, note) VALUES
  ('bob@example.com', 42, '<not xml'), ('alice@example.org', 31, 'x');
CREATE TABLE orders (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id int NOT NULL REFERENCES customers (id),
  amount numeric(10, 2),
  created date
);
INSERT INTO orders (customer_id, amount, created)
  SELECT 1 + g % 2, g, date '2024-01-01' + g FROM generate_series(1, 1000) g;
CREATE VIEW big_orders AS SELECT * FROM orders WHERE amount > 500;
CREATE MATERIALIZED VIEW order_totals AS
  SELECT customer_id, sum(amount) AS total FROM orders GROUP BY 1;
CREATE SEQUENCE free_seq;
CREATE SCHEMA app;
CREATE TABLE app.events (id int, payload text) PARTITION BY RANGE (id);
CREATE TABLE app.events_low PARTITION OF app.events FOR VALUES FROM (0) TO (100);
CREATE FUNCTION leak_notice(t text) RETURNS int LANGUAGE plpgsql AS
  $$ BEGIN RAISE NOTICE 'leaked: %', t; RAISE WARNING 'leaked warning: %', t; RETURN 1; END $$;
CREATE FUNCTION leak_raise(t text) RETURNS int LANGUAGE plpgsql AS
  $$ BEGIN RAISE EXCEPTION 'leaked: %', t; END $$;
CREATE FUNCTION leak_raise42(t text) RETURNS int LANGUAGE plpgsql AS
  $$ BEGIN RAISE EXCEPTION USING ERRCODE = '42P01', MESSAGE = 'relation ' || t; END $$;
)sql";

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "(unset)" : v;
}

// Drops the fixture database when the test binary exits.
struct SourceHolder {
  std::string name;
  ~SourceHolder() {
    if (name.empty()) return;
    // Plain libpq: this runs during static destruction, after libpqxx's own statics may be gone.
    PGconn* conn = PQconnectdb("");
    if (PQstatus(conn) == CONNECTION_OK) {
      std::string sql = "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)";
      PQclear(PQexec(conn, sql.c_str()));
    }
    PQfinish(conn);
  }
};

}  // namespace

std::unique_ptr<pqxx::connection> Connect(const std::string& dbname) {
  std::string dsn = dbname.empty() ? "" : "dbname=" + dbname;
  try {
    return std::make_unique<pqxx::connection>(dsn);
  } catch (const std::exception& e) {
    FAIL("cannot reach the test PostgreSQL (PGHOST=" << Env("PGHOST") << " PGPORT=" << Env("PGPORT")
                                                     << " PGUSER=" << Env("PGUSER")
                                                     << "): " << std::string(e.what())
                                                     << " Run scripts/test, or: source "
                                                        "scripts/lib/pgcluster.sh && "
                                                        "pg_cluster_start /tmp/some-dir");
    throw;
  }
}

std::string Scalar(const std::string& dbname, const std::string& sql) {
  auto conn = Connect(dbname);
  pqxx::nontransaction txn(*conn);
  pqxx::result r = txn.exec(sql);
  return r.at(0).at(0).is_null() ? "NULL" : r.at(0).at(0).as<std::string>();
}

void Execute(const std::string& dbname, const std::string& sql) {
  auto conn = Connect(dbname);
  pqxx::nontransaction txn(*conn);
  txn.exec(sql);
}

std::string UniqueName(const std::string& stem) {
  unsigned char bytes[4];
  REQUIRE(RAND_bytes(bytes, sizeof bytes) == 1);
  char hex[9];
  std::snprintf(hex, sizeof hex, "%02x%02x%02x%02x", bytes[0], bytes[1], bytes[2], bytes[3]);
  return stem + "_" + hex;
}

const std::string& SourceDatabase() {
  static SourceHolder holder;
  if (holder.name.empty()) {
    std::string name = UniqueName("planbot_test_src");
    Execute("", "CREATE DATABASE " + name);
    holder.name = name;
    Execute(name, kFixture);
  }
  return holder.name;
}

std::unique_ptr<adapters::LocalCloneProvider> MakeProvider(int warm_clones, Logger logger,
                                                           const std::string& prefix) {
  core::LocalProviderConfig config;
  config.source = SourceDatabase();
  config.warm_clones = warm_clones;
  config.clone_prefix = prefix.empty() ? UniqueName("pbt") : prefix;
  adapters::LocalCloneOptions options;
  options.logger = logger;
  options.retry_delay = std::chrono::milliseconds(200);
  auto provider = adapters::LocalCloneProvider::Create(config, options);
  if (!provider) FAIL("LocalCloneProvider::Create: " << provider.error().message);
  return std::move(provider).value();
}

SessionOnClone OpenSessionOnClone(adapters::PostgresSessionOptions options) {
  SessionOnClone s;
  s.provider = MakeProvider(0);
  auto lease = s.provider->Acquire();
  if (!lease) FAIL("Acquire: " << lease.error().message);
  s.lease = *lease;
  s.factory = std::make_unique<adapters::PostgresSessionFactory>(std::move(options));
  auto session = s.factory->Open(s.lease.connection);
  if (!session) FAIL("Open: " << session.error().message);
  s.session = std::move(session).value();
  return s;
}

core::StatementLimits Limits(int statement_timeout_ms, int deadline_ms, int lock_timeout_ms) {
  core::StatementLimits limits;
  limits.statement_timeout = std::chrono::milliseconds(statement_timeout_ms);
  limits.deadline = std::chrono::milliseconds(deadline_ms);
  limits.lock_timeout = std::chrono::milliseconds(lock_timeout_ms);
  return limits;
}

Logger LogCapture::logger(LogLevel min_level) {
  auto lines = lines_;
  return Logger(
      [lines](const LogRecord& record) {
        std::lock_guard<std::mutex> lock(lines->mu);
        lines->lines.push_back(record.Line());
      },
      min_level, "test");
}

std::string LogCapture::Text() const {
  std::lock_guard<std::mutex> lock(lines_->mu);
  std::string text;
  for (const auto& line : lines_->lines) text += line + "\n";
  return text;
}

StderrCapture::StderrCapture() {
  char path[] = "/tmp/planbot-stderr-XXXXXX";
  int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  path_ = path;
  std::fflush(stderr);
  saved_ = ::dup(2);
  ::dup2(fd, 2);
  ::close(fd);
}

StderrCapture::~StderrCapture() {
  std::fflush(stderr);
  ::dup2(saved_, 2);
  ::close(saved_);
  ::unlink(path_.c_str());
}

std::string StderrCapture::Text() {
  std::fflush(stderr);
  std::ifstream in(path_);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace planbot::testing
