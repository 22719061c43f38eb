#include "storage/migrations.h"

#include <set>
#include <string>

#include "storage/history_scrub.h"
#include "storage/timestamp.h"

namespace planbot::storage {
namespace {

constexpr const char* kCreateMigrationsTable = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  applied_at TEXT NOT NULL
) STRICT;
)sql";

constexpr const char* kSelectVersions = "SELECT version FROM schema_migrations ORDER BY version";

constexpr const char* kInsertVersion =
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)";

// History: ids are AUTOINCREMENT so that a purged id is never handed out again (audit entries and
// chat answers refer to history ids). Every list query is "filter, newest first": each index ends
// in id so that SQLite walks it backwards and stops after LIMIT rows, without a sort.
constexpr const char* kV1History = R"sql(
CREATE TABLE history (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  created_at    TEXT NOT NULL,
  user_name     TEXT NOT NULL,
  channel       TEXT NOT NULL,
  session_id    TEXT NOT NULL,
  database_name TEXT NOT NULL,
  command       TEXT NOT NULL,
  query_text    TEXT,
  normalized    TEXT NOT NULL,
  fingerprint   TEXT NOT NULL,
  plan_json     TEXT,
  plan_text     TEXT,
  summary_json  TEXT,
  tips_json     TEXT,
  execution_ms  REAL,
  duration_ms   REAL NOT NULL,
  outcome       TEXT NOT NULL,
  sqlstate      TEXT NOT NULL,
  error_code    TEXT NOT NULL,
  error_message TEXT NOT NULL
) STRICT;
CREATE INDEX history_fingerprint_id ON history (fingerprint, id);
CREATE INDEX history_user_id ON history (user_name, id);
CREATE INDEX history_session_id ON history (session_id, id);
CREATE INDEX history_database_id ON history (database_name, id);
CREATE INDEX history_created_at ON history (created_at);

-- Audit: append-only, ids consecutive from 1 (assigned by the writer, so a gap means a removed
-- row), each row chained to the previous one by prev_hash/hash (storage/audit_chain.h).
CREATE TABLE audit (
  id            INTEGER PRIMARY KEY,
  created_at    TEXT NOT NULL,
  actor         TEXT NOT NULL,
  action        TEXT NOT NULL,
  channel       TEXT NOT NULL,
  session_id    TEXT NOT NULL,
  database_name TEXT NOT NULL,
  command       TEXT NOT NULL,
  normalized    TEXT NOT NULL,
  fingerprint   TEXT NOT NULL,
  outcome       TEXT NOT NULL,
  sqlstate      TEXT NOT NULL,
  details       TEXT NOT NULL,
  prev_hash     TEXT NOT NULL,
  hash          TEXT NOT NULL
) STRICT;
CREATE INDEX audit_created_at ON audit (created_at);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
  SELECT RAISE(ABORT, 'audit log is append-only: UPDATE refused');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
  SELECT RAISE(ABORT, 'audit log is append-only: DELETE refused');
END;
)sql";

Result<std::set<int>> AppliedVersions(SqliteDb& db) {
  auto stmt = db.Prepare(kSelectVersions);
  if (!stmt) return stmt.error();
  std::set<int> versions;
  while (true) {
    auto row = stmt->Step();
    if (!row) return row.error();
    if (!*row) return versions;
    versions.insert(static_cast<int>(stmt->ColumnInt64(0)));
  }
}

Status Unknown(const std::set<int>& applied) {
  int known = Migrations().back().version;
  if (applied.empty() || *applied.rbegin() <= known) return Ok{};
  return StoreError("the file has schema version " + std::to_string(*applied.rbegin()) +
                    ", newer than this planbot knows (" + std::to_string(known) + ")");
}

// Applies `m` unless another process did it first; true when it was applied now.
Result<bool> ApplyOne(SqliteDb& db, const Migration& m) {
  if (auto s = db.Exec("BEGIN IMMEDIATE"); !s) return s.error();
  auto fail = [&db](const Error& e) -> Result<bool> {
    (void)db.Exec("ROLLBACK");
    return e;
  };
  auto applied = AppliedVersions(db);
  if (!applied) return fail(applied.error());
  if (applied->count(m.version) != 0) {
    if (auto s = db.Exec("ROLLBACK"); !s) return s.error();
    return false;
  }
  Status ran = db.Exec(m.sql);
  if (ran && m.step != nullptr) ran = m.step(db);
  if (!ran) {
    return fail(StoreError("migration " + std::to_string(m.version) + " (" + m.name +
                           "): " + ran.error().message));
  }
  auto insert = db.Prepare(kInsertVersion);
  if (!insert) return fail(insert.error());
  insert->BindInt64(1, m.version);
  insert->BindText(2, m.name);
  insert->BindText(3, NowRfc3339Millis());
  if (auto s = insert->Run(); !s) return fail(s.error());
  if (auto s = db.Exec("COMMIT"); !s) return fail(s.error());
  return true;
}

