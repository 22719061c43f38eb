// History, audit and privacy end to end (SPEC §1, §2, §4, §6): `history [N]`, GET
// /api/v1/history[/{id}], purge and redact from chat and HTTP with their audit entries, no trace
// of a purged or redacted value in the store's files, retention, GET /api/v1/audit, and a store
// that fails (disk full, read-only) refusing commands while /healthz keeps answering.
#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "storage/sqlite_store.h"
#include "storage/timestamp.h"
#include "tests/support/service_stack.h"

using nlohmann::json;
using namespace planbot;

namespace {

const char* kAlice = "alice-token-0123456789";
const char* kBob = "bob-token-0123456789ab";
const char* kOps = "ops-token-0123456789abc";

testing::StackOptions Options(std::string history = "normalized") {
  testing::StackOptions o;
  o.tokens = {{"alice", kAlice, "user"}, {"bob", kBob, "user"}, {"ops", kOps, "admin"}};
  o.history = std::move(history);
  return o;
}

bool FileHolds(const std::filesystem::path& path, const std::string& needle) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return bytes.find(needle) != std::string::npos;
}

// Anywhere in the store: the database file, its -wal or its -shm.
bool StoreHolds(const testing::ServiceStack& s, const std::string& needle) {
  std::string db = s.store_path().string();
  return FileHolds(db, needle) || FileHolds(db + "-wal", needle) || FileHolds(db + "-shm", needle);
}

std::vector<storage::AuditEntry> NewestAudit(testing::ServiceStack& s, int n) {
  auto entries = s.store->ListAudit(n, std::nullopt);
  REQUIRE(entries.ok());
  return *entries;
}

int64_t AskId(testing::ServiceStack& s, const std::string& text, const char* token) {
  auto [status, body] = s.Ask(text, json::object(), token);
  REQUIRE_MESSAGE(status == 200, body.dump());
  return body["id"].get<int64_t>();
}

}  // namespace

TEST_CASE("history [N] shows the caller's own entries, newest first") {
  testing::ServiceStack s(Options());
  int64_t a1 = AskId(s, "plan select * from customers where id = 1", kAlice);
  AskId(s, "plan select * from orders where id = 2", kBob);
  int64_t a2 = AskId(s, "explain select count(*) from orders where amount > 100", kAlice);

  auto [status, body] = s.Ask("history", json::object(), kAlice);
  REQUIRE_MESSAGE(status == 200, body.dump());
  const std::string text = body["message"];
  CHECK(text.find("#" + std::to_string(a2) + "  ") == 0);  // newest first
  CHECK(text.find("#" + std::to_string(a1) + "  ") != std::string::npos);
  CHECK(text.find("explain") != std::string::npos);
  CHECK(text.find("select count(*) from orders where amount > $1") != std::string::npos);
  CHECK(text.find("orders where id") == std::string::npos);  // bob's
  REQUIRE(body["result"]["entries"].size() == 2);
  CHECK(body["result"]["entries"][0]["execution_ms"].get<double>() > 0);  // explain ran

  auto [s1, one] = s.Ask("history 1", json::object(), kAlice);
  CHECK(one["result"]["entries"].size() == 1);
  auto [bad, err] = s.Ask("history lots", json::object(), kAlice);
  CHECK(bad == 400);
  CHECK(err["error"]["message"].get<std::string>().find("history [N]") != std::string::npos);
}

