// PostgresSession against the real server: EXPLAIN in a rolled-back transaction, one statement
// only, the timeouts and the client-side deadline (also when the server ignores the cancel, for
// Explain and Exec), Cancel(), and a connection killed from outside. The other operations:
// session_exec_test.cc, session_hypo_test.cc, session_activity_test.cc.
#include "adapters/postgres/postgres_session.h"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "tests/result_testing.h"
#include "tests/support/pg_test_env.h"

namespace planbot::adapters {
namespace {

using core::ExplainMode;
using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string Count(const core::CloneLease& lease, const std::string& table) {
  return testing::Scalar(lease.id, "SELECT count(*) FROM " + table);
}

// Forwards the first connection to the test server and closes every later one: a server that
// never receives cancel requests (they arrive on new connections).
class CancelDroppingProxy {
 public:
  CancelDroppingProxy() {
    listen_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    REQUIRE(::bind(listen_, reinterpret_cast<sockaddr*>(&addr), len) == 0);
    REQUIRE(::listen(listen_, 8) == 0);
    REQUIRE(::getsockname(listen_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~CancelDroppingProxy() {
    stop_ = true;
    thread_.join();
    for (int fd : {listen_, client_, upstream_}) {
      if (fd >= 0) ::close(fd);
    }
  }
  int port() const { return port_; }
  int dropped() const { return dropped_; }

 private:
  int ConnectUpstream() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(std::atoi(std::getenv("PGPORT"))));
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd);
      return -1;
    }
    return fd;
  }
  // Copies what `from` has to `to`; false at EOF or error.
  static bool Pump(int from, int to) {
    char buf[16384];
    ssize_t n = ::read(from, buf, sizeof buf);
    if (n <= 0) return false;
    return ::send(to, buf, static_cast<size_t>(n), MSG_NOSIGNAL) == n;
  }
  void Serve() {
    while (!stop_) {
      pollfd fds[3] = {{listen_, POLLIN, 0}, {client_, POLLIN, 0}, {upstream_, POLLIN, 0}};
      if (::poll(fds, 3, 50) <= 0) continue;
      if (fds[0].revents & POLLIN) {
        int fd = ::accept(listen_, nullptr, nullptr);
        if (client_ < 0 && upstream_ < 0) {
          client_ = fd;
          upstream_ = ConnectUpstream();
        } else {
          ::close(fd);  // a cancel request: dropped
          ++dropped_;
        }
      }
      bool ok = true;
      if (fds[1].revents) ok = Pump(client_, upstream_);
      if (ok && fds[2].revents) ok = Pump(upstream_, client_);
      if (!ok) {
        ::close(client_);
        ::close(upstream_);
        client_ = upstream_ = -2;  // -2: served; later connections are dropped
      }
    }
  }

  int listen_ = -1;
  int client_ = -1;
  int upstream_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> dropped_{0};
  std::thread thread_;
};

TEST_CASE("plan and explain of SELECT/INSERT/UPDATE/DELETE leave the clone unchanged") {
  auto s = testing::OpenSessionOnClone();
  const char* statements[] = {
      "select * from customers c join orders o on o.customer_id = c.id where o.amount > 10",
      "insert into orders (customer_id, amount) select 1, g from generate_series(1, 100) g",
      "update orders set amount = 0 where customer_id = 1",
      "delete from orders",
      "update customers set note = 'changed'",
  };
  for (const char* sql : statements) {
    INFO(sql);
    auto plan = s.session->Explain(sql, ExplainMode::kPlan, testing::Limits());
    REQUIRE_MESSAGE(plan.ok(), planbot::testing::ErrorText(plan));
    CHECK(plan->find("\"Plan\"") != std::string::npos);
    CHECK(plan->find("Actual Rows") == std::string::npos);
    auto analyzed = s.session->Explain(sql, ExplainMode::kAnalyze, testing::Limits());
    REQUIRE_MESSAGE(analyzed.ok(), planbot::testing::ErrorText(analyzed));
    CHECK(analyzed->find("Actual Rows") != std::string::npos);
    CHECK(analyzed->find("Shared Hit Blocks") != std::string::npos);
    CHECK(Count(s.lease, "orders") == "1000");
    CHECK(Count(s.lease, "customers where note = 'changed'") == "0");
  }
  CHECK(s.session->usable());
}

TEST_CASE("a statement that fails after changing rows leaves nothing and the session usable") {
  // plan and explain send BEGIN, the SET LOCALs, the EXPLAIN and ROLLBACK in one pipeline; when the
  // EXPLAIN fails the server skips the ROLLBACK, so the session must end the transaction itself.
  auto s = testing::OpenSessionOnClone();
  auto failed = s.session->Explain(
      "with gone as (delete from orders returning amount) select sum(amount) / 0 from gone",
      ExplainMode::kAnalyze, testing::Limits());
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().sqlstate == "22012");
  CHECK(s.session->usable());
  CHECK(Count(s.lease, "orders") == "1000");
  auto next =
      s.session->Explain("select count(*) from orders", ExplainMode::kAnalyze, testing::Limits());
  REQUIRE_MESSAGE(next.ok(), planbot::testing::ErrorText(next));
  CHECK(next->find("\"Actual Rows\": 1000") != std::string::npos);
  auto plan = s.session->Explain("select 1", ExplainMode::kPlan, testing::Limits());
  CHECK_MESSAGE(plan.ok(), planbot::testing::ErrorText(plan));
}

