// WriteTxn: what a write operation may do inside the writer's transaction — insert history,
// append to the audit chain, or run its own SQL (later: purge and redact) on the connection.
//
// The writer (group_commit.h) opens BEGIN IMMEDIATE, then Start() reads the chain head (the last
// audit id and hash) under that write lock, so entries appended by another process (`planbot
// admin` while the service runs) are chained correctly. AppendAudit assigns id = head + 1,
// prev_hash = head's hash, created_at (when empty) and hash, in commit order: chain order is id
// order.
//
// Ownership: borrows the writer's connection for one transaction. Failures: "store_error" with
// SQLite's message. Thread-safety: the writer thread only.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "common/result.h"
#include "storage/sqlite_db.h"
#include "storage/store.h"

namespace planbot::storage {

// `audit` with `fields` merged into its details object (details that are not a JSON object are
// replaced): the store adds what only it knows, e.g. the history id or a purge's counts.
AuditEntry WithDetails(const AuditEntry& audit, const nlohmann::json& fields);

class WriteTxn {
 public:
  struct Head {
    int64_t id = 0;
    std::string hash;
  };

  // Call inside BEGIN IMMEDIATE.
  static Result<WriteTxn> Start(SqliteDb& db);

  // Returns the new history id.
  Result<int64_t> InsertHistory(const HistoryEntry& entry);
  // Returns the new audit id.
  Result<int64_t> AppendAudit(const AuditEntry& entry);

  SqliteDb& db() { return *db_; }
  // The chain head; the writer saves and restores it around an operation rolled back to its
  // savepoint.
  const Head& head() const { return head_; }
  void set_head(Head head) { head_ = std::move(head); }

 private:
  WriteTxn(SqliteDb& db, Head head) : db_(&db), head_(std::move(head)) {}
  SqliteDb* db_;
  Head head_;
};

}  // namespace planbot::storage
