// Database errors end to end: real server errors through a session on a clone of the fixture
// (tests/support/pg_test_env.h), checking that no value reaches the user (the rules on their own
// are tested in tests/analyzer/server_errors_test.cc). The attacks are those of SECURITY.md:
// casts that quote a value, messages that print it without quotes, values that re-pair the
// message's quotes, candidates written into the SQL (dictionary echo), `exec` statements that
// evaluate expressions over rows.
#include <doctest/doctest.h>

#include <initializer_list>

#include "tests/result_testing.h"
#include "tests/support/pg_test_env.h"

namespace planbot::adapters {
namespace {

using core::ExplainMode;

// The answer to `sql` must be a database_error with `sqlstate` and none of `secrets`.
Error ExpectWithheld(core::DatabaseSession& session, const std::string& sql, ExplainMode mode,
                     const std::string& sqlstate, std::initializer_list<const char*> secrets) {
  auto result = session.Explain(sql, mode, testing::Limits());
  REQUIRE_FALSE(result.ok());
  const Error& error = result.error();
  INFO(sql << " -> " << error.code << ": " << error.message);
  CHECK(error.code == "database_error");
  CHECK(error.sqlstate == sqlstate);
  CHECK(error.message.find(sqlstate) != std::string::npos);
  for (const char* secret : secrets) CHECK(error.message.find(secret) == std::string::npos);
  return error;
}

TEST_CASE("casts of column values never show the value") {
  auto s = testing::OpenSessionOnClone();
  auto& session = *s.session;
  const auto kAnalyze = ExplainMode::kAnalyze;
  ExpectWithheld(session, "select email::int from customers", kAnalyze, "22P02",
                 {"bob", "example"});
  ExpectWithheld(session, "select email::uuid from customers", kAnalyze, "22P02",
                 {"bob", "example"});
  ExpectWithheld(session, "select email::date from customers", kAnalyze, "22007",
                 {"bob", "example"});
  ExpectWithheld(session, "select email::json from customers", kAnalyze, "22P02",
                 {"bob", "example"});
  ExpectWithheld(session, "select note::xml from customers", kAnalyze, "2200N", {"not xml"});
  // The value would be named as a relation (42P01) or schema (3F000), and is not in the SQL.
  ExpectWithheld(session, "select email::regclass from customers", kAnalyze, "3F000",
                 {"bob", "example"});
  ExpectWithheld(session, "select replace(email, '.', '_')::regclass from customers", kAnalyze,
                 "42P01", {"bob", "example"});
  ExpectWithheld(session, "select (age * 100000000)::int from customers", kAnalyze, "22003",
                 {"4200000000"});
  ExpectWithheld(session, "select 1/(age - 42) from customers", kAnalyze, "22012", {});
}

TEST_CASE("literals of the query itself are withheld too, in plan and explain") {
  auto s = testing::OpenSessionOnClone();
  for (auto mode : {ExplainMode::kPlan, ExplainMode::kAnalyze}) {
    ExpectWithheld(*s.session, "select 'secret'::int", mode, "22P02", {"secret"});
    ExpectWithheld(*s.session, "select 1/0", mode, "22012", {});
    ExpectWithheld(*s.session, "select 'secret-date'::date", mode, "22007", {"secret"});
  }
}

TEST_CASE("constraint violations never show DETAIL") {
  auto s = testing::OpenSessionOnClone();
  auto& session = *s.session;
  const auto kAnalyze = ExplainMode::kAnalyze;
  Error e =
      ExpectWithheld(session, "insert into customers (email, age, note) values (null, 1, 'carol')",
                     kAnalyze, "23502", {"carol", "Failing row"});
  CHECK(e.message.find("\"email\"") != std::string::npos);
  e = ExpectWithheld(session, "insert into customers (email, age) values ('carol@secret.org', -1)",
                     kAnalyze, "23514", {"carol", "secret", "Failing row"});
  CHECK(e.message.find("customers_age_check") != std::string::npos);
  e = ExpectWithheld(session, "insert into customers (email) values ('bob@example.com')", kAnalyze,
                     "23505", {"bob", "example", "Key ("});
  CHECK(e.message.find("customers_email_key") != std::string::npos);
  ExpectWithheld(session, "insert into orders (customer_id) values (777777)", kAnalyze, "23503",
                 {"777777"});
  ExpectWithheld(session, "update customers set code = email", kAnalyze, "22001",
                 {"bob", "example"});
}

TEST_CASE("an undefined table is named, with its position in the user's SQL") {
  auto s = testing::OpenSessionOnClone();
  auto result =
      s.session->Explain("select * from nosuchtable", ExplainMode::kPlan, testing::Limits());
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == "database_error");
  CHECK(result.error().sqlstate == "42P01");
  CHECK(result.error().message ==
        "relation \"nosuchtable\" does not exist [SQLSTATE 42P01 undefined_table]");
  CHECK(result.error().position == 15);
}

// A table on the session's clone holding a canary that would be a valid relation name, so that
// casts to regclass and friends get as far as naming it.
constexpr char kCanary[] = "sekrit_canary_83b1";

void MakeCanaryTable(core::DatabaseSession& session) {
  auto made = session.Exec(
      std::string("create table vault as select '") + kCanary + "'::text as secret, 4711 as num",
      true, testing::Limits());
  REQUIRE_MESSAGE(made.ok(), testing::ErrorText(made));
}

TEST_CASE("values printed without quotes by the server stay withheld") {
  auto s = testing::OpenSessionOnClone();
  auto& session = *s.session;
  MakeCanaryTable(session);
  const auto kAnalyze = ExplainMode::kAnalyze;
  for (const char* sql : {
           "select secret::regoper from vault",
           "select secret::regoperator from vault",
           "select (secret || '(int)')::regoperator from vault",
           "select (secret || '()')::regprocedure from vault",
           "select secret::regproc from vault",
           "select secret::regtype from vault",
           "select ('a.b.c.' || secret)::regclass from vault",
           "select ('x.y.' || secret)::regclass from vault",
           "select pg_get_object_address('table', array[secret], '{}') from vault",
           "select pg_get_object_address('operator', array[secret], array['int4', 'int4']) "
           "from vault",
           "select current_setting(secret) from vault",
           "select lo_get(num) from vault",
           "select pg_tablespace_size(num::oid) from vault",
       }) {
    const std::string text = sql;
    CAPTURE(text);
    auto result = session.Explain(sql, kAnalyze, testing::Limits());
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == "database_error");
    CHECK(result.error().message.find(kCanary) == std::string::npos);
    CHECK(result.error().message.find("4711") == std::string::npos);
    CHECK(result.error().position == 0);  // which expression failed is not told either
  }
}

