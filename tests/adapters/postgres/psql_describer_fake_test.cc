// PsqlDescriber with a fake psql (a shell script through PsqlDescriberOptions::psql_path): what
// psql receives (argv, environment: the password only in PGPASSWORD, nothing inherited), which
// stderr lines reach the user, the output cap, and failures of the program itself.
#include <doctest/doctest.h>
#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "adapters/postgres/psql_describer.h"
#include "tests/support/child_test_util.h"

namespace planbot::adapters {
namespace {

using namespace std::chrono_literals;

constexpr char kPassword[] = "pw-Hunter2-77f1";

core::ConnectionInfo Connection() {
  core::ConnectionInfo c;
  c.host = "clone.internal";
  c.port = 6543;
  c.dbname = "clone db's";
  c.user = "pb_session";
  c.password = kPassword;
  c.sslmode = "verify-full";
  return c;
}

// Runs `meta pattern` through a fake psql made of `script`.
Result<std::string> RunFake(const testing::TempDir& dir, const std::string& script,
                            const std::string& meta = "\\d", const std::string& pattern = "",
                            std::chrono::milliseconds timeout = 10s, size_t max_output = 1 << 20) {
  PsqlDescriberOptions options;
  options.psql_path = dir.Script("psql", script);
  options.max_output_bytes = max_output;
  return PsqlDescriber(options).Describe(Connection(), meta, pattern, timeout);
}

// Sets environment variables planbot's process might have, for the scope.
class PlanbotEnvironment {
 public:
  PlanbotEnvironment() {
    for (const char* name : kNames) ::setenv(name, "from-planbot", 1);
  }
  ~PlanbotEnvironment() {
    for (const char* name : kNames) ::unsetenv(name);
  }

 private:
  static constexpr const char* kNames[] = {"PGSERVICE", "PGPASSFILE",          "PGOPTIONS",
                                           "PAGER",     "PSQL_PAGER",          "PGSSLMODE",
                                           "PGAPPNAME", "PGTARGETSESSIONATTRS"};
};

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    lines.push_back(text.substr(start, end - start));
  }
  return lines;
}

bool Has(const std::vector<std::string>& lines, const std::string& line) {
  for (const auto& l : lines) {
    if (l == line) return true;
  }
  return false;
}

TEST_CASE("psql gets the command as one argument and the password only in its environment") {
  testing::TempDir dir;
  PlanbotEnvironment planbot_env;
  auto out = RunFake(dir,
                     "for a in \"$@\"; do printf '%s\\n' \"$a\"; done > " + dir.path() +
                         "/argv\nenv > " + dir.path() + "/env\nprintf ' fake | table\\n\\n'",
                     "\\d+", "\"Order Items\"");
  REQUIRE(out.ok());
  CHECK(*out == " fake | table\n\n");
  std::string argv_text = dir.Read("argv");
  auto argv = Lines(argv_text);
  CHECK(argv == std::vector<std::string>{
                    "-X", "--no-password", "-v", "ON_ERROR_STOP=1", "-v", "VERBOSITY=sqlstate",
                    "-P", "pager=off", "--dbname",
                    "host='clone.internal' port='6543' dbname='clone db\\'s' user='pb_session' "
                    "sslmode='verify-full' application_name='planbot-describe' "
                    "options='-c statement_timeout=10000 -c default_transaction_read_only=on'",
                    "-c", "\\d+ \"Order Items\""});
  CHECK(argv_text.find("Hunter2") == std::string::npos);
  CHECK(argv_text.find("password=") == std::string::npos);
  CHECK(argv_text.find("PGPASSWORD") == std::string::npos);
  auto env = Lines(dir.Read("env"));
  CHECK(Has(env, std::string("PGPASSWORD=") + kPassword));
  for (const char* expected :
       {"HOME=/nonexistent", "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "PGCLIENTENCODING=UTF8",
        "PGPASSFILE=/nonexistent/.pgpass", "PATH=/usr/bin:/bin"}) {
    CHECK_MESSAGE(Has(env, expected), expected);
  }
  for (const auto& line : env) {
    CHECK_MESSAGE(line.find("from-planbot") == std::string::npos, line);
    CHECK_MESSAGE(line.rfind("PAGER=", 0) != 0, line);
    CHECK_MESSAGE(line.rfind("PGHOST=", 0) != 0, line);
    CHECK_MESSAGE(line.rfind("PGPORT=", 0) != 0, line);
    CHECK_MESSAGE(line.rfind("PGUSER=", 0) != 0, line);
    CHECK_MESSAGE(line.rfind("PGDATABASE=", 0) != 0, line);
  }
}

TEST_CASE("no password: no PGPASSWORD at all") {
  testing::TempDir dir;
  PsqlDescriberOptions options;
  options.psql_path = dir.Script("psql", "env > " + dir.path() + "/env");
  auto c = Connection();
  c.password.clear();
  c.sslmode.clear();
  auto out = PsqlDescriber(options).Describe(c, "\\dt", "", 10s);
  REQUIRE(out.ok());
  CHECK(dir.Read("env").find("PGPASSWORD") == std::string::npos);
}

