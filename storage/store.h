// The history and audit store: one SQLite file in WAL mode with versioned migrations.
//
// History keeps what each command did (normalized SQL, plan, summary, outcome) under the
// database's history policy; the audit log keeps who did what, append-only, each entry chained
// to the previous one by SHA-256 so that changes, removals and insertions can be detected.
//
// Durability: Record() returns only after the entries are committed to disk (group commit: a
// writer thread commits the entries of many concurrent callers in one transaction), so a
// command that got an answer is never lost by a crash.
//
// The concrete store is storage/sqlite_store.h (options, group-commit counters, write hook).
// Thread-safety: every method may be called from any thread.
// Failures: "store_error" (the file cannot be opened, is read-only, disk full, ...), with a
// message naming the problem.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace planbot::storage {

struct HistoryEntry {
  int64_t id = 0;          // assigned by the store
  std::string created_at;  // RFC 3339 UTC with milliseconds; assigned when empty
  std::string user;        // token name, "loopback:127.0.0.1", Slack user id, ...
  std::string channel;     // "http", "slack", "cli"
  std::string session;
  std::string database;
  std::string command;                    // "plan", "explain", ...
  std::optional<std::string> query_text;  // the raw SQL: only under the "full" policy
  std::string normalized;                 // SQL with constants as $n
  std::string fingerprint;
  std::optional<std::string> plan_json;  // EXPLAIN JSON (literals masked unless "full")
  std::optional<std::string> plan_text;  // the rendered text (same policy)
  std::optional<std::string> summary_json;
  std::optional<std::string> tips_json;
  std::optional<double> execution_ms;  // EXPLAIN's Execution Time
  int server_version = 0;              // the clone's server_version_num; 0 when unknown
  double duration_ms = 0;              // wall-clock time planbot spent on the command
  std::string outcome;                 // "ok", "error", "refused", "timeout", "clone_unavailable"
  std::string sqlstate;
  std::string error_code;
  std::string error_message;
};

struct AuditEntry {
  int64_t id = 0;
  std::string created_at;  // assigned when empty
  std::string actor;       // who: token name, Slack user, "system"
  std::string action;      // "command", "refusal", "auth_failure", "purge", "redact", "start", ...
  std::string channel;
  std::string session;
  std::string database;
  std::string command;
  std::string normalized;
  std::string fingerprint;
  std::string outcome;
  std::string sqlstate;
  std::string details;    // compact JSON object with anything else (never raw SQL or secrets)
  std::string prev_hash;  // hex SHA-256 of the previous entry (assigned)
  std::string hash;       // hex SHA-256 over prev_hash and this entry's canonical content
};

// The most entries one listing returns (HistoryQuery::limit and ListAudit's limit are clamped).
inline constexpr int kMaxHistoryListLimit = 1000;

struct HistoryQuery {
  std::optional<std::string> user, session, database, fingerprint;
  std::optional<std::string> before;  // created_at < before (RFC 3339)
  std::optional<std::string> after;   // created_at >= after
  std::optional<int64_t> before_id;   // paging: id < before_id
  int limit = 50;                     // clamped to [1, 1000]
  // False: plan_json, plan_text, summary_json and tips_json are not read (left absent), for
  // listings that show one line per entry; GetHistory always reads them.
  bool include_plans = true;
};

// Which history entries a purge or redact applies to (SPEC §1 `planbot admin`): every given
// filter must match (AND); `ids` matches any of its ids. An empty filter matches nothing unless
// `all` is set — no accidental purge of everything.
struct HistoryFilter {
  std::optional<std::string> before;  // created_at < before (RFC 3339)
  std::optional<std::string> user, session, database, fingerprint;
  std::vector<int64_t> ids;
  bool all = false;

  bool Empty() const {
    return !before && !user && !session && !database && !fingerprint && ids.empty();
  }
};

// What a purge or redact did; also merged into its audit entry's details.
struct MaintenanceResult {
  int64_t matched = 0;  // entries the filter selected
  int64_t changed = 0;  // purged, or redacted (a "full" entry turned into a "normalized" one)
  int64_t audit_id = 0;
  // The write-ahead log was checkpointed and truncated afterwards, so no copy of the removed
  // text is left in the -wal file. False when other connections kept it busy (retry later).
  bool wal_cleared = false;
};

// Turns a "full" history entry into a "normalized" one in place: query_text dropped, plan text
// and JSON (and tips, which quote conditions) with every literal masked; figures kept. It is
// given every matching entry, also "normalized" ones (which may hold something to scrub:
// storage/history_scrub.h), and leaves one with nothing to change as it is.
using Redactor = std::function<Status(HistoryEntry&)>;

// The outcome of walking the audit hash chain (storage/audit_chain.h).
struct VerifyReport {
  bool intact = true;
  int64_t entries = 0;          // entries checked (up to and including the first broken one)
  int64_t last_id = 0;          // the last intact entry: the chain head when intact
  std::string last_hash;        // its hash (64 zeros when the log is empty)
  int64_t first_broken_id = 0;  // the first entry present that breaks the chain; 0 when intact
  std::string problem;          // what is wrong with it, for `planbot audit verify`
};

