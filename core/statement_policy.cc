#include "core/statement_policy.h"

#include <cctype>
#include <set>

namespace planbot::core {
namespace {

// Statement kinds that shape a clone for an experiment: `exec` is the command for them.
bool IsExecKind(const std::string& kind) {
  static const std::set<std::string> kExec = {
      "create_table", "create_table_as",   "create_materialized_view",
      "create_index", "create_statistics", "create_extension",
      "alter_table",  "alter_index",       "drop",
      "truncate",     "analyze",           "vacuum",
      "reindex",      "cluster",           "refresh_materialized_view",
      "create_view",
  };
  return kExec.count(kind) > 0;
}

std::string Label(const analyzer::SqlStatement& st) {
  std::string label = st.kind;
  for (char& c : label) c = c == '_' ? ' ' : static_cast<char>(std::toupper(c));
  if (!st.detail.empty() && (st.kind == "drop" || st.kind == "set")) label += " " + st.detail;
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

Error Refuse(const std::string& why) { return MakeError("refused", why); }

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
  const std::string& k = st.kind;
  if (k == "do" || k == "create_function" || k == "call") {
    return "code you create or call (DO, functions, procedures) can write data into notices, "
           "names or files, so `exec` does not run it";
  }
  if (k == "comment" || k == "security_label") {
    return "comments and labels can carry data out of the clone, so `exec` does not set them";
  }
  if (k == "copy") return "COPY reads and writes files and rows; planbot never moves data";
  if (k == "grant" || k == "create_role" || k == "alter_role" || k == "drop_role") {
    return "roles and privileges are not yours to change on a clone";
  }
  if (k == "listen" || k == "notify" || k == "unlisten") {
    return "LISTEN/NOTIFY can carry data out of the clone";
  }
  if (k == "transaction")
    return "each `exec` runs and commits on its own; send the statement alone";
  if (k == "create_database" || k == "drop_database" || k == "alter_database") {
    return "`exec` works on your clone only, not on other databases";
  }
  if (k == "select" || k == "explain") {
    return "`exec` is for statements that change the clone; use `plan` or `explain` for queries";
  }
  return std::string(kExecTakes) + "; " + Label(st) + " is not one of them";
}

}  // namespace

Result<ExecPlan> CheckExecutable(const analyzer::SqlStatement& st) {
  static const std::set<std::string> kInTransaction = {
      "create_index",
      "alter_index",
      "alter_table",
      "create_table",
      "create_table_as",
      "select_into",
      "create_statistics",
      "insert",
      "update",
      "delete",
      "merge",
      "analyze",
      "reindex",
      "truncate",
      "refresh_materialized_view",
  };
  if (Status functions = CheckFunctions(st); !functions) return functions.error();
  if (st.partition_bound_expression) {
    return Refuse(
        "a partition bound must be made of constants (e.g. FOR VALUES FROM (1) TO (100)): the "
        "value of an expression in it would be printed back by \\d");
  }
  const std::string& k = st.kind;
  if (k == "set") {
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
  if (k == "create_extension") {
    if (st.detail != "hypopg") return Refuse("`exec` creates only the hypopg extension");
    return ExecPlan{true};
  }
  if (k == "drop") {
    static const std::set<std::string> kDrop = {"table", "index", "statistics", "extension"};
    if (kDrop.count(st.detail) == 0) {
      return Refuse("`exec` drops tables, indexes, statistics and the hypopg extension, not " +
                    st.detail + "s");
    }
    return ExecPlan{!st.concurrently};
  }
  if (k == "vacuum" || k == "cluster") return ExecPlan{false};
  if (kInTransaction.count(k) > 0) return ExecPlan{!st.concurrently};
  return Refuse(RefusalReason(st));
}

Status CheckExplainable(const analyzer::SqlStatement& st, const std::string& command) {
  const std::string& k = st.kind;
  if (k == "select" || k == "insert" || k == "update" || k == "delete" || k == "merge") {
    return CheckFunctions(st);
  }
  const std::string takes = "`" + command +
                            "` takes SELECT, INSERT, UPDATE, DELETE, MERGE, VALUES, TABLE or "
                            "WITH";
  std::string why;
  if (k == "select_into") {
    why = "SELECT ... INTO creates a table: " + command +
          " the SELECT without INTO, or use `exec CREATE TABLE ... AS SELECT ...`";
  } else if (k == "explain") {
    why = "send the statement without EXPLAIN: `" + command +
          " SELECT ...`; planbot adds EXPLAIN and its options";
  } else if (k == "transaction") {
    why =
        "each command runs in its own transaction, which planbot always rolls back; send the "
        "statement alone";
  } else if (k == "set" || k == "show") {
    why = takes + "; use `exec " + Label(st) + " ...` to change a setting for your session";
  } else if (IsExecKind(k)) {
    why = takes + "; use `exec` for " + Label(st);
  } else {
    why = takes + "; " + Label(st) + " is not something planbot runs";
  }
  return MakeError("refused", why);
}

Status CheckHypothetical(const analyzer::SqlStatement& st) {
  if (st.kind != "create_index") {
    return Refuse("usage: hypo create index [name] on table (columns)");
  }
  return CheckFunctions(st);
}

}  // namespace planbot::core
