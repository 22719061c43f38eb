// scripts/demo's configuration (scripts/lib/demo_config.sh, the functions the demo calls), in a
// state directory of the test's own: the database is `shop`, the local user gets an admin token
// made once and kept (mode 0600) with the `export PLANBOT_TOKEN=...` line to paste, the quota
// does not stop exploring; `planbot serve` run with it the way the demo runs it answers
// `ask --database shop`, purge from chat and GET /api/v1/audit with that token, and
// `planbot audit verify` run in that directory without flags finds its store.
#include <doctest/doctest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "adapters/config/config_yaml.h"
#include "core/config.h"
#include "tests/support/pg_test_env.h"
#include "tests/support/process_helpers.h"

using namespace planbot;
using testing::Run;
using testing::Shell;

namespace {

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

unsigned Mode(const std::filesystem::path& path) {
  struct stat st {};
  REQUIRE(stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

struct DemoState {
  DemoState() {
    dir = std::filesystem::temp_directory_path() / testing::UniqueName("planbot_demo_cfg");
    std::filesystem::create_directories(dir / ".planbot");
  }
  ~DemoState() { std::filesystem::remove_all(dir); }
  std::filesystem::path state() const { return dir / ".planbot"; }
  // The demo's two steps: write the configuration, print the token lines.
  Run WriteConfig(int port, const std::string& prefix) const {
    const char* pgport = std::getenv("PGPORT");
    std::string script = "set -euo pipefail; source " + std::string(PLANBOT_SOURCE_DIR) +
                         "/scripts/lib/demo_config.sh; demo_write_config .planbot 127.0.0.1:" +
                         std::to_string(port) + " " + (pgport ? pgport : "5432") + " " +
                         testing::SourceDatabase() + " " + prefix + "; demo_token_lines .planbot";
    return Shell("cd " + dir.string() + " && bash -c '" + script + "'");
  }
  std::filesystem::path dir;
};

}  // namespace

TEST_CASE("the demo's configuration: database shop, an admin token to export, a roomy quota") {
  DemoState demo;
  const int port = testing::FreePort();
  const std::string prefix = testing::UniqueName("demo");
  Run written = demo.WriteConfig(port, prefix);
  REQUIRE_MESSAGE(written.code == 0, written.out);
  std::smatch m;
  static const std::regex kExport("(^|\n)  export PLANBOT_TOKEN=([0-9a-f]{48})\n");
  REQUIRE_MESSAGE(std::regex_search(written.out, m, kExport), written.out);
  const std::string token = m[2];
  CHECK(ReadAll(demo.state() / "admin-token") == token + "\n");
  CHECK(Mode(demo.state() / "admin-token") == 0600);
  CHECK(Mode(demo.state() / "planbot.yaml") == 0600);

  auto config =
      adapters::LoadConfigFile((demo.state() / "planbot.yaml").string(), core::ProcessEnv());
  REQUIRE_MESSAGE(config.ok(), config.error().message);
  REQUIRE(config->databases.size() == 1);
  CHECK(config->databases[0].name == "shop");
  CHECK(config->databases[0].local.source == testing::SourceDatabase());
  REQUIRE(config->tokens.size() == 1);
  CHECK(config->tokens[0].token == token);
  CHECK(config->tokens[0].role == "admin");
  CHECK(config->limits.quota.commands == 1000);
  CHECK(config->limits.quota.per == std::chrono::seconds(60));
  CHECK(config->store == std::filesystem::canonical(demo.state()).string() + "/planbot.db");
  CHECK(config->listen == "127.0.0.1:" + std::to_string(port));

  // A second start keeps the token (the user's export line stays right).
  Run again = demo.WriteConfig(port, prefix);
  REQUIRE(again.code == 0);
  CHECK(again.out == written.out);

  // planbot serve as the demo runs it, from the state's parent directory.
  const std::string log = (demo.dir / "serve.log").string();
  pid_t pid = testing::Spawn({PLANBOT_BINARY, "serve", "--config", ".planbot/planbot.yaml"}, log,
                             demo.dir.string());
  const std::string why = "planbot serve is not healthy; see " + log;
  REQUIRE_MESSAGE(testing::WaitHealthy(port), why);
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  const std::string ask = "env -u PLANBOT_URL " + std::string(PLANBOT_BINARY) + " ask --url " + url;
  const std::string with_token = "PLANBOT_TOKEN=" + token + " " + ask;

  Run anonymous = Shell("env -u PLANBOT_TOKEN " + ask + " \"plan select 1\"");
  CHECK(anonymous.code == 2);
  CHECK(anonymous.out.find("Authorization: Bearer") != std::string::npos);
  CHECK(anonymous.out.find("planbot ask: this planbot wants an API token: --token T, or export "
                           "PLANBOT_TOKEN=T") != std::string::npos);
  Run shop = Shell(with_token + " --database shop \"plan select * from customers where id = 1\"");
  CHECK_MESSAGE(shop.code == 0, shop.out);
  CHECK(shop.out.find("plan · shop · session demo-admin") == 0);

  httplib::Client client("127.0.0.1", port);
  client.set_bearer_token_auth(token.c_str());
  client.set_read_timeout(30, 0);
  int answered = 0;
  for (int i = 0; i < 40; ++i) {
    auto res = client.Post("/api/v1/commands", R"({"text": "plan select 1"})", "application/json");
    if (res && res->status == 200) ++answered;
  }
  CHECK(answered == 40);  // more than the default quota of 30 a minute

  Run purged = Shell(with_token + " \"purge --all\"");
  CHECK_MESSAGE(purged.code == 0, purged.out);
  CHECK(purged.out.find("purged 41 history entries") != std::string::npos);
  auto audit = client.Get("/api/v1/audit?limit=5");
  REQUIRE(audit);
  CHECK(audit->status == 200);
  auto body = nlohmann::json::parse(audit->body, nullptr, false);
  REQUIRE(body.is_object());
  REQUIRE(body["entries"].size() == 5);
  bool purge_audited = false;
  for (const auto& e : body["entries"])
    purge_audited |= e["action"] == "purge" && e["actor"] == "demo-admin";
  CHECK(purge_audited);

  REQUIRE(kill(pid, SIGTERM) == 0);
  REQUIRE(waitpid(pid, nullptr, 0) == pid);
  CHECK(testing::CountClones(prefix) == 0);

  // The offline commands, run there without flags, find the demo's store.
  Run verify = Shell("cd " + demo.dir.string() + " && env -u PLANBOT_CONFIG " + PLANBOT_BINARY +
                     " audit verify");
  CHECK_MESSAGE(verify.code == 0, verify.out);
  CHECK(verify.out.find("the `store` of .planbot/planbot.yaml") != std::string::npos);
  CHECK(verify.out.find("audit log intact") != std::string::npos);
}
