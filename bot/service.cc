#include "bot/service.h"

#include <chrono>
#include <regex>

#include "analyzer/plan_metrics.h"
#include "analyzer/plan_parse.h"
#include "analyzer/render_text.h"
#include "analyzer/sql.h"
#include "analyzer/summary.h"
#include "analyzer/tips.h"
#include "bot/command.h"
#include "bot/service_context.h"
#include "bot/statement_policy.h"

namespace planbot::bot {
namespace {

constexpr std::chrono::milliseconds kDeadlineMargin{500};

bool ValidSessionName(const std::string& name) {
  static const std::regex kName("[A-Za-z0-9_.:@-]{1,64}");
  return std::regex_match(name, kName);
}

}  // namespace

Service::Service(ServiceOptions options, storage::Store* store,
                 std::map<std::string, CloneProvider*> providers, SessionFactory* factory,
                 Logger log)
    : options_(std::move(options)),
      store_(store),
      providers_(providers),
      log_(log),
      sessions_(providers, factory, options_.limits.idle_timeout, log.For("sessions")) {}

Service::~Service() { Shutdown(); }

const DatabaseConfig* Service::FindDatabase(const std::string& name) const {
  if (options_.databases.empty()) return nullptr;
  if (name.empty()) return &options_.databases.front();
  for (const DatabaseConfig& db : options_.databases) {
    if (db.name == name) return &db;
  }
  return nullptr;
}

Answer Service::Run(const CommandRequest& request) {
  Context ctx(request);
  Answer answer;
  if (stopping_) {
    ctx.Fail(MakeError("shutting_down", "planbot is shutting down"));
    Finish(ctx, answer);
    return answer;
  }
  auto cmd = ParseCommand(request.text);
  if (!cmd) {
    ctx.Fail(cmd.error(), "refused");
    Finish(ctx, answer);
    return answer;
  }
  ctx.command = *cmd;
  answer.command = cmd->name;
  if (cmd->name == "help") {
    answer.text = HelpText();
    Finish(ctx, answer);
    return answer;
  }
  ctx.database = FindDatabase(request.database);
  if (ctx.database == nullptr) {
    std::string names;
    for (const DatabaseConfig& db : options_.databases)
      names += (names.empty() ? "" : ", ") + db.name;
    ctx.Fail(MakeError("unknown_database",
                       "no database named \"" + request.database + "\"; configured: " + names),
             "refused");
    Finish(ctx, answer);
    return answer;
  }
  ctx.session_name = request.session.empty() ? request.caller.user : request.session;
  if (!ValidSessionName(ctx.session_name)) {
    ctx.Fail(MakeError("bad_request",
                       "a session name is 1 to 64 letters, digits and the characters _.:@-"),
             "refused");
    Finish(ctx, answer);
    return answer;
  }
  return RunExplain(ctx, cmd->name == "explain");
}

Answer Service::RunExplain(Context& ctx, bool analyze) {
  Answer answer;
  answer.command = ctx.command.name;
  if (!ctx.CheckSql()) {
    Finish(ctx, answer);
    return answer;
  }
  if (Status policy = CheckExplainable(*ctx.statement, ctx.command.name); !policy) {
    ctx.Fail(policy.error(), "refused");
    Finish(ctx, answer);
    return answer;
  }
  if (Status health = store_->Health(); !health) {
    ctx.Fail(MakeError(
        "store_unavailable",
        "planbot cannot record commands right now, so it runs none: " + health.error().message));
    Finish(ctx, answer);
    return answer;
  }
  if (Status ran = RunOnSession(ctx, analyze); !ran) {
    ctx.Fail(ran.error());
  } else {
    ctx.Analyze(answer);
  }
  Finish(ctx, answer);
  return answer;
}

Status Service::RunOnSession(Context& ctx, bool analyze) {
  auto session = sessions_.Get(ctx.request.caller.user, ctx.database->name, ctx.session_name);
  if (!session) return session.error();
  Session& s = **session;
  std::lock_guard<FifoLock> in_order(s.lock);
  if (Status ready = sessions_.Ensure(s); !ready) return ready.error();
  ctx.block_size = s.db->block_size();
  ctx.server_version = s.db->server_version_num();
  StatementLimits limits;
  limits.statement_timeout = options_.limits.statement_timeout;
  limits.lock_timeout = options_.limits.lock_timeout;
  limits.deadline = options_.limits.statement_timeout + kDeadlineMargin;
  Result<std::string> json = MakeError("internal", "not run");
  {
    RunningStatement running(s);
    json = s.db->Explain(ctx.statement->text, analyze ? ExplainMode::kAnalyze : ExplainMode::kPlan,
                         limits);
  }
  sessions_.Touch(s);
  if (json) {
    ctx.plan_json = std::move(*json);
    return Ok{};
  }
  Error error = json.error();
  if (error.code == "clone_unavailable") {
    sessions_.Discard(s);
    error.message += "; session " + s.name + " ended, your next command starts a new one";
  }
  return error;
}

nlohmann::json Service::Health() {
  nlohmann::json out = {{"status", "ok"}, {"version", nullptr}};
  Status store = store_->Health();
  out["store"] = store
                     ? nlohmann::json{{"status", "ok"}}
                     : nlohmann::json{{"status", "unavailable"}, {"error", store.error().message}};
  if (!store) out["status"] = "unavailable";
  nlohmann::json dbs = nlohmann::json::object();
  for (const auto& [name, provider] : providers_) {
    Status ready = provider->Health();
    dbs[name] = ready ? nlohmann::json{{"provider", provider->kind()}, {"status", "ok"}}
                      : nlohmann::json{{"provider", provider->kind()},
                                       {"status", "unavailable"},
                                       {"error", ready.error().message}};
    if (!ready) out["status"] = "unavailable";
  }
  out["databases"] = dbs;
  out["sessions"] = sessions_.size();
  if (stopping_) out["status"] = "stopping";
  return out;
}

void Service::Shutdown() {
  if (stopping_.exchange(true)) return;
  sessions_.Shutdown();
}

}  // namespace planbot::bot