TEST_CASE("a value with its own quotes cannot re-pair the message's quotes") {
  auto s = testing::OpenSessionOnClone();
  MakeCanaryTable(*s.session);
  for (const char* sql : {
           "select current_setting('x\" ' || secret || ' \"z') from vault",
           "select ('\"x\" ' || secret || ' \"z\"')::regclass from vault",
           "select x.z from vault x where current_setting('x\" ' || secret || ' \"z') = ''",
       }) {
    const std::string text = sql;
    CAPTURE(text);
    auto result = s.session->Explain(sql, ExplainMode::kAnalyze, testing::Limits());
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().message.find(kCanary) == std::string::npos);
  }
}

TEST_CASE("dictionary echo: candidates in literals, comments or aliases are not the user's names") {
  auto s = testing::OpenSessionOnClone();
  MakeCanaryTable(*s.session);
  const std::string candidates = std::string("alpha_x beta_y ") + kCanary + " gamma_z";
  const std::string as_aliases = std::string("1 as alpha_x, 2 as ") + kCanary + ", 3 as gamma_z";
  for (const std::string& sql : {
           "select secret::regclass from vault where '" + candidates + "' <> ''",
           "select secret::regclass /* " + candidates + " */ from vault",
           "select secret::regclass from vault -- " + candidates + "\n",
           "select secret::regclass, " + as_aliases + " from vault",
           "select * from (select secret::regclass, " + as_aliases + " from vault) " + kCanary,
       }) {
    const std::string text = sql;
    CAPTURE(text);
    for (auto mode : {ExplainMode::kAnalyze, ExplainMode::kPlan}) {
      auto result = s.session->Explain(sql, mode, testing::Limits());
      if (mode == ExplainMode::kPlan) {
        CHECK(result.ok());  // nothing runs: no error, no value
        continue;
      }
      REQUIRE_FALSE(result.ok());
      CHECK(result.error().sqlstate == "42P01");
      CHECK(result.error().message ==
            "the relation does not exist [SQLSTATE 42P01 undefined_table]");
    }
  }
}

TEST_CASE("exec statements that evaluate expressions over rows never show a value") {
  auto s = testing::OpenSessionOnClone();
  auto& session = *s.session;
  MakeCanaryTable(session);
  struct Attack {
    const char* sql;
    bool transactional;
  };
  for (const Attack& a : {
           Attack{"alter table vault alter column secret type int using secret::int", true},
           Attack{"alter table vault alter column secret type regclass using secret::regclass",
                  true},
           Attack{"alter table vault alter column secret type oid using secret::regoper", true},
           Attack{"alter table vault add constraint c check (secret::regclass is not null)", true},
           Attack{"alter table vault add column g int generated always as (secret::int) stored",
                  true},
           Attack{"create index on vault ((secret::int))", true},
           Attack{"create index concurrently on vault ((secret::int))", false},
           Attack{"create table leak as select secret::regclass from vault", true},
           Attack{"create table leak as select ('a.b.c.' || secret)::regclass from vault", true},
           Attack{"insert into vault (secret) select secret::regoper::text from vault", true},
           Attack{"update vault set num = secret::int", true},
           Attack{"delete from vault where current_setting('x\" ' || secret || ' \"z') = ''", true},
       }) {
    const std::string text = a.sql;
    CAPTURE(text);
    auto result = session.Exec(a.sql, a.transactional, testing::Limits());
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().code == "database_error");
    CHECK(result.error().message.find(kCanary) == std::string::npos);
    CHECK(result.error().position == 0);
  }
  // VALIDATE after a NOT VALID constraint that could be added.
  auto added = session.Exec(
      "alter table vault add constraint v check (secret::regclass is not null) not valid", true,
      testing::Limits());
  REQUIRE_MESSAGE(added.ok(), testing::ErrorText(added));
  auto validated = session.Exec("alter table vault validate constraint v", true, testing::Limits());
  REQUIRE_FALSE(validated.ok());
  CHECK(validated.error().message.find(kCanary) == std::string::npos);
}

