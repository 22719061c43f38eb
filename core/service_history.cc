// The history commands of the chat: `history [N]`, and `purge ...` and `redact ...` through the
// history API (core/history_api.h).
#include <chrono>

#include "core/service_context.h"
#include "history/history_filter.h"
#include "history/history_view.h"

namespace planbot::core {
namespace {

constexpr int kDefaultHistoryLines = 10;
constexpr int kMaxHistoryLines = 100;

}  // namespace

Answer Service::RunHistory(Context& ctx) {
  const Caller& caller = ctx.request.caller;
  Answer answer;
  int n = kDefaultHistoryLines;
  if (!ctx.command.argument.empty()) {
    try {
      size_t used = 0;
      n = std::stoi(ctx.command.argument, &used);
      if (used != ctx.command.argument.size() || n < 1) throw std::invalid_argument("n");
    } catch (const std::exception&) {
      ctx.Fail(MakeError(ErrorCode::kBadRequest,
                         "usage: history [N], N from 1 to " + std::to_string(kMaxHistoryLines)));
      return answer;
    }
  }
  std::string capped;
  if (n > kMaxHistoryLines) {
    capped = "history shows at most " + std::to_string(kMaxHistoryLines) +
             " entries; these are the " + "newest " + std::to_string(kMaxHistoryLines) +
             " (GET /api/v1/history and the web view page through all of them)\n";
  }
  storage::HistoryQuery q;
  q.user = caller.user;
  q.limit = std::min(n, kMaxHistoryLines);
  q.include_plans = false;
  auto entries = ports_.history->ListHistory(q);
  if (!entries) {
    ctx.Fail(entries.error());
    return answer;
  }
  answer.text = capped + history::HistoryTable(*entries);
  nlohmann::json list = nlohmann::json::array();
  for (const auto& e : *entries) list.push_back(history::HistoryEntryToJson(e, false));
  answer.result = {{"entries", list}};
  return answer;
}

// purge and redact (admin_only: intake refused other roles). Maintain audits every outcome (a
// refusal, or the operation with its counts).
Answer Service::RunMaintenance(Context& ctx) {
  const std::string& name = ctx.command.name;
  const Caller& caller = ctx.request.caller;
  Answer answer;
  ctx.audited = true;
  auto spec = history::ParseFilterWords(ctx.command.argument);
  if (!spec) {
    recorder_.Refusal(caller, name, spec.error().message);
    ctx.Fail(spec.error(), Outcome::kRefused);
    return answer;
  }
  auto outcome = history_api_.Maintain(caller, name, *spec);
  if (!outcome) {
    bool refused = outcome.error().code == ErrorCode::kBadRequest ||
                   outcome.error().code == ErrorCode::kForbidden;
    ctx.Fail(outcome.error(), refused ? std::optional(Outcome::kRefused) : std::nullopt);
    return answer;
  }
  answer.text = (*outcome)["text"].get<std::string>();
  outcome->erase("text");
  answer.result = std::move(*outcome);
  return answer;
}

}  // namespace planbot::core