TEST_CASE("block_size and server_version_num are read at connect") {
  auto s = testing::OpenSessionOnClone();
  CHECK(s.session->block_size() == std::stoll(testing::Scalar("", "SHOW block_size")));
  CHECK(s.session->server_version_num() >= 150000);
}

TEST_CASE("a second statement is impossible, even if the core let one through") {
  auto s = testing::OpenSessionOnClone();
  for (auto mode : {ExplainMode::kPlan, ExplainMode::kAnalyze}) {
    auto result = s.session->Explain("select 1; select 2", mode, testing::Limits());
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == "database_error");
    CHECK(result.error().sqlstate == "42601");
    result = s.session->Explain("select 1; delete from orders", mode, testing::Limits());
    REQUIRE_FALSE(result.ok());
  }
  CHECK(Count(s.lease, "orders") == "1000");
  CHECK(s.session->Explain("select 1", ExplainMode::kPlan, testing::Limits()).ok());
}

TEST_CASE("settings changed by the statement do not outlive it") {
  auto s = testing::OpenSessionOnClone();
  auto first = s.session->Explain("select set_config('work_mem', '77MB', false)",
                                  ExplainMode::kAnalyze, testing::Limits());
  REQUIRE(first.ok());
  auto second = s.session->Explain("select 1", ExplainMode::kAnalyze, testing::Limits());
  REQUIRE(second.ok());
  CHECK(second->find("77MB") == std::string::npos);
}

TEST_CASE("the client-side deadline cancels a statement that statement_timeout would allow") {
  auto s = testing::OpenSessionOnClone();
  auto start = Clock::now();
  auto result = s.session->Explain("select pg_sleep(10)", ExplainMode::kAnalyze,
                                   testing::Limits(30000, 1000));
  double took = SecondsSince(start);
  MESSAGE("pg_sleep(10) with a 1 s deadline returned after " << took << " s");
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == "timeout");
  CHECK(result.error().message == "cancelled by planbot after the 1s deadline");
  CHECK(took >= 0.9);
  CHECK(took < 2.0);
  CHECK(s.session->usable());
  CHECK(s.session->Explain("select 1", ExplainMode::kPlan, testing::Limits()).ok());
}

TEST_CASE("statement_timeout and lock_timeout answer timeout") {
  auto s = testing::OpenSessionOnClone();
  auto result = s.session->Explain("select pg_sleep(10)", ExplainMode::kAnalyze,
                                   testing::Limits(1000, 10000));
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == "timeout");
  CHECK(result.error().message == "statement exceeded statement_timeout (1s)");

  auto locker = testing::Connect(s.lease.id);
  pqxx::work hold(*locker);
  hold.exec0("LOCK TABLE customers IN ACCESS EXCLUSIVE MODE");
  result = s.session->Explain("select * from customers", ExplainMode::kAnalyze,
                              testing::Limits(10000, 11000, 250));
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == "timeout");
  CHECK(result.error().message == "statement exceeded lock_timeout (250ms) waiting for a lock");
  hold.abort();
  pqxx::work row_lock(*locker);
  row_lock.exec("SELECT * FROM customers WHERE id = 1 FOR UPDATE");
  result = s.session->Explain("select * from customers for update nowait", ExplainMode::kAnalyze,
                              testing::Limits());
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == "timeout");
  CHECK(result.error().message == "could not obtain a lock (NOWAIT, or lock_timeout 5s)");
  CHECK(s.session->usable());
}

