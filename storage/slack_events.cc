// SqliteStore's Slack deliveries: rows of `slack_events`, the work sealed (it carries SQL) until
// it has run. Finished rows only keep the id, for deduplication, and go after kKeepDone.
#include <chrono>

#include "storage/sqlite_store.h"
#include "storage/timestamp.h"

namespace planbot::storage {
namespace {

// Slack retries for about 5 minutes; a week covers any replay a user could still notice.
constexpr std::chrono::hours kKeepDone{24 * 7};
// Every this many recorded events, finished ones past kKeepDone are deleted.
constexpr int64_t kPruneEvery = 256;

constexpr const char* kInsert =
    "INSERT INTO slack_events (event_id, received_at, state, work) VALUES (?, ?, 'queued', ?) "
    "ON CONFLICT (event_id) DO NOTHING";
constexpr const char* kInsertAlias =
    "INSERT INTO slack_events (event_id, received_at, state, work) VALUES (?, ?, 'done', '') "
    "ON CONFLICT (event_id) DO NOTHING";
constexpr const char* kFinish =
    "UPDATE slack_events SET state = 'done', work = '' WHERE event_id = ?";
constexpr const char* kPrune = "DELETE FROM slack_events WHERE state = 'done' AND received_at < ?";
constexpr const char* kPending =
    "SELECT event_id, received_at, work FROM slack_events WHERE state = 'queued' "
    "ORDER BY received_at, event_id";

}  // namespace

Result<bool> SqliteStore::RecordSlackEvent(const std::string& event_id, const std::string& work,
                                           const std::string& alias) {
  auto sealed = secrets_.Seal(work);
  if (!sealed) return sealed.error();
  const auto now = std::chrono::system_clock::now();
  const bool prune = slack_events_recorded_.fetch_add(1) % kPruneEvery == 0;
  auto inserted = Write([&](WriteTxn& txn) -> Result<int64_t> {
    if (prune) {
      auto old = txn.db().Prepare(kPrune);
      if (!old) return old.error();
      old->BindText(1, FormatRfc3339Millis(now - kKeepDone));
      if (Status run = old->Run(); !run) return run.error();
    }
    auto stmt = txn.db().Prepare(kInsert);
    if (!stmt) return stmt.error();
    stmt->BindText(1, event_id);
    stmt->BindText(2, FormatRfc3339Millis(now));
    stmt->BindText(3, *sealed);
    if (Status run = stmt->Run(); !run) return run.error();
    if (txn.db().Changes() == 0) return int64_t{0};  // this event id was seen before
    if (alias.empty()) return int64_t{1};
    auto other = txn.db().Prepare(kInsertAlias);
    if (!other) return other.error();
    other->BindText(1, alias);
    other->BindText(2, FormatRfc3339Millis(now));
    if (Status run = other->Run(); !run) return run.error();
    if (txn.db().Changes() > 0) return int64_t{1};
    // The same message under another event id: keep this id as seen, with nothing to do.
    auto done = txn.db().Prepare(kFinish);
    if (!done) return done.error();
    done->BindText(1, event_id);
    if (Status run = done->Run(); !run) return run.error();
    return int64_t{0};
  });
  if (!inserted) return inserted.error();
  return *inserted > 0;
}

Status SqliteStore::FinishSlackEvent(const std::string& event_id) {
  auto done = Write([&](WriteTxn& txn) -> Result<int64_t> {
    auto stmt = txn.db().Prepare(kFinish);
    if (!stmt) return stmt.error();
    stmt->BindText(1, event_id);
    if (Status run = stmt->Run(); !run) return run.error();
    return int64_t{0};
  });
  if (!done) return done.error();
  return Ok{};
}

Result<std::vector<SlackEventRecord>> SqliteStore::PendingSlackEvents() {
  auto lease = readers_->Acquire();
  if (!lease) return lease.error();
  auto stmt = lease->db().Prepare(kPending);
  if (!stmt) return stmt.error();
  std::vector<SlackEventRecord> out;
  while (true) {
    auto row = stmt->Step();
    if (!row) return row.error();
    if (!*row) return out;
    SlackEventRecord r;
    r.event_id = stmt->ColumnText(0);
    r.received_at = stmt->ColumnText(1);
    auto work = secrets_.Open(stmt->ColumnText(2));
    if (!work) return work.error();
    r.work = std::move(*work);
    out.push_back(std::move(r));
  }
}

}  // namespace planbot::storage
