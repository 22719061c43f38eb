#include "core/answer.h"

#include <cmath>

#include "common/json_text.h"
#include "common/raw_json.h"

namespace planbot::core {

namespace {

// Every member, plan.json as null.
nlohmann::json WithoutPlanJson(const Answer& a) {
  if (a.error) {
    nlohmann::json out = ErrorToJson(*a.error, a.id);
    out["message"] = a.message;
    if (a.error->retry_after > 0) out["retry_after"] = a.error->retry_after;
    if (!a.session.empty()) out["session"] = a.session;
    return out;
  }
  nlohmann::json out = {
      {"command", a.command}, {"message", a.message}, {"duration_ms", a.duration_ms}};
  if (!a.database.empty()) out["database"] = a.database;
  if (!a.session.empty()) out["session"] = a.session;
  if (a.id > 0) out["id"] = a.id;
  if (!a.url.empty()) out["url"] = a.url;
  if (!a.fingerprint.empty()) out["fingerprint"] = a.fingerprint;
  if (!a.normalized.empty()) out["normalized"] = a.normalized;
  if (a.analysis) {
    out["plan"] = {{"text", a.analysis->text}, {"json", nullptr}};
    out["summary"] = analyzer::SummaryToJson(a.analysis->summary);
    out["tips"] = analyzer::TipsToJson(a.analysis->tips);
    const analyzer::Advice& advice = a.analysis->advice;
    if (advice.verified) {
      out["advice"] = {{"catalog_read", advice.catalog != nullptr},
                       {"replans", advice.replans},
                       {"ms", std::round(advice.ms * 1000) / 1000}};
      if (!advice.note.empty()) out["advice"]["note"] = advice.note;
    }
    if (!a.analysis->hypothetical_indexes.empty()) {
      out["hypothetical_indexes"] = a.analysis->hypothetical_indexes;
    }
  }
  if (!a.text.empty()) out["text"] = a.text;
  if (!a.result.is_null()) out["result"] = a.result;
  return out;
}

}  // namespace

nlohmann::json Answer::ToJson() const {
  nlohmann::json out = WithoutPlanJson(*this);
  if (!error && analysis) {
    out["plan"]["json"] = nlohmann::json::parse(analysis->json, nullptr, false);
  }
  return out;
}

std::string Answer::ToJsonText() const {
  std::string out = JsonText(WithoutPlanJson(*this));
  if (error || !analysis) return out;
  return SpliceRawJson(std::move(out), "plan", "json", analysis->json);
}

int HttpStatusFor(const Error& error) { return Info(error.code).http_status; }

nlohmann::json ErrorToJson(const Error& error, int64_t history_id) {
  nlohmann::json e = {{"code", ErrorCodeName(error.code)}, {"message", error.message}};
  if (error.position > 0) e["position"] = error.position;
  if (!error.sqlstate.empty()) e["sqlstate"] = error.sqlstate;
  // The top-level `message` is the chat text, as in every answer (README, HTTP API).
  nlohmann::json out = {{"error", e}, {"message", ErrorToChat(error)}};
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
