// Purge and redact on a real store file: filters, refusals, counts, one audit entry per
// operation (with the counts), batches, and no trace of the removed text in the database file,
// its -wal or its -shm afterwards.
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "tests/result_testing.h"
#include "tests/storage/store_testing.h"

namespace planbot::storage {
namespace {

using testing::AdminAudit;
using testing::Count;
using testing::OpenStore;
using testing::SampleAudit;
using testing::SampleHistory;
using testing::StoreFilesHold;
using testing::TempDir;

// Fills 30 entries like history_list_test: user(i%3), s(i%4), shop/big, fp(i%5), second i.
void Fill(SqliteStore& store, int n = 30) {
  for (int i = 1; i <= n; ++i) {
    HistoryEntry h = SampleHistory(i);
    char ts[32];
    std::snprintf(ts, sizeof ts, "2026-11-23T10:%02d:%02d.000Z", i / 60, i % 60);
    h.created_at = ts;
    REQUIRE(store.Record(h, SampleAudit(i)).ok());
  }
}

std::vector<int64_t> Ids(SqliteStore& store) {
  HistoryQuery q;
  q.limit = 1000;
  auto entries = store.ListHistory(q);
  REQUIRE(entries.ok());
  std::vector<int64_t> ids;
  for (const auto& e : *entries) ids.push_back(e.id);
  return ids;
}

// A redactor like the bot's, for storage alone: raw SQL gone, plan replaced by a masked copy;
// an entry without raw SQL has nothing left to change (as the bot's, when there is nothing to
// scrub).
Status MaskEverything(HistoryEntry& e) {
  if (!e.query_text) return Ok{};
  e.query_text.reset();
  e.plan_json = R"j([{"Plan": {"Node Type": "Seq Scan", "Filter": "(note = $1)"}}])j";
  e.plan_text = "Seq Scan on t\n  Filter: (note = $1)";
  e.tips_json = "[]";
  return Ok{};
}

TEST_CASE("purge: filters are ANDed, ids are any-of, counts and one audit entry with them") {
  TempDir dir;
  auto store = OpenStore(dir.File("planbot.db"));
  Fill(*store);

  HistoryFilter f;
  f.user = "user1";                   // 1, 4, 7, ..., 28
  f.before = "2026-11-23T10:00:11Z";  // seconds 1..10
  auto r = store->Purge(f, AdminAudit("purge"));
  REQUIRE_MESSAGE(r.ok(), planbot::testing::ErrorText(r));
  CHECK(r->matched == 4);  // 1, 4, 7, 10
  CHECK(r->changed == 4);
  CHECK(r->wal_cleared);
  auto left = Ids(*store);
  CHECK(left.size() == 26);
  for (int64_t gone : {1, 4, 7, 10}) {
    CHECK(std::find(left.begin(), left.end(), gone) == left.end());
  }

  HistoryFilter by_id;
  by_id.ids = {2, 3, 4};  // 4 is gone already
  r = store->Purge(by_id, AdminAudit("purge"));
  REQUIRE(r.ok());
  CHECK(r->changed == 2);

  auto audits = store->ListAudit(2, std::nullopt);
  REQUIRE(audits->size() == 2);
  const AuditEntry& last = audits->front();
  CHECK(last.action == "purge");
  CHECK(last.actor == "ops");
  CHECK(last.id == r->audit_id);
  auto details = nlohmann::json::parse(last.details);
  CHECK(details["purged"] == 2);
  CHECK(details["matched"] == 2);
  CHECK(details["filters"]["user"] == "user1");  // the caller's details are kept
  // The audit log is untouched by purges: 30 command entries plus the two purges.
  auto raw = testing::RawDb(store->path());
  CHECK(Count(raw, "SELECT count(*) FROM audit") == 32);
  CHECK(store->VerifyAuditChain()->intact);
}

TEST_CASE("purge and redact refuse an empty filter; --all is exclusive") {
  TempDir dir;
  auto store = OpenStore(dir.File("planbot.db"));
  Fill(*store, 3);
  auto r = store->Purge(HistoryFilter{}, AdminAudit("purge"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "bad_request");
  CHECK(r.error().message.find("--all") != std::string::npos);
  auto red = store->Redact(HistoryFilter{}, MaskEverything, AdminAudit("redact"));
  REQUIRE_FALSE(red.ok());
  CHECK(red.error().code == "bad_request");
  HistoryFilter both;
  both.all = true;
  both.user = "user1";
  CHECK_FALSE(store->Purge(both, AdminAudit("purge")).ok());
  CHECK(Ids(*store).size() == 3);  // nothing happened
  auto raw = testing::RawDb(store->path());
  CHECK(Count(raw, "SELECT count(*) FROM audit WHERE action = 'purge'") == 0);

  HistoryFilter all;
  all.all = true;
  r = store->Purge(all, AdminAudit("purge"));
  REQUIRE(r.ok());
  CHECK(r->changed == 3);
  CHECK(Ids(*store).empty());
}

TEST_CASE("purge in batches: thousands of rows, one audit entry") {
  TempDir dir;
  auto store = OpenStore(dir.File("planbot.db"));
  REQUIRE(store
              ->Write([](WriteTxn& txn) -> Result<int64_t> {
                for (int i = 1; i <= 4500; ++i) {
                  if (auto id = txn.InsertHistory(SampleHistory(i)); !id) return id.error();
                }
                return 0;
              })
              .ok());
  HistoryFilter f;
  f.database = "shop";  // the even half
  auto r = store->Purge(f, AdminAudit("purge"));
  REQUIRE(r.ok());
  CHECK(r->changed == 2250);
  auto raw = testing::RawDb(store->path());
  CHECK(Count(raw, "SELECT count(*) FROM history") == 2250);
  CHECK(Count(raw, "SELECT count(*) FROM history WHERE database_name = 'shop'") == 0);
  CHECK(Count(raw, "SELECT count(*) FROM audit") == 1);
}

TEST_CASE("redact: full entries become normalized, figures kept, others counted as matched") {
  TempDir dir;
  auto store = OpenStore(dir.File("planbot.db"));
  Fill(*store, 6);
  {  // entry 6 is already normalized
    auto raw = testing::RawDb(store->path());
    REQUIRE(raw.Exec("UPDATE history SET query_text = NULL WHERE id = 6").ok());
  }
  HistoryFilter f;
  f.ids = {2, 4, 6};
  auto r = store->Redact(f, MaskEverything, AdminAudit("redact"));
  REQUIRE_MESSAGE(r.ok(), planbot::testing::ErrorText(r));
  CHECK(r->matched == 3);
  CHECK(r->changed == 2);
  auto two = store->GetHistory(2);
  REQUIRE(two->has_value());
  const HistoryEntry& e = **two;
  CHECK_FALSE(e.query_text.has_value());
  CHECK(e.plan_text == "Seq Scan on t\n  Filter: (note = $1)");
  CHECK(e.summary_json == SampleHistory(2).summary_json);  // figures kept
  CHECK(e.execution_ms == SampleHistory(2).execution_ms);
  CHECK(e.normalized == SampleHistory(2).normalized);
  auto untouched = store->GetHistory(3);
  CHECK((*untouched)->query_text == SampleHistory(3).query_text);
  auto audits = store->ListAudit(1, std::nullopt);
  auto details = nlohmann::json::parse(audits->front().details);
  CHECK(audits->front().action == "redact");
  CHECK(details["redacted"] == 2);
  CHECK(details["matched"] == 3);

  // Again: nothing left to redact, still audited.
  r = store->Redact(f, MaskEverything, AdminAudit("redact"));
  REQUIRE(r.ok());
  CHECK(r->changed == 0);
  CHECK(r->matched == 3);
  CHECK(store->VerifyAuditChain()->intact);
}

TEST_CASE("a failing redactor stops the redact with its error and writes no audit entry") {
  TempDir dir;
  auto store = OpenStore(dir.File("planbot.db"));
  Fill(*store, 2);
  HistoryFilter all;
  all.all = true;
  auto r = store->Redact(
      all,
      [](HistoryEntry&) -> Status { return MakeError(ErrorCode::kBadJson, "plan unreadable"); },
      AdminAudit("redact"));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "bad_json");
  CHECK((*store->GetHistory(1))->query_text.has_value());
}

// The canary: a value that only raw SQL and an unmasked plan hold. Large enough that the row
// spills onto overflow pages, which are freed (and must be zeroed) as whole pages.
std::string CanaryEntryText(const std::string& canary) {
  return "select * from customers where email = '" + canary + "' and note = '" +
         std::string(6000, 'x') + "'";
}

void RecordCanary(SqliteStore& store, const std::string& canary, int i) {
  HistoryEntry h = SampleHistory(i);
  h.query_text = CanaryEntryText(canary);
  h.plan_json = R"j([{"Plan": {"Node Type": "Seq Scan", "Filter": "(email = ')j" + canary +
                R"j('::text)"}}])j";
  h.plan_text = "Seq Scan on customers\n  Filter: (email = '" + canary + "'::text)";
  REQUIRE(store.Record(h, SampleAudit(i)).ok());
}

