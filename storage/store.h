// The store's interfaces, one per client, and the store that implements them all.
//
// History keeps what each command did (normalized SQL, plan, summary, outcome) under the
// database's history policy; the audit log keeps who did what, append-only, each entry chained
// to the previous one by SHA-256 so that changes, removals and insertions can be detected;
// saved sessions let a session survive a restart; Slack deliveries make event processing
// exactly-once across restarts. Each client holds only the interface it uses:
//
//   HistoryStore       the core's recorder and history API, `planbot admin` (history/)
//   AuditLog           the core's audit events and API, the audit export, `planbot audit`
//   SessionStore       the core's session manager
//   ChatDeliveryStore  the Slack bot
//
// Durability: Record() returns only after the entries are committed to disk (group commit: a
// writer thread commits the entries of many concurrent callers in one transaction), so a
// command that got an answer is never lost by a crash.
//
// The implementation is storage/sqlite_store.h (one SQLite file in WAL mode with versioned
// migrations; options, group-commit counters, write hook). A PostgreSQL implementation shared by
// replicas would implement the same four interfaces.
// Thread-safety: every method may be called from any thread.
// Failures: "store_error" (the file cannot be opened, is read-only, disk full, ...), with a
// message naming the problem.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "storage/entries.h"

namespace planbot::storage {

class HistoryStore {
 public:
  virtual ~HistoryStore() = default;

  // Commits a history entry (may be absent: policy "off", or nothing to keep) and an audit
  // entry together; returns the history id (0 when none was written).
  virtual Result<int64_t> Record(const std::optional<HistoryEntry>& history,
                                 const AuditEntry& audit) = 0;

  virtual Result<std::vector<HistoryEntry>> ListHistory(const HistoryQuery& query) = 0;
  virtual Result<std::optional<HistoryEntry>> GetHistory(int64_t id) = 0;

  // History maintenance. Purge deletes the matching entries; Redact passes every matching entry
  // through `redactor` and writes (and counts as redacted) those it changed; the others are
  // counted as matched, unchanged.
  // Both refuse an empty filter without `all` ("bad_request"), work in batches so that
  // commands keep being recorded meanwhile, append `audit` (its details gain the counts) in
  // the transaction of the last batch, then checkpoint the write-ahead log so that the removed
  // text is left nowhere in the store's files.
  virtual Result<MaintenanceResult> Purge(const HistoryFilter& filter, const AuditEntry& audit) = 0;
  virtual Result<MaintenanceResult> Redact(const HistoryFilter& filter, const Redactor& redactor,
                                           const AuditEntry& audit) = 0;

  // Readiness for /healthz and for taking commands: the store is open and writable. After a
  // failed write this reports the failure ("store_error") until a later write succeeds.
  virtual Status Health() = 0;
};

class AuditLog {
 public:
  virtual ~AuditLog() = default;

  // An audit entry on its own (authentication failures, start/stop, admin actions).
  virtual Status Audit(const AuditEntry& audit) = 0;

  // Newest first; limit clamped to [1, 1000]; before_id pages (id < before_id).
  virtual Result<std::vector<AuditEntry>> ListAudit(int limit,
                                                    std::optional<int64_t> before_id) = 0;
  // Oldest first: the entries with id > after_id, at most `limit` (clamped to [1, 1000]); for
  // the audit export, which follows the log as it grows.
  virtual Result<std::vector<AuditEntry>> ListAuditAfter(int64_t after_id, int limit) = 0;

  // Walks the whole audit log in id order and checks every entry's hash, its link to the
  // previous entry and that no id is missing; stops at the first broken entry. A broken chain
  // is a report with intact == false, not an error; errors are for an unreadable store.
  virtual Result<VerifyReport> VerifyAuditChain() = 0;
};

class SessionStore {
 public:
  virtual ~SessionStore() = default;

  // Live sessions (SessionRecord): saved when a session gets its clone, deleted when it ends.
  virtual Status SaveSession(const SessionRecord& session) = 0;
  virtual Status DeleteSession(const std::string& key) = 0;
  virtual Result<std::vector<SessionRecord>> ListSessions() = 0;
};

class ChatDeliveryStore {
 public:
  virtual ~ChatDeliveryStore() = default;

  // RecordSlackEvent commits the event id with its work (sealed at rest) and answers false when
  // the id was recorded before: a duplicate, to acknowledge and drop. FinishSlackEvent empties
  // the work once it has run; PendingSlackEvents lists what was recorded but never finished (a
  // crash between acknowledgement and work), oldest first. Finished ids older than `keep` are
  // deleted by RecordSlackEvent now and then.
  // `alias` (optional) is a second key for the same message, e.g. "C123:1700000000.000100": a
  // message that Slack delivers twice under different event ids (as `message` and as
  // `app_mention`) counts as a duplicate the second time.
  virtual Result<bool> RecordSlackEvent(const std::string& event_id, const std::string& work,
                                        const std::string& alias = "") = 0;
  virtual Status FinishSlackEvent(const std::string& event_id) = 0;
  virtual Result<std::vector<SlackEventRecord>> PendingSlackEvents() = 0;
};

// All four, as one file (or one database) holds them: what `main` opens and hands out.
class Store : public HistoryStore, public AuditLog, public SessionStore, public ChatDeliveryStore {
 public:
  // Opens (creating and migrating as needed) the SQLite store at `path`.
  static Result<std::unique_ptr<Store>> Open(const std::string& path);
};

}  // namespace planbot::storage
