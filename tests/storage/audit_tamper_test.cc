// The audit table on disk: triggers refuse UPDATE and DELETE, and VerifyAuditChain finds the
// first broken entry after someone with the file drops the triggers and edits it through a
// second, raw connection.
#include <doctest/doctest.h>

#include "storage/audit_chain.h"
#include "storage/rows.h"
#include "tests/storage/store_testing.h"

namespace planbot::storage {
namespace {

using testing::OpenStore;
using testing::RawDb;
using testing::SampleAudit;
using testing::SampleHistory;
using testing::TempDir;

std::unique_ptr<SqliteStore> TenEntries(const TempDir& dir) {
  auto store = OpenStore(dir.File("planbot.db"));
  for (int i = 1; i <= 10; ++i) REQUIRE(store->Record(SampleHistory(i), SampleAudit(i)).ok());
  auto report = store->VerifyAuditChain();
  REQUIRE(report.ok());
  REQUIRE(report->intact);
  REQUIRE(report->last_id == 10);
  return store;
}

constexpr const char* kDropTriggers = "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;";

TEST_CASE("the audit table refuses UPDATE and DELETE") {
  TempDir dir;
  auto store = TenEntries(dir);
  SqliteDb raw = RawDb(store->path());
  auto update = raw.Exec("UPDATE audit SET actor = 'mallory' WHERE id = 5");
  REQUIRE_FALSE(update.ok());
  CHECK(update.error().message.find("append-only") != std::string::npos);
  auto remove = raw.Exec("DELETE FROM audit WHERE id = 5");
  REQUIRE_FALSE(remove.ok());
  CHECK(remove.error().message.find("append-only") != std::string::npos);
  CHECK(store->VerifyAuditChain()->intact);
}

TEST_CASE("a changed field is found at its entry") {
  TempDir dir;
  auto store = TenEntries(dir);
  SqliteDb raw = RawDb(store->path());
  REQUIRE(raw.Exec(kDropTriggers).ok());
  REQUIRE(raw.Exec("UPDATE audit SET actor = 'mallory' WHERE id = 5").ok());
  auto report = store->VerifyAuditChain();
  REQUIRE(report.ok());
  CHECK_FALSE(report->intact);
  CHECK(report->first_broken_id == 5);
  CHECK(report->last_id == 4);
  CHECK(report->problem.find("hash does not match") != std::string::npos);
}

TEST_CASE("a deleted entry is found as a gap before the next one") {
  TempDir dir;
  auto store = TenEntries(dir);
  SqliteDb raw = RawDb(store->path());
  REQUIRE(raw.Exec(kDropTriggers).ok());
  REQUIRE(raw.Exec("DELETE FROM audit WHERE id = 5").ok());
  auto report = store->VerifyAuditChain();
  REQUIRE(report.ok());
  CHECK(report->first_broken_id == 6);
  CHECK(report->problem == "audit entry 6: entry 5 is missing");
}

TEST_CASE("an inserted entry is found, even with a correct hash and renumbered ids") {
  TempDir dir;
  auto store = TenEntries(dir);
  SqliteDb raw = RawDb(store->path());
  REQUIRE(raw.Exec(kDropTriggers).ok());
  SUBCASE("forged entry in the middle, later ids shifted up") {
    auto entry5 = store->ListAudit(1, 6);
    REQUIRE(entry5->front().id == 5);
    AuditEntry forged = SampleAudit(99);
    forged.id = 6;
    forged.created_at = "2026-11-23T10:00:00.000Z";
    forged.prev_hash = entry5->front().hash;
    forged.hash = AuditEntryHash(forged);  // a valid link to entry 5
    REQUIRE(raw.Exec("UPDATE audit SET id = -id WHERE id > 5; "
                     "UPDATE audit SET id = 1 - id WHERE id < 0")
                .ok());
    auto insert = raw.Prepare(kInsertAudit);
    REQUIRE(insert.ok());
    BindAudit(*insert, forged);
    REQUIRE(insert->Run().ok());
    auto report = store->VerifyAuditChain();
    REQUIRE(report.ok());
    CHECK(report->first_broken_id == 7);  // the old entry 6 does not link to the forgery
    CHECK(report->problem.find("prev_hash does not match the hash of entry 6") !=
          std::string::npos);
  }
  SUBCASE("entry appended at the end without the chain") {
    AuditEntry forged = SampleAudit(99);
    forged.id = 11;
    forged.created_at = "2026-11-23T10:00:00.000Z";
    forged.prev_hash = std::string(kGenesisHash);
    forged.hash = AuditEntryHash(forged);
    auto insert = raw.Prepare(kInsertAudit);
    REQUIRE(insert.ok());
    BindAudit(*insert, forged);
    REQUIRE(insert->Run().ok());
    auto report = store->VerifyAuditChain();
    REQUIRE(report.ok());
    CHECK(report->first_broken_id == 11);
    CHECK(report->last_id == 10);
  }
}

TEST_CASE("the chain continues across re-opens and across two writers on one file") {
  TempDir dir;
  std::string path = dir.File("planbot.db");
  { TenEntries(dir); }
  auto a = OpenStore(path);
  auto b = OpenStore(path);  // e.g. `planbot admin purge` while the service runs
  for (int i = 0; i < 20; ++i) {
    REQUIRE((i % 2 == 0 ? a : b)->Audit(SampleAudit(i)).ok());
  }
  auto report = a->VerifyAuditChain();
  REQUIRE(report.ok());
  CHECK(report->intact);
  CHECK(report->last_id == 30);
}

}  // namespace
}  // namespace planbot::storage
