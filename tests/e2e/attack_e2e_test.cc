// The data channels of SECURITY.md, attacked as a user would, through the HTTP API of the whole
// service on the real PostgreSQL of scripts/test, under both history policies. A canary value
// lives only in a table of the session's clone (put there by the admin, never typed by the
// attacker); after every attack it must be in no answer, no log line (debug level included) and
// no file of the store (planbot.db, -wal, -shm). Each channel also has its legitimate use, which
// must keep working.
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/pg_test_env.h"
#include "tests/support/service_stack.h"

namespace planbot::testing {
namespace {

using nlohmann::json;

constexpr char kCanary[] = "zq7canary_4d1f";  // a valid relation name, so casts get far
// Ten digits: a five-digit canary turned up by chance in the hex of the audit log's hashes (the
// WAL holds hundreds of them), about one run in thirty.
constexpr char kNumber[] = "1987654321";

bool FileHolds(const std::filesystem::path& path, const std::string& needle) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return bytes.find(needle) != std::string::npos;
}

struct Attacked {
  explicit Attacked(const std::string& history) {
    StackOptions options;
    options.history = history;
    options.logger = logs.logger();
    stack = std::make_unique<ServiceStack>(std::move(options));
    auto [status, first] = stack->Ask("plan select 1");
    REQUIRE_MESSAGE(status == 200, first.dump());
    clone = stack->SessionClone();
    Execute(clone, std::string("CREATE TABLE vault AS SELECT '") + kCanary + "'::text AS secret, " +
                       kNumber + " AS num; ALTER TABLE vault OWNER TO " + clone);
  }

  // Sends `text`; the answer must hold no canary. Returns status and body.
  std::pair<int, json> Ask(const std::string& text) {
    auto [status, body] = stack->Ask(text);
    const std::string dump = body.dump();
    CHECK_MESSAGE(dump.find(kCanary) == std::string::npos, text << " -> " << dump);
    CHECK_MESSAGE(dump.find(kNumber) == std::string::npos, text << " -> " << dump);
    CHECK_MESSAGE(status < 500, text << " -> " << dump);
    return {status, body};
  }

  void ExpectNoCanaryAnywhere() {
    CHECK(logs.Text().find(kCanary) == std::string::npos);
    CHECK(logs.Text().find(kNumber) == std::string::npos);
    const auto db = stack->store_path();
    for (const std::string suffix : {"", "-wal", "-shm"}) {
      const std::filesystem::path file = db.string() + suffix;
      CHECK_MESSAGE(!FileHolds(file, kCanary), file);
      CHECK_MESSAGE(!FileHolds(file, kNumber), file);
    }
  }

