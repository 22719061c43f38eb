// The records the store keeps, as plain values: history entries, audit entries, the queries
// and filters over them, saved sessions and Slack deliveries. No behaviour; thread-compatible.
#pragma once

#include <cstdint>
#include <functional>
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
  std::optional<std::string> command;  // "plan", "explain", ...
  std::optional<std::string> before;   // created_at < before (RFC 3339)
  std::optional<std::string> after;    // created_at >= after
  std::optional<int64_t> before_id;    // paging: id < before_id
  int limit = 50;                      // clamped to [1, 1000]
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

}  // namespace planbot::storage
