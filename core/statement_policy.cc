#include "core/statement_policy.h"

#include <cctype>
#include <set>

namespace planbot::core {
namespace {

using K = analyzer::StatementKind;

// Statement kinds that shape a clone for an experiment: `exec` is the command for them.
bool IsExecKind(K kind) {
  static const std::set<K> kExec = {
      K::kCreateTable, K::kCreateTableAs,    K::kCreateMaterializedView,
      K::kCreateIndex, K::kCreateStatistics, K::kCreateExtension,
      K::kAlterTable,  K::kAlterIndex,       K::kDrop,
      K::kTruncate,    K::kAnalyze,          K::kVacuum,
      K::kReindex,     K::kCluster,          K::kRefreshMaterializedView,
      K::kCreateView,
  };
  return kExec.count(kind) > 0;
}

std::string Label(const analyzer::SqlStatement& st) {
  std::string label(analyzer::StatementKindName(st.kind));
  for (char& c : label) c = c == '_' ? ' ' : static_cast<char>(std::toupper(c));
  if (!st.detail.empty() && (st.kind == K::kDrop || st.kind == K::kSet)) {
    label += " " + st.detail;
  }
  return label;
}

// Settings that planbot controls or that change who the session is.
bool IsProtectedSetting(const std::string& name) {
  static const std::set<std::string> kProtected = {
      "statement_timeout",
      "lock_timeout",
      "idle_in_transaction_session_timeout",
      "idle_session_timeout",
      "role",
      "session_authorization",
      "session_replication_role",
      "default_transaction_read_only",
      "transaction_read_only",
      "log_statement",
      "log_min_duration_statement",
      "client_min_messages",
      // planbot reads answers in UTF-8, parses SQL as PostgreSQL does by default, and finds its
      // sessions by application_name.
      "client_encoding",
      "standard_conforming_strings",
      "backslash_quote",
      "application_name",
  };
  return kProtected.count(name) > 0;
}

const char* kExecTakes =
    "`exec` takes CREATE/DROP/ALTER INDEX, ALTER/CREATE/DROP TABLE, CREATE TABLE AS, CREATE "
    "STATISTICS, INSERT/UPDATE/DELETE/MERGE, ANALYZE, VACUUM, SET/RESET, REINDEX, CLUSTER and "
    "CREATE EXTENSION hypopg";

Error Refuse(const std::string& why) { return MakeError(ErrorCode::kRefused, why); }

// HypoPG's functions called from user SQL: hypopg_get_indexdef() of an index whose table was
// dropped crashes the server (every session of every user loses its state), and the others
// would bypass `hypo`. `hypo` calls them itself, safely.
Status CheckFunctions(const analyzer::SqlStatement& st) {
  for (const std::string& function : st.functions) {
    const size_t dot = function.rfind('.');
    const std::string name = dot == std::string::npos ? function : function.substr(dot + 1);
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower.starts_with("hypopg")) {
      return Refuse(name +
                    "(): HypoPG's functions are not called from SQL here; use `hypo create index "
                    "...`, `hypo desc`, `hypo drop ID` and `hypo reset`");
    }
  }
  return Ok{};
}

// Kinds refused with a reason of their own.
std::string RefusalReason(const analyzer::SqlStatement& st) {
  const K k = st.kind;
  if (k == K::kDo || k == K::kCreateFunction || k == K::kCall) {
    return "code you create or call (DO, functions, procedures) can write data into notices, "
           "names or files, so `exec` does not run it";
  }
  if (k == K::kComment || k == K::kSecurityLabel) {
    return "comments and labels can carry data out of the clone, so `exec` does not set them";
  }
  if (k == K::kCopy) return "COPY reads and writes files and rows; planbot never moves data";
  if (k == K::kGrant || k == K::kCreateRole || k == K::kAlterRole || k == K::kDropRole) {
    return "roles and privileges are not yours to change on a clone";
  }
  if (k == K::kListen || k == K::kNotify || k == K::kUnlisten) {
    return "LISTEN/NOTIFY can carry data out of the clone";
  }
  if (k == K::kTransaction)
    return "each `exec` runs and commits on its own; send the statement alone";
  if (k == K::kCreateDatabase || k == K::kDropDatabase || k == K::kAlterDatabase) {
    return "`exec` works on your clone only, not on other databases";
  }
  if (k == K::kSelect || k == K::kExplain) {
    return "`exec` is for statements that change the clone; use `plan` or `explain` for queries";
  }
  return std::string(kExecTakes) + "; " + Label(st) + " is not one of them";
}

}  // namespace

