// PostgresSession::Exec against the real server: changes persist in the clone and later plans see
// them, only the command tag and row count come back, the session-level path for statements
// that cannot run in a transaction block, planbot's limits surviving a user's SET, and errors
// (sanitized, rolled back, timeouts).
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "adapters/postgres/postgres_session.h"
#include "analyzer/plan_parse.h"
#include "analyzer/render_text.h"
#include "tests/result_testing.h"
#include "tests/support/pg_test_env.h"

namespace planbot::adapters {
namespace {

using core::ExplainMode;
using Clock = std::chrono::steady_clock;

std::string PlanText(const Result<std::string>& json) {
  REQUIRE_MESSAGE(json.ok(), planbot::testing::ErrorText(json));
  auto explain = analyzer::ParseExplainJson(*json);
  REQUIRE_MESSAGE(explain.ok(), planbot::testing::ErrorText(explain));
  return analyzer::RenderText(*explain);
}

std::string Count(const core::CloneLease& lease, const std::string& what) {
  return testing::Scalar(lease.id, "SELECT count(*) FROM " + what);
}

void CheckExec(core::DatabaseSession& session, const std::string& sql, bool transactional,
               const std::string& tag, int64_t rows) {
  INFO(sql);
  auto result = session.Exec(sql, transactional, testing::Limits());
  REQUIRE_MESSAGE(result.ok(), planbot::testing::ErrorText(result));
  CHECK(result->tag == tag);
  CHECK(result->rows == rows);
}

TEST_CASE("exec create index persists, and the next plan uses the index") {
  auto s = testing::OpenSessionOnClone();
  const char* query = "select * from orders where created = date '2024-02-01'";
  CHECK(PlanText(s.session->Explain(query, ExplainMode::kPlan, testing::Limits()))
            .find("Seq Scan on public.orders") != std::string::npos);
  auto start = Clock::now();
  CheckExec(*s.session, "create index orders_created_idx on orders (created)", true, "CREATE INDEX",
            -1);
  MESSAGE("exec create index (1000 rows): "
          << std::chrono::duration<double, std::milli>(Clock::now() - start).count() << " ms");
  CheckExec(*s.session, "analyze orders", true, "ANALYZE", -1);
  CHECK(PlanText(s.session->Explain(query, ExplainMode::kPlan, testing::Limits()))
            .find("Index Scan using orders_created_idx on public.orders") != std::string::npos);
  CHECK(Count(s.lease, "pg_indexes WHERE indexname = 'orders_created_idx'") == "1");
  CHECK(testing::Scalar(testing::SourceDatabase(),
                        "SELECT count(*) FROM pg_indexes WHERE indexname = "
                        "'orders_created_idx'") == "0");
}

TEST_CASE("exec DML persists and reports the affected rows, never rows of data") {
  auto s = testing::OpenSessionOnClone();
  CheckExec(*s.session, "update orders set amount = 0 where id <= 3", true, "UPDATE 3", 3);
  CHECK(Count(s.lease, "orders WHERE amount = 0") == "3");
  CheckExec(*s.session,
            "insert into customers (email, age) values ('c@example.com', 1), "
            "('d@example.com', 2) returning email, age",
            true, "INSERT 0 2", 2);
  CHECK(Count(s.lease, "customers") == "4");
  CheckExec(*s.session, "delete from orders where id > 990 returning *", true, "DELETE 10", 10);
  CHECK(Count(s.lease, "orders") == "990");
  CheckExec(*s.session,
            "merge into customers c using (values (1, 50)) v (id, age) on c.id = v.id "
            "when matched then update set age = v.age",
            true, "MERGE 1", 1);
  CHECK(testing::Scalar(s.lease.id, "SELECT age FROM customers WHERE id = 1") == "50");
  CheckExec(*s.session, "create table big_orders_copy as select * from orders where amount > 900",
            true, "SELECT 90", 90);
  CheckExec(*s.session, "alter table orders add column note text", true, "ALTER TABLE", -1);
  CheckExec(*s.session, "update orders set note = 'x'", true, "UPDATE 990", 990);
  CHECK(Count(s.lease, "orders WHERE note = 'x'") == "990");
  CHECK(testing::Scalar(testing::SourceDatabase(), "SELECT count(*) FROM orders") == "1000");
}

TEST_CASE("exec outside a transaction block: concurrently, vacuum, and SET for the session") {
  auto s = testing::OpenSessionOnClone();
  auto in_block =
      s.session->Exec("create index concurrently on orders (amount)", true, testing::Limits());
  REQUIRE_FALSE(in_block.ok());
  CHECK(in_block.error().code == "database_error");
  CHECK(in_block.error().sqlstate == "25001");
  CheckExec(*s.session, "create index concurrently orders_amount_idx on orders (amount)", false,
            "CREATE INDEX", -1);
  CHECK(Count(s.lease, "pg_indexes WHERE indexname = 'orders_amount_idx'") == "1");
  CheckExec(*s.session, "reindex index concurrently orders_amount_idx", false, "REINDEX", -1);
  CheckExec(*s.session, "vacuum (analyze) orders", false, "VACUUM", -1);
  CHECK(testing::Scalar(s.lease.id,
                        "SELECT vacuum_count > 0 AND analyze_count > 0 FROM pg_stat_user_tables "
                        "WHERE relname = 'orders'") == "t");
  CheckExec(*s.session, "set work_mem = '256MB'", false, "SET", -1);
  auto analyzed = s.session->Explain("select 1", ExplainMode::kAnalyze, testing::Limits());
  REQUIRE(analyzed.ok());
  CHECK(analyzed->find("\"work_mem\": \"256MB\"") != std::string::npos);
  // A transactional SET is committed, so it persists for the session too.
  CheckExec(*s.session, "set random_page_cost = 1.5", true, "SET", -1);
  analyzed = s.session->Explain("select 1", ExplainMode::kAnalyze, testing::Limits());
  REQUIRE(analyzed.ok());
  CHECK(analyzed->find("\"random_page_cost\": \"1.5\"") != std::string::npos);
  CHECK(analyzed->find("\"work_mem\": \"256MB\"") != std::string::npos);
  CheckExec(*s.session, "reset work_mem", false, "RESET", -1);
  analyzed = s.session->Explain("select 1", ExplainMode::kAnalyze, testing::Limits());
  REQUIRE(analyzed.ok());
  CHECK(analyzed->find("work_mem") == std::string::npos);
}

TEST_CASE("a user's SET or RESET does not lift planbot's limits for the next command") {
  auto s = testing::OpenSessionOnClone();
  for (bool transactional : {false, true}) {
    for (const char* sql : {"set statement_timeout = 0", "reset all", "set lock_timeout = 0"}) {
      INFO(sql << (transactional ? " in a transaction" : " at session level"));
      REQUIRE(s.session->Exec(sql, transactional, testing::Limits()).ok());
      auto start = Clock::now();
      auto result = s.session->Explain("select pg_sleep(5)", ExplainMode::kAnalyze,
                                       testing::Limits(1000, 10000));
      REQUIRE_FALSE(result.ok());
      CHECK(result.error().code == "timeout");
      CHECK(result.error().message == "statement exceeded statement_timeout (1s)");
      CHECK(std::chrono::duration<double>(Clock::now() - start).count() < 2.0);
      auto exec =
          s.session->Exec("select pg_sleep(5)", !transactional, testing::Limits(1000, 10000));
      REQUIRE_FALSE(exec.ok());
      CHECK(exec.error().message == "statement exceeded statement_timeout (1s)");
    }
  }
  // lock_timeout too, at session level.
  auto locker = testing::Connect(s.lease.id);
  pqxx::work hold(*locker);
  hold.exec0("LOCK TABLE customers IN ACCESS EXCLUSIVE MODE");
  REQUIRE(s.session->Exec("set lock_timeout = 0", false, testing::Limits()).ok());
  auto vacuum = s.session->Exec("vacuum customers", false, testing::Limits(10000, 11000, 250));
  REQUIRE_FALSE(vacuum.ok());
  CHECK(vacuum.error().code == "timeout");
  CHECK(vacuum.error().message == "statement exceeded lock_timeout (250ms) waiting for a lock");
  hold.abort();
  CHECK(s.session->usable());
}

TEST_CASE("a failing exec is sanitized and rolled back; the session goes on") {
  auto s = testing::OpenSessionOnClone();
  auto result = s.session->Exec(
      "insert into customers (email) values ('new@example.com'), ('bob@example.com')", true,
      testing::Limits());
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == "database_error");
  CHECK(result.error().sqlstate == "23505");
  CHECK(result.error().message.find("bob@") == std::string::npos);
  CHECK(Count(s.lease, "customers") == "2");

