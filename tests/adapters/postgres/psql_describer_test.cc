// PsqlDescriber against the real server of scripts/test (the fixture database): \d and friends
// as psql prints them, a quoted name, a missing object, a wrong password, timeouts and zombies.
// What psql receives (argv, environment) and which stderr lines are shown are checked with a
// fake psql in tests/adapters/postgres/psql_describer_fake_test.cc.
#include "adapters/postgres/psql_describer.h"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/child_test_util.h"
#include "tests/support/pg_test_env.h"

namespace planbot::adapters {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v == nullptr || *v == '\0' ? fallback : v;
}

// The test server as the environment's role (trust authentication, no password).
core::ConnectionInfo TestServer(const std::string& dbname) {
  core::ConnectionInfo c;
  c.host = EnvOr("PGHOST", "127.0.0.1");
  c.port = std::stoi(EnvOr("PGPORT", "5432"));
  c.user = EnvOr("PGUSER", "postgres");
  c.dbname = dbname;
  return c;
}

Result<std::string> Describe(const std::string& meta, const std::string& pattern = "",
                             const std::string& dbname = testing::SourceDatabase()) {
  PsqlDescriber describer;
  return describer.Describe(TestServer(dbname), meta, pattern, 20s);
}

std::string Text(const Result<std::string>& r) {
  return r ? *r : "error " + std::string(ErrorCodeName(r.error().code)) + ": " + r.error().message;
}

TEST_CASE("\\d customers is psql's own table description") {
  auto out = Describe("\\d", "customers");
  REQUIRE_MESSAGE(out.ok(), Text(out));
  CHECK(out->find("Table \"public.customers\"") != std::string::npos);
  CHECK(out->find(" email ") != std::string::npos);
  CHECK(out->find("customers_pkey") != std::string::npos);
  CHECK(out->back() == '\n');
  // Byte for byte what psql prints in a terminal session without a pager.
  std::string command = PsqlDescriber().psql_path() + " -X -P pager=off -d " +
                        testing::SourceDatabase() + " -c '\\d customers'";
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string expected;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) expected.append(buf, n);
  CHECK(::pclose(pipe) == 0);
  CHECK(*out == expected);
}

TEST_CASE("\\d+ customers shows storage and description columns") {
  auto out = Describe("\\d+", "customers");
  REQUIRE_MESSAGE(out.ok(), Text(out));
  CHECK(out->find("Storage") != std::string::npos);
  CHECK(out->find("Description") != std::string::npos);
  CHECK(out->find("Access method: heap") != std::string::npos);
}

TEST_CASE("\\l lists the session's clone and its source, not the other databases") {
  // As a session sees it: the clone is its database; the fixture stands in for the source.
  const std::string clone = testing::UniqueName("planbot_l_clone");
  testing::Execute("", "CREATE DATABASE " + clone);
  core::ConnectionInfo c = TestServer(clone);
  c.source_dbname = testing::SourceDatabase();
  PsqlDescriber describer;
  auto out = describer.Describe(c, "\\l", "", 20s);
  testing::Execute("", "DROP DATABASE " + clone);
  REQUIRE_MESSAGE(out.ok(), Text(out));
  CHECK(out->find(" " + clone + " ") != std::string::npos);
  CHECK(out->find(" " + testing::SourceDatabase() + " ") != std::string::npos);
  CHECK(out->find("template1") == std::string::npos);
  CHECK(out->find("\n postgres ") == std::string::npos);  // (as the owner it is listed)
  CHECK(out->find("(2 rows)") != std::string::npos);
  auto named = describer.Describe(c, "\\l", "postgres", 20s);
  REQUIRE_FALSE(named.ok());
  CHECK(named.error().code == "refused");
}