TEST_CASE("Cancel() from another thread stops the statement; when idle it does nothing") {
  auto s = testing::OpenSessionOnClone();
  s.session->Cancel();  // nothing runs: no-op
  CHECK(s.session->Explain("select 1", ExplainMode::kAnalyze, testing::Limits()).ok());
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    s.session->Cancel();
  });
  auto start = Clock::now();
  auto result = s.session->Explain("select pg_sleep(10)", ExplainMode::kAnalyze, testing::Limits());
  canceller.join();
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == "timeout");
  CHECK(result.error().message == "the statement was cancelled");
  CHECK(SecondsSince(start) < 2.0);
  CHECK(s.session->usable());
}

TEST_CASE("a server that ignores the cancel: the socket is cut after the grace period") {
  testing::LogCapture logs;
  PostgresSessionOptions options;
  options.logger = logs.logger();
  options.cancel_grace = std::chrono::milliseconds(500);
  auto s = testing::OpenSessionOnClone(options);
  CancelDroppingProxy proxy;
  core::ConnectionInfo via_proxy = s.lease.connection;
  via_proxy.host = "127.0.0.1";
  via_proxy.port = proxy.port();
  auto session = s.factory->Open(via_proxy);
  REQUIRE(session.ok());
  auto start = Clock::now();
  auto result = (*session)->Explain("select pg_sleep(10)", ExplainMode::kAnalyze,
                                    testing::Limits(30000, 500));
  double took = SecondsSince(start);
  MESSAGE("deadline 0.5 s + grace 0.5 s with the cancel dropped: returned after " << took << " s");
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == "timeout");
  CHECK(result.error().message.find("connection was closed") != std::string::npos);
  CHECK(proxy.dropped() >= 1);
  CHECK(took >= 0.9);
  CHECK(took < 2.0);
  CHECK_FALSE((*session)->usable());
  auto again = (*session)->Explain("select 1", ExplainMode::kPlan, testing::Limits());
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == "clone_unavailable");
}

TEST_CASE("exec and activity with a server that ignores the cancel: the socket is cut too") {
  PostgresSessionOptions options;
  options.cancel_grace = std::chrono::milliseconds(500);
  auto s = testing::OpenSessionOnClone(options);
  for (bool transactional : {false, true}) {
    CancelDroppingProxy proxy;
    core::ConnectionInfo via_proxy = s.lease.connection;
    via_proxy.host = "127.0.0.1";
    via_proxy.port = proxy.port();
    auto session = s.factory->Open(via_proxy);
    REQUIRE(session.ok());
    auto start = Clock::now();
    auto result =
        (*session)->Exec("select pg_sleep(10)", transactional, testing::Limits(30000, 500));
    double took = SecondsSince(start);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == "timeout");
    CHECK(result.error().message.find("connection was closed") != std::string::npos);
    CHECK(took < 2.0);
    CHECK_FALSE((*session)->usable());
    auto activity = (*session)->Activity(testing::Limits());
    REQUIRE_FALSE(activity.ok());
    CHECK(activity.error().code == "clone_unavailable");
  }
}

TEST_CASE("a backend terminated from outside mid-statement: clone_unavailable, not usable") {
  auto s = testing::OpenSessionOnClone();
  Result<std::string> result = std::string();
  std::thread runner([&] {
    result = s.session->Explain("select pg_sleep(10)", ExplainMode::kAnalyze, testing::Limits());
  });
  std::string terminated = "0";
  for (int i = 0; i < 100 && terminated == "0"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    terminated = testing::Scalar(
        "", "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = '" +
                s.lease.connection.user + "' AND query LIKE '%pg_sleep%'");
  }
  runner.join();
  CHECK(terminated == "1");
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == "clone_unavailable");
  CHECK_FALSE(s.session->usable());
  auto again = s.session->Explain("select 1", ExplainMode::kPlan, testing::Limits());
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == "clone_unavailable");
}

TEST_CASE("connection failures are clone_unavailable and never show the password") {
  PostgresSessionFactory factory({});
  core::ConnectionInfo info;
  info.host = "127.0.0.1";
  info.port = 1;
  info.dbname = "nowhere";
  info.user = "nobody";
  info.password = "hunter2-secret";
  auto session = factory.Open(info);
  REQUIRE_FALSE(session.ok());
  CHECK(session.error().code == "clone_unavailable");
  CHECK(session.error().message.find("host=127.0.0.1 port=1 dbname=nowhere user=nobody") !=
        std::string::npos);
  CHECK(session.error().message.find("hunter2") == std::string::npos);
}

}  // namespace
}  // namespace planbot::adapters
