#include "core/service.h"

#include <algorithm>
#include <chrono>
#include <future>

#include "core/command.h"
#include "core/service_context.h"

namespace planbot::core {
namespace {

constexpr std::chrono::milliseconds kDeadlineMargin{500};

// [A-Za-z0-9_.:@-]{1,64}, without a regex (this runs for every command).
bool ValidSessionName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == ':' || c == '@' || c == '-';
  });
}

}  // namespace

Service::Service(ServiceOptions options, ServicePorts ports, Logger log)
    : options_(std::move(options)),
      ports_(std::move(ports)),
      log_(log),
      quota_(options_.limits.quota),
      sessions_(ports_.providers, ports_.sessions, ports_.saved_sessions,
                options_.limits.idle_timeout, log.For("sessions"), ports_.telemetry),
      recorder_(ports_.history, ports_.audit, log, ports_.telemetry),
      history_api_(ports_.history, ports_.audit, &recorder_, log),
      retention_(ports_.history, options_.databases, options_.retention_interval, log),
      dispatcher_(options_.limits.workers) {
  auto saved = ports_.saved_sessions->ListSessions();
  if (saved) {
    sessions_.Restore(*saved);
  } else {
    log_.Warn("cannot read saved sessions: " + saved.error().message);
  }
}

Service::~Service() { Shutdown(); }

const DatabaseConfig* Service::FindDatabase(const std::string& name) const {
  if (options_.databases.empty()) return nullptr;
  if (name.empty()) return &options_.databases.front();
  for (const DatabaseConfig& db : options_.databases) {
    if (db.name == name) return &db;
  }
  return nullptr;
}

StatementLimits Service::Limits() const {
  StatementLimits limits;
  limits.statement_timeout = options_.limits.statement_timeout;
  limits.lock_timeout = options_.limits.lock_timeout;
  limits.deadline = options_.limits.statement_timeout + kDeadlineMargin;
  return limits;
}

StatementLimits Service::Limits(const Context& ctx) const {
  StatementLimits limits = Limits();
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      ctx.deadline - std::chrono::steady_clock::now());
  limits.deadline = std::clamp(left, std::chrono::milliseconds(1), limits.deadline);
  return limits;
}

Answer Service::Run(const CommandRequest& request) {
  std::promise<Answer> answer;
  std::future<Answer> ready = answer.get_future();
  Submit(request, [&answer](Answer a) { answer.set_value(std::move(a)); });
  return ready.get();
}

void Service::Submit(const CommandRequest& request, std::function<void(Answer)> done) {
  auto ctx = std::make_shared<Context>(request);
  auto refuse = [&](Error e, Outcome outcome = Outcome::kRefused) {
    ctx->Fail(std::move(e), outcome);
    done(Finish(*ctx, Answer{}));
  };
  if (stopping_) return refuse(MakeError(ErrorCode::kShuttingDown, "planbot is shutting down"));
  // Nothing runs unaudited: while the store fails (disk full, read-only), commands are refused.
  // The refusal's own audit entry is the next write; once one succeeds, commands run again.
  if (Status store = ports_.history->Health(); !store) {
    return refuse(MakeError(ErrorCode::kStoreUnavailable,
                            "planbot cannot record commands in its store right now (" +
                                store.error().message + "), so it runs none; try again later"));
  }
  auto cmd = ParseCommand(request.text);
  if (!cmd) return refuse(cmd.error());
  ctx->command = *cmd;
  const CommandSpec& spec = *cmd->spec;
  if (spec.admin_only && request.caller.role != Role::kAdmin) {
    recorder_.Refusal(request.caller, cmd->name, "admins only");
    ctx->audited = true;
    return refuse(MakeError(ErrorCode::kForbidden, cmd->name + " is for admins only"));
  }
  if (spec.lane == Lane::kInline) return done(Finish(*ctx, (this->*spec.handler)(*ctx)));
  ctx->database = FindDatabase(request.database);
  if (ctx->database == nullptr) {
    std::string names;
    for (const DatabaseConfig& db : options_.databases) {
      names += (names.empty() ? "" : ", ") + db.name;
    }
    return refuse(MakeError(ErrorCode::kUnknownDatabase, "no database named \"" + request.database +
                                                             "\"; configured: " + names));
  }
  // Counted per user and database, each database with its own quota where one is configured.
  const QuotaConfig& quota = ctx->database->quota.value_or(options_.limits.quota);
  if (Status allowed = quota_.Take(request.caller.user + '\x1f' + ctx->database->name, quota,
                                   "on database " + ctx->database->name);
      !allowed) {
    return refuse(allowed.error(), Outcome::kQuota);
  }
  ctx->session_name = request.session.empty() ? request.caller.user : request.session;
  if (!ValidSessionName(ctx->session_name)) {
    return refuse(MakeError(ErrorCode::kBadRequest,
                            "a session name is 1 to 64 letters, digits and the characters _.:@-"));
  }
  std::string lane = SessionKey(request.caller.user, ctx->database->name, ctx->session_name);
  if (spec.lane == Lane::kBeside) lane = "beside:" + lane;
  dispatcher_.Submit(lane, [this, ctx, done = std::move(done)] { done(Execute(*ctx)); });
}

