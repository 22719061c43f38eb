// SqliteDb and Statement: thin RAII wrappers over a sqlite3 connection and a prepared statement,
// turning SQLite result codes into planbot Results.
//
// Ownership: SqliteDb owns its sqlite3* and closes it (sqlite3_close_v2) when destroyed; a
// Statement owns its sqlite3_stmt* and must not outlive the SqliteDb that prepared it. Both are
// move-only.
// Failures: every failing call returns Error{ErrorCode::kStoreError, "store: <context>: <SQLite
// message>"}. SQLite messages name the problem ("database is locked", "database or disk is full"),
// never a bound value. Thread-safety: none. Connections are opened with SQLITE_OPEN_NOMUTEX; one
// thread uses a connection (and its statements) at a time — the writer thread, or a reader that
// leased it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace planbot::storage {

// Error{ErrorCode::kStoreError} with the connection's current SQLite message (db may be null).
Error StoreError(std::string_view context, sqlite3* db);
// Error{ErrorCode::kStoreError} with a message of our own.
Error StoreError(std::string_view message);

class Statement {
 public:
  Statement() = default;
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Parameters are 1-based, as in SQLite. Text is copied (SQLITE_TRANSIENT). A failed bind is
  // remembered and reported by the next Step().
  void BindText(int index, std::string_view value);
  void BindOptionalText(int index, const std::optional<std::string>& value);
  void BindInt64(int index, int64_t value);
  void BindDouble(int index, double value);
  void BindOptionalDouble(int index, const std::optional<double>& value);

  // True when a row is available, false when the statement is done.
  Result<bool> Step();
  // Steps to completion, ignoring rows (INSERT, UPDATE, DDL).
  Status Run();
  // Back to its start with every parameter unbound, ready to be bound and run again.
  void Reset();

  // Columns are 0-based. NULL reads as "" / 0 / nullopt.
  int64_t ColumnInt64(int column) const;
  double ColumnDouble(int column) const;
  std::string ColumnText(int column) const;
  std::optional<std::string> ColumnOptionalText(int column) const;
  std::optional<double> ColumnOptionalDouble(int column) const;

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int bind_rc_ = 0;  // SQLITE_OK
};

class SqliteDb {
 public:
  enum class Mode { kReadWrite, kReadOnly };

  // Opens `path` (kReadWrite creates it). Extended result codes are switched on.
  static Result<SqliteDb> Open(const std::string& path, Mode mode);

  SqliteDb(SqliteDb&& other) noexcept;
  SqliteDb& operator=(SqliteDb&& other) noexcept;
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;
  ~SqliteDb();

  // Runs one or more statements without parameters (DDL, PRAGMA, BEGIN/COMMIT).
  Status Exec(std::string_view sql);
  Result<Statement> Prepare(std::string_view sql);
  // A statement prepared once per connection and kept, for the writer's hot path: `sql` must be
  // a string constant (it is the cache key, by address). The statement comes back reset, with
  // no parameter bound; the caller steps it and must Reset() it before giving the connection up
  // (a SELECT left on a row would hold its read transaction). Stays valid while the connection
  // lives.
  Result<Statement*> Cached(const char* sql);
  // Runs a cached statement without parameters to its end (BEGIN, COMMIT, SAVEPOINT ...).
  Status ExecCached(const char* sql);
  // The first column of the first row of `sql` as text ("" when there is no row).
  Result<std::string> QueryText(std::string_view sql);

  // True when the connection cannot write the main database (read-only file or open mode).
  bool ReadOnly() const;
  // True inside an explicit transaction (BEGIN without COMMIT/ROLLBACK yet).
  bool InTransaction() const;
  int64_t LastInsertRowId() const;
  int64_t Changes() const;
  sqlite3* raw() const { return db_; }

 private:
  explicit SqliteDb(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
  // Finalized before the connection is closed (declared after db_, but cleared explicitly).
  std::unordered_map<const char*, std::unique_ptr<Statement>> cache_;
};

}  // namespace planbot::storage