// Sessions that outlive a restart of planbot; the password column holds SecretBox text.
constexpr const char* kV2Sessions = R"sql(
CREATE TABLE sessions (
  key TEXT PRIMARY KEY,
  user_name TEXT NOT NULL,
  database_name TEXT NOT NULL,
  name TEXT NOT NULL,
  clone_id TEXT NOT NULL,
  host TEXT NOT NULL,
  port INTEGER NOT NULL,
  dbname TEXT NOT NULL,
  db_user TEXT NOT NULL,
  password_sealed TEXT NOT NULL,
  sslmode TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;
)sql";

// Slack deliveries, deduplicated by event_id. `work` holds the command to run (SecretBox text,
// it carries the user's SQL) until it has run; then it is emptied and state becomes 'done'.
constexpr const char* kV3SlackEvents = R"sql(
CREATE TABLE slack_events (
  event_id TEXT PRIMARY KEY,
  received_at TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'done')),
  work TEXT NOT NULL
) STRICT;
CREATE INDEX slack_events_state ON slack_events (state, received_at);
)sql";

// The clone's server version per history entry, so that a plan re-rendered later (redact masks
// literals and renders the text again) prints the labels of the PostgreSQL that ran it.
constexpr const char* kV4ServerVersion = R"sql(
ALTER TABLE history ADD COLUMN server_version INTEGER NOT NULL DEFAULT 0;
)sql";

// The history row rebuilt with the large columns last. A row longer than a page keeps its first
// ~4 KB in the table's leaf page and the rest on overflow pages; with the plan in the middle, a
// listing (which reads the columns after it) had to read each row's overflow page too. Now the
// listing columns come first and a listing reads one page per row. The AUTOINCREMENT counter is
// carried over, so a purged id is still never handed out again.
constexpr const char* kV5HistoryColumnOrder = R"sql(
CREATE TABLE history_v5 (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  created_at     TEXT NOT NULL,
  user_name      TEXT NOT NULL,
  channel        TEXT NOT NULL,
  session_id     TEXT NOT NULL,
  database_name  TEXT NOT NULL,
  command        TEXT NOT NULL,
  fingerprint    TEXT NOT NULL,
  execution_ms   REAL,
  duration_ms    REAL NOT NULL,
  outcome        TEXT NOT NULL,
  sqlstate       TEXT NOT NULL,
  error_code     TEXT NOT NULL,
  error_message  TEXT NOT NULL,
  server_version INTEGER NOT NULL DEFAULT 0,
  normalized     TEXT NOT NULL,
  query_text     TEXT,
  summary_json   TEXT,
  tips_json      TEXT,
  plan_text      TEXT,
  plan_json      TEXT
) STRICT;
INSERT INTO history_v5 (id, created_at, user_name, channel, session_id, database_name, command,
                        fingerprint, execution_ms, duration_ms, outcome, sqlstate, error_code,
                        error_message, server_version, normalized, query_text, summary_json,
                        tips_json, plan_text, plan_json)
  SELECT id, created_at, user_name, channel, session_id, database_name, command, fingerprint,
         execution_ms, duration_ms, outcome, sqlstate, error_code, error_message, server_version,
         normalized, query_text, summary_json, tips_json, plan_text, plan_json
  FROM history;
CREATE TABLE history_v5_seq AS SELECT seq FROM sqlite_sequence WHERE name = 'history';
DROP TABLE history;
ALTER TABLE history_v5 RENAME TO history;
DELETE FROM sqlite_sequence WHERE name = 'history_v5';
DELETE FROM sqlite_sequence WHERE name = 'history';
INSERT INTO sqlite_sequence (name, seq)
  SELECT 'history', max(coalesce((SELECT max(id) FROM history), 0),
                        coalesce((SELECT max(seq) FROM history_v5_seq), 0));
DROP TABLE history_v5_seq;
CREATE INDEX history_fingerprint_id ON history (fingerprint, id);
CREATE INDEX history_user_id ON history (user_name, id);
CREATE INDEX history_session_id ON history (session_id, id);
CREATE INDEX history_database_id ON history (database_name, id);
CREATE INDEX history_created_at ON history (created_at);
)sql";

// No query reads the audit log by time (listings, the export and the chain check go by id), and
// every index is one more page written at each commit.
constexpr const char* kV7AuditIndex = R"sql(
DROP INDEX IF EXISTS audit_created_at;
)sql";

}  // namespace

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> kMigrations = {
      {1, "history and audit tables", kV1History},
      {2, "live sessions", kV2Sessions},
      {3, "slack deliveries", kV3SlackEvents},
      {4, "history server version", kV4ServerVersion},
      {5, "history: large columns last", kV5HistoryColumnOrder},
      {6, "history scrubbed: server error texts, Settings values, comments", "", ScrubHistoryRows},
      {7, "audit: no index on created_at", kV7AuditIndex},
  };
  return kMigrations;
}

Result<int> Migrate(SqliteDb& db) {
  if (auto s = db.Exec(kCreateMigrationsTable); !s) return s.error();
  // A first look without a write lock: re-opening a migrated file takes no lock at all.
  auto applied = AppliedVersions(db);
  if (!applied) return applied.error();
  if (auto s = Unknown(*applied); !s) return s.error();
  int count = 0;
  for (const Migration& m : Migrations()) {
    if (applied->count(m.version) != 0) continue;
    auto now = ApplyOne(db, m);
    if (!now) return now.error();
    if (*now) ++count;
  }
  return count;
}

}  // namespace planbot::storage
