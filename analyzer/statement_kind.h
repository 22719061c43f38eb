// The closed vocabulary of SQL statement kinds: what ParseStatements (analyzer/sql.h) says a
// statement is, and what the core's statement policy decides on. One enumerator per kind; the
// name ("create_index") is what `planbot normalize` prints and what refusals show.
//
// Pure data and lookups; thread-safe.
#pragma once

#include <string_view>

namespace planbot::analyzer {

// X(enumerator, name)
// clang-format off
#define PLANBOT_STATEMENT_KINDS(X)                                                            \
  X(kSelect, "select") X(kSelectInto, "select_into") X(kInsert, "insert")                     \
  X(kUpdate, "update") X(kDelete, "delete") X(kMerge, "merge") X(kExplain, "explain")          \
  X(kCreateTable, "create_table") X(kCreateTableAs, "create_table_as")                        \
  X(kCreateMaterializedView, "create_materialized_view") X(kCreateIndex, "create_index")      \
  X(kCreateStatistics, "create_statistics") X(kCreateView, "create_view")                     \
  X(kCreateSchema, "create_schema") X(kCreateSequence, "create_sequence")                     \
  X(kCreateTrigger, "create_trigger") X(kCreateType, "create_type")                           \
  X(kCreateDatabase, "create_database") X(kCreateRole, "create_role")                         \
  X(kCreateExtension, "create_extension") X(kCreateFunction, "create_function")               \
  X(kCreateOther, "create_other") X(kAlterTable, "alter_table") X(kAlterIndex, "alter_index") \
  X(kAlterDatabase, "alter_database") X(kAlterRole, "alter_role")                             \
  X(kAlterSystem, "alter_system") X(kAlterOther, "alter_other") X(kDrop, "drop")              \
  X(kDropDatabase, "drop_database") X(kDropRole, "drop_role") X(kTruncate, "truncate")        \
  X(kDo, "do") X(kCall, "call") X(kCopy, "copy") X(kGrant, "grant") X(kListen, "listen")      \
  X(kNotify, "notify") X(kUnlisten, "unlisten") X(kReindex, "reindex")                        \
  X(kCluster, "cluster") X(kVacuum, "vacuum") X(kAnalyze, "analyze") X(kDiscard, "discard")   \
  X(kLock, "lock") X(kPrepare, "prepare") X(kExecute, "execute")                              \
  X(kDeallocate, "deallocate") X(kDeclareCursor, "declare_cursor") X(kFetch, "fetch")         \
  X(kClose, "close") X(kCheckpoint, "checkpoint") X(kLoad, "load")                            \
  X(kRefreshMaterializedView, "refresh_materialized_view") X(kComment, "comment")             \
  X(kSecurityLabel, "security_label") X(kSet, "set") X(kShow, "show")                         \
  X(kTransaction, "transaction") X(kOther, "other")
// clang-format on

enum class StatementKind {
#define PLANBOT_STATEMENT_KIND_ENUM(e, name) e,
  PLANBOT_STATEMENT_KINDS(PLANBOT_STATEMENT_KIND_ENUM)
#undef PLANBOT_STATEMENT_KIND_ENUM
};

// "create_index", ...
constexpr std::string_view StatementKindName(StatementKind kind) {
  switch (kind) {
#define PLANBOT_STATEMENT_KIND_NAME(e, name) \
  case StatementKind::e:                     \
    return name;
    PLANBOT_STATEMENT_KINDS(PLANBOT_STATEMENT_KIND_NAME)
#undef PLANBOT_STATEMENT_KIND_NAME
  }
  return "other";
}

// Comparisons with a kind's name, for readers of JSON and for tests: `kind == "select"`.
constexpr bool operator==(StatementKind kind, std::string_view name) {
  return StatementKindName(kind) == name;
}

}  // namespace planbot::analyzer
