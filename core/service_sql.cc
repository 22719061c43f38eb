// The SQL commands: plan, explain, exec and hypo.
#include <cctype>
#include <string>

#include "analyzer/human_format.h"
#include "core/advice.h"
#include "core/service_context.h"
#include "core/statement_policy.h"

namespace planbot::core {
namespace {

// Re-plans one command may spend verifying its advice (core/advice.h).
constexpr int kMaxAdviceReplans = 8;

std::string HypoLine(const HypoIndex& h) {
  return h.name + " on " + h.table + ", estimated size " +
         analyzer::FormatBytes(static_cast<double>(h.estimated_bytes));
}

nlohmann::json HypoJson(const HypoIndex& h) {
  return {{"oid", h.oid},
          {"name", h.name},
          {"table", h.table},
          {"definition", h.definition},
          {"estimated_bytes", h.estimated_bytes}};
}

bool ParseOid(const std::string& text, int64_t* oid) {
  if (text.empty() || text.size() > 10) return false;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  *oid = std::stoll(text);
  return *oid > 0 && *oid <= 4294967295LL;
}

}  // namespace

Answer Service::RunPlan(Context& ctx) { return RunExplainMode(ctx, ExplainMode::kPlan); }

Answer Service::RunExplain(Context& ctx) { return RunExplainMode(ctx, ExplainMode::kAnalyze); }

// The command table's needs_sql: Execute checked the statement before this runs.
Answer Service::RunExplainMode(Context& ctx, ExplainMode mode) {
  Answer answer;
  if (Status policy = CheckExplainable(*ctx.statement, ctx.command.name); !policy) {
    ctx.Fail(policy.error(), Outcome::kRefused);
    return answer;
  }
  if (Status health = ports_.history->Health(); !health) {
    ctx.Fail(MakeError(
        ErrorCode::kStoreUnavailable,
        "planbot cannot record commands right now, so it runs none: " + health.error().message));
    return answer;
  }
  Status ran = OnSession(ctx, true, [&](Session& s) -> Status {
    ctx.block_size = s.db->block_size();
    ctx.server_version = s.db->server_version_num();
    RunningStatement running(s);
    const StatementLimits limits = Limits(ctx);
    const auto sent = std::chrono::steady_clock::now();
    auto json = s.db->Explain(ctx.statement->text, mode, limits);
    if (ports_.telemetry) {
      ports_.telemetry->ExplainDone(
          ctx.database->name, ctx.command.name,
          std::chrono::duration<double>(std::chrono::steady_clock::now() - sent).count());
    }
    if (!json) return json.error();
    // The advice is verified on this session's connection while the command holds it.
    ctx.Analyze(std::move(*json), [&](analyzer::Analysis& analysis) {
      AdviseOnClone(*s.db, ctx.statement->text, analysis, limits,
                    {kMaxAdviceReplans, ctx.deadline});
    });
    return Ok{};
  });
  if (!ran) ctx.Fail(ran.error());
  return answer;
}

Answer Service::RunExec(Context& ctx) {
  Answer answer;
  auto plan = CheckExecutable(*ctx.statement);
  if (!plan) {
    ctx.Fail(plan.error(), Outcome::kRefused);
    return answer;
  }
  auto start = std::chrono::steady_clock::now();
  Status ran = OnSession(ctx, true, [&](Session& s) -> Status {
    RunningStatement running(s);
    auto result = s.db->Exec(ctx.statement->text, plan->transactional, Limits(ctx));
    if (!result) return result.error();
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    answer.result = {{"tag", result->tag}, {"duration_ms", ms}};
    if (result->rows >= 0) answer.result["rows"] = result->rows;
    answer.text = result->tag;
    if (result->rows >= 0) {
      answer.text +=
          " (" + analyzer::FormatCount(result->rows) + (result->rows == 1 ? " row" : " rows") + ")";
    }
    answer.text += " in " + analyzer::FormatMillis(ms) + "; it stays in your clone until `reset`";
    return Ok{};
  });
  if (!ran) ctx.Fail(ran.error());
  return answer;
}

Answer Service::RunHypo(Context& ctx) {
  Answer answer;
  const std::string& arg = ctx.command.argument;
  std::string verb = arg.substr(0, arg.find_first_of(" \t\r\n"));
  for (char& c : verb) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string rest = verb.size() < arg.size() ? arg.substr(verb.size()) : "";
  rest.erase(0, rest.find_first_not_of(" \t\r\n"));
  int64_t oid = 0;
  if (verb == "create") {
    if (!ctx.CheckSql(&arg)) return answer;
    if (Status hypothetical = CheckHypothetical(*ctx.statement); !hypothetical) {
      ctx.Fail(hypothetical.error(), Outcome::kRefused);
      return answer;
    }
  } else if (verb == "drop" && !ParseOid(rest, &oid)) {
    ctx.Fail(MakeError(ErrorCode::kBadRequest,
                       "usage: hypo drop ID, with the numeric id `hypo desc` "
                       "shows"),
             Outcome::kRefused);
    return answer;
  } else if (verb != "desc" && verb != "reset" && verb != "drop") {
    ctx.Fail(MakeError(ErrorCode::kBadRequest,
                       "usage: hypo create index ... | hypo desc | hypo drop ID | hypo reset"),
             Outcome::kRefused);
    return answer;
  }
  Status ran = OnSession(ctx, true, [&](Session& s) -> Status {
    RunningStatement running(s);
    if (verb == "create") {
      auto index = s.db->HypoCreate(ctx.statement->text, Limits(ctx));
      if (!index) return index.error();
      answer.result = {{"index", HypoJson(*index)}};
      answer.text = "hypothetical index " + HypoLine(*index) + " (id " +
                    std::to_string(index->oid) +
                    "). `plan` uses it where it helps; `explain` runs the query, so it cannot.";
    } else if (verb == "desc") {
      auto list = s.db->HypoList(Limits(ctx));
      if (!list) return list.error();
      answer.result = {{"indexes", nlohmann::json::array()}};
      for (const HypoIndex& h : *list) {
        answer.result["indexes"].push_back(HypoJson(h));
        if (h.table.empty()) {  // the table was dropped; HypoPG keeps the index until told
          answer.text += std::to_string(h.oid) + "  " + h.name +
                         ": its table no longer exists (drop it with `hypo drop " +
                         std::to_string(h.oid) + "`)\n";
          continue;
        }
        answer.text += std::to_string(h.oid) + "  " + HypoLine(h) + "\n    " + h.definition + "\n";
      }
      if (list->empty()) answer.text = "no hypothetical indexes in this session";
    } else if (verb == "drop") {
      auto dropped = s.db->HypoDrop(oid, Limits(ctx));
      if (!dropped) return dropped.error();
      if (!*dropped)
        return MakeError(ErrorCode::kNotFound, "no hypothetical index with id " + rest);
      answer.result = {{"dropped", oid}};
      answer.text = "hypothetical index " + rest + " dropped";
    } else {
      if (Status reset = s.db->HypoReset(Limits(ctx)); !reset) return reset;
      answer.text = "all hypothetical indexes of this session dropped";
    }
    return Ok{};
  });
  if (!ran) ctx.Fail(ran.error());
  return answer;
}

}  // namespace planbot::core
