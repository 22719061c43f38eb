#include "bot/statement_policy.h"

#include <set>

namespace planbot::bot {
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

}  // namespace

Status CheckExplainable(const analyzer::SqlStatement& st, const std::string& command) {
  const std::string& k = st.kind;
  if (k == "select" || k == "insert" || k == "update" || k == "delete" || k == "merge") {
    return Ok{};
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

}  // namespace planbot::bot