TEST_CASE("the list commands: \\dt \\di \\dv \\dm \\dn \\dx \\df \\l and patterns") {
  auto tables = Describe("\\dt");
  REQUIRE_MESSAGE(tables.ok(), Text(tables));
  CHECK(tables->find("List of relations") != std::string::npos);
  CHECK(tables->find(" customers ") != std::string::npos);
  CHECK(tables->find(" orders ") != std::string::npos);
  auto indexes = Describe("\\di");
  REQUIRE_MESSAGE(indexes.ok(), Text(indexes));
  CHECK(indexes->find("customers_email_key") != std::string::npos);
  CHECK(indexes->find("orders_pkey") != std::string::npos);
  auto some = Describe("\\di+", "customers_*");
  REQUIRE_MESSAGE(some.ok(), Text(some));
  CHECK(some->find("customers_pkey") != std::string::npos);
  CHECK(some->find("orders_pkey") == std::string::npos);
  CHECK(Text(Describe("\\dv")).find("big_orders") != std::string::npos);
  CHECK(Text(Describe("\\dm+")).find("order_totals") != std::string::npos);
  CHECK(Text(Describe("\\dn")).find(" app ") != std::string::npos);
  CHECK(Text(Describe("\\dx")).find("plpgsql") != std::string::npos);
  CHECK(Text(Describe("\\df", "leak_*")).find("leak_notice") != std::string::npos);
  CHECK(Text(Describe("\\d", "app.*")).find("Partitioned table \"app.events\"") !=
        std::string::npos);
  CHECK(Text(Describe("\\d", "public.orders")).find("Table \"public.orders\"") !=
        std::string::npos);
}

