// The SQL of ListHistory: a HistoryQuery turned into one SELECT with bound parameters (filters
// combined with AND, newest first, LIMIT clamped to [1, kMaxHistoryLimit]). No caller text ever
// becomes SQL text: filters only choose among fixed fragments, values are parameters.
//
// Each filter column has an index ending in id (migrations.cc), so "the newest N of one
// fingerprint/user/session/database" is an index walk that stops after N rows.
//
// Failures: none. Thread-safety: pure function.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "storage/sqlite_db.h"
#include "storage/store.h"

namespace planbot::storage {

inline constexpr int kMaxHistoryLimit = 1000;

// A bound value: text, or an integer when is_text is false. (Not a std::variant: GCC 12 warns
// falsely about it at -O2.)
struct SqlArg {
  SqlArg(std::string value) : is_text(true), text(std::move(value)) {}  // NOLINT: implicit
  SqlArg(int64_t value) : number(value) {}                              // NOLINT: implicit
  bool is_text = false;
  std::string text;
  int64_t number = 0;
};

struct SqlWithArgs {
  std::string sql;
  std::vector<SqlArg> args;  // ?1, ?2, ... in order

  // Binds args to a statement prepared from sql.
  void Bind(Statement& stmt) const;
};

int ClampLimit(int limit);
SqlWithArgs BuildHistoryList(const HistoryQuery& query);

// Prepares, binds and runs a SELECT of kHistoryColumns(NoPlans): every entry it returns.
Result<std::vector<HistoryEntry>> QueryHistory(SqliteDb& db, const SqlWithArgs& query);

// Appends the conditions of `filter` to `out` (after " WHERE" when `has_where` is false, else
// joined with AND). An empty filter without `all` adds a condition that matches nothing.
void AppendFilterConditions(SqlWithArgs& out, const HistoryFilter& filter, bool has_where);

}  // namespace planbot::storage
