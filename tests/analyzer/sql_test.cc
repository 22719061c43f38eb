// Splitting, functions, errors, normalization and fingerprints as the bot relies on them.
#include "analyzer/sql.h"

#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <vector>

namespace planbot::analyzer {
namespace {

std::vector<std::string> Kinds(const std::vector<SqlStatement>& statements) {
  std::vector<std::string> kinds;
  for (const SqlStatement& s : statements) kinds.emplace_back(StatementKindName(s.kind));
  return kinds;
}

TEST_CASE("empty statements are not statements") {
  Result<std::vector<SqlStatement>> statements = ParseStatements("select 1;;");
  REQUIRE(statements.ok());
  REQUIRE(statements->size() == 1);
  CHECK((*statements)[0].kind == "select");
  CHECK((*statements)[0].text == "select 1");
  CHECK((*statements)[0].location == 0);

  for (const char* nothing : {"", "   ", ";", ";;", "-- just a comment", "/* ; */ ;\n"}) {
    CAPTURE(nothing);
    Result<std::vector<SqlStatement>> none = ParseStatements(nothing);
    REQUIRE(none.ok());
    CHECK(none->empty());
    Result<SqlStatement> single = ParseSingleStatement(nothing);
    REQUIRE_FALSE(single.ok());
    CHECK(single.error().code == "empty");
    CHECK(single.error().message == "no SQL statement");
  }
}

TEST_CASE("statements are split by the parser, with their text and offset") {
  const std::string sql =
      " select 1;\n  select ';' as \"a;b\" ; /* ; */ insert into t values (1) ;";
  Result<std::vector<SqlStatement>> statements = ParseStatements(sql);
  REQUIRE(statements.ok());
  CHECK(Kinds(*statements) == std::vector<std::string>{"select", "select", "insert"});
  for (const SqlStatement& s : *statements) {
    CHECK(sql.substr(s.location, s.text.size()) == s.text);
  }
  CHECK((*statements)[0].text == "select 1");
  CHECK((*statements)[0].location == 1);
  CHECK((*statements)[1].text == "select ';' as \"a;b\"");
  CHECK((*statements)[2].text == "/* ; */ insert into t values (1)");
}

TEST_CASE("semicolons inside bodies, strings and comments do not split") {
  for (const char* sql : {"create function f() returns int as $$ select 1; $$ language sql",
                          "/* ; */ select ';'", "select 1 -- ; select 2",
                          "do $x$ begin perform 1; perform 2; end $x$", "select E'\\';' , $$;$$"}) {
    CAPTURE(sql);
    Result<SqlStatement> statement = ParseSingleStatement(sql);
    REQUIRE(statement.ok());
  }
  Result<SqlStatement> function =
      ParseSingleStatement("create function f() returns int as $$ select 1; $$ language sql");
  REQUIRE(function.ok());
  CHECK(function->kind == "create_function");
}

TEST_CASE("two statements are refused") {
  Result<SqlStatement> statement = ParseSingleStatement("select 1; select 2");
  REQUIRE_FALSE(statement.ok());
  CHECK(statement.error().code == "multiple_statements");
  CHECK(statement.error().message == "2 statements; send one at a time");
  CHECK(statement.error().position == 11);  // where the second one starts

  Result<SqlStatement> smuggled = ParseSingleStatement("explain select 1; select ssn from t");
  REQUIRE_FALSE(smuggled.ok());
  CHECK(smuggled.error().code == "multiple_statements");
}

TEST_CASE("every function called is listed once, in text order") {
  Result<SqlStatement> statement = ParseSingleStatement(
      "select pg_read_file('x'), public.f(1), count(*) from t where lower(a) = 'x' and "
      "lower(b) = Upper(pg_read_file('y'))");
  REQUIRE(statement.ok());
  CHECK(statement->functions ==
        std::vector<std::string>{"pg_read_file", "public.f", "count", "lower", "upper"});
}

TEST_CASE("functions are found wherever they hide") {
  auto functions = [](const char* sql) {
    Result<SqlStatement> statement = ParseSingleStatement(sql);
    REQUIRE(statement.ok());
    return statement->functions;
  };
  CHECK(functions("call p(f(1))") == std::vector<std::string>{"p", "f"});
  CHECK(functions("select * from generate_series(1, 3)") ==
        std::vector<std::string>{"generate_series"});
  CHECK(functions("explain analyze select set_config('a', 'b', false)") ==
        std::vector<std::string>{"set_config"});
  CHECK(functions("with x as (select lo_import('/etc/passwd')) select 1") ==
        std::vector<std::string>{"lo_import"});
  CHECK(functions("create index on t (lower(a)) where f(b)") ==
        std::vector<std::string>{"lower", "f"});
  CHECK(functions("select extract(year from now())") ==
        std::vector<std::string>{"pg_catalog.extract", "now"});
  CHECK(functions("select 1").empty());
  // Bodies are strings to the parser.
  CHECK(functions("do $$ begin perform pg_read_file('x'); end $$").empty());
}

TEST_CASE("syntax errors carry the parser's message and byte position") {
  Result<SqlStatement> typo = ParseSingleStatement("selec 1");
  REQUIRE_FALSE(typo.ok());
  CHECK(typo.error().code == "syntax_error");
  CHECK(typo.error().message == "syntax error at or near \"selec\"");
  CHECK(typo.error().position == 1);

  Result<std::vector<SqlStatement>> frm = ParseStatements("select * frm t");
  REQUIRE_FALSE(frm.ok());
  CHECK(frm.error().message == "syntax error at or near \"frm\"");
  CHECK(frm.error().position == 10);

  // PostgreSQL counts characters; the position is in bytes.
  Result<std::vector<SqlStatement>> utf8 = ParseStatements("select 'éé', 'ü' frm x");
  REQUIRE_FALSE(utf8.ok());
  CHECK(utf8.error().position == 25);

  Result<std::vector<SqlStatement>> later = ParseStatements("select 1; selec 2");
  REQUIRE_FALSE(later.ok());
  CHECK(later.error().position == 11);

  Result<std::vector<SqlStatement>> open = ParseStatements("select 'abc");
  REQUIRE_FALSE(open.ok());
  CHECK(open.error().message.starts_with("unterminated quoted string"));
  CHECK(open.error().position == 8);
}

TEST_CASE("text a C string would cut or the server would refuse is a syntax error") {
  const std::string with_nul("select 1\0; drop table t", 23);
  Result<std::vector<SqlStatement>> nul = ParseStatements(with_nul);
  REQUIRE_FALSE(nul.ok());
  CHECK(nul.error().code == "syntax_error");
  CHECK(nul.error().position == 9);
  CHECK_FALSE(Normalize(with_nul).ok());
  CHECK_FALSE(Fingerprint(with_nul).ok());

  Result<std::vector<SqlStatement>> latin1 = ParseStatements("select 'caf\xe9'");
  REQUIRE_FALSE(latin1.ok());
  CHECK(latin1.error().message == "invalid byte sequence for encoding \"UTF8\"");
  CHECK(latin1.error().position == 12);
}

TEST_CASE("normalize replaces constants by parameters") {
  Result<std::string> normalized =
      Normalize("select * from t where a = 'bob@example.com' and b in (1, 2) and c = true");
  REQUIRE(normalized.ok());
  CHECK(*normalized == "select * from t where a = $1 and b in ($2, $3) and c = $4");

  Result<std::string> existing = Normalize("select * from t where a = $1 and b = 5");
  REQUIRE(existing.ok());
  CHECK(*existing == "select * from t where a = $1 and b = $2");

  Result<std::string> bad = Normalize("selec 1");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == "syntax_error");
  CHECK(bad.error().position == 1);
}

TEST_CASE("normalize drops comments, which can hold anything") {
  Result<std::string> n = Normalize(
      "/* lead secret-1 */ select a,/*secret-2*/b -- secret-3\nfrom t where x = 'v' /* a /* nested "
      "*/ secret-4 */");
  REQUIRE(n.ok());
  CHECK(*n == "select a, b from t where x = $1");
  CHECK(n->find("secret") == std::string::npos);
  Result<std::string> glued = Normalize("select/*x*/1");
  REQUIRE(glued.ok());
  CHECK(*glued == "select $1");
  Result<std::string> dashes = Normalize("select '--not a comment', \"/*nor this*/\"");
  REQUIRE(dashes.ok());
  CHECK(*dashes == "select $1, \"/*nor this*/\"");
}

// Found by tests/fuzz/fuzz_sql_check: pg_query_normalize leaves the constants of utility
// statements in place, and the normalized text is kept in the audit log for good.
TEST_CASE("normalize leaves no string constant, in utility statements either") {
  Result<std::string> index = Normalize("create index on t(a) where b = 'bob@example.com'");
  REQUIRE(index.ok());
  CHECK(*index == "create index on t(a) where b = $1");
  Result<std::string> mixed =
      Normalize("create table x (a varchar(10) default E'sec\\'ret', b text default $$s$$)");
  REQUIRE(mixed.ok());
  CHECK(*mixed == "create table x (a varchar(10) default $1, b text default $2)");
  Result<std::string> set = Normalize("set application_name = 'secret-app'");
  REQUIRE(set.ok());
  CHECK(set->find("secret") == std::string::npos);
  // A query keeps pg_query_normalize's own numbering; $1 is a parameter, not a dollar quote.
  Result<std::string> query = Normalize("select $1, 'a' from t");
  REQUIRE(query.ok());
  CHECK(*query == "select $1, $2 from t");
}

TEST_CASE("statements beyond the limits are refused before anything builds a tree of them") {
  auto repeat = [](const std::string& s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += s;
    return out;
  };
  // Left-deep chains: 1+1+...+1 nests one level per operator (libpg_query writes the tree with
  // recursive functions; 500,000 of them overflowed the stack).
  const std::string deep = "select 1" + repeat("+1", kMaxSqlDepth);
  const std::string shallow = "select 1" + repeat("+1", kMaxSqlDepth - 10);
  const std::string unions = "select 1" + repeat(" union select 1", kMaxSqlDepth);
  const std::string parens =
      "select " + repeat("(", kMaxSqlDepth) + "1" + repeat(")", kMaxSqlDepth);
  const std::string many = "select 1 where 1 in (" + repeat("1,", kMaxSqlTokens / 2) + "1)";
  for (const std::string& sql : {deep, unions, parens, many}) {
    CAPTURE(sql.substr(0, 40));
    for (const Error& e : {ParseStatements(sql).error(), Normalize(sql).error(),
                           Fingerprint(sql).error(), CheckSingleStatement(sql).error()}) {
      CHECK(e.code == "too_complex");
    }
  }
  CHECK(ParseSingleStatement(deep).error().message.find("nests more than 1000 levels") !=
        std::string::npos);
  CHECK(ParseSingleStatement(many).error().message.find("tokens; planbot analyses at most") !=
        std::string::npos);
  // Lists are not chains: a long OR list, IN list or select list is as deep as one element.
  const std::string wide =
      "select " + repeat("a + b, ", 5000) + "1 from t where " + repeat("x = 1 or ", 5000) + "true";
  CHECK(CheckSingleStatement(wide).ok());
  CHECK(CheckSingleStatement(shallow).ok());
  auto checked = CheckSingleStatement("select /* c */ 1 from t where a = 'x'");
  REQUIRE(checked.ok());
  CHECK(checked->statement.kind == "select");
  CHECK(checked->normalized == "select $1 from t where a = $2");
  CHECK(checked->fingerprint == *Fingerprint("select 2 from t where a = 'y'"));
}

TEST_CASE("fingerprints ignore constants but not tables") {
  Result<std::string> a = Fingerprint("select * from orders where id = 1");
  Result<std::string> b = Fingerprint("SELECT *\n  FROM orders WHERE id = 42");
  Result<std::string> c = Fingerprint("select * from customers where id = 1");
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  REQUIRE(c.ok());
  CHECK(a->size() == 16);
  CHECK(a->find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(*a == *b);
  CHECK(*a != *c);
  CHECK(*Fingerprint("select 1 from t where x in (1, 2)") ==
        *Fingerprint("select 1 from t where x in (1, 2, 3, 4)"));
  Result<std::string> bad = Fingerprint("select * frm t");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().position == 10);
}

TEST_CASE("parsing from several threads at once") {
  constexpr int kThreads = 4;
  constexpr int kRounds = 200;
  std::vector<int> failures(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &failures] {
      for (int i = 0; i < kRounds; ++i) {
        const std::string sql = "select lower(a) from t" + std::to_string(t) +
                                " where b = " + std::to_string(i) + "; select * frm x";
        Result<std::vector<SqlStatement>> bad = ParseStatements(sql);
        Result<std::vector<SqlStatement>> good = ParseStatements(sql.substr(0, sql.find(';')));
        const bool ok = !bad.ok() &&
                        bad.error().position == static_cast<int>(sql.find("frm")) + 1 &&
                        good.ok() && good->size() == 1 && (*good)[0].kind == "select" &&
                        (*good)[0].functions == std::vector<std::string>{"lower"};
        if (!ok) ++failures[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  CHECK(failures == std::vector<int>(kThreads, 0));
}

}  // namespace
}  // namespace planbot::analyzer

TEST_CASE("CONCURRENTLY is reported for index builds, drops and reindexes") {
  using planbot::analyzer::ParseSingleStatement;
  CHECK(ParseSingleStatement("create index concurrently on t (a)")->concurrently);
  CHECK_FALSE(ParseSingleStatement("create index on t (a)")->concurrently);
  CHECK(ParseSingleStatement("drop index concurrently i")->concurrently);
  CHECK_FALSE(ParseSingleStatement("drop index i")->concurrently);
  CHECK(ParseSingleStatement("reindex (concurrently) table t")->concurrently);
  CHECK(ParseSingleStatement("reindex table concurrently t")->concurrently);
  CHECK_FALSE(ParseSingleStatement("reindex table t")->concurrently);
  CHECK_FALSE(ParseSingleStatement("select 1")->concurrently);
}
