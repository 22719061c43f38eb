#include "tests/analyzer/fidelity_corpus.h"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "tests/analyzer/fidelity_diff.h"
#include "tests/result_testing.h"

namespace planbot::fidelity {
namespace {

constexpr char kSmallCorpus[] = R"(-- A comment before the entries.
-- session: SET jit = off
-- session: SET TimeZone = 'UTC'

-- name: first
-- note: why this entry exists
-- setup: SET enable_seqscan = off
-- setup: SET work_mem = '64kB'
-- modes: plan, analyze
-- expect: Seq Scan, Sort
-- expect_text: Sort Key
SELECT 1
  -- a comment inside the statement
  FROM t;

-- name: second
-- modes: wal
-- expect: ModifyTable
DELETE FROM t
)";

TEST_CASE("ParseCorpus reads session settings, headers and statements") {
  const Result<Corpus> corpus = ParseCorpus(kSmallCorpus);
  REQUIRE(corpus.ok());
  CHECK(corpus->session_sql == "SET jit = off; SET TimeZone = 'UTC'");
  REQUIRE(corpus->entries.size() == 2);
  const Entry& first = corpus->entries[0];
  CHECK(first.name == "first");
  CHECK(first.line == 5);
  CHECK(first.setup == "SET enable_seqscan = off; SET work_mem = '64kB'");
  CHECK(first.modes == std::vector<std::string>{"plan", "analyze"});
  CHECK(first.expect == std::vector<std::string>{"Seq Scan", "Sort"});
  CHECK(first.expect_text == std::vector<std::string>{"Sort Key"});
  CHECK(first.sql == "SELECT 1\n  -- a comment inside the statement\n  FROM t");
  CHECK(corpus->entries[1].sql == "DELETE FROM t");
  CHECK(corpus->entries[1].setup.empty());
}

TEST_CASE("ParseCorpus rejects malformed entries with their line") {
  const auto error_of = [](const std::string& text) {
    const Result<Corpus> corpus = ParseCorpus(text);
    return corpus.ok() ? std::string() : corpus.error().message;
  };
  CHECK(error_of("-- name: a\n-- modes: plan\n-- expect: Result\n-- colour: red\nSELECT 1\n")
            .find("line 4: unknown header 'colour'") != std::string::npos);
  CHECK(error_of("-- name: a\n-- modes: plan\nSELECT 1\n").find("no expect") != std::string::npos);
  CHECK(error_of("-- name: a\n-- modes: explain\n-- expect: Result\nSELECT 1\n")
            .find("unknown mode explain") != std::string::npos);
  CHECK(error_of("-- name: a\n-- modes: plan\n-- expect: Result\n").find("no statement") !=
        std::string::npos);
  CHECK(error_of("-- name: a\n-- modes: plan\n-- expect: Result\nSELECT 1\n"
                 "-- name: a\n-- modes: plan\n-- expect: Result\nSELECT 2\n")
            .find("duplicate name 'a'") != std::string::npos);
  CHECK(error_of("SELECT 1;\n").find("before the first") != std::string::npos);
}

TEST_CASE("the shipped corpus parses and is large enough") {
  std::ifstream in(std::string(PLANBOT_TEST_DATA_DIR) + "/fidelity/statements.sql");
  REQUIRE(in.good());
  std::ostringstream text;
  text << in.rdbuf();
  const Result<Corpus> corpus = ParseCorpus(text.str());
  REQUIRE_MESSAGE(corpus.ok(), planbot::testing::ErrorText(corpus));
  CHECK(corpus->entries.size() >= 70);
}

TEST_CASE("ExplainSql puts the mode's options before FORMAT") {
  const ModeSpec* buffers = FindMode("buffers");
  REQUIRE(buffers != nullptr);
  CHECK(buffers->warm_up);
  CHECK(ExplainSql(*buffers, "JSON", "SELECT 1") ==
        "EXPLAIN (ANALYZE, TIMING OFF, SUMMARY OFF, BUFFERS, FORMAT JSON) SELECT 1");
  CHECK(FindMode("wal")->checkpoint);
  CHECK(FindMode("nope") == nullptr);
}

TEST_CASE("MaskTimings hides milliseconds and nothing else") {
  CHECK(
      MaskTimings("(cost=0.29..8.31 rows=1 width=45) (actual time=0.012..10.500 rows=1 loops=1)") ==
      "(cost=0.29..8.31 rows=1 width=45) (actual time=#.###..#.### rows=1 loops=1)");
  CHECK(MaskTimings("Execution Time: 1234.567 ms") == "Execution Time: #.### ms");
  CHECK(MaskTimings("Trigger t: time=0.101 calls=3") == "Trigger t: time=#.### calls=3");
  CHECK(MaskTimings("x = 1.2345 AND y = 12.34 AND z = 7") == "x = 1.2345 AND y = 12.34 AND z = 7");
}

TEST_CASE("SplitSqlStatements honours quotes, dollar quotes and comments") {
  const std::vector<std::string> statements = SplitSqlStatements(
      "SET a = 'x;y';\n"
      "-- a comment; not a statement\n"
      "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$;\n"
      "DO $body$ BEGIN PERFORM 1; END $body$;\n"
      "/* block; /* nested; */ still comment; */ SELECT \"a;b\", $1 FROM t;\n"
      "VACUUM ANALYZE\n");
  REQUIRE(statements.size() == 5);
  CHECK(statements[0] == "SET a = 'x;y'");
  CHECK(statements[1].starts_with("-- a comment; not a statement\nCREATE FUNCTION"));
  CHECK(statements[1].ends_with("END $$"));
  CHECK(statements[2] == "DO $body$ BEGIN PERFORM 1; END $body$");
  CHECK(statements[3].ends_with("SELECT \"a;b\", $1 FROM t"));
  CHECK(statements[4] == "VACUUM ANALYZE");
  CHECK(SplitSqlStatements("-- only a comment;\n  ;\n").empty());
}

TEST_CASE("UnifiedLineDiff shows changed lines with context") {
  CHECK(UnifiedLineDiff("a\nb\n", "a\nb\n").empty());
  const std::string diff =
      UnifiedLineDiff("1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n2\n3\n4\nfive\n6\n7\n8\n9\n");
  CHECK(diff ==
        "--- expected (EXPLAIN FORMAT TEXT)\n+++ got (RenderText of FORMAT JSON)\n"
        "@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
}

TEST_CASE("UnifiedLineDiff makes invisible differences visible") {
  CHECK(UnifiedLineDiff("a\n", "a").find("+\\ No newline at end of text") != std::string::npos);
  CHECK(UnifiedLineDiff("a  b\n", "a  b \n").find("+a  b $\n") != std::string::npos);
  const std::string two_hunks =
      UnifiedLineDiff("a\n1\n2\n3\n4\n5\n6\n7\n8\nb\n", "A\n1\n2\n3\n4\n5\n6\n7\n8\nB\n", 1);
  CHECK(two_hunks.find("@@ -1,2 +1,2 @@\n-a\n+A\n 1\n") != std::string::npos);
  CHECK(two_hunks.find("@@ -9,2 +9,2 @@\n 8\n-b\n+B\n") != std::string::npos);
}

}  // namespace
}  // namespace planbot::fidelity
