// Where the store is, with `planbot` run as a process in a working directory the way a user
// runs it: `planbot audit verify` and `planbot admin purge` without flags find the store of
// .planbot/planbot.yaml (what scripts/demo writes), say which store they used, prefer
// ./planbot.yaml and $PLANBOT_CONFIG; `planbot serve` without flags uses that same store.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "storage/store.h"
#include "tests/support/pg_test_env.h"
#include "tests/support/process_helpers.h"

using namespace planbot;
using testing::Run;
using testing::Shell;

namespace {

struct Workdir {
  Workdir() {
    dir = std::filesystem::temp_directory_path() / testing::UniqueName("planbot_where");
    std::filesystem::create_directories(dir / ".planbot");
  }
  ~Workdir() { std::filesystem::remove_all(dir); }
  std::string store() const { return (dir / ".planbot" / "planbot.db").string(); }
  void Write(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name) << text;
  }
  // `planbot ARGS` run in the directory, without a $PLANBOT_CONFIG of the caller's.
  Run Planbot(const std::string& args, const std::string& env = "") const {
    return Shell("cd " + dir.string() + " && env -u PLANBOT_CONFIG " + env + " " + PLANBOT_BINARY +
                 " " + args);
  }
  std::filesystem::path dir;
};

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("planbot audit verify and admin purge without flags find .planbot/planbot.yaml's store") {
  Workdir w;
  w.Write(".planbot/planbot.yaml",
          "store: " + w.store() + "\ndatabases:\n  - {name: shop, local: {source: shop}}\n");
  {
    auto store = storage::Store::Open(w.store());
    REQUIRE(store.ok());
    storage::AuditEntry a;
    a.actor = "ana";
    a.action = "command";
    a.channel = "http";
    a.command = "plan";
    a.outcome = "ok";
    for (int i = 0; i < 3; ++i) REQUIRE((*store)->Audit(a).ok());
  }
  const std::string named = "planbot audit verify: using store " + w.store() +
                            ", the `store` of .planbot/planbot.yaml (found in the working "
                            "directory; written by scripts/demo)\n";
  Run verify = w.Planbot("audit verify");
  CHECK_MESSAGE(verify.code == 0, verify.out);
  CHECK(verify.out.find(named) == 0);
  CHECK(verify.out.find("audit log intact: 3 entries, head #3") != std::string::npos);

  Run purge = w.Planbot("admin purge --all");
  CHECK_MESSAGE(purge.code == 0, purge.out);
  CHECK(purge.out.find("planbot admin purge: using store " + w.store()) == 0);
  CHECK(purge.out.find("purged 0 history entries") != std::string::npos);
  Run after = w.Planbot("audit verify");
  CHECK(after.out.find("audit log intact: 4 entries, head #4") != std::string::npos);

  // Named explicitly, nothing is said about where the store came from.
  Run explicit_store = w.Planbot("audit verify --store " + w.store());
  CHECK(explicit_store.code == 0);
  CHECK(explicit_store.out.find("audit log intact") == 0);

  // ./planbot.yaml comes before the demo's file; a store that is not there is named with it.
  w.Write("planbot.yaml",
          "store: ./elsewhere.db\ndatabases:\n  - {name: shop, local: "
          "{source: shop}}\n");
  Run local = w.Planbot("audit verify");
  CHECK(local.code == 2);
  CHECK(local.out == "planbot audit verify: no store at " + (w.dir / "elsewhere.db").string() +
                         ", the `store` of planbot.yaml (found in the working directory)\n");

  // $PLANBOT_CONFIG comes before both; when it names no file, that is the error.
  Run from_env = w.Planbot("audit verify", "PLANBOT_CONFIG=.planbot/planbot.yaml");
  CHECK(from_env.code == 0);
  CHECK(from_env.out.find("(named by $PLANBOT_CONFIG)") != std::string::npos);
  Run missing = w.Planbot("audit verify", "PLANBOT_CONFIG=/nonexistent.yaml");
  CHECK(missing.code == 2);
  CHECK(missing.out ==
        "planbot audit verify: $PLANBOT_CONFIG names /nonexistent.yaml, which does "
        "not exist or is not a file\n");

  // Nothing found: the built-in ./planbot.db, said so.
  std::filesystem::remove(w.dir / "planbot.yaml");
  std::filesystem::remove(w.dir / ".planbot" / "planbot.yaml");
  Run none = w.Planbot("audit verify");
  CHECK(none.code == 2);
  CHECK(none.out.find("no store at " + (w.dir / "planbot.db").string() +
                      ", the built-in default (no --config") != std::string::npos);
}

TEST_CASE("planbot serve without flags writes the store that audit verify then finds") {
  Workdir w;
  const std::string prefix = testing::UniqueName("where");
  const int port = testing::FreePort();
  w.Write(".planbot/planbot.yaml",
          "listen: 127.0.0.1:" + std::to_string(port) + "\nstore: " + w.store() +
              "\ndatabases:\n  - name: shop\n    local: {source: " + testing::SourceDatabase() +
              ", clone_prefix: " + prefix + ", warm_clones: 0}\n");
  const std::string log = (w.dir / "serve.log").string();
  pid_t pid = testing::Spawn({PLANBOT_BINARY, "serve"}, log, w.dir.string());
  const std::string why = "planbot serve is not healthy; see " + log;
  REQUIRE_MESSAGE(testing::WaitHealthy(port), why);
  Run plan = Shell(std::string(PLANBOT_BINARY) +
                   " ask --url http://127.0.0.1:" + std::to_string(port) + " \"plan select 1\"");
  CHECK_MESSAGE(plan.code == 0, plan.out);
  CHECK(plan.out.find("plan · shop") == 0);
  REQUIRE(kill(pid, SIGTERM) == 0);
  REQUIRE(waitpid(pid, nullptr, 0) == pid);
  CHECK(ReadAll(log).find("starting: configuration .planbot/planbot.yaml (found in the working "
                          "directory; written by scripts/demo)") != std::string::npos);

  // start, the command, stop: the same store.
  Run verify = w.Planbot("audit verify");
  CHECK_MESSAGE(verify.code == 0, verify.out);
  CHECK(verify.out.find("using store " + w.store()) != std::string::npos);
  CHECK(verify.out.find("audit log intact: 3 entries") != std::string::npos);
  CHECK(testing::CountClones(prefix) == 0);
}