  LogCapture logs;
  std::unique_ptr<ServiceStack> stack;
  std::string clone;
};

// Error texts: values printed without quotes, values that re-pair quotes, exec over rows.
void ErrorChannels(Attacked& a) {
  for (const char* sql : {
           "explain select secret::regoper from vault",
           "explain select secret::regoperator from vault",
           "explain select (secret || '()')::regprocedure from vault",
           "explain select ('a.b.c.' || secret)::regclass from vault",
           "explain select ('x.y.' || secret)::regclass from vault",
           "explain select secret::regclass from vault",
           "explain select pg_get_object_address('table', array[secret], '{}') from vault",
           "explain select current_setting('x\" ' || secret || ' \"z') from vault",
           "explain select lo_get(num) from vault",
           "explain select pg_tablespace_size(num::oid) from vault",
           "explain select secret::int from vault",
           "explain select 1/(num - num) from vault",
           "exec alter table vault alter column secret type regclass using secret::regclass",
           "exec alter table vault add constraint c check (secret::regoper is not null)",
           "exec alter table vault add column g int generated always as (secret::int) stored",
           "exec create index on vault ((secret::int))",
           "exec create table leak as select ('a.b.c.' || secret)::regclass from vault",
           "exec insert into vault (secret) select secret::regoper::text from vault",
           "exec update vault set num = secret::int",
       }) {
    auto [status, body] = a.Ask(sql);
    CHECK_MESSAGE(status == 400, sql);
    CHECK(body["error"]["code"] == "database_error");
    CHECK_FALSE(body["error"].contains("position"));
  }
  // The legitimate case: the user's own mistake, named, with PostgreSQL's caret.
  auto [status, body] = a.Ask("plan select secret, nosuch from vault");
  CHECK(status == 400);
  CHECK(body["error"]["message"] ==
        "column \"nosuch\" does not exist [SQLSTATE 42703 undefined_column]");
  CHECK(body["error"]["position"] == 16);
  CHECK(body["message"].get<std::string>().find("^") != std::string::npos);
}

// Dictionary echo: the candidates are typed (so they are in the SQL, and under "full" in
// history); what must not come back is which one matched.
void DictionaryEcho(Attacked& a) {
  const std::string candidates = std::string("alpha_1 ") + kCanary + " gamma_3";
  for (const std::string& sql : {
           "explain select secret::regclass from vault where '" + candidates + "' <> ''",
           "explain select secret::regclass /* " + candidates + " */ from vault",
           "explain select secret::regclass, 1 as " + std::string(kCanary) + " from vault",
       }) {
    auto [status, body] = a.stack->Ask(sql);
    CHECK(status == 400);
    CHECK_MESSAGE(
        body["error"]["message"] == "the relation does not exist [SQLSTATE 42P01 undefined_table]",
        body.dump());
  }
}

// Settings: inside the explained statement, and session state left by an exec.
void SettingsChannels(Attacked& a) {
  auto [status, body] =
      a.Ask("explain select set_config('search_path', (select secret from vault), true)");
  REQUIRE(status == 200);
  CHECK(body["plan"]["text"].get<std::string>().find("search_path = '(withheld)'") !=
        std::string::npos);
  CHECK(a.Ask("exec create table t2 as select set_config('search_path', secret, false) a, "
              "set_config('work_mem', num::text || 'kB', false) b, "
              "set_config('my.leak', secret, false) c from vault")
            .first == 200);
  auto [after_status, after] = a.Ask("explain select 1");
  REQUIRE(after_status == 200);
  CHECK(after["plan"]["text"].get<std::string>().find("Settings") == std::string::npos);
  // Legitimate: a literal SET is shown as typed.
  REQUIRE(a.Ask("exec set work_mem = '12MB'").first == 200);
  auto [set_status, set] = a.Ask("explain select 1");
  REQUIRE(set_status == 200);
  CHECK(set["plan"]["text"].get<std::string>().find("Settings: work_mem = '12MB'") !=
        std::string::npos);
  // Non-constant partition bounds would be printed back by \d.
  REQUIRE(a.Ask("exec create table p (k text) partition by list (k)").first == 200);
  auto [bound_status, bound] =
      a.Ask("exec create table p1 partition of p for values in (current_setting('my.leak'))");
  CHECK(bound_status == 400);
  CHECK(bound["error"]["code"] == "refused");
  CHECK(a.Ask("exec create table p2 partition of p for values in ('a', 'b')").first == 200);
  auto [describe_status, describe] = a.Ask("\\d+ p");
  CHECK(describe_status == 200);
}

// HypoPG on a dropped table crashed the whole server; planbot refuses hypopg_* and its own
// calls stay safe.
void Hypopg(Attacked& a) {
  const std::string started = Scalar("", "select pg_postmaster_start_time()");
  REQUIRE(a.Ask("exec create extension if not exists hypopg").first == 200);
  REQUIRE(a.Ask("exec create table hx (k int)").first == 200);
  auto [made_status, made] = a.Ask("hypo create index on hx (k)");
  REQUIRE_MESSAGE(made_status == 200, made.dump());
  const std::string oid = std::to_string(made["result"]["index"]["oid"].get<int64_t>());
  REQUIRE(a.Ask("exec drop table hx").first == 200);
  for (const std::string& sql :
       {"explain select hypopg_get_indexdef(" + oid + ")",
        std::string("plan select * from hypopg_list_indexes, hypopg()"),
        "exec create table hy as select hypopg_relation_size(" + oid + ")"}) {
    auto [status, body] = a.Ask(sql);
    CHECK(status == 400);
    CHECK(body["error"]["code"] == "refused");
  }
  auto [desc_status, desc] = a.Ask("hypo desc");
  CHECK(desc_status == 200);
  CHECK(a.Ask("hypo reset").first == 200);
  CHECK(Scalar("", "select pg_postmaster_start_time()") == started);
}

// \l names only this session's clone and its source; \dT+ is not \dt+.
void Catalog(Attacked& a) {
  auto [status, body] = a.Ask("\\l");
  REQUIRE(status == 200);
  const std::string out = body["result"]["output"];
  CHECK(out.find(a.clone) != std::string::npos);
  CHECK(out.find(SourceDatabase()) != std::string::npos);
  CHECK(out.find("template1") == std::string::npos);
  CHECK(out.find(a.stack->provider_prefix() + "_") == out.find(a.clone));  // no other clone
  auto [types_status, types] = a.Ask("\\dT+");
  CHECK(types_status == 400);
  CHECK(types["error"]["code"] == "unknown_command");
}

// Analysis cost: a 1 MiB chain of operators is refused at once; the service goes on.
void AnalysisCost(Attacked& a) {
  std::string sql = "plan select 1";
  while (sql.size() < (1 << 20) - 100) sql += "+1";
  auto [status, body] = a.stack->Ask(sql);
  CHECK(status == 400);
  CHECK(body["error"]["code"] == "too_complex");
  CHECK(a.Ask("plan select 1").first == 200);
}

void RunAll(const std::string& history) {
  Attacked a(history);
  ErrorChannels(a);
  SettingsChannels(a);
  Hypopg(a);
  Catalog(a);
  AnalysisCost(a);
  // Comments do not reach the normalized SQL (history, audit): the audit log is never purged.
  REQUIRE(a.Ask("plan select 1 /* note-to-self c0mment */").first == 200);
  auto [audit_status, audit] = a.stack->Get("/api/v1/history?limit=1");
  REQUIRE(audit_status == 200);
  CHECK(audit["entries"][0]["normalized"] == "select $1");
  a.ExpectNoCanaryAnywhere();
  const std::filesystem::path db = a.stack->store_path();
  if (history == "normalized") CHECK_FALSE(FileHolds(db, "c0mment"));
  // Last: these attacks type the canary themselves (as the candidate to be echoed).
  DictionaryEcho(a);
}

TEST_CASE("attacks on every data channel leave no canary: normalized history") {
  RunAll("normalized");
}

TEST_CASE("attacks on every data channel leave no canary: full history") { RunAll("full"); }

}  // namespace
}  // namespace planbot::testing
