#include "storage/sqlite_store.h"

#include <utility>

#include "storage/audit_chain.h"
#include "storage/history_query.h"
#include "storage/rows.h"

namespace planbot::storage {
Result<int64_t> SqliteStore::Record(const std::optional<HistoryEntry>& history,
                                    const AuditEntry& audit) {
  // The references stay valid: Write() returns only after the operation has run.
  return Write([&history, &audit](WriteTxn& txn) -> Result<int64_t> {
    int64_t history_id = 0;
    if (history) {
      auto id = txn.InsertHistory(*history);
      if (!id) return id.error();
      history_id = *id;
    }
    // The audit entry names the history entry it belongs to, so that either can be found from
    // the other (and a purged entry is still accounted for).
    auto audit_id =
        txn.AppendAudit(history_id > 0 ? WithDetails(audit, {{"history_id", history_id}}) : audit);
    if (!audit_id) return audit_id.error();
    return history_id;
  });
}

Status SqliteStore::Audit(const AuditEntry& audit) {
  auto id = Write([&audit](WriteTxn& txn) { return txn.AppendAudit(audit); });
  if (!id) return id.error();
  return Ok{};
}

Result<std::vector<HistoryEntry>> SqliteStore::ListHistory(const HistoryQuery& query) {
  auto lease = readers_->Acquire();
  if (!lease) return lease.error();
  return QueryHistory(lease->db(), BuildHistoryList(query));
}

Result<std::optional<HistoryEntry>> SqliteStore::GetHistory(int64_t id) {
  auto lease = readers_->Acquire();
  if (!lease) return lease.error();
  SqlWithArgs query{std::string("SELECT ") + kHistoryColumns + " FROM history WHERE id = ?", {id}};
  auto entries = QueryHistory(lease->db(), query);
  if (!entries) return entries.error();
  if (entries->empty()) return std::optional<HistoryEntry>();
  return std::optional<HistoryEntry>(std::move(entries->front()));
}

Result<std::vector<AuditEntry>> SqliteStore::ListAudit(int limit,
                                                       std::optional<int64_t> before_id) {
  auto lease = readers_->Acquire();
  if (!lease) return lease.error();
  std::string sql = std::string("SELECT ") + kAuditColumns + " FROM audit";
  if (before_id) sql += " WHERE id < ?2";
  sql += " ORDER BY id DESC LIMIT ?1";
  auto stmt = lease->db().Prepare(sql);
  if (!stmt) return stmt.error();
  stmt->BindInt64(1, ClampLimit(limit));
  if (before_id) stmt->BindInt64(2, *before_id);
  return ReadRows(*stmt, &ReadAudit);
}

Result<std::vector<AuditEntry>> SqliteStore::ListAuditAfter(int64_t after_id, int limit) {
  auto lease = readers_->Acquire();
  if (!lease) return lease.error();
  auto stmt = lease->db().Prepare(std::string("SELECT ") + kAuditColumns +
                                  " FROM audit WHERE id > ?1 ORDER BY id LIMIT ?2");
  if (!stmt) return stmt.error();
  stmt->BindInt64(1, after_id);
  stmt->BindInt64(2, ClampLimit(limit));
  return ReadRows(*stmt, &ReadAudit);
}

Status SqliteStore::Health() { return writer_->LastWriteStatus(); }

Result<VerifyReport> SqliteStore::VerifyAuditChain() {
  auto lease = readers_->Acquire();
  if (!lease) return lease.error();
  // One statement: one snapshot of the log, however long the walk takes.
  auto stmt =
      lease->db().Prepare(std::string("SELECT ") + kAuditColumns + " FROM audit ORDER BY id");
  if (!stmt) return stmt.error();
  ChainVerifier verifier;
  while (true) {
    auto row = stmt->Step();
    if (!row) return row.error();
    if (!*row || !verifier.Add(ReadAudit(*stmt))) break;
  }
  return verifier.report();
}

}  // namespace planbot::storage
