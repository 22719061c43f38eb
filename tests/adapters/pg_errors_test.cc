// pg_errors: the rules on their own, then real server errors end to end through a session on a
// clone of the fixture (tests/adapters/pg_test_env.h), checking that no value reaches the user.
#include "adapters/pg_errors.h"

#include <doctest/doctest.h>

#include <initializer_list>

#include "tests/adapters/pg_test_env.h"

namespace planbot::adapters {
namespace {

using bot::ExplainMode;

// The answer to `sql` must be a database_error with `sqlstate` and none of `secrets`.
Error ExpectWithheld(bot::DatabaseSession& session, const std::string& sql, ExplainMode mode,
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

TEST_CASE("fixed messages carry the SQLSTATE and its condition name, never the server text") {
  std::string m = SafeErrorMessage(
      "22P02", "invalid input syntax for type integer: \"bob@example.com\"", "select email::int");
  CHECK(m.find("22P02") != std::string::npos);
  CHECK(m.find("invalid_text_representation") != std::string::npos);
  CHECK(m.find("bob") == std::string::npos);
  CHECK(SafeErrorMessage("22012", "division by zero", "select 1/0").find("division by zero") !=
        std::string::npos);
  CHECK(SafeErrorMessage("2F005", "whatever 'x'", "") ==
        "database error [SQLSTATE 2F005 function_executed_no_return_statement]");
  CHECK(SafeErrorMessage("ZZ999", "secret", "") == "database error [SQLSTATE ZZ999]");
  CHECK(SafeErrorMessage("bad", "secret", "") == "database error");
  CHECK(SafeErrorMessage("22", "secret", "") == "database error");
  CHECK(ConditionName("57014") == "query_canceled");
  CHECK(ConditionName("XXXXX").empty());
}

TEST_CASE("class 42 and 0A000 primary messages are shown only when they quote the user's SQL") {
  const std::string sql = "select * from nosuchtable where Foo = 1";
  CHECK(PrimaryMessageIsSafe("42P01", "relation \"nosuchtable\" does not exist", sql));
  CHECK(PrimaryMessageIsSafe("42601", "syntax error at end of input", sql));
  CHECK(PrimaryMessageIsSafe("0A000", "cannot use \"foo\" here", sql));  // folded identifier
  // A value quoted as a relation name (a regclass cast) is not in the SQL.
  CHECK_FALSE(PrimaryMessageIsSafe("42P01", "relation \"bob@example.com\" does not exist", sql));
  // Not class 42 / 0A000, even if the quoted part is in the SQL.
  CHECK_FALSE(PrimaryMessageIsSafe("22P02", "bad value \"nosuchtable\"", sql));
  // Any single quote, a line break, an unpaired quote, an empty quoted part.
  CHECK_FALSE(PrimaryMessageIsSafe("42601", "syntax error at or near 'x'", sql));
  CHECK_FALSE(PrimaryMessageIsSafe("42601", "syntax error\nDETAIL", sql));
  CHECK_FALSE(PrimaryMessageIsSafe("42601", "syntax error at \"nosuchtable", sql));
  CHECK_FALSE(PrimaryMessageIsSafe("42601", "syntax error at \"\"", sql));
  // Upper case must match exactly; a word must stand as a whole word.
  CHECK(PrimaryMessageIsSafe("42703", "column \"Foo\" does not exist", sql));
  CHECK_FALSE(PrimaryMessageIsSafe("42703", "column \"FOO\" does not exist", sql));
  CHECK_FALSE(PrimaryMessageIsSafe("42P01", "relation \"such\" does not exist", sql));
  CHECK_FALSE(PrimaryMessageIsSafe("42P01", "relation \"e\" does not exist", sql));
  CHECK(PrimaryMessageIsSafe("42601", "syntax error at or near \"=\"", sql));
  CHECK(SafeErrorMessage("42P01", "relation \"nosuchtable\" does not exist", sql) ==
        "relation \"nosuchtable\" does not exist [SQLSTATE 42P01 undefined_table]");
}

TEST_CASE("constraint violations may name the constraint or column, never the row") {
  std::string m = SafeErrorMessage(
      "23505", "duplicate key value violates unique constraint \"customers_email_key\"", "");
  CHECK(m.find("constraint \"customers_email_key\"") != std::string::npos);
  m = SafeErrorMessage("23502",
                       "null value in column \"email\" of relation \"customers\" violates "
                       "not-null constraint",
                       "");
  CHECK(m.find("column \"email\"") != std::string::npos);
  // Something that is not an identifier is not repeated.
  m = SafeErrorMessage("23514", "violates check constraint \"bob@example.com\"", "");
  CHECK(m.find("bob") == std::string::npos);
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
