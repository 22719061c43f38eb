// The history side of the core: `history [N]`, `purge ...` and `redact ...` as chat commands,
// the same for the HTTP API (listing, one entry, admin purge/redact, audit log), and the
// retention purge that runs at start and then every retention_interval.
#include <chrono>

#include "core/service_context.h"
#include "history/history_admin.h"
#include "history/history_filter.h"
#include "history/history_view.h"
#include "storage/timestamp.h"

namespace planbot::core {
namespace {

constexpr int kDefaultHistoryLines = 10;
constexpr int kMaxHistoryLines = 100;

Error Forbidden(const std::string& what) {
  return MakeError(ErrorCode::kForbidden, what + " is for admins only");
}

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
  storage::HistoryQuery q;
  q.user = caller.user;
  q.limit = std::min(n, kMaxHistoryLines);
  q.include_plans = false;
  auto entries = ports_.history->ListHistory(q);
  if (!entries) {
    ctx.Fail(entries.error());
    return answer;
  }
  answer.text = history::HistoryTable(*entries);
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
    AuditRefusal(caller, name, spec.error().message);
    ctx.Fail(spec.error(), Outcome::kRefused);
    return answer;
  }
  auto outcome = Maintain(caller, name, *spec);
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

Result<nlohmann::json> Service::Maintain(const Caller& caller, const std::string& operation,
                                         const history::FilterSpec& spec) {
  if (caller.role != Role::kAdmin) {
    AuditRefusal(caller, operation, "admins only");
    return Forbidden(operation);
  }
  auto filter = history::ResolveFilter(spec, std::chrono::system_clock::now());
  if (!filter) {
    AuditRefusal(caller, operation, filter.error().message);
    return filter.error();
  }
  history::MaintenanceRequest request{
      operation, *filter, caller.user, caller.channel, std::string(RoleName(caller.role)), ""};
  auto result = history::RunMaintenance(*ports_.history, request);
  if (!result) return result.error();
  log_.Info(operation + " by " + caller.user + ": " + std::to_string(result->changed) + " of " +
            std::to_string(result->matched) + " matching entries");
  nlohmann::json out = history::MaintenanceToJson(request, *result);
  out["text"] = history::MaintenanceText(request, *result);
  return out;
}

Status Service::AuditRead(const Caller& caller, const std::string& what, nlohmann::json details) {
  storage::AuditEntry a;
  a.actor = caller.user;
  a.action = "read";
  a.channel = caller.channel;
  a.command = what;
  a.outcome = "ok";
  details["role"] = RoleName(caller.role);
  a.details = details.dump();
  if (Status st = ports_.audit->Audit(a); !st) {
    log_.Error("audit: " + st.error().message);
    return MakeError(
        ErrorCode::kStoreUnavailable,
        "planbot could not record this request, so it does not answer it: " + st.error().message);
  }
  return Ok{};
}

Result<std::vector<storage::HistoryEntry>> Service::ListHistory(const Caller& caller,
                                                                storage::HistoryQuery query) {
  if (caller.role != Role::kAdmin) {
    if (query.user && *query.user != caller.user) {
      AuditRefusal(caller, "history", "another user's entries");
      return MakeError(ErrorCode::kForbidden, "users see only their own history entries");
    }
    query.user = caller.user;
  }
  auto entries = ports_.history->ListHistory(query);
  if (!entries) return entries.error();
  nlohmann::json filters = nlohmann::json::object();
  if (query.user) filters["user"] = *query.user;
  if (query.fingerprint) filters["fingerprint"] = *query.fingerprint;
  if (query.session) filters["session"] = *query.session;
  if (query.database) filters["database"] = *query.database;
  if (Status st = AuditRead(caller, "history", {{"filters", filters}, {"count", entries->size()}});
      !st) {
    return st.error();
  }
  return entries;
}

Result<storage::HistoryEntry> Service::GetHistory(const Caller& caller, int64_t id) {
  auto entry = ports_.history->GetHistory(id);
  if (!entry) return entry.error();
  // Someone else's entry is "not found" for a user: its existence is not theirs to learn.
  if (!entry->has_value() || (caller.role != Role::kAdmin && (*entry)->user != caller.user)) {
    return MakeError(ErrorCode::kNotFound, "no history entry #" + std::to_string(id));
  }
  if (Status st = AuditRead(caller, "history_entry", {{"id", id}}); !st) return st.error();
  return std::move(**entry);
}

Result<std::vector<storage::AuditEntry>> Service::ListAudit(const Caller& caller, int limit,
                                                            std::optional<int64_t> before_id) {
  if (caller.role != Role::kAdmin) {
    AuditRefusal(caller, "audit", "admins only");
    return Forbidden("the audit log");
  }
  auto entries = ports_.audit->ListAudit(limit, before_id);
  if (!entries) return entries.error();
  if (Status st = AuditRead(caller, "audit", {{"count", entries->size()}}); !st) return st.error();
  return entries;
}

void Service::RunRetention() {
  auto now = std::chrono::system_clock::now();
  for (const DatabaseConfig& db : options_.databases) {
    if (db.retention.count() <= 0) continue;
    std::string cutoff = storage::FormatRfc3339Millis(now - db.retention);
    storage::HistoryQuery probe;  // anything to do? Saves an audit entry per hour otherwise.
    probe.database = db.name;
    probe.before = cutoff;
    probe.limit = 1;
    probe.include_plans = false;
    auto old = ports_.history->ListHistory(probe);
    if (!old) {
      log_.Warn("retention check of " + db.name + " failed: " + old.error().message);
      continue;
    }
    if (old->empty()) continue;
    storage::HistoryFilter filter;
    filter.database = db.name;
    filter.before = cutoff;
    history::MaintenanceRequest request{"purge", filter, "system", "system", "", "retention"};
    auto result = history::RunMaintenance(*ports_.history, request);
    if (!result) {
      log_.Error("retention purge of " + db.name + " failed: " + result.error().message);
      continue;
    }
    log_.Info("retention: purged " + std::to_string(result->changed) + " history entries of " +
              db.name + " older than " + cutoff);
  }
}

void Service::RetentionLoop() {
  std::unique_lock<std::mutex> lock(retention_mutex_);
  while (!stopping_) {
    lock.unlock();
    RunRetention();
    lock.lock();
    retention_wake_.wait_for(lock, options_.retention_interval,
                             [this] { return stopping_.load(); });
  }
}

}  // namespace planbot::core
