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

Result<std::vector<HistoryEntry>> QueryHistory(SqliteDb& db, const SqlWithArgs& query) {
  auto stmt = db.Prepare(query.sql);
  if (!stmt) return stmt.error();
  query.Bind(*stmt);
  return ReadRows(*stmt, &ReadHistory);
}

int ClampLimit(int limit) { return std::clamp(limit, 1, kMaxHistoryLimit); }

namespace {

// Appends " WHERE a AND b ..." (or " AND ..." after an existing WHERE) condition by condition.
class Where {
 public:
  explicit Where(SqlWithArgs& out, bool has_where = false)
      : out_(out), glue_(has_where ? " AND " : " WHERE ") {}
  void Add(const char* condition, SqlArg value) {
    AddRaw(condition);
    out_.args.push_back(std::move(value));
  }
  void AddRaw(const std::string& condition) {
    out_.sql += glue_;
    out_.sql += condition;
    glue_ = " AND ";
  }

 private:
  SqlWithArgs& out_;
  const char* glue_;
};

// The conditions HistoryQuery and HistoryFilter share.
void AddCommon(Where& where, const std::optional<std::string>& user,
               const std::optional<std::string>& session,
               const std::optional<std::string>& database,
               const std::optional<std::string>& fingerprint,
               const std::optional<std::string>& before) {
  if (user) where.Add("user_name = ?", *user);
  if (session) where.Add("session_id = ?", *session);
  if (database) where.Add("database_name = ?", *database);
  if (fingerprint) where.Add("fingerprint = ?", *fingerprint);
  if (before) where.Add("created_at < ?", NormalizeTimeBound(*before));
}

}  // namespace

SqlWithArgs BuildHistoryList(const HistoryQuery& q) {
  SqlWithArgs out;
  out.sql = "SELECT ";
  out.sql += q.include_plans ? kHistoryColumns : kHistoryColumnsNoPlans;
  out.sql += " FROM history";
  Where where(out);
  AddCommon(where, q.user, q.session, q.database, q.fingerprint, q.before);
  if (q.command) where.Add("command = ?", *q.command);
  if (q.after) where.Add("created_at >= ?", NormalizeTimeBound(*q.after));
  if (q.before_id) where.Add("id < ?", *q.before_id);
  out.sql += " ORDER BY id DESC LIMIT ?";
  out.args.push_back(static_cast<int64_t>(ClampLimit(q.limit)));
  return out;
}

void AppendFilterConditions(SqlWithArgs& out, const HistoryFilter& f, bool has_where) {
  Where where(out, has_where);
  AddCommon(where, f.user, f.session, f.database, f.fingerprint, f.before);
  if (!f.ids.empty()) {
    std::string in = "id IN (";
    for (size_t i = 0; i < f.ids.size(); ++i) in += i == 0 ? "?" : ", ?";
    where.AddRaw(in + ")");
    for (int64_t id : f.ids) out.args.emplace_back(id);
  }
  if (f.Empty() && !f.all) where.AddRaw("0");  // matches nothing; callers refuse this earlier
}

}  // namespace planbot::storage
