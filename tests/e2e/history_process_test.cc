// History durability and maintenance with `planbot serve` as a process: kill -9 in the middle of
// a stream of commands loses no answered command (history, audit, chain, export), and
// `planbot admin purge|redact` on the same store while the service runs leaves no trace of the
// removed SQL in the store's files.
#include <doctest/doctest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "storage/store.h"
#include "tests/support/pg_test_env.h"
#include "tests/support/process_helpers.h"

using nlohmann::json;
using namespace planbot;

namespace {

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

bool StoreHolds(const std::filesystem::path& db, const std::string& needle) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    if (ReadAll(db.string() + suffix).find(needle) != std::string::npos) return true;
  }
  return false;
}

struct Service {
  Service() {
    prefix = testing::UniqueName("dura");
    dir = std::filesystem::temp_directory_path() / testing::UniqueName("planbot_dura");
    std::filesystem::create_directories(dir);
    port = testing::FreePort();
    std::ofstream config(dir / "planbot.yaml");
    config << "listen: 127.0.0.1:" << port << "\n"
           << "store: " << store().string() << "\n"
           << "audit: {export: " << (dir / "audit.jsonl").string() << "}\n"
           << "limits: {quota: {commands: 0}}\n"
           << "databases:\n"
           << "  - name: shop\n"
           << "    history: full\n"
           << "    local: {source: " << testing::SourceDatabase() << ", clone_prefix: " << prefix
           << ", warm_clones: 0}\n";
  }
  ~Service() {
    if (pid > 0) Stop(SIGTERM);
    std::filesystem::remove_all(dir);
  }
  std::filesystem::path store() const { return dir / "planbot.db"; }
  std::string config() const { return (dir / "planbot.yaml").string(); }
  void Start(const std::string& log) {
    pid = testing::Spawn({PLANBOT_BINARY, "serve", "--config", config()}, (dir / log).string());
    std::string why = "planbot serve is not healthy; see " + (dir / log).string();
    REQUIRE_MESSAGE(testing::WaitHealthy(port), why);
  }
  void Stop(int signal) {
    REQUIRE(kill(pid, signal) == 0);
    REQUIRE(waitpid(pid, nullptr, 0) == pid);
    pid = -1;
  }
  // POST /api/v1/commands; the history id on success, 0 otherwise (a refused or cut request).
  int64_t Ask(const std::string& text) {
    httplib::Client client("127.0.0.1", port);
    client.set_read_timeout(30, 0);
    auto res = client.Post("/api/v1/commands", json{{"text", text}}.dump(), "application/json");
    if (!res || res->status != 200) return 0;
    json body = json::parse(res->body, nullptr, false);
    return body.is_object() ? body.value("id", int64_t{0}) : 0;
  }

  std::string prefix;
  std::filesystem::path dir;
  int port = 0;
  pid_t pid = -1;
};

}  // namespace

