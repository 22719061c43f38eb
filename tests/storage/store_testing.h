// Helpers for the storage tests: a temporary directory removed at the end of the test, sample
// entries with every field set, and a second raw connection to a store's file.
#pragma once

#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "storage/sqlite_db.h"
#include "storage/sqlite_store.h"
#include "storage/store.h"
#include "tests/result_testing.h"

namespace planbot::storage::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "planbot-store-XXXXXX");
    char* made = mkdtemp(pattern.data());
    REQUIRE(made != nullptr);
    path_ = made;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// True when `needle` occurs anywhere in the bytes of `path` (a missing file has no bytes).
inline bool FileHolds(const std::string& path, const std::string& needle) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return bytes.find(needle) != std::string::npos;
}

// The store's file, its write-ahead log or its shared-memory index holds `needle`.
inline bool StoreFilesHold(const std::string& db, const std::string& needle) {
  return FileHolds(db, needle) || FileHolds(db + "-wal", needle) || FileHolds(db + "-shm", needle);
}

inline HistoryEntry SampleHistory(int i) {
  HistoryEntry h;
  h.user = "user" + std::to_string(i % 3);
  h.channel = "http";
  h.session = "s" + std::to_string(i % 4);
  h.database = i % 2 == 0 ? "shop" : "big";
  h.command = "explain";
  h.query_text = "select * from t where id = " + std::to_string(i);
  h.normalized = "select * from t where id = $1";
  h.fingerprint = "fp" + std::to_string(i % 5);
  h.plan_json = R"([{"Plan": {"Node Type": "Seq Scan"}}])";
  h.plan_text = "Seq Scan on t  (cost=0.00..1.00 rows=1 width=4)";
  h.summary_json = R"({"execution_ms": 1.5})";
  h.tips_json = "[]";
  h.execution_ms = 1.5 + i;
  h.duration_ms = 12.25;
  h.outcome = "ok";
  return h;
}

// The audit entry of an admin's purge or redact (`action`), as the history maintenance tests
// pass it.
inline AuditEntry AdminAudit(const char* action) {
  AuditEntry a;
  a.actor = "ops";
  a.action = action;
  a.channel = "cli";
  a.outcome = "ok";
  a.details = R"({"filters":{"user":"user1"}})";
  return a;
}

inline AuditEntry SampleAudit(int i) {
  AuditEntry a;
  a.actor = "user" + std::to_string(i % 3);
  a.action = "command";
  a.channel = "http";
  a.session = "s" + std::to_string(i % 4);
  a.database = "shop";
  a.command = "explain";
  a.normalized = "select * from t where id = $1";
  a.fingerprint = "fp" + std::to_string(i % 5);
  a.outcome = "ok";
  a.details = R"({"n":)" + std::to_string(i) + "}";
  return a;
}

inline std::unique_ptr<SqliteStore> OpenStore(const std::string& path, StoreOptions options = {}) {
  auto store = SqliteStore::Open(path, std::move(options));
  REQUIRE_MESSAGE(store.ok(), planbot::testing::ErrorText(store));
  return std::move(*store);
}

// A second connection to the file, as another process (or an attacker with the file) would have.
inline SqliteDb RawDb(const std::string& path) {
  auto db = SqliteDb::Open(path, SqliteDb::Mode::kReadWrite);
  REQUIRE(db.ok());
  REQUIRE(db->Exec("PRAGMA busy_timeout = 5000").ok());
  return std::move(*db);
}

inline int64_t Count(SqliteDb& db, const std::string& sql) {
  auto text = db.QueryText(sql);
  REQUIRE(text.ok());
  return std::stoll(*text);
}

}  // namespace planbot::storage::testing
