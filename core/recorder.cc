#include "core/recorder.h"

#include <cmath>
#include <optional>
#include <string>

#include "analyzer/analysis.h"
#include "common/json_text.h"
#include "core/service_context.h"

namespace planbot::core {
namespace {

// The plan as history keeps it: under "full" as analysed; under "normalized" with every query
// constant masked (JSON, text, tips, which quote conditions), the same summary.
void StorePlan(const analyzer::Analysis& analysis, bool full, storage::HistoryEntry& h) {
  h.summary_json = JsonText(analyzer::SummaryToJson(analysis.summary));
  h.execution_ms = analysis.summary.execution_ms;
  if (full) {
    h.plan_json = analysis.json;
    h.plan_text = analysis.text;
    h.tips_json = JsonText(analyzer::TipsToJson(analysis.tips));
    return;
  }
  auto masked = analyzer::Masked(analysis);
  if (!masked) return;  // no masked copy: no plan kept, only the figures
  h.plan_json = std::move(masked->json);
  h.plan_text = std::move(masked->text);
  h.tips_json = JsonText(analyzer::TipsToJson(masked->tips));
}

// What the history keeps of an error: syntax errors quote the user's text, so under the
// "normalized" policy only their position is kept.
std::string StoredErrorMessage(const Error& e, bool full) {
  if (full || e.code != ErrorCode::kSyntaxError) return e.message;
  return "syntax error at byte " + std::to_string(e.position);
}

storage::HistoryEntry History(const CommandContext& ctx, bool full) {
  storage::HistoryEntry h;
  h.user = ctx.request.caller.user;
  h.channel = ctx.request.caller.channel;
  h.session = ctx.session_name;
  h.database = ctx.database->name;
  h.command = ctx.command.name;
  if (full) h.query_text = ctx.command.argument;
  h.normalized = ctx.normalized;
  h.fingerprint = ctx.fingerprint;
  h.server_version = ctx.server_version;
  if (ctx.analysis && !ctx.error) StorePlan(*ctx.analysis, full, h);
  h.duration_ms = ctx.ElapsedMs();
  h.outcome = OutcomeName(ctx.outcome);
  if (ctx.error) {
    h.sqlstate = ctx.error->sqlstate;
    h.error_code = ErrorCodeName(ctx.error->code);
    h.error_message = StoredErrorMessage(*ctx.error, full);
  }
  return h;
}

storage::AuditEntry Audit(const CommandContext& ctx) {
  storage::AuditEntry a;
  a.actor = ctx.request.caller.user;
  a.action =
      ctx.outcome == Outcome::kRefused || ctx.outcome == Outcome::kQuota ? "refusal" : "command";
  a.channel = ctx.request.caller.channel;
  a.session = ctx.session_name;
  a.database = ctx.database ? ctx.database->name : ctx.request.database;
  a.command = ctx.command.name;
  a.normalized = ctx.normalized;
  a.fingerprint = ctx.fingerprint;
  a.outcome = OutcomeName(ctx.outcome);
  nlohmann::json details = {{"duration_ms", std::round(ctx.ElapsedMs() * 1000) / 1000},
                            {"role", RoleName(ctx.request.caller.role)}};
  if (ctx.error) {
    a.sqlstate = ctx.error->sqlstate;
    details["error_code"] = ErrorCodeName(ctx.error->code);
  }
  if (!ctx.request.caller.request_id.empty()) {
    details["request_id"] = ctx.request.caller.request_id;
  }
  a.details = JsonText(details);
  return a;
}

}  // namespace

Result<int64_t> Recorder::RecordCommand(const CommandContext& ctx) {
  std::optional<storage::HistoryEntry> entry;
  // The command table says which commands keep a history entry (plan, explain, exec; hypo
  // with its statement); a command refused before it was parsed has no row and keeps none.
  const HistoryRecord kept =
      ctx.command.spec != nullptr ? ctx.command.spec->history : HistoryRecord::kNever;
  const bool keeps = kept == HistoryRecord::kAlways ||
                     (kept == HistoryRecord::kWhenSql && !ctx.normalized.empty());
  std::string policy = ctx.database ? ctx.database->history : "off";
  if (keeps && ctx.database && policy != "off") {
    entry = History(ctx, policy == "full");
  }
  const storage::AuditEntry audit = Audit(ctx);
  return Timed([&] { return history_->Record(entry, audit); });
}

void Recorder::AuthFailure(const std::string& channel, const std::string& who,
                           const std::string& reason, const std::string& request_id) {
  storage::AuditEntry a;
  a.actor = who;
  if (telemetry_) telemetry_->AuthFailure(channel);
  a.action = "auth_failure";
  a.channel = channel;
  a.outcome = "refused";
  nlohmann::json details = {{"reason", reason}};
  if (!request_id.empty()) details["request_id"] = request_id;
  a.details = JsonText(details);
  Append(a);
}

void Recorder::Refusal(const Caller& caller, const std::string& command,
                       const std::string& reason) {
  storage::AuditEntry a;
  a.actor = caller.user;
  a.action = "refusal";
  a.channel = caller.channel;
  a.command = command;
  a.outcome = "refused";
  nlohmann::json details = {{"reason", reason}};
  if (!caller.request_id.empty()) details["request_id"] = caller.request_id;
  a.details = JsonText(details);
  Append(a);
}

void Recorder::Event(const std::string& action, const std::string& details_json) {
  storage::AuditEntry a;
  a.actor = "system";
  a.action = action;
  a.channel = "system";
  a.outcome = "ok";
  a.details = details_json;
  Append(a);
}

void Recorder::WebSession(const Caller& caller, const std::string& action,
                          const std::string& remote) {
  storage::AuditEntry a;
  a.actor = caller.user;
  a.action = action;
  a.channel = caller.channel;
  a.outcome = "ok";
  nlohmann::json details = {{"role", RoleName(caller.role)}, {"remote", remote}};
  if (!caller.request_id.empty()) details["request_id"] = caller.request_id;
  a.details = JsonText(details);
  Append(a);
}

Status Recorder::Read(const Caller& caller, const std::string& what, nlohmann::json details) {
  storage::AuditEntry a;
  a.actor = caller.user;
  a.action = "read";
  a.channel = caller.channel;
  a.command = what;
  a.outcome = "ok";
  details["role"] = RoleName(caller.role);
  if (!caller.request_id.empty()) details["request_id"] = caller.request_id;
  a.details = JsonText(details);
  if (Status st = Timed([&] { return audit_->Audit(a); }); !st) {
    log_.Error("audit: " + st.error().message);
    return MakeError(
        ErrorCode::kStoreUnavailable,
        "planbot could not record this request, so it does not answer it: " + st.error().message);
  }
  return Ok{};
}

void Recorder::Append(const storage::AuditEntry& entry) {
  if (Status st = Timed([&] { return audit_->Audit(entry); }); !st) {
    log_.Error("audit: " + st.error().message);
  }
}

}  // namespace planbot::core