Result<ExecPlan> CheckExecutable(const analyzer::SqlStatement& st) {
  static const std::set<K> kInTransaction = {
      K::kCreateIndex,      K::kAlterIndex,    K::kAlterTable,
      K::kCreateTable,      K::kCreateTableAs, K::kSelectInto,
      K::kCreateStatistics, K::kInsert,        K::kUpdate,
      K::kDelete,           K::kMerge,         K::kAnalyze,
      K::kReindex,          K::kTruncate,      K::kRefreshMaterializedView,
  };
  if (Status functions = CheckFunctions(st); !functions) return functions.error();
  if (st.partition_bound_expression) {
    return Refuse(
        "a partition bound must be made of constants (e.g. FOR VALUES FROM (1) TO (100)): the "
        "value of an expression in it would be printed back by \\d");
  }
  const K k = st.kind;
  if (k == K::kSet) {
    if (IsProtectedSetting(st.detail)) {
      return Refuse(st.detail + " is set by planbot for every command and cannot be changed");
    }
    if (st.detail == "session_characteristics") {
      return Refuse(
          "SET SESSION CHARACTERISTICS would change how planbot's own transactions run; set "
          "default_transaction_isolation and the like one by one");
    }
    if (st.detail == "all") {
      return Refuse(
          "RESET ALL would also reset planbot's own session settings; reset settings one "
          "by one, or use `reset` to start over");
    }
    return ExecPlan{false};
  }
  if (k == K::kCreateExtension) {
    if (st.detail != "hypopg") return Refuse("`exec` creates only the hypopg extension");
    return ExecPlan{true};
  }
  if (k == K::kDrop) {
    static const std::set<std::string> kDrop = {"table", "index", "statistics", "extension"};
    if (kDrop.count(st.detail) == 0) {
      return Refuse("`exec` drops tables, indexes, statistics and the hypopg extension, not " +
                    st.detail + "s");
    }
    return ExecPlan{!st.concurrently};
  }
  if (k == K::kVacuum || k == K::kCluster) return ExecPlan{false};
  if (kInTransaction.count(k) > 0) return ExecPlan{!st.concurrently};
  return Refuse(RefusalReason(st));
}

Status CheckExplainable(const analyzer::SqlStatement& st, const std::string& command) {
  const K k = st.kind;
  if (k == K::kSelect || k == K::kInsert || k == K::kUpdate || k == K::kDelete || k == K::kMerge) {
    return CheckFunctions(st);
  }
  const std::string takes = "`" + command +
                            "` takes SELECT, INSERT, UPDATE, DELETE, MERGE, VALUES, TABLE or "
                            "WITH";
  std::string why;
  if (k == K::kSelectInto) {
    why = "SELECT ... INTO creates a table: " + command +
          " the SELECT without INTO, or use `exec CREATE TABLE ... AS SELECT ...`";
  } else if (k == K::kExplain) {
    why = "send the statement without EXPLAIN: `" + command +
          " SELECT ...`; planbot adds EXPLAIN and its options";
  } else if (k == K::kTransaction) {
    why =
        "each command runs in its own transaction, which planbot always rolls back; send the "
        "statement alone";
  } else if (k == K::kSet || k == K::kShow) {
    why = takes + "; use `exec " + Label(st) + " ...` to change a setting for your session";
  } else if (IsExecKind(k)) {
    why = takes + "; use `exec` for " + Label(st);
  } else {
    why = takes + "; " + Label(st) + " is not something planbot runs";
  }
  return MakeError(ErrorCode::kRefused, why);
}

Status CheckHypothetical(const analyzer::SqlStatement& st) {
  if (st.kind != K::kCreateIndex) {
    return Refuse("usage: hypo create index [name] on table (columns)");
  }
  return CheckFunctions(st);
}

}  // namespace planbot::core