  result = s.session->Exec("update customers set age = -1 where email like 'bob%'", true,
                           testing::Limits());
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().sqlstate == "23514");
  CHECK(result.error().message.find("bob") == std::string::npos);

  result =
      s.session->Exec("update orders set amount = 1; delete from orders", true, testing::Limits());
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().sqlstate == "42601");
  CHECK(Count(s.lease, "orders WHERE amount = 1") == "1");  // only the original row

  // A utility statement analyses its names as it runs: the fixed message, without the name.
  result = s.session->Exec("vacuum no_such_table", false, testing::Limits());
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().sqlstate == "42P01");
  CHECK(result.error().message == "the relation does not exist [SQLSTATE 42P01 undefined_table]");

  result = s.session->Exec("update customers set age = note::int", true, testing::Limits());
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().sqlstate == "22P02");
  CHECK(result.error().message.find("not xml") == std::string::npos);

  CHECK(s.session->usable());
  CheckExec(*s.session, "update customers set age = 7", true, "UPDATE 2", 2);
}

TEST_CASE("exec: the deadline and Cancel() stop it; a terminated backend is clone_unavailable") {
  auto s = testing::OpenSessionOnClone();
  for (bool transactional : {true, false}) {
    auto start = Clock::now();
    auto result =
        s.session->Exec("select pg_sleep(10)", transactional, testing::Limits(30000, 1000));
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == "timeout");
    CHECK(result.error().message == "cancelled by planbot after the 1s deadline");
    CHECK(std::chrono::duration<double>(Clock::now() - start).count() < 2.0);
  }
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    s.session->Cancel();
  });
  auto result = s.session->Exec("select pg_sleep(10)", false, testing::Limits());
  canceller.join();
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().message == "the statement was cancelled");
  CHECK(s.session->usable());
  CheckExec(*s.session, "vacuum orders", false, "VACUUM", -1);

  std::thread killer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    testing::Execute(
        "", "SELECT pg_terminate_backend(" + std::to_string(s.session->backend_pid()) + ")");
  });
  result = s.session->Exec("select pg_sleep(10)", false, testing::Limits());
  killer.join();
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == "clone_unavailable");
  CHECK_FALSE(s.session->usable());
  auto again = s.session->Exec("vacuum orders", false, testing::Limits());
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == "clone_unavailable");
}

}  // namespace
}  // namespace planbot::adapters
