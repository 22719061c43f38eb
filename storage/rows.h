// Row mapping between the store's tables and HistoryEntry/AuditEntry: the column lists, the
// INSERT statements and the functions that bind an entry or read one back. Keeping all column
// positions in one file is what lets the rest of the store stay free of column numbers.
//
// Ownership: functions only touch the Statement they are given. Failures: binding errors are
// reported by the statement's next Step(). Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "storage/sqlite_db.h"
#include "storage/store.h"

namespace planbot::storage {

// SELECT lists for history: with plans, or with the four plan columns read as NULL (the column
// positions stay the same).
extern const char* const kHistoryColumns;
extern const char* const kHistoryColumnsNoPlans;
extern const char* const kAuditColumns;

extern const char* const kInsertHistory;  // parameters: see BindHistory
extern const char* const kInsertAudit;    // parameters: see BindAudit

// Binds every field but id; `created_at` is the value to store (the entry's, or now).
void BindHistory(Statement& stmt, const HistoryEntry& entry, const std::string& created_at);
// Binds every field including id, prev_hash and hash.
void BindAudit(Statement& stmt, const AuditEntry& entry);

// Reads the current row of a statement that selected kHistoryColumns(NoPlans) / kAuditColumns.
HistoryEntry ReadHistory(const Statement& stmt);
AuditEntry ReadAudit(const Statement& stmt);

// Steps a bound statement to its end, reading every row with `read` (ReadHistory, ReadAudit).
template <typename T>
Result<std::vector<T>> ReadRows(Statement& stmt, T (*read)(const Statement&)) {
  std::vector<T> rows;
  while (true) {
    auto row = stmt.Step();
    if (!row) return row.error();
    if (!*row) return rows;
    rows.push_back(read(stmt));
  }
}

}  // namespace planbot::storage