TEST_CASE("GET /api/v1/history: users see their own entries, admins all; paging; one entry") {
  testing::ServiceStack s(Options());
  std::vector<int64_t> alice;
  for (int i = 1; i <= 5; ++i) {
    alice.push_back(
        AskId(s, "plan select * from customers where id = " + std::to_string(i), kAlice));
  }
  int64_t bob = AskId(s, "plan select * from orders where amount > 5", kBob);

  auto [st, mine] = s.Get("/api/v1/history?limit=3", kAlice);
  REQUIRE_MESSAGE(st == 200, mine.dump());
  REQUIRE(mine["entries"].size() == 3);
  CHECK(mine["entries"][0]["id"] == alice[4]);
  CHECK(mine["entries"][0]["user"] == "alice");
  CHECK(mine["entries"][0]["normalized"] == "select * from customers where id = $1");
  CHECK_FALSE(mine["entries"][0].contains("query"));  // normalized policy: no raw SQL
  CHECK_FALSE(mine["entries"][0].contains("plan"));   // listings are one line per entry
  CHECK(mine["next_before_id"] == alice[2]);
  auto [st2, rest] = s.Get(
      "/api/v1/history?limit=3&before_id=" + std::to_string(mine["next_before_id"].get<int64_t>()),
      kAlice);
  REQUIRE(rest["entries"].size() == 2);
  CHECK(rest["entries"][1]["id"] == alice[0]);
  CHECK(rest["next_before_id"].is_null());

  std::string fp = mine["entries"][0]["fingerprint"];
  auto [st3, by_fp] = s.Get("/api/v1/history?fingerprint=" + fp, kOps);
  CHECK(by_fp["entries"].size() == 5);
  auto [st4, all] = s.Get("/api/v1/history", kOps);
  CHECK(all["entries"].size() == 6);
  CHECK(all["entries"][0]["user"] == "bob");

  CHECK(s.Get("/api/v1/history?user=bob", kAlice).first == 403);
  CHECK(s.Get("/api/v1/history?user=bob", kOps).second["entries"].size() == 1);
  CHECK(s.Get("/api/v1/history?limit=0", kAlice).first == 400);
  CHECK(s.Get("/api/v1/history?limit=5000", kAlice).first == 400);
  CHECK(s.Get("/api/v1/history?colour=red", kAlice).first == 400);
  CHECK(s.Get("/api/v1/history?before=yesterday", kAlice).first == 400);
  CHECK(s.Get("/api/v1/history?before=1h", kAlice).second["entries"].empty());
  CHECK(s.Get("/api/v1/history", "").first == 401);

  // One entry: the plan and summary as stored (literals masked), for its owner or an admin.
  auto [st5, entry] = s.Get("/api/v1/history/" + std::to_string(alice[1]), kAlice);
  REQUIRE_MESSAGE(st5 == 200, entry.dump());
  CHECK(entry["plan"]["text"].get<std::string>().find("Index Scan using customers_pkey") !=
        std::string::npos);
  CHECK(entry["plan"]["text"].get<std::string>().find("Index Cond: (customers.id = $1)") !=
        std::string::npos);
  CHECK(entry["plan"]["json"].is_array());
  CHECK(entry["summary"].is_object());
  CHECK(s.Get("/api/v1/history/" + std::to_string(bob), kAlice).first == 404);  // not hers
  CHECK(s.Get("/api/v1/history/" + std::to_string(bob), kOps).first == 200);
  CHECK(s.Get("/api/v1/history/999999", kOps).first == 404);

  // Reads are audited: who read what.
  auto audit = NewestAudit(s, 40);
  int reads = 0, refusals = 0;
  for (const auto& a : audit) {
    if (a.action == "read") ++reads;
    if (a.action == "refusal" && a.actor == "alice") ++refusals;
  }
  CHECK(reads == 8);
  CHECK(refusals >= 1);  // ?user=bob
}

