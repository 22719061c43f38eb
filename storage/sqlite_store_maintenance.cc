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
    "UPDATE history SET query_text = NULL, plan_json = ?1, plan_text = ?2, summary_json = ?3, "
    "tips_json = ?4, error_message = ?5 WHERE id = ?6 AND query_text IS NOT NULL";

AuditEntry WithCounts(const AuditEntry& audit, const char* verb, const MaintenanceResult& r) {
  return WithDetails(audit, {{"matched", r.matched}, {verb, r.changed}});
}

Status CheckFilter(const HistoryFilter& filter) {
  if (filter.Empty() && !filter.all) {
    return MakeError("bad_request",
                     "give at least one filter (--before, --user, --session, --fingerprint, "
                     "--id), or --all for every entry");
  }
  if (filter.all && !filter.Empty()) {
    return MakeError("bad_request", "--all cannot be combined with other filters");
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

// The next entries still holding raw SQL, in id order after `after_id`.
Result<std::vector<HistoryEntry>> FullEntries(SqliteDb& db, const HistoryFilter& filter,
                                              int64_t after_id) {
  SqlWithArgs q{std::string("SELECT ") + kHistoryColumns +
                    " FROM history WHERE query_text IS NOT NULL AND id > ?",
                {after_id}};
  AppendFilterConditions(q, filter, true);
  q.sql += " ORDER BY id LIMIT ?";
  q.args.emplace_back(static_cast<int64_t>(kRedactBatch));
  return QueryHistory(db, q);
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
      auto read = FullEntries(lease->db(), filter, after_id);
      if (!read) return read.error();
      batch = std::move(*read);
    }
    // The masking runs here, outside the write lock; the UPDATE skips an entry that another
    // redact changed meanwhile.
    for (HistoryEntry& e : batch) {
      if (Status s = redactor(e); !s) return s.error();
      after_id = e.id;
    }
    bool last = batch.size() < static_cast<size_t>(kRedactBatch);
    auto step = Write([&](WriteTxn& txn) -> Result<int64_t> {
      int64_t changed = 0;
      for (const HistoryEntry& e : batch) {
        auto stmt = txn.db().Prepare(kRedactUpdate);
        if (!stmt) return stmt.error();
        stmt->BindOptionalText(1, e.plan_json);
        stmt->BindOptionalText(2, e.plan_text);
        stmt->BindOptionalText(3, e.summary_json);
        stmt->BindOptionalText(4, e.tips_json);
        stmt->BindText(5, e.error_message);
        stmt->BindInt64(6, e.id);
        if (Status s = stmt->Run(); !s) return s.error();
        changed += txn.db().Changes();
      }
      if (last) {
        MaintenanceResult done = result;
        done.changed += changed;
        auto id = txn.AppendAudit(WithCounts(audit, "redacted", done));
        if (!id) return id.error();
        result.audit_id = *id;
      }
      return changed;
    });
    if (!step) return step.error();
    result.changed += *step;
  }
  result.wal_cleared = ClearWal();
  return result;
}

}  // namespace planbot::storage
