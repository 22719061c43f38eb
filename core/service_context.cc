#include "core/service_context.h"

#include "analyzer/analysis.h"

namespace planbot::core {

void CommandContext::Fail(Error e, std::optional<Outcome> outcome_override) {
  outcome = outcome_override.value_or(Info(e.code).outcome);
  error = std::move(e);
}

bool CommandContext::CheckSql(const std::string* text) {
  const std::string& sql = text != nullptr ? *text : command.argument;
  if (sql.empty()) {
    Fail(
        MakeError(ErrorCode::kMissingSql, "usage: " + command.name + " SQL, e.g. `" + command.name +
                                              " select * from orders where id = 42`"),
        Outcome::kRefused);
    return false;
  }
  auto checked = analyzer::CheckSingleStatement(sql);
  if (!checked) {
    // Several statements parse: history shows them normalized, as it shows any other refusal.
    if (checked.error().code == ErrorCode::kMultipleStatements) {
      if (auto text = analyzer::Normalize(sql)) normalized = std::move(*text);
    }
    Fail(checked.error(), Outcome::kRefused);
    return false;
  }
  statement = std::move(checked->statement);
  normalized = std::move(checked->normalized);
  fingerprint = std::move(checked->fingerprint);
  if (std::chrono::steady_clock::now() >= deadline) {
    Fail(MakeError(ErrorCode::kTimeout,
                   "the analysis of the statement used up the command's deadline"));
    return false;
  }
  return true;
}

void CommandContext::Analyze(std::string plan_json,
                             const std::function<void(analyzer::Analysis&)>& refine) {
  auto analyzed = analyzer::Analyze(std::move(plan_json), {server_version, block_size});
  if (!analyzed) {
    Fail(MakeError(ErrorCode::kInternal,
                   "the server's EXPLAIN output could not be read: " + analyzed.error().message),
         Outcome::kError);
    return;
  }
  if (refine) refine(*analyzed);
  analysis = std::make_shared<const analyzer::Analysis>(std::move(*analyzed));
}

double CommandContext::ElapsedMs() const {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace planbot::core