TEST_CASE("purge from chat (admins only) leaves no trace of the SQL in the store's files") {
  testing::ServiceStack s(Options("full"));
  const std::string canary = "canary-4f1e9b@example.com";
  int64_t id = AskId(s, "plan select * from customers where email = '" + canary + "'", kAlice);
  AskId(s, "plan select * from customers where id = 3", kAlice);
  int64_t keep = AskId(s, "plan select * from orders where id = 4", kBob);
  REQUIRE(StoreHolds(s, canary));  // the control: "full" keeps it (SQL and plan)

  auto [refused, r] = s.Ask("purge --user alice", json::object(), kAlice);
  CHECK(refused == 403);
  CHECK(r["error"]["code"] == "forbidden");
  CHECK(NewestAudit(s, 1)[0].action == "refusal");
  auto [no_filter, nf] = s.Ask("purge", json::object(), kOps);
  CHECK(no_filter == 400);
  CHECK(nf["error"]["message"].get<std::string>().find("--all") != std::string::npos);

  auto [st, done] = s.Ask("purge --user alice --before 1h", json::object(), kOps);
  CHECK(done["result"]["purged"] == 0);  // alice's entries are newer than an hour ago
  auto [st2, purged] = s.Ask("purge --user alice", json::object(), kOps);
  REQUIRE_MESSAGE(st2 == 200, purged.dump());
  CHECK(purged["result"]["purged"] == 2);
  CHECK(purged["result"]["wal_cleared"] == true);
  CHECK(purged["message"].get<std::string>().find("purged 2 history entries") == 0);
  CHECK_FALSE(StoreHolds(s, canary));
  CHECK_FALSE((*s.store->GetHistory(id)).has_value());
  CHECK((*s.store->GetHistory(keep)).has_value());

  // The operation is audited once, with who, the filters and the counts; the audit log itself
  // keeps every command entry (history purges never touch it).
  auto a = NewestAudit(s, 1)[0];
  CHECK(a.action == "purge");
  CHECK(a.actor == "ops");
  json details = json::parse(a.details);
  CHECK(details["filters"]["user"] == "alice");
  CHECK(details["purged"] == 2);
  auto all = s.store->ListAudit(1000, std::nullopt);
  REQUIRE(all.ok());
  int commands = 0;
  for (const auto& e : *all) commands += e.action == "command" && e.command == "plan";
  CHECK(commands == 3);
  CHECK(s.store->VerifyAuditChain()->intact);
}

TEST_CASE("redact over HTTP: raw SQL dropped, plan literals masked, figures kept, no trace") {
  testing::ServiceStack s(Options("full"));
  const std::string canary = "canary-77c2d0@example.com";
  auto [st, ran] = s.Ask("explain select * from customers where email = '" + canary + "'",
                         json::object(), kAlice);
  REQUIRE_MESSAGE(st == 200, ran.dump());
  int64_t id = ran["id"];
  auto before = s.Get("/api/v1/history/" + std::to_string(id), kOps).second;
  REQUIRE(before["query"].get<std::string>().find(canary) != std::string::npos);
  REQUIRE(StoreHolds(s, canary));

  CHECK(s.PostTo("/api/v1/admin/redact", R"({"id": [)" + std::to_string(id) + "]}", kAlice).first ==
        403);
  CHECK(s.PostTo("/api/v1/admin/redact", "{not json", kOps).first == 400);
  CHECK(s.PostTo("/api/v1/admin/redact", R"({"colour": "red"})", kOps).first == 400);
  auto [st2, res] =
      s.PostTo("/api/v1/admin/redact", R"({"id": [)" + std::to_string(id) + "]}", kOps);
  REQUIRE_MESSAGE(st2 == 200, res.dump());
  CHECK(res["redacted"] == 1);
  CHECK(res["matched"] == 1);
  CHECK(res["audit_id"].get<int64_t>() > 0);
  CHECK_FALSE(StoreHolds(s, canary));

  auto after = s.Get("/api/v1/history/" + std::to_string(id), kOps).second;
  CHECK_FALSE(after.contains("query"));
  const std::string text = after["plan"]["text"];
  CHECK(text.find("Index Cond: (customers.email = $1::text)") != std::string::npos);
  // The figures stay: summary and execution time as measured, the costs as printed.
  CHECK(after["summary"] == before["summary"]);
  CHECK(after["execution_ms"] == before["execution_ms"]);
  CHECK(text.substr(0, text.find('\n')) ==
        before["plan"]["text"].get<std::string>().substr(0, text.find('\n')));

  auto again = s.PostTo("/api/v1/admin/redact", R"({"all": true})", kOps).second;
  CHECK(again["redacted"] == 0);
  CHECK(again["matched"] == 1);
}