TEST_CASE("notices and warnings on stderr are dropped, and the table is the answer") {
  testing::TempDir dir;
  auto out = RunFake(dir,
                     "echo 'NOTICE:  leaked: secret-value' >&2\n"
                     "echo 'WARNING:  leaked warning: secret-value' >&2\n"
                     "echo 'DETAIL:  secret-value' >&2\n"
                     "printf 'the table\\n'");
  REQUIRE(out.ok());
  CHECK(*out == "the table\n");
}

TEST_CASE("server texts never reach the user; psql's own messages and SQLSTATEs do") {
  testing::TempDir dir;
  struct Case {
    std::string script;
    std::string code;
    std::string message;
  };
  std::vector<Case> cases = {
      {"echo 'ERROR:  invalid input syntax for type integer: \"secret-value\"' >&2; exit 1",
       "describe_failed", "psql failed (exit 1)"},
      {"echo 'some text psql does not know: secret-value' >&2; exit 0", "describe_failed",
       "psql failed (exit 0)"},
      {"echo 'ERROR:  42501' >&2; exit 1", "describe_failed", "server error, SQLSTATE 42501"},
      {"echo 'ERROR:  57014' >&2; exit 1", "timeout",
       "\\d was canceled by the server's statement_timeout"},
      {"echo 'Did not find any relations.' >&2; exit 0", "describe_failed",
       "Did not find any relations."},
      {"echo 'improper qualified name (too many dotted names): a.b.c.d' >&2; exit 1",
       "describe_failed", "improper qualified name (too many dotted names): a.b.c.d"},
      {"printf 'psql: error: connection to server failed: FATAL:  no pg_hba.conf entry\\n"
       "\\tDETAIL: secret-value\\n' >&2; exit 2",
       "describe_failed", "psql: error: connection to server failed: FATAL:  no pg_hba.conf entry"},
      {"echo 'psql: error: it said pw-Hunter2-77f1 somehow' >&2; exit 2", "describe_failed",
       "psql: error: it said *** somehow"},
      {"exit 3", "describe_failed", "psql failed (exit 3)"},
      {"kill -KILL $$", "describe_failed", "psql was ended by signal 9"},
  };
  for (const Case& c : cases) {
    auto out = RunFake(dir, c.script);
    REQUIRE_FALSE_MESSAGE(out.ok(), c.script);
    CHECK_MESSAGE(out.error().code == c.code, c.script);
    CHECK_MESSAGE(out.error().message == c.message, c.script);
  }
  auto sqlstate = RunFake(dir, "echo 'ERROR:  42501' >&2; exit 1");
  REQUIRE_FALSE(sqlstate.ok());
  CHECK(sqlstate.error().sqlstate == "42501");
}

TEST_CASE("output past the cap is cut at a line end and marked; psql is stopped") {
  testing::TempDir dir;
  auto out = RunFake(dir, "while true; do echo ' 12345 | a row of a very long table'; done", "\\d",
                     "", 10s, 1000);
  REQUIRE(out.ok());
  CHECK(out->size() < 1100);
  CHECK(out->find(" 12345 | a row of a very long table\n(output truncated: psql printed more "
                  "than 1000 bytes)\n") != std::string::npos);
  CHECK(testing::ZombieChildren() == 0);
}

TEST_CASE("a psql that hangs is a timeout and is reaped") {
  testing::TempDir dir;
  auto out = RunFake(dir, "exec sleep 30", "\\dt", "", 300ms);
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().code == "timeout");
  CHECK(out.error().message == "\\dt did not finish within 300 ms");
  CHECK(testing::ZombieChildren() == 0);
}

TEST_CASE("a psql that cannot be run is describe_failed, with nothing left behind") {
  PsqlDescriberOptions options;
  options.psql_path = "/nonexistent/psql";
  auto out = PsqlDescriber(options).Describe(Connection(), "\\d", "", 10s);
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().code == "describe_failed");
  CHECK(out.error().message.find("cannot run /nonexistent/psql") != std::string::npos);
  CHECK(testing::ZombieChildren() == 0);
}

TEST_CASE("a refused command never starts psql") {
  testing::TempDir dir;
  auto out = RunFake(dir, "touch " + dir.path() + "/ran", "\\d", "orders; drop table x");
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().code == "refused");
  CHECK(out.error().message == "\\d takes one object name; ';' is not allowed");
  CHECK_FALSE(std::filesystem::exists(dir.path() + "/ran"));
  auto c = Connection();
  c.host = std::string("evil\0host", 9);
  PsqlDescriberOptions options;
  options.psql_path = dir.Script("psql2", "touch " + dir.path() + "/ran2");
  auto nul = PsqlDescriber(options).Describe(c, "\\d", "", 10s);
  REQUIRE_FALSE(nul.ok());
  CHECK(nul.error().code == "describe_failed");
  CHECK_FALSE(std::filesystem::exists(dir.path() + "/ran2"));
}

TEST_CASE("the default psql is PostgreSQL 15's") {
  PsqlDescriber describer;
  CHECK((describer.psql_path() == "/usr/lib/postgresql/15/bin/psql" ||
         describer.psql_path() == "/usr/bin/psql"));
}

}  // namespace
}  // namespace planbot::adapters
