// PostgresSession's reads for advice verification (core/advice.h):
//   Replan:      BEGIN READ ONLY; SET LOCAL statement_timeout; SET LOCAL lock_timeout;
//                SET LOCAL <setting> = '<value>' ...; EXPLAIN (COSTS, VERBOSE, FORMAT JSON) <sql>;
//                ROLLBACK — one pipeline round trip, as Explain (the statement is planned, not run)
//   ReadCatalog: BEGIN READ ONLY; SET LOCALs; one catalog query; ROLLBACK
// The catalog query reads pg_class, pg_index, pg_attribute, pg_collation, pg_database,
// pg_stat_user_tables and, from pg_stats, only n_distinct, null_frac and correlation — figures,
// never the most_common_vals / histogram_bounds lists, which are values of the table's data.
#include <nlohmann/json.hpp>

#include "adapters/postgres/postgres_session_impl.h"
#include "common/json_text.h"

namespace planbot::adapters::session_internal {
namespace {

constexpr char kReplanPrefix[] = "EXPLAIN (COSTS, VERBOSE, FORMAT JSON) ";

// $1: a JSON array of relation names as SQL spells them ("orders", "sales.\"Items\""), matched
// against each table's quoted spelling (schema-qualified, or bare when it is visible on the
// search_path), so no text is ever parsed as a name. One row per relation that matches.
constexpr char kCatalog[] = R"SQL(
WITH rel AS (
  SELECT DISTINCT ON (r.name) r.name, c.oid
  FROM pg_catalog.json_array_elements_text($1::json) AS r(name)
  JOIN pg_catalog.pg_class c ON c.relkind IN ('r', 'p', 'm', 'f')
  JOIN pg_catalog.pg_namespace cn ON cn.oid = c.relnamespace
  WHERE pg_catalog.format('%I.%I', cn.nspname, c.relname) = r.name
     OR (pg_catalog.quote_ident(c.relname) = r.name AND pg_catalog.pg_table_is_visible(c.oid))
  ORDER BY r.name, pg_catalog.pg_table_is_visible(c.oid) DESC
)
SELECT rel.name,
       c.reltuples::float8,
       c.relpages::float8,
       COALESCE(s.n_live_tup, 0)::float8,
       COALESCE(s.n_dead_tup, 0)::float8,
       COALESCE(s.n_mod_since_analyze, 0)::float8,
       (s.last_analyze IS NOT NULL OR s.last_autoanalyze IS NOT NULL),
       (SELECT datcollate::text FROM pg_catalog.pg_database
         WHERE datname = pg_catalog.current_database()),
       COALESCE((SELECT pg_catalog.json_agg(pg_catalog.pg_get_indexdef(i.indexrelid)
                                            ORDER BY i.indexrelid)
                   FROM pg_catalog.pg_index i WHERE i.indrelid = c.oid AND i.indisvalid),
                '[]')::text,
       (pg_catalog.pg_relation_size(c.oid)
          / pg_catalog.current_setting('block_size')::int8)::float8,
       COALESCE((SELECT pg_catalog.json_agg(pg_catalog.json_build_array(
                   pg_catalog.quote_ident(a.attname),
                   pg_catalog.format_type(a.atttypid, a.atttypmod),
                   CASE WHEN a.attcollation NOT IN (0, 100) THEN coll.collname::text END,
                   a.attcollation <> 0,
                   st.n_distinct, st.null_frac, st.correlation) ORDER BY a.attnum)
                   FROM pg_catalog.pg_attribute a
                   LEFT JOIN pg_catalog.pg_collation coll ON coll.oid = a.attcollation
                   LEFT JOIN pg_catalog.pg_stats st
                     ON st.schemaname = n.nspname AND st.tablename = c.relname
                    AND st.attname = a.attname AND NOT st.inherited
                  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
                '[]')::text
FROM rel
JOIN pg_catalog.pg_class c ON c.oid = rel.oid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_stat_user_tables s ON s.relid = c.oid
)SQL";

// A setting name planbot chose: lower-case letters, digits, '_' and '.'.
bool PlainName(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.')) return false;
  }
  return true;
}

std::string Quoted(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

std::optional<double> OptionalNumber(const nlohmann::json& v) {
  if (!v.is_number()) return std::nullopt;
  return v.get<double>();
}

analyzer::ColumnFacts ToColumn(const nlohmann::json& a) {
  analyzer::ColumnFacts c;
  if (!a.is_array() || a.size() < 7) return c;
  if (a[0].is_string()) c.name = a[0].get<std::string>();
  if (a[1].is_string()) c.type = a[1].get<std::string>();
  if (a[2].is_string()) c.collation = a[2].get<std::string>();
  c.collatable = a[3].is_boolean() && a[3].get<bool>();
  c.n_distinct = OptionalNumber(a[4]);
  c.null_frac = OptionalNumber(a[5]);
  c.correlation = OptionalNumber(a[6]);
  return c;
}

}  // namespace

Result<std::string> PostgresSession::Replan(const std::string& sql,
                                            const std::vector<core::LocalSetting>& settings,
                                            const core::StatementLimits& limits) {
  for (const core::LocalSetting& s : settings) {
    if (!PlainName(s.name)) {
      return MakeError(ErrorCode::kInternal, "not a setting name planbot uses: " + s.name);
    }
  }
  const std::string statement = kReplanPrefix + sql;
  const size_t prefix_chars = statement.size() - sql.size();
  return Guarded<std::string>(sql, prefix_chars, limits, [&](const core::StatementLimits& bounded) {
    std::vector<std::string> pipeline = {
        "BEGIN READ ONLY",
        "SET LOCAL statement_timeout = " + std::to_string(bounded.statement_timeout.count()),
        "SET LOCAL lock_timeout = " + std::to_string(bounded.lock_timeout.count()),
    };
    for (const core::LocalSetting& s : settings) {
      pipeline.push_back("SET LOCAL " + s.name + " = " + Quoted(s.value));
    }
    pipeline.push_back(statement);
    pipeline.push_back("ROLLBACK");
    return PipelineRows(pipeline, pipeline.size() - 2);
  });
}

Result<analyzer::CatalogFacts> PostgresSession::ReadCatalog(
    const std::vector<std::string>& relations, const core::StatementLimits& limits) {
  using Facts = analyzer::CatalogFacts;
  return Guarded<Facts>(
      "", kNoPosition, limits, [&](const core::StatementLimits& bounded) -> Result<Facts> {
        SessionTxn t(*this, "BEGIN READ ONLY", bounded);
        const std::string names = JsonText(nlohmann::json(relations));
        pqxx::result rows = t.txn().exec_params(kCatalog, names);
        t.Rollback();
        Facts facts;
        for (const auto& row : rows) {
          analyzer::RelationFacts r;
          r.name = row[0].as<std::string>();
          r.reltuples = row[1].as<double>();
          r.relpages = row[2].as<double>();
          r.live_tuples = row[3].as<double>();
          r.dead_tuples = row[4].as<double>();
          r.mod_since_analyze = row[5].as<double>();
          r.analyzed = row[6].as<bool>();
          if (!row[7].is_null()) facts.datcollate = row[7].as<std::string>();
          auto indexes = nlohmann::json::parse(row[8].as<std::string>(), nullptr, false);
          if (indexes.is_array()) {
            for (const auto& i : indexes) {
              if (i.is_string()) r.indexes.push_back(i.get<std::string>());
            }
          }
          r.current_pages = row[9].as<double>();
          auto columns = nlohmann::json::parse(row[10].as<std::string>(), nullptr, false);
          if (columns.is_array()) {
            for (const auto& a : columns) r.columns.push_back(ToColumn(a));
          }
          facts.relations.push_back(std::move(r));
        }
        return facts;
      });
}

}  // namespace planbot::adapters::session_internal