TEST_CASE("GET /api/v1/audit is for admins: every command, refusal and auth failure is there") {
  testing::ServiceStack s(Options());
  AskId(s, "plan select * from customers where id = 9", kAlice);
  CHECK(s.Ask("plan drop table customers", json::object(), kAlice).first == 400);
  CHECK(s.Ask("plan select 1", json::object(), "wrong-token-0123456789").first == 401);
  CHECK(s.Get("/api/v1/audit", kAlice).first == 403);

  auto [st, body] = s.Get("/api/v1/audit?limit=10", kOps);
  REQUIRE_MESSAGE(st == 200, body.dump());
  std::vector<std::string> actions;
  for (const auto& e : body["entries"]) actions.push_back(e["action"]);
  // Newest first: alice's refused audit read, the bad token, the refused DROP, the plan.
  REQUIRE(actions.size() == 4);
  CHECK(actions[0] == "refusal");
  CHECK(actions[1] == "auth_failure");
  CHECK(actions[2] == "refusal");
  CHECK(actions[3] == "command");
  const json& plan = body["entries"][3];
  CHECK(plan["normalized"] == "select * from customers where id = $1");
  CHECK(plan["details"]["history_id"].get<int64_t>() > 0);
  CHECK(plan["hash"].get<std::string>().size() == 64);
  CHECK(body["entries"][2]["prev_hash"] == plan["hash"]);
  CHECK(body.dump().find("wrong-token") == std::string::npos);  // no secret, ever
  CHECK(s.Get("/api/v1/audit?limit=2", kOps).second["next_before_id"].is_number());
}

