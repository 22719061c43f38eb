#include "core/service_context.h"

#include "analyzer/analysis.h"

namespace planbot::core {
namespace {

std::string OutcomeFor(const std::string& code) {
  if (code == "timeout") return "timeout";
  if (code == "clone_unavailable" || code == "source_busy") return "clone_unavailable";
  if (code == "store_unavailable") return "store_unavailable";
  if (code == "quota") return "quota";
  if (code == "database_error") return "error";
  return "refused";
}

}  // namespace

void Service::Context::Fail(Error e, std::string outcome_override) {
  outcome = outcome_override.empty() ? OutcomeFor(e.code) : std::move(outcome_override);
  error = std::move(e);
}

bool Service::Context::CheckSql(const std::string* text) {
  const std::string& sql = text != nullptr ? *text : command.argument;
  if (sql.empty()) {
    Fail(MakeError("missing_sql", "usage: " + command.name + " SQL, e.g. `" + command.name +
                                      " select * from orders where id = 42`"),
         "refused");
    return false;
  }
  auto checked = analyzer::CheckSingleStatement(sql);
  if (!checked) {
    Fail(checked.error(), "refused");
    return false;
  }
  statement = std::move(checked->statement);
  normalized = std::move(checked->normalized);
  fingerprint = std::move(checked->fingerprint);
  if (std::chrono::steady_clock::now() >= deadline) {
    Fail(MakeError("timeout", "the analysis of the statement used up the command's deadline"));
    return false;
  }
  return true;
}

void Service::Context::Analyze(std::string plan_json) {
  auto analyzed = analyzer::Analyze(std::move(plan_json), {server_version, block_size});
  if (!analyzed) {
    Fail(MakeError("internal",
                   "the server's EXPLAIN output could not be read: " + analyzed.error().message),
         "error");
    return;
  }
  analysis = std::make_shared<const analyzer::Analysis>(std::move(*analyzed));
}

double Service::Context::ElapsedMs() const {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace planbot::core