TEST_CASE("kill -9 under load: every answered command is in history and audit after restart") {
  Service s;
  s.Start("first.log");
  std::mutex mu;
  std::map<int64_t, std::string> answered;  // history id -> the SQL that got the answer
  std::atomic<bool> stop{false};
  std::atomic<int> counter{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&] {
      while (!stop) {
        std::string sql = "select * from customers where id = " + std::to_string(++counter);
        int64_t id = s.Ask("plan " + sql);
        if (id == 0) continue;
        std::lock_guard<std::mutex> lock(mu);
        answered[id] = sql;
      }
    });
  }
  auto enough = [&] {
    std::lock_guard<std::mutex> lock(mu);
    return answered.size() >= 200;
  };
  for (int i = 0; i < 300 && !enough(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  s.Stop(SIGKILL);  // while the clients keep sending
  stop = true;
  for (auto& t : clients) t.join();
  REQUIRE(answered.size() >= 50);

  s.Start("second.log");
  auto store = storage::Store::Open(s.store().string());  // beside the running service
  REQUIRE(store.ok());
  std::set<int64_t> audited;
  for (int64_t after = 0;;) {
    auto page = (*store)->ListAuditAfter(after, 1000);
    REQUIRE(page.ok());
    if (page->empty()) break;
    for (const auto& a : *page) {
      json d = json::parse(a.details, nullptr, false);
      if (d.is_object() && d.contains("history_id")) audited.insert(d["history_id"].get<int64_t>());
      after = a.id;
    }
  }
  size_t missing_history = 0, missing_audit = 0;
  for (const auto& [id, sql] : answered) {
    auto entry = (*store)->GetHistory(id);
    REQUIRE(entry.ok());
    if (!entry->has_value() || (*entry)->query_text != sql) ++missing_history;
    if (audited.count(id) == 0) ++missing_audit;
  }
  CHECK(missing_history == 0);
  CHECK(missing_audit == 0);
  MESSAGE(answered.size() << " answered commands checked");

  // The chain is intact across the crash, and the export resumed where the file ended: every
  // entry once, in order.
  testing::Run verify =
      testing::Shell(std::string(PLANBOT_BINARY) + " audit verify --config " + s.config());
  CHECK_MESSAGE(verify.code == 0, verify.out);
  s.Stop(SIGTERM);
  auto head = (*store)->ListAudit(1, std::nullopt);
  REQUIRE(head.ok());
  std::vector<int64_t> exported;
  std::istringstream lines(ReadAll(s.dir / "audit.jsonl"));
  for (std::string line; std::getline(lines, line);) {
    json e = json::parse(line, nullptr, false);
    if (e.is_object()) exported.push_back(e["id"].get<int64_t>());  // a cut line is skipped
  }
  REQUIRE_FALSE(exported.empty());
  CHECK(exported.front() == 1);
  CHECK(exported.back() == head->front().id);  // the stop entry is the last line
  bool in_order = true;
  for (size_t i = 1; i < exported.size(); ++i) in_order &= exported[i] == exported[i - 1] + 1;
  CHECK(in_order);
}

TEST_CASE("planbot admin purge and redact while the service runs: counts, audit, no trace") {
  Service s;
  s.Start("serve.log");
  const std::string purge_me = "canary-purge-8d41@example.com";
  const std::string redact_me = "canary-redact-2a97@example.com";
  int64_t purge_id = s.Ask("plan select * from customers where email = '" + purge_me + "'");
  int64_t redact_id = s.Ask("explain select * from customers where email = '" + redact_me + "'");
  REQUIRE(purge_id > 0);
  REQUIRE(redact_id > 0);
  REQUIRE(StoreHolds(s.store(), purge_me));
  REQUIRE(StoreHolds(s.store(), redact_me));

  const std::string admin = std::string(PLANBOT_BINARY) + " admin ";
  testing::Run refused = testing::Shell(admin + "purge --config " + s.config());
  CHECK(refused.code == 2);
  CHECK(refused.out.find("--all") != std::string::npos);
  testing::Run bad = testing::Shell(admin + "purge --config " + s.config() + " --before soon");
  CHECK(bad.code == 2);

  testing::Run purged =
      testing::Shell(admin + "purge --config " + s.config() + " --id " + std::to_string(purge_id));
  CHECK_MESSAGE(purged.code == 0, purged.out);
  CHECK(purged.out.find("purged 1 history entry") == 0);
  testing::Run redacted = testing::Shell(admin + "redact --json --config " + s.config() + " --id " +
                                         std::to_string(redact_id));
  CHECK_MESSAGE(redacted.code == 0, redacted.out);
  json counts = json::parse(redacted.out);
  CHECK(counts["redacted"] == 1);
  CHECK(counts["wal_cleared"] == true);
  CHECK_FALSE(StoreHolds(s.store(), purge_me));
  CHECK_FALSE(StoreHolds(s.store(), redact_me));

  // The service goes on: it answers, its entries chain after the CLI's, the export has them.
  CHECK(s.Ask("plan select 1") > 0);
  s.Stop(SIGTERM);
  testing::Run verify =
      testing::Shell(std::string(PLANBOT_BINARY) + " audit verify --store " + s.store().string());
  CHECK_MESSAGE(verify.code == 0, verify.out);
  std::string exported = ReadAll(s.dir / "audit.jsonl");
  CHECK(exported.find("\"actor\":\"cli:") != std::string::npos);
  CHECK(exported.find("\"action\":\"redact\"") != std::string::npos);
  CHECK(exported.find(purge_me) == std::string::npos);  // the audit never holds raw SQL
}
