#include "storage/write_txn.h"

#include "common/json_text.h"
#include "storage/audit_chain.h"
#include "storage/rows.h"
#include "storage/timestamp.h"

namespace planbot::storage {
namespace {

constexpr const char* kSelectHead = "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1";

}  // namespace

AuditEntry WithDetails(const AuditEntry& audit, const nlohmann::json& fields) {
  AuditEntry out = audit;
  nlohmann::json details = nlohmann::json::parse(audit.details, nullptr, false);
  if (!details.is_object()) details = nlohmann::json::object();
  details.update(fields);
  out.details = JsonText(details);
  return out;
}

Result<WriteTxn> WriteTxn::Start(SqliteDb& db) {
  auto stmt = db.Cached(kSelectHead);
  if (!stmt) return stmt.error();
  auto row = (*stmt)->Step();
  if (!row) {
    (*stmt)->Reset();
    return row.error();
  }
  Head head{0, std::string(kGenesisHash)};
  if (*row) head = Head{(*stmt)->ColumnInt64(0), (*stmt)->ColumnText(1)};
  (*stmt)->Reset();
  return WriteTxn(db, std::move(head));
}

Result<int64_t> WriteTxn::InsertHistory(const HistoryEntry& entry) {
  auto stmt = db_->Cached(kInsertHistory);
  if (!stmt) return stmt.error();
  BindHistory(**stmt, entry, entry.created_at.empty() ? NowRfc3339Millis() : entry.created_at);
  Status s = (*stmt)->Run();
  (*stmt)->Reset();
  if (!s) return s.error();
  return db_->LastInsertRowId();
}

Result<int64_t> WriteTxn::AppendAudit(const AuditEntry& entry) {
  AuditEntry row = entry;
  row.id = head_.id + 1;
  row.prev_hash = head_.hash;
  if (row.created_at.empty()) row.created_at = NowRfc3339Millis();
  row.hash = AuditEntryHash(row);
  auto stmt = db_->Cached(kInsertAudit);
  if (!stmt) return stmt.error();
  BindAudit(**stmt, row);
  Status s = (*stmt)->Run();
  (*stmt)->Reset();
  if (!s) return s.error();
  head_ = Head{row.id, std::move(row.hash)};
  return head_.id;
}

}  // namespace planbot::storage
