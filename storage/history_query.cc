#include "storage/history_query.h"

#include <algorithm>

#include "storage/rows.h"
#include "storage/timestamp.h"

namespace planbot::storage {

void SqlWithArgs::Bind(Statement& stmt) const {
  for (size_t i = 0; i < args.size(); ++i) {
    int index = static_cast<int>(i) + 1;
    if (args[i].is_text) {
      stmt.BindText(index, args[i].text);
    } else {
      stmt.BindInt64(index, args[i].number);
    }
  }
}

int ClampLimit(int limit) { return std::clamp(limit, 1, kMaxHistoryLimit); }

SqlWithArgs BuildHistoryList(const HistoryQuery& q) {
  SqlWithArgs out;
  out.sql = "SELECT ";
  out.sql += q.include_plans ? kHistoryColumns : kHistoryColumnsNoPlans;
  out.sql += " FROM history";
  const char* glue = " WHERE ";
  auto add = [&](const char* condition, SqlArg value) {
    out.sql += glue;
    out.sql += condition;
    out.args.push_back(std::move(value));
    glue = " AND ";
  };
  if (q.user) add("user_name = ?", *q.user);
  if (q.session) add("session_id = ?", *q.session);
  if (q.database) add("database_name = ?", *q.database);
  if (q.fingerprint) add("fingerprint = ?", *q.fingerprint);
  if (q.before) add("created_at < ?", NormalizeTimeBound(*q.before));
  if (q.after) add("created_at >= ?", NormalizeTimeBound(*q.after));
  if (q.before_id) add("id < ?", *q.before_id);
  out.sql += " ORDER BY id DESC LIMIT ?";
  out.args.push_back(static_cast<int64_t>(ClampLimit(q.limit)));
  return out;
}

}  // namespace planbot::storage
