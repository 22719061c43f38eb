// SqliteStore's live sessions: rows of the `sessions` table with the clone password sealed.
#include "storage/sqlite_store.h"
#include "storage/timestamp.h"

namespace planbot::storage {
namespace {

constexpr const char* kUpsert =
    "INSERT INTO sessions (key, user_name, database_name, name, clone_id, host, port, dbname, "
    "db_user, password_sealed, sslmode, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) "
    "ON CONFLICT (key) DO UPDATE SET user_name = excluded.user_name, "
    "database_name = excluded.database_name, name = excluded.name, "
    "clone_id = excluded.clone_id, host = excluded.host, port = excluded.port, "
    "dbname = excluded.dbname, db_user = excluded.db_user, "
    "password_sealed = excluded.password_sealed, sslmode = excluded.sslmode, "
    "updated_at = excluded.updated_at";

constexpr const char* kSelect =
    "SELECT key, user_name, database_name, name, clone_id, host, port, dbname, db_user, "
    "password_sealed, sslmode, updated_at FROM sessions ORDER BY key";

}  // namespace

Status SqliteStore::SaveSession(const SessionRecord& s) {
  auto sealed = secrets_.Seal(s.password);
  if (!sealed) return sealed.error();
  std::string now = NowRfc3339Millis();
  auto done = Write([&](WriteTxn& txn) -> Result<int64_t> {
    auto stmt = txn.db().Prepare(kUpsert);
    if (!stmt) return stmt.error();
    stmt->BindText(1, s.key);
    stmt->BindText(2, s.user);
    stmt->BindText(3, s.database);
    stmt->BindText(4, s.name);
    stmt->BindText(5, s.clone_id);
    stmt->BindText(6, s.host);
    stmt->BindInt64(7, s.port);
    stmt->BindText(8, s.dbname);
    stmt->BindText(9, s.db_user);
    stmt->BindText(10, *sealed);
    stmt->BindText(11, s.sslmode);
    stmt->BindText(12, now);
    if (Status run = stmt->Run(); !run) return run.error();
    return int64_t{0};
  });
  if (!done) return done.error();
  return Ok{};
}

Status SqliteStore::DeleteSession(const std::string& key) {
  auto done = Write([&](WriteTxn& txn) -> Result<int64_t> {
    auto stmt = txn.db().Prepare("DELETE FROM sessions WHERE key = ?");
    if (!stmt) return stmt.error();
    stmt->BindText(1, key);
    if (Status run = stmt->Run(); !run) return run.error();
    return int64_t{0};
  });
  if (!done) return done.error();
  return Ok{};
}

Result<std::vector<SessionRecord>> SqliteStore::ListSessions() {
  auto lease = readers_->Acquire();
  if (!lease) return lease.error();
  auto stmt = lease->db().Prepare(kSelect);
  if (!stmt) return stmt.error();
  std::vector<SessionRecord> out;
  while (true) {
    auto row = stmt->Step();
    if (!row) return row.error();
    if (!*row) return out;
    SessionRecord r;
    r.key = stmt->ColumnText(0);
    r.user = stmt->ColumnText(1);
    r.database = stmt->ColumnText(2);
    r.name = stmt->ColumnText(3);
    r.clone_id = stmt->ColumnText(4);
    r.host = stmt->ColumnText(5);
    r.port = static_cast<int>(stmt->ColumnInt64(6));
    r.dbname = stmt->ColumnText(7);
    r.db_user = stmt->ColumnText(8);
    auto password = secrets_.Open(stmt->ColumnText(9));
    if (!password) return password.error();
    r.password = std::move(*password);
    r.sslmode = stmt->ColumnText(10);
    r.updated_at = stmt->ColumnText(11);
    out.push_back(std::move(r));
  }
}

}  // namespace planbot::storage
