// Finishing a command: recorded (core/recorder.h) before it is answered, then the chat-formatted
// answer.
#include <cmath>
#include <string>

#include "analyzer/analysis.h"
#include "analyzer/human_format.h"
#include "core/service_context.h"
#include "history/history_admin.h"

namespace planbot::core {
namespace {
// The SQL line around a syntax error with a caret under the byte it points at.
std::string Caret(const std::string& sql, int position) {
  if (position <= 0 || static_cast<size_t>(position) > sql.size() + 1) return {};
  size_t at = static_cast<size_t>(position - 1);
  size_t begin = sql.rfind('\n', at == 0 ? 0 : at - 1);
  begin = begin == std::string::npos ? 0 : begin + 1;
  size_t end = sql.find('\n', at);
  std::string line = sql.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
  if (line.size() > 200) return {};
  return "    " + line + "\n    " + std::string(at - begin, ' ') + "^";
}

}  // namespace

std::string ChatMessage(const CommandContext& ctx, const Answer& answer) {
  std::string notice = ctx.notice.empty() ? "" : "note: " + ctx.notice + "\n";
  if (ctx.error) {
    const std::string caret = answer.caret.empty() ? "" : "\n" + answer.caret;
    return notice + ErrorToChat(*ctx.error) + caret;
  }
  // Inline commands (help, history, purge, redact) have no database or session to head with.
  if (ctx.command.spec != nullptr && ctx.command.spec->lane == Lane::kInline) {
    return notice + answer.text;
  }
  std::string head = answer.command + " · " + answer.database + " · session " + answer.session;
  if (answer.id > 0) head += " · history #" + std::to_string(answer.id);
  head += " · " + analyzer::FormatMillis(answer.duration_ms);
  const std::string link = answer.url.empty() ? "" : "\nWeb view: " + answer.url;
  if (!answer.analysis) return notice + head + "\n" + answer.text + link;
  const analyzer::Analysis& a = *answer.analysis;
  std::string text = notice + head + "\n\n" + a.text + "\n" + analyzer::SummaryToText(a.summary);
  for (const std::string& name : a.hypothetical_indexes) {
    text +=
        "Uses hypothetical index " + name + "; build it for real with `exec create index ...`\n";
  }
  if (!a.tips.empty()) text += "Tips:\n" + analyzer::TipsToText(a.tips);
  if (!answer.url.empty()) text += "Web view: " + answer.url + "\n";
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
  auto id = ctx.audited ? Result<int64_t>(int64_t{0}) : recorder_.RecordCommand(ctx);
  if (id) {
    answer.id = *id;
    if (answer.id > 0 && !options_.public_url.empty()) {
      answer.url = options_.public_url + "/plans/" + std::to_string(answer.id);
    }
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
  // A position is shown only where it points into the user's text (a syntax error, an error of
  // the statement's parse analysis).
  if (ctx.error && (ctx.error->code == ErrorCode::kSyntaxError ||
                    ctx.error->code == ErrorCode::kDatabaseError)) {
    answer.caret =
        Caret(ctx.statement ? ctx.statement->text : ctx.command.argument, ctx.error->position);
  }
  answer.message = ChatMessage(ctx, answer);
  const std::string_view outcome = OutcomeName(ctx.outcome);
  if (ports_.telemetry) {
    ports_.telemetry->CommandDone(ctx.request.caller.channel, ctx.command.name, outcome,
                                  answer.duration_ms / 1000);
  }
  // No SQL and no error text: the command's name, who, where, how it ended.
  if (log_.enabled(LogLevel::kInfo)) {
    LogFields fields = {{"request_id", ctx.request.caller.request_id},
                        {"user", ctx.request.caller.user},
                        {"channel", ctx.request.caller.channel},
                        {"command", ctx.command.name.empty() ? "-" : ctx.command.name},
                        {"status", std::string(outcome)},
                        {"duration_ms", answer.duration_ms}};
    if (ctx.database) fields.emplace_back("database", ctx.database->name);
    if (!ctx.session_name.empty()) fields.emplace_back("session", ctx.session_name);
    if (answer.id > 0) fields.emplace_back("history_id", static_cast<long long>(answer.id));
    if (ctx.error) fields.emplace_back("error_code", std::string(ErrorCodeName(ctx.error->code)));
    log_.Info("command", fields);
  }
  return answer;
}

}  // namespace planbot::core
