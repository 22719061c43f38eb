// `planbot serve` as a process with `logging: {format: json, level: debug}`: every stderr line is
// a JSON object with time, level, component and message; requests and commands carry the
// request id the client got back; no SQL text and no token reaches any line. Then SIGTERM: the
// running command finishes while /readyz answers 503, and the process exits 0.
#include <doctest/doctest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/pg_test_env.h"
#include "tests/support/process_helpers.h"

using nlohmann::json;
using namespace planbot;

namespace {

constexpr const char* kToken = "alice-secret-token-0123456789";

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

httplib::Result Command(int port, const std::string& text, const std::string& token = kToken) {
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(60, 0);
  return c.Post("/api/v1/commands", {{"Authorization", "Bearer " + token}},
                json{{"text", text}}.dump(), "application/json");
}

// The keys of a JSON object line in their written order.
std::vector<std::string> Keys(const std::string& line) {
  const nlohmann::ordered_json object = nlohmann::ordered_json::parse(line);
  std::vector<std::string> keys;
  for (auto it = object.begin(); it != object.end(); ++it) keys.push_back(it.key());
  return keys;
}

}  // namespace

TEST_CASE("JSON logs with request ids and no SQL or secrets; SIGTERM drains with /readyz 503") {
  const std::string prefix = testing::UniqueName("jlog");
  auto dir = std::filesystem::temp_directory_path() / testing::UniqueName("planbot_jlog");
  std::filesystem::create_directories(dir);
  const int port = testing::FreePort();
  {
    std::ofstream config(dir / "planbot.yaml");
    config << "listen: 127.0.0.1:" << port << "\n"
           << "store: " << (dir / "planbot.db").string() << "\n"
           << "api: {tokens: [{name: alice, token: " << kToken << ", role: user}]}\n"
           << "logging: {format: json, level: debug}\n"
           << "databases:\n"
           << "  - name: shop\n"
           << "    history: full\n"
           << "    local: {source: " << testing::SourceDatabase() << ", clone_prefix: " << prefix
           << ", warm_clones: 0}\n";
  }
  const auto log = dir / "serve.log";
  pid_t pid = testing::Spawn({PLANBOT_BINARY, "serve", "--config", (dir / "planbot.yaml").string()},
                             log.string());
  const std::string why = "not healthy; see " + log.string();
  REQUIRE_MESSAGE(testing::WaitHealthy(port), why);

  auto plan = Command(port, "plan select * from customers where email = 'CANARY-7781@x.org'");
  REQUIRE(plan);
  REQUIRE(plan->status == 200);
  const std::string plan_id = plan->get_header_value("X-Request-Id");
  auto syntax = Command(port, "plan selec 'CANARY-7781'");
  REQUIRE(syntax);
  CHECK(syntax->status == 400);
  auto wrong = Command(port, "plan select 1", "wrong-token-CANARY-0123456789");
  REQUIRE(wrong);
  CHECK(wrong->status == 401);

  // SIGTERM while a command runs: it finishes, /readyz fails meanwhile, the process exits 0.
  auto slow = std::async(std::launch::async, [&] {
    return Command(port, "explain select pg_sleep(2), 'CANARY-7781'::text");
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  REQUIRE(kill(pid, SIGTERM) == 0);
  int readyz = 0;
  for (int i = 0; i < 100 && readyz != 503; ++i) {
    httplib::Client c("127.0.0.1", port);
    auto res = c.Get("/readyz");
    if (res) readyz = res->status;
    if (readyz != 503) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(readyz == 503);
  auto finished = slow.get();
  REQUIRE(finished);
  CHECK_MESSAGE(finished->status == 200, finished->body);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);

  const std::string text = ReadAll(log);
  INFO(text);
  CHECK(text.find("CANARY") == std::string::npos);     // no SQL text, not even in errors
  CHECK(text.find("customers") == std::string::npos);  // the statement's table
  CHECK(text.find(kToken) == std::string::npos);
  std::istringstream lines(text);
  std::string line;
  int commands = 0;
  int requests = 0;
  bool plan_logged = false;
  std::string line_of_plan;
  bool plan_requested = false;
  bool draining = false;
  static const std::regex kTime(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    json j = json::parse(line, nullptr, false);
    REQUIRE_MESSAGE(j.is_object(), line);
    CHECK(std::regex_match(j.value("time", ""), kTime));
    CHECK(j["level"].is_string());
    CHECK(j["component"].is_string());
    CHECK(j["message"].is_string());
    if (j["message"] == "command") {
      ++commands;
      CHECK(j["user"] == "alice");
      CHECK(j["channel"] == "http");
      CHECK(j["status"].is_string());
      CHECK(j["duration_ms"].is_number());
      CHECK(j["request_id"].get<std::string>().size() == 16);
      if (j["request_id"] == plan_id) {
        plan_logged = true;
        line_of_plan = line;
        CHECK(j["command"] == "plan");
        CHECK(j["status"] == "ok");
        CHECK(j["session"] == "alice");
        CHECK(j["database"] == "shop");
        CHECK(j["history_id"] == 1);
      }
    }
    if (j["message"] == "request") {
      ++requests;
      CHECK(j["status"].is_number());
      CHECK(j["method"].is_string());
      if (j["request_id"] == plan_id) {
        plan_requested = true;
        CHECK(j["path"] == "/api/v1/commands");
        CHECK(j["status"] == 200);
        CHECK(j["duration_ms"].is_number());
      }
    }
    if (j["message"].get<std::string>().find("stopping on SIGTERM: draining") == 0) draining = true;
  }
  // The README's example line has the keys of a real one, in the same order.
  std::ifstream readme(std::filesystem::path(PLANBOT_TEST_DATA_DIR) / ".." / ".." / "README.md");
  std::string example;
  for (std::string l; std::getline(readme, l);) {
    if (l.rfind(R"({"time":)", 0) == 0 && l.find(R"("message":"command")") != std::string::npos) {
      example = l;
      break;
    }
  }
  REQUIRE_MESSAGE(!example.empty(), "no JSON command line in README.md");
  json documented = json::parse(example, nullptr, false);
  REQUIRE(documented.is_object());
  if (plan_logged) CHECK(Keys(line_of_plan) == Keys(example));

  CHECK(commands == 3);  // plan, the syntax error, the slow explain
  CHECK(requests >= 4);
  CHECK(plan_logged);
  CHECK(plan_requested);
  CHECK(draining);
  CHECK(testing::CountClones(prefix) == 0);
  std::filesystem::remove_all(dir);
}