TEST_CASE(
    "no trace on disk: after purge or redact the canary is in neither the file, -wal nor -shm") {
  TempDir dir;
  const std::string path = dir.File("planbot.db");
  auto store = OpenStore(path);
  Fill(*store, 5);
  RecordCanary(*store, "CANARY-purge-7f3a9c", 100);
  RecordCanary(*store, "CANARY-redact-51b2e8", 101);
  Fill(*store, 5);
  // The control: before, the text is on disk (in the WAL, or the file after a checkpoint).
  CHECK(StoreFilesHold(path, "CANARY-purge-7f3a9c"));
  CHECK(StoreFilesHold(path, "CANARY-redact-51b2e8"));

  HistoryFilter purge;
  purge.ids = {6};
  auto p = store->Purge(purge, AdminAudit("purge"));
  REQUIRE(p.ok());
  CHECK(p->changed == 1);
  REQUIRE(p->wal_cleared);
  CHECK_FALSE(StoreFilesHold(path, "CANARY-purge-7f3a9c"));
  CHECK(StoreFilesHold(path, "CANARY-redact-51b2e8"));  // the other one is still there

  HistoryFilter redact;
  redact.ids = {7};
  auto r = store->Redact(redact, MaskEverything, AdminAudit("redact"));
  REQUIRE(r.ok());
  CHECK(r->changed == 1);
  REQUIRE(r->wal_cleared);
  CHECK_FALSE(StoreFilesHold(path, "CANARY-redact-51b2e8"));
  CHECK_FALSE(StoreFilesHold(path, std::string(6000, 'x')));  // the overflow pages too
  // ... while the store keeps working and the rest is intact.
  CHECK(Ids(*store).size() == 11);
  Fill(*store, 1);
  CHECK(store->VerifyAuditChain()->intact);
}

TEST_CASE("a second process may purge while this one records (the CLI beside the service)") {
  TempDir dir;
  const std::string path = dir.File("planbot.db");
  auto service = OpenStore(path);
  auto admin = OpenStore(path);
  Fill(*service, 10);
  RecordCanary(*service, "CANARY-two-processes", 50);
  HistoryFilter f;
  f.ids = {11};
  auto r = admin->Purge(f, AdminAudit("purge"));
  REQUIRE(r.ok());
  CHECK(r->changed == 1);
  REQUIRE(r->wal_cleared);
  CHECK_FALSE(StoreFilesHold(path, "CANARY-two-processes"));
  Fill(*service, 2);  // the service's writer goes on, chained after the admin's entry
  CHECK(service->VerifyAuditChain()->intact);
  auto raw = testing::RawDb(path);
  CHECK(Count(raw, "SELECT count(*) FROM audit") == 14);
}

}  // namespace
}  // namespace planbot::storage
