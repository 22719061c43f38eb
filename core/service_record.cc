// Finishing a command: the history and audit entries (under the database's history policy) and
// the chat-formatted answer.
#include <cmath>
#include <string>

#include "analyzer/analysis.h"
#include "analyzer/human_format.h"
#include "core/service_context.h"
#include "history/history_admin.h"

namespace planbot::core {
namespace {

// The plan as history keeps it: under "full" as analysed; under "normalized" with every query
// constant masked (JSON, text, tips, which quote conditions), the same summary.
void StorePlan(const analyzer::Analysis& analysis, bool full, storage::HistoryEntry& h) {
  h.summary_json = analyzer::SummaryToJson(analysis.summary).dump();
  h.execution_ms = analysis.summary.execution_ms;
  if (full) {
    h.plan_json = analysis.json;
    h.plan_text = analysis.text;
    h.tips_json = analyzer::TipsToJson(analysis.tips).dump();
    return;
  }
  auto masked = analyzer::Masked(analysis);
  if (!masked) return;  // no masked copy: no plan kept, only the figures
  h.plan_json = std::move(masked->json);
  h.plan_text = std::move(masked->text);
  h.tips_json = analyzer::TipsToJson(masked->tips).dump();
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
  a.details = details.dump();
  return a;
}

// The SQL line around a syntax error with a caret under the byte it points at.
std::string Caret(const std::string& sql, int position) {
  if (position <= 0 || static_cast<size_t>(position) > sql.size() + 1) return {};
  size_t at = static_cast<size_t>(position - 1);
  size_t begin = sql.rfind('\n', at == 0 ? 0 : at - 1);
  begin = begin == std::string::npos ? 0 : begin + 1;
  size_t end = sql.find('\n', at);
  std::string line = sql.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
  if (line.size() > 200) return {};
  return "\n    " + line + "\n    " + std::string(at - begin, ' ') + "^";
}

}  // namespace

Records BuildRecords(const CommandContext& ctx) {
  Records r;
  r.audit = Audit(ctx);
  // The command table says which commands keep a history entry (plan, explain, exec; hypo
  // with its statement); a command refused before it was parsed has no row and keeps none.
  const HistoryRecord kept =
      ctx.command.spec != nullptr ? ctx.command.spec->history : HistoryRecord::kNever;
  const bool keeps = kept == HistoryRecord::kAlways ||
                     (kept == HistoryRecord::kWhenSql && !ctx.normalized.empty());
  std::string policy = ctx.database ? ctx.database->history : "off";
  if (keeps && ctx.database && policy != "off") {
    r.history = History(ctx, policy == "full");
  }
  return r;
}

std::string ChatMessage(const CommandContext& ctx, const Answer& answer) {
  std::string notice = ctx.notice.empty() ? "" : "note: " + ctx.notice + "\n";
  if (ctx.error) {
    std::string text = ErrorToChat(*ctx.error);
    // A position is given only where it points into the user's text (a syntax error, an error
    // of the statement's parse analysis).
    if (ctx.error->code == ErrorCode::kSyntaxError ||
        ctx.error->code == ErrorCode::kDatabaseError) {
      text +=
          Caret(ctx.statement ? ctx.statement->text : ctx.command.argument, ctx.error->position);
    }
    return notice + text;
  }
  // Inline commands (help, history, purge, redact) have no database or session to head with.
  if (ctx.command.spec != nullptr && ctx.command.spec->lane == Lane::kInline) {
    return notice + answer.text;
  }
  std::string head = answer.command + " · " + answer.database + " · session " + answer.session;
  if (answer.id > 0) head += " · history #" + std::to_string(answer.id);
  head += " · " + analyzer::FormatMillis(answer.duration_ms);
  if (!answer.analysis) return notice + head + "\n" + answer.text;
  const analyzer::Analysis& a = *answer.analysis;
  std::string text = notice + head + "\n\n" + a.text + "\n" + analyzer::SummaryToText(a.summary);
  for (const std::string& name : a.hypothetical_indexes) {
    text +=
        "Uses hypothetical index " + name + "; build it for real with `exec create index ...`\n";
  }
  if (!a.tips.empty()) text += "Tips:\n" + analyzer::TipsToText(a.tips);
  return text;
}

Answer Service::Finish(Context& ctx, Answer answer) {
  answer.command = ctx.command.name;
  if (ctx.database) answer.database = ctx.database->name;
  answer.session = ctx.session_name;
  answer.fingerprint = ctx.fingerprint;
  answer.normalized = ctx.normalized;
  answer.notice = ctx.notice;
  if (!ctx.error) answer.analysis = ctx.analysis;
  Records records = BuildRecords(ctx);
  auto id = ctx.audited ? Result<int64_t>(int64_t{0})
                        : ports_.history->Record(records.history, records.audit);
  if (id) {
    answer.id = *id;
  } else {
    log_.Error("recording a command failed: " + id.error().message);
    // An answer that is not in the audit log is not given.
    ctx.Fail(MakeError(
        ErrorCode::kStoreUnavailable,
        "planbot could not record this command, so it does not answer it: " + id.error().message));
    answer.analysis.reset();
    answer.result = nullptr;
    answer.text.clear();
  }
  answer.error = ctx.error;
  answer.duration_ms = ctx.ElapsedMs();
  answer.message = ChatMessage(ctx, answer);
  return answer;
}

void Service::AuditAuthFailure(const std::string& channel, const std::string& who,
                               const std::string& reason) {
  storage::AuditEntry a;
  a.actor = who;
  a.action = "auth_failure";
  a.channel = channel;
  a.outcome = "refused";
  a.details = nlohmann::json{{"reason", reason}}.dump();
  if (Status st = ports_.audit->Audit(a); !st) log_.Error("audit: " + st.error().message);
}

void Service::AuditRefusal(const Caller& caller, const std::string& command,
                           const std::string& reason) {
  storage::AuditEntry a;
  a.actor = caller.user;
  a.action = "refusal";
  a.channel = caller.channel;
  a.command = command;
  a.outcome = "refused";
  a.details = nlohmann::json{{"reason", reason}}.dump();
  if (Status st = ports_.audit->Audit(a); !st) log_.Error("audit: " + st.error().message);
}

void Service::AuditEvent(const std::string& action, const std::string& details_json) {
  storage::AuditEntry a;
  a.actor = "system";
  a.action = action;
  a.channel = "system";
  a.outcome = "ok";
  a.details = details_json;
  if (Status st = ports_.audit->Audit(a); !st) log_.Error("audit: " + st.error().message);
}

}  // namespace planbot::core
