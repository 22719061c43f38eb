// `planbot serve` and `planbot ask` as processes, the way a user runs them: a config file,
// orphan clones from a crashed run dropped at start, answers and exit codes from `ask`, and
// every clone dropped when the service stops on SIGTERM.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "storage/sqlite_db.h"
#include "storage/store.h"
#include "tests/support/pg_test_env.h"
#include "tests/support/process_helpers.h"

using namespace planbot;
using testing::CountClones;
using testing::FreePort;
using testing::Run;
using testing::Shell;
using testing::Spawn;
using testing::WaitHealthy;

TEST_CASE("planbot serve and planbot ask as processes, from start to SIGTERM") {
  std::string prefix = testing::UniqueName("proc");
  auto dir = std::filesystem::temp_directory_path() / testing::UniqueName("planbot_proc");
  std::filesystem::create_directories(dir);
  int port = FreePort();
  std::string url = "http://127.0.0.1:" + std::to_string(port);
  {
    std::ofstream config(dir / "planbot.yaml");
    config << "listen: 127.0.0.1:" << port << "\n"
           << "store: " << (dir / "planbot.db").string() << "\n"
           << "databases:\n"
           << "  - name: shop\n"
           << "    provider: local\n"
           << "    local: {source: " << testing::SourceDatabase() << ", clone_prefix: " << prefix
           << ", warm_clones: 1}\n";
  }
  // Leftovers of a crashed run with the same prefix.
  testing::Execute("", "CREATE DATABASE " + prefix + "_0123456789ab");
  testing::Execute("", "CREATE ROLE " + prefix + "_0123456789ab");
  REQUIRE(CountClones(prefix) == 2);

  std::string log = (dir / "serve.log").string();
  pid_t pid = Spawn({PLANBOT_BINARY, "serve", "--config", (dir / "planbot.yaml").string()}, log);
  std::string why = "planbot serve did not become healthy; see " + log;
  REQUIRE_MESSAGE(WaitHealthy(port), why);
  CHECK(testing::Scalar("", "select count(*) from pg_database where datname = '" + prefix +
                                "_0123456789ab'") == "0");

  std::string ask = std::string(PLANBOT_BINARY) + " ask --url " + url + " ";
  Run plan = Shell(ask + "\"plan select * from customers where id = 1\"");
  CHECK(plan.code == 0);
  CHECK(plan.out.find("plan · shop · session loopback:127.0.0.1") == 0);
  CHECK(plan.out.find("Index Scan using customers_pkey on public.customers") != std::string::npos);
  Run json = Shell(ask + "--json \"explain select 1\"");
  CHECK(json.code == 0);
  CHECK(json.out.find("\"plan\": {") != std::string::npos);
  Run syntax = Shell(ask + "\"plan selec 1\"");
  CHECK(syntax.code == 1);
  CHECK(syntax.out.find("error: syntax error at or near \"selec\"") != std::string::npos);
  // The command from stdin (TEXT -) and from a file: a query too large for one argument
  // (Linux takes at most 128 KiB per argument).
  Run piped = Shell("printf 'plan select * from customers\\nwhere id = 2' | " + ask + "-");
  CHECK_MESSAGE(piped.code == 0, piped.out);
  CHECK(piped.out.find("plan · shop · session loopback:127.0.0.1") == 0);
  CHECK(piped.out.find("Index Cond: (customers.id = 2)") != std::string::npos);
  const std::string large = "plan select id from customers where email = '" +
                            std::string(200 * 1024, 'x') + "@example.com'";
  std::ofstream(dir / "large.txt") << large;
  Run from_file = Shell(ask + "--file " + (dir / "large.txt").string());
  CHECK(from_file.code == 0);
  CHECK(from_file.out.find("plan · shop · session loopback:127.0.0.1") == 0);
  Run both = Shell(ask + "--file " + (dir / "large.txt").string() + " \"plan select 1\"");
  CHECK(both.code == 2);
  CHECK(both.out.find("give the command once") != std::string::npos);

  const std::string closed = "http://127.0.0.1:" + std::to_string(FreePort());
  Run unreachable =
      Shell(std::string(PLANBOT_BINARY) + " ask --url " + closed + " \"plan select 1\"");
  CHECK(unreachable.code == 2);
  CHECK(unreachable.out == "planbot ask: cannot reach " + closed +
                               ": connection refused (nothing "
                               "listens on " +
                               closed.substr(7) + ")\n");
  Run usage = Shell(std::string(PLANBOT_BINARY) + " ask --url notaurl \"plan select 1\"");
  CHECK(usage.code == 2);
  CHECK(CountClones(prefix) >= 2);  // the session's clone and a warm one (database + role each)

  REQUIRE(kill(pid, SIGTERM) == 0);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(CountClones(prefix) == 0);
  std::ifstream in(log);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text.find("stopping on SIGTERM") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("planbot serve refuses a bad configuration with one line and exit code 2") {
  auto dir = std::filesystem::temp_directory_path() / testing::UniqueName("planbot_badcfg");
  std::filesystem::create_directories(dir);
  {
    std::ofstream config(dir / "bad.yaml");
    config << "listen: 0.0.0.0:8080\ndatabases:\n  - name: shop\n    local: {source: x}\n";
  }
  Run run = Shell(std::string(PLANBOT_BINARY) + " serve --config " + (dir / "bad.yaml").string());
  CHECK(run.code == 2);
  CHECK(run.out.find("tokens") != std::string::npos);
  Run typo = Shell(std::string(PLANBOT_BINARY) + " serve --config /nonexistent.yaml");
  CHECK(typo.code == 2);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a session survives kill -9 and a restart of planbot serve while its clone exists") {
  std::string prefix = testing::UniqueName("keep");
  auto dir = std::filesystem::temp_directory_path() / testing::UniqueName("planbot_keep");
  std::filesystem::create_directories(dir);
  int port = FreePort();
  {
    std::ofstream config(dir / "planbot.yaml");
    config << "listen: 127.0.0.1:" << port << "\n"
           << "store: " << (dir / "planbot.db").string() << "\n"
           << "databases:\n"
           << "  - name: shop\n"
           << "    local: {source: " << testing::SourceDatabase() << ", clone_prefix: " << prefix
           << ", warm_clones: 0}\n";
  }
  const std::vector<std::string> serve = {PLANBOT_BINARY, "serve", "--config",
                                          (dir / "planbot.yaml").string()};
  std::string ask =
      std::string(PLANBOT_BINARY) + " ask --url http://127.0.0.1:" + std::to_string(port) + " ";
  const std::string by_date = "\"explain select * from orders where created = date '2024-02-01'\"";

  pid_t first = Spawn(serve, (dir / "first.log").string());
  REQUIRE(WaitHealthy(port));
  Run made = Shell(ask + "\"exec create index orders_created_idx on orders (created)\"");
  REQUIRE_MESSAGE(made.code == 0, made.out);
  CHECK(made.out.find("CREATE INDEX") != std::string::npos);
  REQUIRE(kill(first, SIGKILL) == 0);
  REQUIRE(waitpid(first, nullptr, 0) == first);
  CHECK(CountClones(prefix) == 2);  // its database and role are still there

  pid_t second = Spawn(serve, (dir / "second.log").string());
  REQUIRE(WaitHealthy(port));
  CHECK(CountClones(prefix) == 2);  // the kept clone was not dropped as an orphan
  Run used = Shell(ask + by_date);
  CHECK(used.code == 0);
  CHECK(used.out.find("note: session loopback:127.0.0.1 restored after a restart") == 0);
  CHECK(used.out.find("orders_created_idx") != std::string::npos);
  Run again = Shell(ask + by_date);
  CHECK(again.out.find("note:") == std::string::npos);  // said once

  REQUIRE(kill(second, SIGTERM) == 0);
  REQUIRE(waitpid(second, nullptr, 0) == second);
  CHECK(CountClones(prefix) == 0);
  std::filesystem::remove_all(dir);
}

TEST_CASE("planbot audit verify: intact chain exit 0, a changed or removed entry exit 1") {
  auto dir = std::filesystem::temp_directory_path() / testing::UniqueName("planbot_audit");
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "planbot.db").string();
  {
    auto store = storage::Store::Open(path);
    REQUIRE(store.ok());
    for (int i = 0; i < 5; ++i) {
      storage::AuditEntry a;
      a.actor = "ana";
      a.action = "command";
      a.channel = "http";
      a.command = "plan";
      a.outcome = "ok";
      REQUIRE((*store)->Audit(a).ok());
    }
  }
  const std::string verify = std::string(PLANBOT_BINARY) + " audit verify --store " + path;
  Run intact = Shell(verify);
  CHECK(intact.code == 0);
  CHECK(intact.out.find("audit log intact: 5 entries, head #5") == 0);

  {
    auto raw = storage::SqliteDb::Open(path, storage::SqliteDb::Mode::kReadWrite);
    REQUIRE(raw.ok());
    REQUIRE(raw->Exec("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;").ok());
    REQUIRE(raw->Exec("UPDATE audit SET actor = 'mallory' WHERE id = 3").ok());
  }
  Run changed = Shell(verify);
  CHECK(changed.code == 1);
  CHECK(changed.out.find("audit log BROKEN at entry #3") == 0);

  Run missing = Shell(std::string(PLANBOT_BINARY) + " audit verify --store " + path + ".nope");
  CHECK(missing.code == 2);
  CHECK(missing.out.find("no store at") != std::string::npos);
  std::filesystem::remove_all(dir);
}
