#include "storage/rows.h"

namespace planbot::storage {

const char* const kHistoryColumns =
    "id, created_at, user_name, channel, session_id, database_name, command, query_text, "
    "normalized, fingerprint, plan_json, plan_text, summary_json, tips_json, execution_ms, "
    "duration_ms, outcome, sqlstate, error_code, error_message, server_version";

const char* const kHistoryColumnsNoPlans =
    "id, created_at, user_name, channel, session_id, database_name, command, query_text, "
    "normalized, fingerprint, NULL, NULL, NULL, NULL, execution_ms, "
    "duration_ms, outcome, sqlstate, error_code, error_message, server_version";

const char* const kAuditColumns =
    "id, created_at, actor, action, channel, session_id, database_name, command, normalized, "
    "fingerprint, outcome, sqlstate, details, prev_hash, hash";

const char* const kInsertHistory =
    "INSERT INTO history (created_at, user_name, channel, session_id, database_name, command, "
    "query_text, normalized, fingerprint, plan_json, plan_text, summary_json, tips_json, "
    "execution_ms, duration_ms, outcome, sqlstate, error_code, error_message, server_version) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, "
    "?20)";

const char* const kInsertAudit =
    "INSERT INTO audit (id, created_at, actor, action, channel, session_id, database_name, "
    "command, normalized, fingerprint, outcome, sqlstate, details, prev_hash, hash) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";

void BindHistory(Statement& stmt, const HistoryEntry& e, const std::string& created_at) {
  stmt.BindText(1, created_at);
  stmt.BindText(2, e.user);
  stmt.BindText(3, e.channel);
  stmt.BindText(4, e.session);
  stmt.BindText(5, e.database);
  stmt.BindText(6, e.command);
  stmt.BindOptionalText(7, e.query_text);
  stmt.BindText(8, e.normalized);
  stmt.BindText(9, e.fingerprint);
  stmt.BindOptionalText(10, e.plan_json);
  stmt.BindOptionalText(11, e.plan_text);
  stmt.BindOptionalText(12, e.summary_json);
  stmt.BindOptionalText(13, e.tips_json);
  stmt.BindOptionalDouble(14, e.execution_ms);
  stmt.BindDouble(15, e.duration_ms);
  stmt.BindText(16, e.outcome);
  stmt.BindText(17, e.sqlstate);
  stmt.BindText(18, e.error_code);
  stmt.BindText(19, e.error_message);
  stmt.BindInt64(20, e.server_version);
}

void BindAudit(Statement& stmt, const AuditEntry& e) {
  stmt.BindInt64(1, e.id);
  stmt.BindText(2, e.created_at);
  stmt.BindText(3, e.actor);
  stmt.BindText(4, e.action);
  stmt.BindText(5, e.channel);
  stmt.BindText(6, e.session);
  stmt.BindText(7, e.database);
  stmt.BindText(8, e.command);
  stmt.BindText(9, e.normalized);
  stmt.BindText(10, e.fingerprint);
  stmt.BindText(11, e.outcome);
  stmt.BindText(12, e.sqlstate);
  stmt.BindText(13, e.details);
  stmt.BindText(14, e.prev_hash);
  stmt.BindText(15, e.hash);
}

HistoryEntry ReadHistory(const Statement& stmt) {
  HistoryEntry e;
  e.id = stmt.ColumnInt64(0);
  e.created_at = stmt.ColumnText(1);
  e.user = stmt.ColumnText(2);
  e.channel = stmt.ColumnText(3);
  e.session = stmt.ColumnText(4);
  e.database = stmt.ColumnText(5);
  e.command = stmt.ColumnText(6);
  e.query_text = stmt.ColumnOptionalText(7);
  e.normalized = stmt.ColumnText(8);
  e.fingerprint = stmt.ColumnText(9);
  e.plan_json = stmt.ColumnOptionalText(10);
  e.plan_text = stmt.ColumnOptionalText(11);
  e.summary_json = stmt.ColumnOptionalText(12);
  e.tips_json = stmt.ColumnOptionalText(13);
  e.execution_ms = stmt.ColumnOptionalDouble(14);
  e.duration_ms = stmt.ColumnDouble(15);
  e.outcome = stmt.ColumnText(16);
  e.sqlstate = stmt.ColumnText(17);
  e.error_code = stmt.ColumnText(18);
  e.error_message = stmt.ColumnText(19);
  e.server_version = static_cast<int>(stmt.ColumnInt64(20));
  return e;
}

AuditEntry ReadAudit(const Statement& stmt) {
  AuditEntry e;
  e.id = stmt.ColumnInt64(0);
  e.created_at = stmt.ColumnText(1);
  e.actor = stmt.ColumnText(2);
  e.action = stmt.ColumnText(3);
  e.channel = stmt.ColumnText(4);
  e.session = stmt.ColumnText(5);
  e.database = stmt.ColumnText(6);
  e.command = stmt.ColumnText(7);
  e.normalized = stmt.ColumnText(8);
  e.fingerprint = stmt.ColumnText(9);
  e.outcome = stmt.ColumnText(10);
  e.sqlstate = stmt.ColumnText(11);
  e.details = stmt.ColumnText(12);
  e.prev_hash = stmt.ColumnText(13);
  e.hash = stmt.ColumnText(14);
  return e;
}

}  // namespace planbot::storage