TEST_CASE("errors of parse analysis keep the server's message and position") {
  auto s = testing::OpenSessionOnClone();
  auto& session = *s.session;
  struct Case {
    std::string sql;
    std::string message;
    int position;
  };
  for (const Case& c : {
           Case{"select nosuch from customers", "column \"nosuch\" does not exist", 8},
           Case{"select c.nosuch from customers c", "column c.nosuch does not exist", 8},
           Case{"select lower(1)", "function lower(integer) does not exist", 8},
           Case{"select 1 = 'a'::text", "operator does not exist: integer = text", 10},
           Case{"select * from customers order by 9", "ORDER BY position 9 is not in select list",
                34},
           Case{"select email from customers group by age",
                "column \"customers.email\" must appear in the GROUP BY clause or be used in an "
                "aggregate function",
                8},
       }) {
    CAPTURE(c.sql);
    for (auto mode : {ExplainMode::kPlan, ExplainMode::kAnalyze}) {
      auto result = session.Explain(c.sql, mode, testing::Limits());
      REQUIRE_FALSE(result.ok());
      CHECK(result.error().message.starts_with(c.message + " [SQLSTATE"));
      CHECK(result.error().position == c.position);
    }
  }
  // exec: a plannable statement's analysis too; utility statements analyse as they run.
  auto insert = session.Exec("insert into nosuch values (1)", true, testing::Limits());
  REQUIRE_FALSE(insert.ok());
  CHECK(insert.error().message ==
        "relation \"nosuch\" does not exist [SQLSTATE 42P01 undefined_table]");
  CHECK(insert.error().position == 13);
  auto ctas =
      session.Exec("create table t2 as select nosuch from customers", true, testing::Limits());
  REQUIRE_FALSE(ctas.ok());
  CHECK(ctas.error().message.starts_with("column \"nosuch\" does not exist [SQLSTATE"));
  auto index = session.Exec("create index on nosuch (a)", true, testing::Limits());
  REQUIRE_FALSE(index.ok());
  CHECK(index.error().message == "the relation does not exist [SQLSTATE 42P01 undefined_table]");
}

TEST_CASE("exceptions raised by functions never show their message") {
  testing::LogCapture logs;
  PostgresSessionOptions options;
  options.logger = logs.logger();
  auto s = testing::OpenSessionOnClone(options);
  const auto kAnalyze = ExplainMode::kAnalyze;
  ExpectWithheld(*s.session, "select leak_raise(email) from customers", kAnalyze, "P0001",
                 {"bob", "example", "leaked"});
  // Raised with a class 42 SQLSTATE and no quotes: still withheld, it comes from a function.
  ExpectWithheld(*s.session, "select leak_raise42(email) from customers", kAnalyze, "42P01",
                 {"bob", "example"});
  CHECK(logs.Text().find("bob") == std::string::npos);  // debug_database_errors is off
}

TEST_CASE("debug_database_errors logs the full text at debug level, and only then") {
  testing::LogCapture logs;
  PostgresSessionOptions options;
  options.logger = logs.logger();
  options.debug_database_errors = true;
  auto s = testing::OpenSessionOnClone(options);
  ExpectWithheld(*s.session, "select leak_raise(email) from customers", ExplainMode::kAnalyze,
                 "P0001", {"bob"});
  CHECK(logs.Text().find("leaked: bob@example.com") != std::string::npos);
  CHECK(logs.Text().find("CONTEXT") != std::string::npos);
}

TEST_CASE("notices and warnings never surface: not to the user, the log or stderr") {
  testing::LogCapture logs;
  PostgresSessionOptions options;
  options.logger = logs.logger();
  options.debug_database_errors = true;
  auto s = testing::OpenSessionOnClone(options);
  std::string err;
  Result<std::string> result = std::string();
  {
    testing::StderrCapture capture;
    result = s.session->Explain("select leak_notice(email) from customers", ExplainMode::kAnalyze,
                                testing::Limits());
    err = capture.Text();
  }
  REQUIRE(result.ok());
  CHECK(result->find("leaked") == std::string::npos);
  CHECK(err.find("leaked") == std::string::npos);
  CHECK(err.find("bob") == std::string::npos);
  CHECK(logs.Text().find("leaked") == std::string::npos);
}

}  // namespace
}  // namespace planbot::adapters
