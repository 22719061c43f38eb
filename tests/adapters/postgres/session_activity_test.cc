// PostgresSession::Activity and Terminate against the real server: the other backends of the
// same clone, never this connection nor another clone's; terminating one ends its session's
// statement with clone_unavailable; pids elsewhere are not_found, this session's own is refused.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "adapters/postgres/postgres_session.h"
#include "tests/result_testing.h"
#include "tests/support/pg_test_env.h"

namespace planbot::adapters {
namespace {

using core::ExplainMode;

// Waits until Activity() on `session` lists a backend whose query contains `text`.
std::optional<core::Backend> WaitForBackend(core::DatabaseSession& session,
                                            const std::string& text) {
  for (int i = 0; i < 100; ++i) {
    auto backends = session.Activity(testing::Limits());
    REQUIRE_MESSAGE(backends.ok(), planbot::testing::ErrorText(backends));
    for (const core::Backend& b : *backends) {
      if (b.query.find(text) != std::string::npos) return b;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return std::nullopt;
}

TEST_CASE("activity shows another session's statement; terminate ends it") {
  auto s = testing::OpenSessionOnClone();
  auto other = s.factory->Open(s.lease.connection);
  REQUIRE(other.ok());
  auto idle = s.session->Activity(testing::Limits());
  REQUIRE(idle.ok());
  CHECK(idle->empty());  // the other session is idle; this one is never listed

  Result<std::string> slept = std::string();
  std::thread runner([&] {
    slept = (*other)->Explain("select pg_sleep(5)", ExplainMode::kAnalyze, testing::Limits());
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto backend = WaitForBackend(*s.session, "pg_sleep");
  REQUIRE(backend.has_value());
  CHECK(backend->pid == (*other)->backend_pid());
  CHECK(backend->pid != s.session->backend_pid());
  CHECK(backend->state == "active");
  CHECK(backend->query.find("select pg_sleep(5)") != std::string::npos);
  REQUIRE(backend->duration_ms.has_value());
  CHECK(*backend->duration_ms > 0);
  CHECK(backend->wait_event_type == "Timeout");
  CHECK(backend->wait_event == "PgSleep");
  CHECK(backend->backend_type == "client backend");
  auto all = s.session->Activity(testing::Limits());
  REQUIRE(all.ok());
  for (const core::Backend& b : *all) CHECK(b.pid != s.session->backend_pid());

  auto terminated = s.session->Terminate(backend->pid, testing::Limits());
  runner.join();
  REQUIRE_MESSAGE(terminated.ok(), planbot::testing::ErrorText(terminated));
  CHECK(*terminated);
  REQUIRE_FALSE(slept.ok());
  CHECK(slept.error().code == "clone_unavailable");
  CHECK_FALSE((*other)->usable());
  CHECK(s.session->usable());
  auto after = s.session->Activity(testing::Limits());
  REQUIRE(after.ok());
  for (const core::Backend& b : *after) CHECK(b.pid != backend->pid);
}

TEST_CASE("terminate: pids that are not this clone's are not_found; its own pid is refused") {
  auto s = testing::OpenSessionOnClone();
  auto elsewhere = s.provider->Acquire();
  REQUIRE(elsewhere.ok());
  auto other_clone = s.factory->Open(elsewhere->connection);
  REQUIRE(other_clone.ok());
  for (int pid : {1, 0, -5, (*other_clone)->backend_pid()}) {
    INFO("pid " << pid);
    auto result = s.session->Terminate(pid, testing::Limits());
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == "not_found");
    CHECK(result.error().message ==
          "no backend with PID " + std::to_string(pid) + " on your clone");
  }
  CHECK((*other_clone)->Explain("select 1", ExplainMode::kPlan, testing::Limits()).ok());

  auto own = s.session->Terminate(s.session->backend_pid(), testing::Limits());
  REQUIRE_FALSE(own.ok());
  CHECK(own.error().code == "refused");
  CHECK(own.error().message.find("own connection") != std::string::npos);
  CHECK(s.session->usable());
  CHECK(s.session->Explain("select 1", ExplainMode::kPlan, testing::Limits()).ok());
}

TEST_CASE("another role's backend on the clone: listed without its query, not terminable") {
  auto s = testing::OpenSessionOnClone();
  auto admin = testing::Connect(s.lease.id);
  std::thread runner([&] {
    try {
      pqxx::nontransaction txn(*admin);
      txn.exec("SELECT pg_sleep(2)");
    } catch (const std::exception&) {
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto backends = s.session->Activity(testing::Limits());
  REQUIRE(backends.ok());
  REQUIRE(backends->size() == 1);
  const core::Backend& b = (*backends)[0];
  CHECK(b.query == "<insufficient privilege>");
  CHECK(b.query.find("pg_sleep") == std::string::npos);
  auto result = s.session->Terminate(b.pid, testing::Limits());
  runner.join();
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == "database_error");
  CHECK(result.error().sqlstate == "42501");
  CHECK(s.session->usable());
}

TEST_CASE("activity and terminate keep the deadline and the connection-loss rules") {
  auto s = testing::OpenSessionOnClone();
  CHECK(s.session->backend_pid() > 0);
  testing::Execute("",
                   "SELECT pg_terminate_backend(" + std::to_string(s.session->backend_pid()) + ")");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto backends = s.session->Activity(testing::Limits());
  REQUIRE_FALSE(backends.ok());
  CHECK(backends.error().code == "clone_unavailable");
  CHECK_FALSE(s.session->usable());
  auto terminated = s.session->Terminate(1, testing::Limits());
  REQUIRE_FALSE(terminated.ok());
  CHECK(terminated.error().code == "clone_unavailable");
}

}  // namespace
}  // namespace planbot::adapters
