// Opening the store: file creation and settings, migrations on first open and not again,
// and clear errors for paths that cannot hold a store.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "storage/migrations.h"
#include "tests/storage/store_testing.h"

namespace planbot::storage {
namespace {

using testing::Count;
using testing::OpenStore;
using testing::RawDb;
using testing::SampleAudit;
using testing::SampleHistory;
using testing::TempDir;

// A PRAGMA's value as the writer connection sees it (per-connection settings).
std::string WriterPragma(SqliteStore& store, const std::string& pragma) {
  std::string value;
  auto r = store.Write([&](WriteTxn& txn) -> Result<int64_t> {
    auto v = txn.db().QueryText("PRAGMA " + pragma);
    if (!v) return v.error();
    value = *v;
    return 0;
  });
  REQUIRE(r.ok());
  return value;
}

TEST_CASE("Open creates and migrates the file; re-opening keeps the data and migrates nothing") {
  TempDir dir;
  std::string path = dir.File("planbot.db");
  int64_t id = 0;
  {
    auto store = OpenStore(path);
    CHECK(store->migrations_applied() == static_cast<int>(Migrations().size()));
    auto r = store->Record(SampleHistory(1), SampleAudit(1));
    REQUIRE(r.ok());
    id = *r;
  }
  std::string applied_at;
  {
    SqliteDb raw = RawDb(path);
    CHECK(Count(raw, "SELECT count(*) FROM schema_migrations") ==
          static_cast<int64_t>(Migrations().size()));
    applied_at = *raw.QueryText("SELECT applied_at FROM schema_migrations WHERE version = 1");
  }
  auto store = OpenStore(path);
  CHECK(store->migrations_applied() == 0);
  auto got = store->GetHistory(id);
  REQUIRE(got.ok());
  REQUIRE(got->has_value());
  CHECK((*got)->query_text == SampleHistory(1).query_text);
  SqliteDb raw = RawDb(path);
  CHECK(Count(raw, "SELECT count(*) FROM schema_migrations") ==
        static_cast<int64_t>(Migrations().size()));
  CHECK(*raw.QueryText("SELECT applied_at FROM schema_migrations WHERE version = 1") == applied_at);
  CHECK(store->VerifyAuditChain()->intact);
}

TEST_CASE("the file is in WAL mode with synchronous=FULL, foreign keys, secure delete, mode 0600") {
  TempDir dir;
  std::string path = dir.File("planbot.db");
  StoreOptions options;
  options.busy_timeout_ms = 1234;
  auto store = OpenStore(path, options);
  SqliteDb raw = RawDb(path);
  CHECK(*raw.QueryText("PRAGMA journal_mode") == "wal");
  CHECK(WriterPragma(*store, "synchronous") == "2");  // FULL
  CHECK(WriterPragma(*store, "foreign_keys") == "1");
  CHECK(WriterPragma(*store, "secure_delete") == "1");
  CHECK(WriterPragma(*store, "busy_timeout") == "1234");
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("Store::Open returns a working store behind the interface") {
  TempDir dir;
  auto store = Store::Open(dir.File("x.db"));
  REQUIRE(store.ok());
  CHECK((*store)->Health().ok());
  CHECK((*store)->Audit(SampleAudit(1)).ok());
  CHECK((*store)->ListAudit(10, std::nullopt)->size() == 1);
  CHECK((*store)->VerifyAuditChain()->intact);
}

TEST_CASE("paths that cannot hold a store fail with store_error naming the problem") {
  TempDir dir;
  SUBCASE("a directory that does not exist") {
    auto store = SqliteStore::Open(dir.File("missing/planbot.db"));
    REQUIRE_FALSE(store.ok());
    CHECK(store.error().code == "store_error");
    CHECK(store.error().message.find("does not exist") != std::string::npos);
    CHECK(store.error().message.find("missing") != std::string::npos);
  }
  SUBCASE("a path that is a directory") {
    auto store = SqliteStore::Open(dir.File(""));
    REQUIRE_FALSE(store.ok());
    CHECK(store.error().code == "store_error");
  }
  SUBCASE("a file that is not a database") {
    std::ofstream(dir.File("junk.db")) << std::string(8192, 'x');
    auto store = SqliteStore::Open(dir.File("junk.db"));
    REQUIRE_FALSE(store.ok());
    CHECK(store.error().code == "store_error");
    CHECK(store.error().message.find("not a database") != std::string::npos);
  }
  SUBCASE("an empty path") {
    auto store = SqliteStore::Open("");
    REQUIRE_FALSE(store.ok());
    CHECK(store.error().code == "store_error");
  }
}

// chmod does not stop root, so this only runs as another user; as root the missing directory
// above and the locked and full files of group_commit_test.cc are the failures that still work.
TEST_CASE("a read-only file is refused (not as root)") {
  if (::geteuid() == 0) {
    MESSAGE("skipped: root can write a file whatever its mode");
    return;
  }
  TempDir dir;
  std::string path = dir.File("planbot.db");
  { OpenStore(path); }
  REQUIRE(::chmod(path.c_str(), 0400) == 0);
  auto store = SqliteStore::Open(path);
  REQUIRE_FALSE(store.ok());
  CHECK(store.error().code == "store_error");
  CHECK(store.error().message.find(path) != std::string::npos);
}

TEST_CASE("a file migrated by a newer planbot is refused") {
  TempDir dir;
  std::string path = dir.File("planbot.db");
  { OpenStore(path); }
  {
    SqliteDb raw = RawDb(path);
    REQUIRE(raw.Exec("INSERT INTO schema_migrations VALUES (999, 'future', 'x')").ok());
  }
  auto store = SqliteStore::Open(path);
  REQUIRE_FALSE(store.ok());
  CHECK(store.error().code == "store_error");
  CHECK(store.error().message.find("999") != std::string::npos);
}

TEST_CASE("migration 5 (history columns reordered) keeps every field and the id counter") {
  TempDir dir;
  const std::string path = dir.File("planbot.db");
  {
    auto store = OpenStore(path);
    for (int i = 1; i <= 3; ++i) REQUIRE(store->Record(SampleHistory(i), SampleAudit(i)).ok());
    HistoryFilter top;
    top.ids = {3};
    AuditEntry a = SampleAudit(9);
    a.action = "purge";
    REQUIRE(store->Purge(top, a).ok());
  }
  {  // as if the file came from before migration 5: it runs again on these rows
    auto raw = RawDb(path);
    REQUIRE(raw.Exec("DELETE FROM schema_migrations WHERE version = 5").ok());
  }
  auto store = OpenStore(path);
  CHECK(store->migrations_applied() == 1);
  auto two = store->GetHistory(2);
  REQUIRE(two.ok());
  REQUIRE(two->has_value());
  HistoryEntry want = SampleHistory(2);
  CHECK((*two)->query_text == want.query_text);
  CHECK((*two)->plan_json == want.plan_json);
  CHECK((*two)->plan_text == want.plan_text);
  CHECK((*two)->execution_ms == want.execution_ms);
  CHECK((*two)->error_message == want.error_message);
  CHECK((*two)->fingerprint == want.fingerprint);
  auto next = store->Record(SampleHistory(4), SampleAudit(4));
  REQUIRE(next.ok());
  CHECK(*next == 4);  // id 3 was purged and is never handed out again
  auto raw = RawDb(path);
  CHECK(Count(raw, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'history_v5%'") == 0);
  CHECK(Count(raw,
              "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND "
              "tbl_name = 'history'") == 5);
  CHECK(store->VerifyAuditChain()->intact);
}

}  // namespace
}  // namespace planbot::storage
