// `planbot serve --check-config` as a process, the way an operator runs it before (re)starting
// the service: the effective configuration on stdout with every secret masked, exit 0; a bad
// file named on stderr, exit 2; no file, the built-in defaults. It binds no port, opens no store
// and connects nowhere.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/support/pg_test_env.h"
#include "tests/support/process_helpers.h"

using namespace planbot;
using testing::Run;
using testing::Shell;

namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A temporary directory, removed with the object.
struct Dir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / testing::UniqueName("planbot_check");
  Dir() { std::filesystem::create_directories(path); }
  ~Dir() { std::filesystem::remove_all(path); }
};

// A loopback TCP port held open (listening) for the object's life.
struct HeldPort {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int port = 0;
  HeldPort() {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(listen(fd, 1) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port = ntohs(addr.sin_port);
  }
  ~HeldPort() { close(fd); }
};

const std::string kPlanbot = PLANBOT_BINARY;

}  // namespace

TEST_CASE("planbot serve --check-config prints the example configuration with secrets masked") {
  Dir dir;
  HeldPort busy;  // `serve` itself would fail to bind it
  const std::string store = (dir.path / "never-made.db").string();
  std::ofstream(dir.path / "server.crt") << "certificate";
  std::ofstream(dir.path / "server.key") << "key";
  const std::string env =
      "PLANBOT_CI_TOKEN=ci-secret-AAAAAAAAAAAA "
      "PLANBOT_ADMIN_TOKEN=admin-secret-BBBBBBBBBBBB "
      "DLE_TOKEN=dle-secret-CCCC SLACK_SIGNING_SECRET=signing-secret-DDDD "
      "SLACK_BOT_TOKEN=xoxb-secret-EEEE PLANBOT_TLS_CERT=" +
      (dir.path / "server.crt").string() +
      " PLANBOT_TLS_KEY=" + (dir.path / "server.key").string() + " ";
  const std::string command =
      env + kPlanbot + " serve --check-config --config " + PLANBOT_SOURCE_DIR +
      "/planbot.example.yaml --listen 127.0.0.1:" + std::to_string(busy.port) + " --store " + store;
  Run out = Shell("(" + command + " 2>/dev/null)");
  Run all = Shell(command);
  CAPTURE(all.out);
  CHECK(out.code == 0);
  CHECK(out.out == all.out);  // nothing on stderr
  CHECK(out.out.rfind("# planbot ", 0) == 0);
  CHECK(Contains(out.out, "planbot.example.yaml with the command-line overrides: valid."));
  CHECK(Contains(out.out, "\nlisten: 127.0.0.1:" + std::to_string(busy.port) + "\n"));
  CHECK(Contains(out.out, "\nstore: " + store + "\n"));
  CHECK(Contains(out.out, "      token: \"***\"\n"));
  CHECK(Contains(out.out, "  signing_secret: \"***\"\n"));
  CHECK(Contains(out.out, "  bot_token: \"***\"\n"));
  CHECK(Contains(out.out, "admin_dsn: host=127.0.0.1 port=5432 user=postgres dbname=postgres\n"));
  CHECK(Contains(out.out, "  format: text\n  level: info\n"));
  for (const char* secret :
       {"ci-secret", "admin-secret", "dle-secret", "signing-secret", "xoxb-secret"}) {
    CAPTURE(secret);
    CHECK_FALSE(Contains(out.out, secret));
  }
  CHECK_FALSE(std::filesystem::exists(store));  // the store was not opened
}

TEST_CASE("planbot serve --check-config masks a password inside a DSN") {
  Dir dir;
  {
    std::ofstream config(dir.path / "planbot.yaml");
    config << "databases:\n"
              "  - name: shop\n"
              "    local:\n"
              "      admin_dsn: \"host=127.0.0.1 port=1 user=admin password=${PG_SECRET}\"\n"
              "      source: shop\n";
  }
  Run run = Shell("(PG_SECRET=hunter2-pg-secret " + kPlanbot + " serve --check-config --config " +
                  (dir.path / "planbot.yaml").string() + " 2>/dev/null)");
  CAPTURE(run.out);
  CHECK(run.code == 0);
  CHECK(Contains(run.out, "admin_dsn: host=127.0.0.1 port=1 user=admin password=***\n"));
  CHECK_FALSE(Contains(run.out, "hunter2"));
}

TEST_CASE("planbot serve --check-config names an unknown key on stderr and exits 2") {
  Dir dir;
  {
    std::ofstream config(dir.path / "planbot.yaml");
    config << "databases:\n  - {name: shop, local: {source: shop}}\nlogging: {colour: true}\n";
  }
  const std::string command =
      kPlanbot + " serve --check-config --config " + (dir.path / "planbot.yaml").string();
  Run err = Shell("(" + command + " >/dev/null)");
  CHECK(err.code == 2);
  CHECK(err.out ==
        "planbot serve: config: logging.colour: unknown key (expected one of: "
        "debug_database_errors, format, level)\n");
  Run out = Shell("(" + command + " 2>/dev/null)");
  CHECK(out.out.empty());

  Run unset = Shell("(env -u PLANBOT_TLS_CERT " + kPlanbot + " serve --check-config --config " +
                    PLANBOT_SOURCE_DIR + "/planbot.example.yaml >/dev/null)");
  CHECK(unset.code == 2);
  CHECK(unset.out ==
        "planbot serve: config: tls.cert: environment variable PLANBOT_TLS_CERT is not set\n");
}

TEST_CASE("planbot serve --check-config without --config prints the built-in defaults") {
  Run run = Shell("(PGDATABASE=shop_from_env " + kPlanbot + " serve --check-config 2>/dev/null)");
  CAPTURE(run.out);
  CHECK(run.code == 0);
  CHECK(Contains(run.out,
                 "the built-in defaults (no --config, $PLANBOT_CONFIG, ./planbot.yaml or "
                 ".planbot/planbot.yaml): valid."));
  CHECK(Contains(run.out, "\nlisten: 127.0.0.1:8080\nstore: ./planbot.db\napi:\n  tokens: []\n"));
  CHECK(Contains(run.out, "  - name: default\n    provider: local\n"));
  CHECK(Contains(run.out, "      source: shop_from_env\n"));
  // Overrides are checked like the file: beyond loopback without tokens is refused.
  Run open = Shell("(" + kPlanbot + " serve --check-config --listen 0.0.0.0:8080 >/dev/null)");
  CHECK(open.code == 2);
  CHECK(Contains(open.out, "config: listen: listening on 0.0.0.0 without api.tokens"));
}
