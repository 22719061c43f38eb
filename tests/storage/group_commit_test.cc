// Group commit under concurrency, and the writer's failure behaviour: callers get store_error,
// Health() reports it until a write succeeds, the writer keeps going and the chain stays intact.
//
// Failures are provoked in ways that work as root (chmod does not stop root): another connection
// holding the write lock past the busy timeout (SQLITE_BUSY, as when another process keeps the
// file locked), and max_page_count on the writer connection (SQLITE_FULL, as on a full disk).
// Read-only files and missing directories are covered in store_open_test.cc.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "tests/storage/store_testing.h"

namespace planbot::storage {
namespace {

using testing::Count;
using testing::OpenStore;
using testing::RawDb;
using testing::SampleAudit;
using testing::SampleHistory;
using testing::TempDir;

TEST_CASE("8 threads x 200 Records: every row there, chain intact, far fewer transactions") {
  TempDir dir;
  auto store = OpenStore(dir.File("planbot.db"));
  constexpr int kThreads = 8;
  constexpr int kPerThread = 200;
  std::vector<std::vector<int64_t>> ids(kThreads);
  std::atomic<int> failures{0};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto id = store->Record(SampleHistory(t * kPerThread + i), SampleAudit(i));
        if (!id.ok()) {
          failures.fetch_add(1);
          continue;
        }
        ids[t].push_back(*id);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const int records = kThreads * kPerThread;
  uint64_t commits = store->commit_count();
  MESSAGE(records << " records in " << commits << " transactions, " << seconds << " s, "
                  << static_cast<int>(records / seconds) << " records/s");

  CHECK(failures.load() == 0);
  std::vector<int64_t> all;
  for (const auto& v : ids) all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  CHECK(std::adjacent_find(all.begin(), all.end()) == all.end());  // unique ids
  SqliteDb raw = RawDb(store->path());
  CHECK(Count(raw, "SELECT count(*) FROM history") == records);
  CHECK(Count(raw, "SELECT count(*) FROM audit") == records);
  CHECK(store->write_count() == static_cast<uint64_t>(records));
  CHECK(commits * 2 <= static_cast<uint64_t>(records));  // at least 2 records per commit
  auto report = store->VerifyAuditChain();
  REQUIRE(report.ok());
  CHECK(report->intact);
  CHECK(report->entries == records);
}

TEST_CASE("a batch that cannot commit fails its callers; Health reports it until a write works") {
  TempDir dir;
  StoreOptions options;
  options.busy_timeout_ms = 100;
  auto store = OpenStore(dir.File("planbot.db"), options);
  REQUIRE(store->Record(SampleHistory(1), SampleAudit(1)).ok());
  CHECK(store->Health().ok());

  SqliteDb other = RawDb(store->path());
  REQUIRE(other.Exec("BEGIN IMMEDIATE").ok());  // another process holds the write lock
  auto failed = store->Record(SampleHistory(2), SampleAudit(2));
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().code == "store_error");
  CHECK(failed.error().message.find("locked") != std::string::npos);
  auto health = store->Health();
  REQUIRE_FALSE(health.ok());
  CHECK(health.error().code == "store_error");
  CHECK(health.error().message.find("locked") != std::string::npos);
  CHECK_FALSE(store->Audit(SampleAudit(3)).ok());
  CHECK(store->ListHistory({})->size() == 1);  // reads still work: WAL readers do not wait

  REQUIRE(other.Exec("ROLLBACK").ok());
  auto id = store->Record(SampleHistory(4), SampleAudit(4));
  REQUIRE(id.ok());
  CHECK(*id == 2);
  CHECK(store->Health().ok());
  auto report = store->VerifyAuditChain();
  CHECK(report->intact);
  CHECK(report->last_id == 2);
}

// Sets the writer connection's max_page_count (0: back to a large limit).
void LimitPages(SqliteStore& store, bool limit) {
  auto r = store.Write([limit](WriteTxn& txn) -> Result<int64_t> {
    auto pages = txn.db().QueryText("PRAGMA page_count");
    if (!pages) return pages.error();
    std::string count = limit ? *pages : "1073741823";
    auto set = txn.db().QueryText("PRAGMA max_page_count = " + count);
    if (!set) return set.error();
    return 0;
  });
  REQUIRE(r.ok());
}

TEST_CASE("a full disk fails the write with store_error and leaves no half-written entry") {
  TempDir dir;
  auto store = OpenStore(dir.File("planbot.db"));
  REQUIRE(store->Record(SampleHistory(1), SampleAudit(1)).ok());
  LimitPages(*store, true);
  HistoryEntry big = SampleHistory(2);
  big.plan_json = std::string(200000, 'p');  // needs new pages
  auto failed = store->Record(big, SampleAudit(2));
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().code == "store_error");
  CHECK(failed.error().message.find("full") != std::string::npos);
  CHECK_FALSE(store->Health().ok());

  LimitPages(*store, false);
  REQUIRE(store->Record(big, SampleAudit(3)).ok());
  CHECK(store->Health().ok());
  SqliteDb raw = RawDb(store->path());
  CHECK(Count(raw, "SELECT count(*) FROM history") == 2);
  CHECK(Count(raw, "SELECT count(*) FROM audit") == 2);
  CHECK(store->VerifyAuditChain()->intact);
}

TEST_CASE("an operation that fails on its own is rolled back alone; the chain head with it") {
  TempDir dir;
  auto store = OpenStore(dir.File("planbot.db"));
  REQUIRE(store->Audit(SampleAudit(1)).ok());
  auto failed = store->Write([](WriteTxn& txn) -> Result<int64_t> {
    if (auto id = txn.AppendAudit(SampleAudit(2)); !id) return id.error();
    return MakeError(ErrorCode::kBadRequest, "changed my mind");
  });
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().code == "bad_request");
  CHECK(store->Health().ok());  // not a store failure
  auto threw = store->Write([](WriteTxn&) -> Result<int64_t> { throw std::runtime_error("boom"); });
  REQUIRE_FALSE(threw.ok());
  CHECK(threw.error().message.find("boom") != std::string::npos);
  REQUIRE(store->Audit(SampleAudit(3)).ok());
  auto audits = store->ListAudit(10, std::nullopt);
  REQUIRE(audits->size() == 2);
  CHECK(audits->front().id == 2);
  CHECK(audits->front().details == SampleAudit(3).details);
  CHECK(store->VerifyAuditChain()->intact);
}

TEST_CASE("the destructor commits what is queued") {
  TempDir dir;
  std::string path = dir.File("planbot.db");
  {
    auto store = OpenStore(path);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&store, t] {
        for (int i = 0; i < 25; ++i) CHECK(store->Audit(SampleAudit(t * 25 + i)).ok());
      });
    }
    for (auto& thread : threads) thread.join();
  }
  auto store = OpenStore(path);
  auto report = store->VerifyAuditChain();
  CHECK(report->intact);
  CHECK(report->last_id == 100);
}

}  // namespace
}  // namespace planbot::storage
