// The error sanitizer on its own: fixed messages, the analysis-phase rule, the template table,
// and the attacks that beat the old "every quoted part appears in the SQL" rule. Real server
// errors end to end are in tests/adapters/postgres/session_errors_test.cc.
#include "analyzer/server_errors.h"

#include <doctest/doctest.h>

#include <string>

namespace planbot::analyzer {
namespace {

constexpr auto kAnalysis = ErrorPhase::kAnalysis;
constexpr auto kExecution = ErrorPhase::kExecution;

bool Shown(const std::string& sqlstate, const std::string& message, const std::string& sql) {
  return SafeErrorMessage(sqlstate, message, kAnalysis, sql).starts_with(message + " [SQLSTATE");
}

TEST_CASE("fixed messages carry the SQLSTATE and its condition name, never the server text") {
  std::string m =
      SafeErrorMessage("22P02", "invalid input syntax for type integer: \"bob@example.com\"",
                       kExecution, "select email::int");
  CHECK(m.find("22P02") != std::string::npos);
  CHECK(m.find("invalid_text_representation") != std::string::npos);
  CHECK(m.find("bob") == std::string::npos);
  CHECK(SafeErrorMessage("22012", "division by zero", kExecution, "select 1/0")
            .find("division by zero") != std::string::npos);
  CHECK(SafeErrorMessage("2F005", "whatever 'x'", kExecution, "") ==
        "database error [SQLSTATE 2F005 function_executed_no_return_statement]");
  CHECK(SafeErrorMessage("ZZ999", "secret", kAnalysis, "") == "database error [SQLSTATE ZZ999]");
  CHECK(SafeErrorMessage("bad", "secret", kAnalysis, "") == "database error");
  CHECK(SafeErrorMessage("22", "secret", kAnalysis, "") == "database error");
  CHECK(FixedErrorMessage("42P01") ==
        "the relation does not exist [SQLSTATE 42P01 undefined_table]");
  CHECK(FixedErrorMessage("nope") == "database error");
  CHECK(ConditionName("57014") == "query_canceled");
  CHECK(ConditionName("XXXXX").empty());
}

TEST_CASE("errors of parse analysis show the server's text when it names only the user's names") {
  const std::string sql = "select Foo, \"Bar\", t.x from nosuchtable t where b = 1 order by 5";
  CHECK(Shown("42P01", "relation \"nosuchtable\" does not exist", sql));
  CHECK(Shown("42703", "column \"foo\" does not exist", sql));  // folded, as the server prints it
  CHECK(Shown("42703", "column \"Bar\" does not exist", sql));  // quoted: as written
  CHECK(Shown("42703", "column t.x does not exist", sql));
  CHECK(Shown("42P10", "ORDER BY position 5 is not in select list", sql));
  CHECK(Shown("42P01", "missing FROM-clause entry for table \"t\"", sql));
  CHECK(Shown("42883", "function lower(integer) does not exist", "select lower(1)"));
  CHECK(Shown("42883", "function public.f(text, integer[]) does not exist",
              "select public.f('a', array[1])"));
  CHECK(Shown("42883", "function f(x => integer) does not exist", "select f(x => 1)"));
  CHECK(Shown("42883", "operator does not exist: integer = text", "select 1 = 'a'::text"));
  CHECK(Shown("42883", "operator does not exist: - boolean", "select - true"));
  CHECK(Shown("42883",
              "operator does not exist: timestamp without time zone + character varying(10)",
              "select now()::timestamp + 'x'::varchar(10)"));
  CHECK(Shown("42804", "argument of WHERE must be type boolean, not type integer",
              "select 1 from t where 1"));
  CHECK(Shown("42804", "UNION types integer and text cannot be matched",
              "select 1 union select 'a'::text"));
  CHECK(Shown("42804", "CASE/WHEN could not convert type text to integer",
              "select case when true then 1 else 'a'::text end"));
  CHECK(Shown("42803",
              "column \"o.total\" must appear in the GROUP BY clause or be used in an aggregate "
              "function",
              "select o.total from o group by o.id"));
  CHECK(Shown("42P18", "could not determine data type of parameter $1", "select $1"));
  CHECK(Shown("42601", "improper qualified name (too many dotted names): a.b.c.d",
              "select 1 from a.b.c.d"));
  CHECK(Shown("0A000", "cross-database references are not implemented: db.s.t",
              "select 1 from db.s.t"));
  CHECK(Shown("42704", "type \"nosuch\" does not exist", "select 1::nosuch"));
  CHECK(Shown("42601", "subquery in FROM must have an alias", "select 1 from (select 1)"));
  CHECK(Shown("0A000", "set-returning functions are not allowed in WHERE",
              "select 1 where generate_series(1, 2) > 1"));
}

TEST_CASE("run-time errors never show the server's text, whatever it says") {
  const std::string sql = "select * from nosuchtable";
  CHECK(SafeErrorMessage("42P01", "relation \"nosuchtable\" does not exist", kExecution, sql) ==
        "the relation does not exist [SQLSTATE 42P01 undefined_table]");
}

TEST_CASE("values printed without quotes are not names of the SQL") {
  const std::string sql = "select name::regoper, a.b.c from t";
  CHECK_FALSE(Shown("42883", "operator does not exist: secret-value", sql));
  CHECK_FALSE(Shown("42883", "operator does not exist: bob", sql));
  CHECK_FALSE(Shown("42601", "improper relation name (too many dotted names): a.b.c.secret", sql));
  CHECK_FALSE(Shown("0A000", "cross-database references are not implemented: a.b.secret", sql));
  CHECK_FALSE(Shown("42883", "function secret() does not exist", sql));
  CHECK_FALSE(Shown("42704", "large object 4711 does not exist", sql));
  CHECK_FALSE(Shown("42704", "tablespace with OID 4711 does not exist", sql));
}

TEST_CASE("a value carrying its own quotes cannot re-pair the message's quotes") {
  // current_setting('x" ' || name || ' "z'): the names x and z are in the SQL (as literals
  // here, and as identifiers in the second SQL); the value between them is not.
  CHECK_FALSE(Shown("42704", "unrecognized configuration parameter \"x\" secret \"z\"",
                    "select current_setting('x\" ' || name || ' \"z') from t"));
  CHECK_FALSE(Shown("42P01", "relation \"x\" secret \"z\" does not exist", "select x, z from t"));
  CHECK_FALSE(
      Shown("42P01", "relation \"x\" does not exist\" \"z\" does not exist", "select x, z from t"));
}

TEST_CASE("candidates written into a literal or a comment do not count as names") {
  const std::string sql =
      "select name::regclass from t where 'alice bob carol' <> '' /* dave erin */ -- frank\n";
  for (const char* candidate : {"alice", "bob", "carol", "dave", "erin", "frank"}) {
    CAPTURE(candidate);
    CHECK_FALSE(Shown("42P01", std::string("relation \"") + candidate + "\" does not exist", sql));
  }
  CHECK_FALSE(Shown("42P10", "ORDER BY position 7 is not in select list",
                    "select 1 from t where x = '7' order by 1"));
}

TEST_CASE("messages outside the template table, or malformed, get the fixed text") {
  const std::string sql = "select foo from t";
  CHECK_FALSE(Shown("42601", "syntax error at or near \"foo\"", sql));
  CHECK_FALSE(Shown("42P01", "relation \"foo\" does not exist\nDETAIL: x", sql));
  CHECK_FALSE(Shown("42P01", "relation \"\" does not exist", sql));
  CHECK_FALSE(Shown("42P01", " relation \"foo\" does not exist", sql));
  CHECK_FALSE(Shown("22P02", "relation \"foo\" does not exist", sql));  // not class 42
  CHECK_FALSE(Shown("42P01", "relation \"foo\" does not exist", "select 1"));
  CHECK_FALSE(Shown("42804", "argument of WHERE must be type secret, not type integer", sql));
  CHECK_FALSE(Shown("42804", "argument of where x must be type boolean, not type integer", sql));
  CHECK(SafeErrorMessage("42P01", "relation \"x\" does not exist", kAnalysis, "select 1") ==
        "the relation does not exist [SQLSTATE 42P01 undefined_table]");
}

TEST_CASE("constraint violations may name the constraint or column, never the row") {
  std::string m = SafeErrorMessage(
      "23505", "duplicate key value violates unique constraint \"customers_email_key\"", kExecution,
      "");
  CHECK(m.find("constraint \"customers_email_key\"") != std::string::npos);
  m = SafeErrorMessage("23502",
                       "null value in column \"email\" of relation \"customers\" violates "
                       "not-null constraint",
                       kExecution, "");
  CHECK(m.find("column \"email\"") != std::string::npos);
  // Something that is not an identifier is not repeated.
  m = SafeErrorMessage("23514", "violates check constraint \"bob@example.com\"", kExecution, "");
  CHECK(m.find("bob") == std::string::npos);
}

}  // namespace
}  // namespace planbot::analyzer
