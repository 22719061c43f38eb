// pg_errors: the rules on their own.
#include "adapters/pg_errors.h"

#include <doctest/doctest.h>

namespace planbot::adapters {
namespace {

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

}  // namespace
}  // namespace planbot::adapters