TEST_CASE("retention: old entries are purged at start and while running, and audited") {
  testing::StackOptions o = Options("normalized");
  o.retention = core::Seconds(3600);
  o.retention_interval = std::chrono::milliseconds(200);
  auto old = [](int hours_ago) {
    storage::HistoryEntry h;
    h.created_at = storage::FormatRfc3339Millis(std::chrono::system_clock::now() -
                                                std::chrono::hours(hours_ago));
    h.user = "alice";
    h.channel = "http";
    h.session = "alice";
    h.database = "shop";
    h.command = "plan";
    h.normalized = "select $1";
    h.fingerprint = "0000000000000001";
    h.outcome = "ok";
    return h;
  };
  storage::AuditEntry a;
  a.actor = "alice";
  a.action = "command";
  o.prepare_store = [&](storage::Store& store) {
    REQUIRE(store.Record(old(48), a).ok());  // past retention
    REQUIRE(store.Record(old(0), a).ok());   // recent
  };
  testing::ServiceStack s(o);
  auto at_start = [&] {
    auto entries = s.store->ListHistory(storage::HistoryQuery{});
    REQUIRE(entries.ok());
    return entries->size();
  };
  // At start (the retention thread's first run): the 48-hour-old entry goes.
  for (int i = 0; i < 50 && at_start() != 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(at_start() == 1);
  auto audit = s.store->ListAudit(10, std::nullopt);
  REQUIRE(audit.ok());
  bool found = false;
  for (const auto& e : *audit) {
    if (e.action != "purge") continue;
    found = true;
    CHECK(e.actor == "system");
    json d = json::parse(e.details);
    CHECK(d["reason"] == "retention");
    CHECK(d["purged"] == 1);
    CHECK(d["filters"]["database"] == "shop");
  }
  CHECK(found);
  // While running: an entry that ages past retention is purged at the next check.
  REQUIRE(s.store->Record(old(5), a).ok());
  for (int i = 0; i < 50 && at_start() != 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(at_start() == 1);
  // Nothing to purge: no audit entry every interval.
  auto count_purges = [&] {
    int n = 0;
    auto entries = s.store->ListAudit(100, std::nullopt);
    REQUIRE(entries.ok());
    for (const auto& e : *entries) n += e.action == "purge";
    return n;
  };
  int purges = count_purges();
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  CHECK(count_purges() == purges);
}

TEST_CASE("a full disk or a read-only store: commands refused with a clear error, health answers") {
  testing::ServiceStack s(Options());
  AskId(s, "plan select * from customers where id = 1", kAlice);
  auto* sqlite = dynamic_cast<storage::SqliteStore*>(s.store.get());
  REQUIRE(sqlite != nullptr);
  auto pragma = [&](const std::string& sql) {
    REQUIRE(sqlite
                ->Write([&](storage::WriteTxn& txn) -> Result<int64_t> {
                  if (Status st = txn.db().Exec(sql); !st) return st.error();
                  return 0;
                })
                .ok());
  };

  // A big command: its history row needs new pages (or any write at all).
  std::string big = "plan select * from customers where email in (";
  for (int i = 0; i < 2000; ++i) big += (i ? ",'" : "'") + std::to_string(i) + "@x.org'";
  big += ")";
  auto refused_while_failing = [&] {
    auto [st1, first] = s.Ask(big, json::object(), kAlice);
    CHECK(st1 == 503);
    CHECK_MESSAGE(first["error"]["code"] == "store_unavailable", first.dump());
    CHECK_FALSE(first.contains("plan"));  // it ran, but is not answered unrecorded
    // Health checks keep being answered, and say what is wrong.
    auto health = s.client->Get("/healthz");
    REQUIRE(health);
    CHECK(health->status == 503);
    json h = json::parse(health->body);
    CHECK(h["store"]["status"] != "ok");
    return h.dump();
  };

  SUBCASE("disk full") {
    // SQLite's own limit on the file's pages: a write that needs a new page now fails with
    // SQLITE_FULL, exactly as on a full disk ("database or disk is full").
    auto pages = sqlite->Write([](storage::WriteTxn& txn) -> Result<int64_t> {
      auto n = txn.db().QueryText("PRAGMA page_count");
      if (!n) return n.error();
      return std::stoll(*n);
    });
    REQUIRE(pages.ok());
    pragma("PRAGMA max_page_count = " + std::to_string(*pages));
    std::string health = refused_while_failing();
    CHECK(health.find("full") != std::string::npos);
    // The next command is refused before it runs: nothing runs unaudited.
    auto [st2, second] = s.Ask("plan select 1", json::object(), kAlice);
    CHECK(st2 == 503);
    CHECK_MESSAGE(
        second["error"]["message"].get<std::string>().find("cannot record") != std::string::npos,
        second.dump());
    // Space again: the refusal's own audit entry was the next write; commands run again.
    pragma("PRAGMA max_page_count = 1073741823");
    auto [st3, third] = s.Ask("plan select 2", json::object(), kAlice);
    CHECK_MESSAGE(st3 == 200, third.dump());
    CHECK(s.client->Get("/healthz")->status == 200);
  }
  SUBCASE("read-only") {
    // query_only: every write of the store's connection fails as on a read-only file
    // ("attempt to write a readonly database"); it cannot be undone from the outside.
    pragma("PRAGMA query_only = ON");
    std::string health = refused_while_failing();
    CHECK(health.find("readonly") != std::string::npos);
    for (int i = 0; i < 3; ++i) {
      auto [st, again] = s.Ask("plan select 1", json::object(), kAlice);
      CHECK(st == 503);
      CHECK(again["error"]["message"].get<std::string>().find("record") != std::string::npos);
    }
    CHECK(s.client->Get("/healthz")->status == 503);
  }
  CHECK(s.store->VerifyAuditChain()->intact);
}
