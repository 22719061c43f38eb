// SqliteStore's history maintenance: purge and redact in batches, each operation audited in the
// transaction of its last batch, then a WAL checkpoint so that no copy of the removed text stays
// in the -wal file (secure_delete already zeroes it in the database file).
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "storage/history_query.h"
#include "storage/rows.h"
#include "storage/sqlite_store.h"

namespace planbot::storage {
namespace {

// Rows per transaction: small enough that commands recorded meanwhile wait only milliseconds
// for the write lock, large enough that a purge of a million rows takes seconds, not minutes.
constexpr int kPurgeBatch = 2000;
constexpr int kRedactBatch = 100;
constexpr int kCheckpointAttempts = 10;
constexpr std::chrono::milliseconds kCheckpointPause{100};

constexpr const char* kRedactUpdate =
    "UPDATE history SET query_text = ?1, plan_json = ?2, plan_text = ?3, summary_json = ?4, "
    "tips_json = ?5, error_message = ?6, normalized = ?7 WHERE id = ?8";

AuditEntry WithCounts(const AuditEntry& audit, const char* verb, const MaintenanceResult& r) {
  return WithDetails(audit, {{"matched", r.matched}, {verb, r.changed}});
}

Status CheckFilter(const HistoryFilter& filter) {
  if (filter.Empty() && !filter.all) {
    return MakeError(ErrorCode::kBadRequest,
                     "give at least one filter (--before, --user, --session, --fingerprint, "
                     "--id), or --all for every entry");
  }
  if (filter.all && !filter.Empty()) {
    return MakeError(ErrorCode::kBadRequest, "--all cannot be combined with other filters");
  }
  return Ok{};
}

Result<int64_t> CountMatching(SqliteDb& db, const HistoryFilter& filter) {
  SqlWithArgs q{"SELECT count(*) FROM history", {}};
  AppendFilterConditions(q, filter, false);
  auto stmt = db.Prepare(q.sql);
  if (!stmt) return stmt.error();
  q.Bind(*stmt);
  auto row = stmt->Step();
  if (!row) return row.error();
  return *row ? stmt->ColumnInt64(0) : 0;
}

// The next matching entries, in id order after `after_id`.
Result<std::vector<HistoryEntry>> NextEntries(SqliteDb& db, const HistoryFilter& filter,
                                              int64_t after_id) {
  SqlWithArgs q{std::string("SELECT ") + kHistoryColumns + " FROM history WHERE id > ?",
                {after_id}};
  AppendFilterConditions(q, filter, true);
  q.sql += " ORDER BY id LIMIT ?";
  q.args.emplace_back(static_cast<int64_t>(kRedactBatch));
  return QueryHistory(db, q);
}

bool SameStoredText(const HistoryEntry& a, const HistoryEntry& b) {
  return a.query_text == b.query_text && a.plan_json == b.plan_json && a.plan_text == b.plan_text &&
         a.summary_json == b.summary_json && a.tips_json == b.tips_json &&
         a.error_message == b.error_message && a.normalized == b.normalized;
}

}  // namespace

bool SqliteStore::ClearWal() {
  auto db = SqliteDb::Open(path_, SqliteDb::Mode::kReadWrite);
  if (!db) return false;
  if (!db->Exec("PRAGMA busy_timeout = " + std::to_string(busy_timeout_ms_))) return false;
  for (int attempt = 0; attempt < kCheckpointAttempts; ++attempt) {
    // One row: busy (1 when readers or a writer kept it from finishing), log frames, done.
    auto busy = db->QueryText("PRAGMA wal_checkpoint(TRUNCATE)");
    if (busy && *busy == "0") return true;
    std::this_thread::sleep_for(kCheckpointPause);
  }
  return false;
}

Result<MaintenanceResult> SqliteStore::Purge(const HistoryFilter& filter, const AuditEntry& audit) {
  if (Status ok = CheckFilter(filter); !ok) return ok.error();
  MaintenanceResult result;
  while (true) {
    auto step = Write([&](WriteTxn& txn) -> Result<int64_t> {
      SqlWithArgs q{"DELETE FROM history WHERE id IN (SELECT id FROM history", {}};
      AppendFilterConditions(q, filter, false);
      q.sql += " LIMIT ?)";
      q.args.emplace_back(static_cast<int64_t>(kPurgeBatch));
      auto stmt = txn.db().Prepare(q.sql);
      if (!stmt) return stmt.error();
      q.Bind(*stmt);
      if (Status s = stmt->Run(); !s) return s.error();
      int64_t deleted = txn.db().Changes();
      if (deleted == kPurgeBatch) return deleted;
      MaintenanceResult last = result;
      last.changed += deleted;
      last.matched = last.changed;
      auto id = txn.AppendAudit(WithCounts(audit, "purged", last));
      if (!id) return id.error();
      result.audit_id = *id;
      return deleted;
    });
    if (!step) return step.error();
    result.changed += *step;
    result.matched = result.changed;
    if (result.audit_id != 0) break;
  }
  result.wal_cleared = ClearWal();
  return result;
}

Result<MaintenanceResult> SqliteStore::Redact(const HistoryFilter& filter, const Redactor& redactor,
                                              const AuditEntry& audit) {
  if (Status ok = CheckFilter(filter); !ok) return ok.error();
  MaintenanceResult result;
  {
    auto lease = readers_->Acquire();
    if (!lease) return lease.error();
    auto matched = CountMatching(lease->db(), filter);
    if (!matched) return matched.error();
    result.matched = *matched;
  }
  int64_t after_id = 0;
  while (result.audit_id == 0) {
    std::vector<HistoryEntry> batch;
    {
      auto lease = readers_->Acquire();
      if (!lease) return lease.error();
      auto read = NextEntries(lease->db(), filter, after_id);
      if (!read) return read.error();
      batch = std::move(*read);
    }
    bool last = batch.size() < static_cast<size_t>(kRedactBatch);
    // The redactor runs here, outside the write lock, on every matching entry (a "normalized"
    // one may hold something to scrub too); only entries it changed are written and counted.
    std::vector<HistoryEntry> changed;
    for (HistoryEntry& e : batch) {
      after_id = e.id;
      HistoryEntry redacted = e;
      if (Status s = redactor(redacted); !s) return s.error();
      if (!SameStoredText(e, redacted)) changed.push_back(std::move(redacted));
    }
    auto step = Write([&](WriteTxn& txn) -> Result<int64_t> {
      int64_t count = 0;
      for (const HistoryEntry& e : changed) {
        auto stmt = txn.db().Prepare(kRedactUpdate);
        if (!stmt) return stmt.error();
        stmt->BindOptionalText(1, e.query_text);
        stmt->BindOptionalText(2, e.plan_json);
        stmt->BindOptionalText(3, e.plan_text);
        stmt->BindOptionalText(4, e.summary_json);
        stmt->BindOptionalText(5, e.tips_json);
        stmt->BindText(6, e.error_message);
        stmt->BindText(7, e.normalized);
        stmt->BindInt64(8, e.id);
        if (Status s = stmt->Run(); !s) return s.error();
        count += txn.db().Changes();
      }
      if (last) {
        MaintenanceResult done = result;
        done.changed += count;
        auto id = txn.AppendAudit(WithCounts(audit, "redacted", done));
        if (!id) return id.error();
        result.audit_id = *id;
      }
      return count;
    });
    if (!step) return step.error();
    result.changed += *step;
  }
  result.wal_cleared = ClearWal();
  return result;
}

}  // namespace planbot::storage