// A database of this test's own, dropped at the end of the scope.
struct ScratchDatabase {
  std::string name = testing::UniqueName("planbot_psql");
  ScratchDatabase() { testing::Execute("", "CREATE DATABASE " + name); }
  ~ScratchDatabase() { testing::Execute("", "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); }
};

TEST_CASE("\\d \"Order Items\" describes a table whose name needs quotes") {
  ScratchDatabase db;
  testing::Execute(db.name, R"(CREATE TABLE "Order Items" (id int, "Unit ""Price""" numeric))");
  auto out = Describe("\\d", "\"Order Items\"", db.name);
  REQUIRE_MESSAGE(out.ok(), Text(out));
  CHECK(out->find("Table \"public.Order Items\"") != std::string::npos);
  CHECK(out->find("Unit \"Price\"") != std::string::npos);
  auto unquoted = Describe("\\d", "Order", db.name);
  REQUIRE_FALSE(unquoted.ok());
  CHECK(unquoted.error().code == "describe_failed");
}

TEST_CASE("a missing object is describe_failed with psql's message") {
  auto out = Describe("\\d", "nosuchtable");
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().code == "describe_failed");
  CHECK(out.error().message == "Did not find any relation named \"nosuchtable\".");
  auto list = Describe("\\dt", "nosuch*");  // psql exits 0 here, with the message on stderr
  REQUIRE_FALSE(list.ok());
  CHECK(list.error().code == "describe_failed");
  CHECK(list.error().message == "Did not find any relation named \"nosuch*\".");
}

TEST_CASE("Describe refuses what ParseDescribe refuses, before running anything") {
  PsqlDescriber describer;
  auto c = TestServer(testing::SourceDatabase());
  for (auto [meta, pattern] :
       std::vector<std::pair<std::string, std::string>>{{"\\d", "orders; drop table x"},
                                                        {"\\!", "ls"},
                                                        {"\\d orders", ""},
                                                        {"\\d", " orders"},
                                                        {"\\d", "a b"},
                                                        {"\\dS", ""}}) {
    auto out = describer.Describe(c, meta, pattern, 5s);
    REQUIRE_FALSE(out.ok());
    CHECK(out.error().code == "refused");
  }
}

// Makes the server ask `role` for its password (SCRAM) from loopback while alive: one line for
// that role alone at the top of pg_hba.conf, so nothing else on the test server changes. Edits
// hold an flock on the file, so test binaries running at once keep each other's lines.
class PasswordRequired {
 public:
  explicit PasswordRequired(const std::string& role) {
    line_ = "host all " + role + " 127.0.0.1/32 scram-sha-256   # planbot psql_describer_test\n";
    file_ = testing::Scalar("", "SHOW hba_file");
    bool edited = Edit([&](std::string& text) { text.insert(0, line_); });
    REQUIRE_MESSAGE(edited, "cannot edit " << file_ << " (the test needs to run on the host of "
                                           << "the test server, as its owner or root)");
    testing::Execute("", "SELECT pg_reload_conf()");
  }
  ~PasswordRequired() {
    Edit([&](std::string& text) {
      size_t at = text.find(line_);
      if (at != std::string::npos) text.erase(at, line_.size());
    });
    try {
      testing::Execute("", "SELECT pg_reload_conf()");
    } catch (...) {  // reported by doctest already; a destructor must not throw
    }
  }

 private:
  bool Edit(const std::function<void(std::string&)>& change) const {
    int fd = ::open(file_.c_str(), O_RDWR);
    if (fd < 0) return false;
    ::flock(fd, LOCK_EX);
    std::string text;
    char buf[4096];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) text.append(buf, n);
    change(text);
    bool ok = ::ftruncate(fd, 0) == 0 &&
              ::pwrite(fd, text.data(), text.size(), 0) == static_cast<ssize_t>(text.size());
    ::close(fd);  // releases the lock
    return ok;
  }

  std::string file_;
  std::string line_;
};

// Waits until the server refuses `c` (the reload is asynchronous).
void WaitUntilRefused(const core::ConnectionInfo& c) {
  std::string dsn = "host=" + c.host + " port=" + std::to_string(c.port) + " dbname=" + c.dbname +
                    " user=" + c.user + " password=wrong-one";
  for (int i = 0; i < 100; ++i) {
    PGconn* conn = PQconnectdb(dsn.c_str());
    bool refused = PQstatus(conn) != CONNECTION_OK;
    PQfinish(conn);
    if (refused) return;
    std::this_thread::sleep_for(50ms);
  }
  FAIL("the server still lets " << c.user << " in without its password");
}

TEST_CASE("a wrong password is describe_failed without the password; the right one works") {
  std::string role = testing::UniqueName("planbot_psql_role");
  testing::Execute("", "CREATE ROLE " + role + " LOGIN PASSWORD 'right-Secret-4711'");
  {
    PasswordRequired hba(role);
    auto c = TestServer(testing::SourceDatabase());
    c.user = role;
    WaitUntilRefused(c);
    c.password = "wrong-Secret-0815";
    PsqlDescriber describer;
    auto wrong = describer.Describe(c, "\\dt", "", 20s);
    REQUIRE_FALSE(wrong.ok());
    CHECK(wrong.error().code == "describe_failed");
    CHECK(wrong.error().message.find("password authentication failed") != std::string::npos);
    CHECK(wrong.error().message.find("0815") == std::string::npos);
    c.password = "right-Secret-4711";
    auto right = describer.Describe(c, "\\dt", "", 20s);
    CHECK_MESSAGE(right.ok(), Text(right));
  }
  testing::Execute("", "DROP ROLE " + role);
}

// A TCP port that accepts connections (the kernel completes them) but never answers.
class SilentServer {
 public:
  SilentServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) == 0);
    REQUIRE(::listen(fd_, 16) == 0);
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentServer() { ::close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST_CASE("a server that never answers is a timeout, and psql is killed and reaped") {
  SilentServer silent;
  auto c = TestServer("postgres");
  c.port = silent.port();
  PsqlDescriber describer;
  auto start = Clock::now();
  auto out = describer.Describe(c, "\\d", "customers", 500ms);
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().code == "timeout");
  CHECK(out.error().message == "\\d did not finish within 500 ms");
  CHECK(seconds >= 0.45);
  CHECK(seconds < 3.0);
  CHECK(testing::ZombieChildren() == 0);
}

TEST_CASE("a 1 ms timeout is a timeout with no zombie") {
  PsqlDescriber describer;
  auto out = describer.Describe(TestServer(testing::SourceDatabase()), "\\d+", "customers", 1ms);
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().code == "timeout");
  CHECK(testing::ZombieChildren() == 0);
}

TEST_CASE("describes run concurrently, each in its own psql") {
  PsqlDescriber describer;
  auto c = TestServer(testing::SourceDatabase());
  std::vector<std::string> outputs(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < outputs.size(); ++i) {
    threads.emplace_back([&, i] {
      auto out = describer.Describe(c, "\\d", i % 2 ? "orders" : "customers", 20s);
      outputs[i] = Text(out);
    });
  }
  for (auto& t : threads) t.join();
  for (size_t i = 0; i < outputs.size(); ++i) {
    CHECK(outputs[i] == outputs[i % 2]);
    CHECK(outputs[i].find(i % 2 ? "Table \"public.orders\"" : "Table \"public.customers\"") !=
          std::string::npos);
  }
  CHECK(testing::ZombieChildren() == 0);
}

}  // namespace
}  // namespace planbot::adapters
