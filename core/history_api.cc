#include "core/history_api.h"

#include <chrono>

#include "history/history_admin.h"

namespace planbot::core {
namespace {

Error Forbidden(const std::string& what) {
  return MakeError(ErrorCode::kForbidden, what + " is for admins only");
}

}  // namespace

Result<nlohmann::json> HistoryApi::Maintain(const Caller& caller, const std::string& operation,
                                            const history::FilterSpec& spec) {
  if (caller.role != Role::kAdmin) {
    recorder_->Refusal(caller, operation, "admins only");
    return Forbidden(operation);
  }
  auto filter = history::ResolveFilter(spec, std::chrono::system_clock::now());
  if (!filter) {
    recorder_->Refusal(caller, operation, filter.error().message);
    return filter.error();
  }
  history::MaintenanceRequest request{
      operation, *filter, caller.user, caller.channel, std::string(RoleName(caller.role)), ""};
  auto result = history::RunMaintenance(*history_, request);
  if (!result) return result.error();
  log_.Info(operation + " by " + caller.user + ": " + std::to_string(result->changed) + " of " +
            std::to_string(result->matched) + " matching entries");
  nlohmann::json out = history::MaintenanceToJson(request, *result);
  out["text"] = history::MaintenanceText(request, *result);
  return out;
}

Result<std::vector<storage::HistoryEntry>> HistoryApi::ListHistory(const Caller& caller,
                                                                   storage::HistoryQuery query) {
  if (caller.role != Role::kAdmin) {
    if (query.user && *query.user != caller.user) {
      recorder_->Refusal(caller, "history", "another user's entries");
      return MakeError(ErrorCode::kForbidden, "users see only their own history entries");
    }
    query.user = caller.user;
  }
  auto entries = history_->ListHistory(query);
  if (!entries) return entries.error();
  nlohmann::json filters = nlohmann::json::object();
  if (query.user) filters["user"] = *query.user;
  if (query.fingerprint) filters["fingerprint"] = *query.fingerprint;
  if (query.session) filters["session"] = *query.session;
  if (query.database) filters["database"] = *query.database;
  if (query.command) filters["command"] = *query.command;
  if (Status st =
          recorder_->Read(caller, "history", {{"filters", filters}, {"count", entries->size()}});
      !st) {
    return st.error();
  }
  return entries;
}

Result<storage::HistoryEntry> HistoryApi::GetHistory(const Caller& caller, int64_t id) {
  auto entry = history_->GetHistory(id);
  if (!entry) return entry.error();
  // Someone else's entry is "not found" for a user: its existence is not theirs to learn.
  if (!entry->has_value() || (caller.role != Role::kAdmin && (*entry)->user != caller.user)) {
    return MakeError(ErrorCode::kNotFound, "no history entry #" + std::to_string(id));
  }
  if (Status st = recorder_->Read(caller, "history_entry", {{"id", id}}); !st) return st.error();
  return std::move(**entry);
}

Result<std::vector<storage::AuditEntry>> HistoryApi::ListAudit(const Caller& caller, int limit,
                                                               std::optional<int64_t> before_id) {
  if (caller.role != Role::kAdmin) {
    recorder_->Refusal(caller, "audit", "admins only");
    return Forbidden("the audit log");
  }
  auto entries = audit_->ListAudit(limit, before_id);
  if (!entries) return entries.error();
  if (Status st = recorder_->Read(caller, "audit", {{"count", entries->size()}}); !st)
    return st.error();
  return entries;
}

}  // namespace planbot::core
