#include "history/history_view.h"

#include "analyzer/human_format.h"
#include "common/json_text.h"
#include "common/raw_json.h"

namespace planbot::history {
namespace {

// Stored JSON text back as JSON (null when absent or unreadable).
nlohmann::json Parsed(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
  return j.is_discarded() ? nlohmann::json(nullptr) : j;
}

// The query on one line, at most `max` bytes (cut at a UTF-8 boundary).
std::string OneLine(const std::string& sql, size_t max) {
  std::string out;
  bool space = false;
  for (char c : sql) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  if (out.size() <= max) return out;
  size_t cut = max - 1;
  while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
  return out.substr(0, cut) + "…";
}

}  // namespace

nlohmann::json HistoryEntryToJson(const storage::HistoryEntry& e, bool with_plan) {
  nlohmann::json out = {
      {"id", e.id},
      {"created_at", e.created_at},
      {"user", e.user},
      {"channel", e.channel},
      {"session", e.session},
      {"database", e.database},
      {"command", e.command},
      {"normalized", e.normalized},
      {"fingerprint", e.fingerprint},
      {"execution_ms", e.execution_ms ? nlohmann::json(*e.execution_ms) : nullptr},
      {"duration_ms", e.duration_ms},
      {"outcome", e.outcome}};
  if (e.query_text) out["query"] = *e.query_text;
  if (!e.error_code.empty()) {
    nlohmann::json error = {{"code", e.error_code}, {"message", e.error_message}};
    if (!e.sqlstate.empty()) error["sqlstate"] = e.sqlstate;
    out["error"] = error;
  }
  if (with_plan) {
    out["plan"] = {{"text", e.plan_text ? nlohmann::json(*e.plan_text) : nullptr},
                   {"json", Parsed(e.plan_json)}};
    out["summary"] = Parsed(e.summary_json);
    nlohmann::json tips = Parsed(e.tips_json);
    out["tips"] = tips.is_null() ? nlohmann::json::array() : tips;
  }
  return out;
}

std::string HistoryEntryToJsonText(const storage::HistoryEntry& e, bool with_plan) {
  nlohmann::json out = HistoryEntryToJson(e, false);
  if (!with_plan) return JsonText(out);
  nlohmann::json with = HistoryEntryToJson(e, true);
  const bool raw = e.plan_json && !with["plan"]["json"].is_null();  // stored and readable
  if (raw) with["plan"]["json"] = nullptr;
  std::string text = JsonText(with);
  return raw ? SpliceRawJson(std::move(text), "plan", "json", *e.plan_json) : text;
}

nlohmann::json AuditEntryToJson(const storage::AuditEntry& e) {
  nlohmann::json details = nlohmann::json::parse(e.details, nullptr, false);
  if (details.is_discarded()) details = e.details;
  return {{"id", e.id},
          {"created_at", e.created_at},
          {"actor", e.actor},
          {"action", e.action},
          {"channel", e.channel},
          {"session", e.session},
          {"database", e.database},
          {"command", e.command},
          {"normalized", e.normalized},
          {"fingerprint", e.fingerprint},
          {"outcome", e.outcome},
          {"sqlstate", e.sqlstate},
          {"details", details},
          {"prev_hash", e.prev_hash},
          {"hash", e.hash}};
}

std::string HistoryTable(const std::vector<storage::HistoryEntry>& entries) {
  if (entries.empty()) return "no history entries yet";
  std::string out;
  for (const storage::HistoryEntry& e : entries) {
    // "2026-11-23T10:00:00.123Z" -> "2026-11-23 10:00:00"
    std::string when = e.created_at.substr(0, 19);
    if (when.size() > 10) when[10] = ' ';
    // explain: the statement's execution time; exec, hypo: how long the command took; plan
    // executes nothing.
    std::string took = e.execution_ms ? analyzer::FormatMillis(*e.execution_ms)
                       : e.command == "plan" || e.command == "explain" || e.duration_ms <= 0
                           ? "—"
                           : analyzer::FormatMillis(e.duration_ms);
    std::string what = e.command;
    if (e.outcome != "ok") {
      what += " (" + e.outcome + (e.error_code.empty() ? "" : ": " + e.error_code) + ")";
    }
    // A statement that did not parse has no normalized text (its raw text is not kept).
    const std::string query = e.normalized.empty() && e.error_code == "syntax_error"
                                  ? "(did not parse)"
                                  : OneLine(e.normalized, 100);
    out +=
        "#" + std::to_string(e.id) + "  " + when + "  " + what + "  " + took + "  " + query + "\n";
  }
  return out;
}

}  // namespace planbot::history