Answer Service::Execute(Context& ctx) {
  const CommandSpec& spec = *ctx.command.spec;
  ctx.deadline = std::chrono::steady_clock::now() + Limits().deadline;
  if (stopping_) {
    ctx.Fail(MakeError(ErrorCode::kShuttingDown, "planbot is shutting down"));
    return Finish(ctx, Answer{});
  }
  if (spec.needs_sql && !ctx.CheckSql()) return Finish(ctx, Answer{});
  return Finish(ctx, (this->*spec.handler)(ctx));
}

Answer Service::RunHelp(Context&) {
  Answer help;
  help.text = HelpText();
  return help;
}

Status Service::OnSession(Context& ctx, bool connect, const std::function<Status(Session&)>& fn) {
  auto session = sessions_.Get(ctx.request.caller.user, ctx.database->name, ctx.session_name);
  if (!session) return session.error();
  Session& s = **session;
  std::lock_guard<FifoLock> in_use(s.lock);
  if (connect) {
    if (Status ready = sessions_.Ensure(s); !ready) return ready.error();
  }
  ctx.notice = std::move(s.notice);
  s.notice.clear();
  Status done = fn(s);
  sessions_.Touch(s);
  if (done || done.error().code != ErrorCode::kCloneUnavailable || !connect) return done;
  // The adapter's "connection lost" becomes one line that says what happens next.
  Error error = done.error();
  error.message = sessions_.ConnectionLost(s);
  return error;
}

nlohmann::json Service::Health() {
  nlohmann::json out = {{"status", "ok"}};
  Status store = ports_.history->Health();
  out["store"] = store
                     ? nlohmann::json{{"status", "ok"}}
                     : nlohmann::json{{"status", "unavailable"}, {"error", store.error().message}};
  if (!store) out["status"] = "unavailable";
  nlohmann::json dbs = nlohmann::json::object();
  for (const auto& [name, provider] : ports_.providers) {
    Status ready = provider->Health();
    dbs[name] = ready ? nlohmann::json{{"provider", provider->kind()}, {"status", "ok"}}
                      : nlohmann::json{{"provider", provider->kind()},
                                       {"status", "unavailable"},
                                       {"error", ready.error().message}};
    if (!ready) out["status"] = "unavailable";
  }
  out["databases"] = dbs;
  out["sessions"] = sessions_.size();
  out["queued"] = dispatcher_.pending();
  if (stopping_) out["status"] = "stopping";
  return out;
}

Service::Gauges Service::ReadGauges() const {
  Gauges g;
  g.sessions = sessions_.size();
  g.queued = dispatcher_.pending();
  for (const auto& [name, provider] : ports_.providers) g.pools[name] = provider->Pool();
  return g;
}

void Service::Drain(std::chrono::milliseconds max_wait) {
  stopping_ = true;
  const auto until = std::chrono::steady_clock::now() + max_wait;
  while (dispatcher_.pending() > 0 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (size_t left = dispatcher_.pending(); left > 0) {
    log_.Warn("drain: " + std::to_string(left) + " commands still running; cancelling them");
  }
  Shutdown();
}

void Service::Shutdown() {
  if (shut_down_.exchange(true)) return;
  stopping_ = true;
  retention_.Stop();
  sessions_.Shutdown();
}

}  // namespace planbot::core