// A live session, kept so that it survives a restart of planbot (where its clone still exists).
// The password is plain here, in memory; the store keeps it encrypted (storage/secret_box.h).
struct SessionRecord {
  std::string key;  // the core's session key
  std::string user;
  std::string database;
  std::string name;
  std::string clone_id;
  std::string host;
  int port = 0;
  std::string dbname;
  std::string db_user;
  std::string password;  // secret
  std::string sslmode;
  std::string updated_at;  // assigned
};

// A Slack delivery recorded before it is acknowledged (exactly-once processing across restarts).
struct SlackEventRecord {
  std::string event_id;
  std::string received_at;  // assigned
  std::string work;         // what to run, as the caller serialized it; empty once done
};

class Store {
 public:
  virtual ~Store() = default;

  // Opens (creating and migrating as needed) the store at `path`.
  static Result<std::unique_ptr<Store>> Open(const std::string& path);

  // Commits a history entry (may be absent: policy "off", or nothing to keep) and an audit
  // entry together; returns the history id (0 when none was written).
  virtual Result<int64_t> Record(const std::optional<HistoryEntry>& history,
                                 const AuditEntry& audit) = 0;

  // An audit entry on its own (authentication failures, start/stop, admin actions).
  virtual Status Audit(const AuditEntry& audit) = 0;

  virtual Result<std::vector<HistoryEntry>> ListHistory(const HistoryQuery& query) = 0;
  virtual Result<std::optional<HistoryEntry>> GetHistory(int64_t id) = 0;
  // Newest first; limit clamped to [1, 1000]; before_id pages (id < before_id).
  virtual Result<std::vector<AuditEntry>> ListAudit(int limit,
                                                    std::optional<int64_t> before_id) = 0;
  // Oldest first: the entries with id > after_id, at most `limit` (clamped to [1, 1000]); for
  // the audit export, which follows the log as it grows.
  virtual Result<std::vector<AuditEntry>> ListAuditAfter(int64_t after_id, int limit) {
    (void)after_id;
    (void)limit;
    return MakeError(ErrorCode::kUnsupported, "this store cannot follow its audit log");
  }

  // History maintenance. Purge deletes the matching entries; Redact passes every matching entry
  // through `redactor` and writes (and counts as redacted) those it changed; the others are
  // counted as matched, unchanged.
  // Both refuse an empty filter without `all` ("bad_request"), work in batches so that
  // commands keep being recorded meanwhile, append `audit` (its details gain the counts) in
  // the transaction of the last batch, then checkpoint the write-ahead log so that the removed
  // text is left nowhere in the store's files. Not pure virtual so that fakes need not
  // implement them.
  virtual Result<MaintenanceResult> Purge(const HistoryFilter& filter, const AuditEntry& audit) {
    (void)filter;
    (void)audit;
    return MakeError(ErrorCode::kUnsupported, "this store cannot purge");
  }
  virtual Result<MaintenanceResult> Redact(const HistoryFilter& filter, const Redactor& redactor,
                                           const AuditEntry& audit) {
    (void)filter;
    (void)redactor;
    (void)audit;
    return MakeError(ErrorCode::kUnsupported, "this store cannot redact");
  }

  // Live sessions (SessionRecord): saved when a session gets its clone, deleted when it ends.
  virtual Status SaveSession(const SessionRecord& session) = 0;
  virtual Status DeleteSession(const std::string& key) = 0;
  virtual Result<std::vector<SessionRecord>> ListSessions() = 0;

  // Slack deliveries. RecordSlackEvent commits the event id with its work (sealed at rest) and
  // answers false when the id was recorded before: a duplicate, to acknowledge and drop.
  // FinishSlackEvent empties the work once it has run; PendingSlackEvents lists what was
  // recorded but never finished (a crash between acknowledgement and work), oldest first.
  // Finished ids older than `keep` are deleted by RecordSlackEvent now and then.
  // `alias` (optional) is a second key for the same message, e.g. "C123:1700000000.000100": a
  // message that Slack delivers twice under different event ids (as `message` and as
  // `app_mention`) counts as a duplicate the second time.
  virtual Result<bool> RecordSlackEvent(const std::string& event_id, const std::string& work,
                                        const std::string& alias = "") = 0;
  virtual Status FinishSlackEvent(const std::string& event_id) = 0;
  virtual Result<std::vector<SlackEventRecord>> PendingSlackEvents() = 0;

  // Readiness for /healthz: the file is open and writable. After a failed write this reports
  // the failure ("store_error") until a later write succeeds.
  virtual Status Health() = 0;

  // Walks the whole audit log in id order and checks every entry's hash, its link to the
  // previous entry and that no id is missing; stops at the first broken entry. A broken chain
  // is a report with intact == false, not an error; errors are for an unreadable store. Not
  // pure virtual so that fakes of Store need not implement it.
  virtual Result<VerifyReport> VerifyAuditChain() {
    return MakeError(ErrorCode::kUnsupported, "this store cannot verify its audit log");
  }
};

}  // namespace planbot::storage
