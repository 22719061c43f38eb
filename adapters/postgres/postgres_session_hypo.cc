// PostgresSession's HypoPG operations. Hypothetical indexes live in the memory of the backend
// that made them, so they run on the session's own connection, and they are not transactional
// (a ROLLBACK does not remove them; checked against HypoPG 1.3.1). Each runs as
//   BEGIN; SET LOCAL statement_timeout = N; SET LOCAL lock_timeout = M; <kHypopgSchema>
//   <the HypoPG call>                      -- extended protocol; the user's text as $1
//   COMMIT
// kHypopgSchema finds the extension (none: Error "hypo_unavailable") and the schema its
// functions live in; the calls name that schema, so that nothing the user created elsewhere on
// the search_path is called instead (catalogs are named with pg_catalog for the same reason).
// Debian 12 ships HypoPG 1.3.1; the functions used here and hypopg()'s columns indexname,
// indexrelid and indrelid are the same in 1.4 (which adds hidden indexes).
#include <cstdint>

#include "adapters/postgres/postgres_session_impl.h"

namespace planbot::adapters::session_internal {
namespace {

constexpr char kHypopgSchema[] =
    "SELECT n.nspname::text FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n "
    "ON n.oid = e.extnamespace WHERE e.extname = 'hypopg'";

// In the templates below, "@." stands for the extension's (quoted) schema. HypoPG's own view,
// hypopg_list_indexes, is not granted to PUBLIC (the session role cannot read it), so they read
// the hypopg() function (indexname, indexrelid, indrelid, ...; executable by PUBLIC) instead.
//
// A hypothetical index outlives its table (`exec drop table`), and HypoPG 1.3.1 then crashes the
// server in hypopg_get_indexdef() (SIGSEGV: every backend of the cluster is restarted) and fails
// in hypopg_relation_size(). So both are called only while the table exists; for an index whose
// table is gone, table and definition are empty and the size 0.
constexpr char kDescribe[] =
    "h.indexrelid::int8, h.indexname::text, t.name, "
    "CASE WHEN t.name IS NOT NULL THEN @.hypopg_get_indexdef(h.indexrelid) END, "
    "CASE WHEN t.name IS NOT NULL THEN @.hypopg_relation_size(h.indexrelid)::int8 END";
// "schema.table" of h.indrelid; no row when the table is gone.
constexpr char kTableOf[] =
    "LEFT JOIN LATERAL (SELECT pg_catalog.format('%I.%I', n.nspname, c.relname) AS name "
    "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.oid = h.indrelid) t ON true";
// The function scan holds every index hypopg_create_index() made before its first row goes on,
// so the lookup of the new index's table in hypopg() sees it.
constexpr char kCreate[] =
    "SELECT @DESCRIBE FROM (SELECT c.indexrelid, c.indexname, "
    "(SELECT x.indrelid FROM @.hypopg() x WHERE x.indexrelid = c.indexrelid) AS indrelid "
    "FROM @.hypopg_create_index($1) c) h @TABLE";
constexpr char kList[] = "SELECT @DESCRIBE FROM @.hypopg() h @TABLE ORDER BY h.indexrelid";
constexpr char kDrop[] = "SELECT @.hypopg_drop_index($1::oid)";
constexpr char kReset[] = "SELECT @.hypopg_reset()";

constexpr int64_t kMaxOid = 4294967295;

void ReplaceAll(std::string& text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

// A template above with its placeholders filled in.
std::string HypoSql(const char* tmpl, const std::string& schema) {
  std::string sql = tmpl;
  ReplaceAll(sql, "@DESCRIBE", kDescribe);
  ReplaceAll(sql, "@TABLE", kTableOf);
  ReplaceAll(sql, "@.", schema + ".");
  return sql;
}

core::HypoIndex ToHypoIndex(const pqxx::row& row) {
  core::HypoIndex index;
  index.oid = row[0].as<int64_t>();
  index.name = row[1].as<std::string>();
  index.table = row[2].is_null() ? std::string() : row[2].as<std::string>();
  index.definition = row[3].is_null() ? std::string() : row[3].as<std::string>();
  index.estimated_bytes = row[4].is_null() ? 0 : row[4].as<int64_t>();
  return index;
}

}  // namespace

std::string PostgresSession::HypoSchema(const SessionTxn& t) const {
  if (t.lookup().empty()) return std::string();
  return conn_->quote_name(t.lookup()[0][0].as<std::string>());
}

Error PostgresSession::HypoUnavailable() const {
  const std::string major = std::to_string(server_version_num_ / 10000);
  return MakeError(ErrorCode::kHypoUnavailable,
                   "HypoPG is not installed in this clone. To enable it, install the "
                   "postgresql-" +
                       major +
                       "-hypopg package on the database server and run CREATE EXTENSION hypopg "
                       "in the source database (new clones then have it), or run `exec create "
                       "extension hypopg` on this clone if your role may create extensions");
}

Result<core::HypoIndex> PostgresSession::HypoCreate(const std::string& create_index_sql,
                                                    const core::StatementLimits& limits) {
  return Guarded<core::HypoIndex>(
      create_index_sql, kNoPosition, limits,
      [&](const core::StatementLimits& bounded) -> Result<core::HypoIndex> {
        SessionTxn t(*this, "BEGIN", bounded, kHypopgSchema);
        const std::string schema = HypoSchema(t);
        if (schema.empty()) return HypoUnavailable();
        pqxx::result rows = t.txn().exec_params(HypoSql(kCreate, schema), create_index_sql);
        t.Commit();
        if (rows.empty()) {
          // HypoPG warns (a notice, discarded) and makes nothing for a text that is not a
          // CREATE INDEX it can use.
          return MakeError(ErrorCode::kDatabaseError,
                           "HypoPG made no hypothetical index: give one CREATE INDEX statement "
                           "on an existing table");
        }
        return ToHypoIndex(rows[0]);
      });
}

Result<std::vector<core::HypoIndex>> PostgresSession::HypoList(
    const core::StatementLimits& limits) {
  using List = std::vector<core::HypoIndex>;
  return Guarded<List>("", kNoPosition, limits,
                       [&](const core::StatementLimits& bounded) -> Result<List> {
                         SessionTxn t(*this, "BEGIN", bounded, kHypopgSchema);
                         const std::string schema = HypoSchema(t);
                         if (schema.empty()) return HypoUnavailable();
                         pqxx::result rows = t.txn().exec_params(HypoSql(kList, schema));
                         t.Commit();
                         List list;
                         for (const auto& row : rows) list.push_back(ToHypoIndex(row));
                         return list;
                       });
}

Result<bool> PostgresSession::HypoDrop(int64_t oid, const core::StatementLimits& limits) {
  return Guarded<bool>("", kNoPosition, limits,
                       [&](const core::StatementLimits& bounded) -> Result<bool> {
                         SessionTxn t(*this, "BEGIN", bounded, kHypopgSchema);
                         const std::string schema = HypoSchema(t);
                         if (schema.empty()) return HypoUnavailable();
                         if (oid <= 0 || oid > kMaxOid) {  // not an oid: no such index
                           t.Commit();
                           return false;
                         }
                         pqxx::row row = t.txn().exec_params1(HypoSql(kDrop, schema), oid);
                         t.Commit();
                         return row[0].as<bool>();
                       });
}

Status PostgresSession::HypoReset(const core::StatementLimits& limits) {
  return Guarded<Ok>("", kNoPosition, limits, [&](const core::StatementLimits& bounded) -> Status {
    SessionTxn t(*this, "BEGIN", bounded, kHypopgSchema);
    const std::string schema = HypoSchema(t);
    if (schema.empty()) return HypoUnavailable();
    t.txn().exec_params(HypoSql(kReset, schema));
    t.Commit();
    return Ok{};
  });
}

}  // namespace planbot::adapters::session_internal
