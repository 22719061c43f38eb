#include "core/answer.h"

#include <map>

namespace planbot::core {

nlohmann::json Answer::ToJson() const {
  if (error) {
    nlohmann::json out = ErrorToJson(*error, id);
    out["message"] = message;
    if (error->retry_after > 0) out["retry_after"] = error->retry_after;
    if (!session.empty()) out["session"] = session;
    return out;
  }
  nlohmann::json out = {{"command", command}, {"message", message}, {"duration_ms", duration_ms}};
  if (!database.empty()) out["database"] = database;
  if (!session.empty()) out["session"] = session;
  if (id > 0) out["id"] = id;
  if (!fingerprint.empty()) out["fingerprint"] = fingerprint;
  if (!normalized.empty()) out["normalized"] = normalized;
  if (!plan_json.is_null()) {
    out["plan"] = {{"text", plan_text}, {"json", plan_json}};
    out["summary"] = summary;
    out["tips"] = tips;
  }
  if (!text.empty()) out["text"] = text;
  if (!result.is_null()) out["result"] = result;
  if (!hypothetical_indexes.empty()) out["hypothetical_indexes"] = hypothetical_indexes;
  return out;
}

int HttpStatusFor(const Error& error) {
  static const std::map<std::string, int> kStatus = {
      {"unauthorized", 401},      {"forbidden", 403},   {"not_found", 404},
      {"timeout", 408},           {"too_large", 413},   {"quota", 429},
      {"clone_unavailable", 503}, {"source_busy", 503}, {"store_unavailable", 503},
      {"shutting_down", 503},     {"store_error", 503},
  };
  auto it = kStatus.find(error.code);
  return it == kStatus.end() ? 400 : it->second;
}

nlohmann::json ErrorToJson(const Error& error, int64_t history_id) {
  nlohmann::json e = {{"code", error.code}, {"message", error.message}};
  if (error.position > 0) e["position"] = error.position;
  if (!error.sqlstate.empty()) e["sqlstate"] = error.sqlstate;
  nlohmann::json out = {{"error", e}};
  if (history_id > 0) out["id"] = history_id;
  return out;
}

std::string ErrorToChat(const Error& error) {
  std::string line = "error: " + error.message;
  if (error.position > 0) line += " (at byte " + std::to_string(error.position) + ")";
  if (!error.sqlstate.empty() && error.message.find(error.sqlstate) == std::string::npos) {
    line += " (SQLSTATE " + error.sqlstate + ")";
  }
  return line;
}

}  // namespace planbot::core
