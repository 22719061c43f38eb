// HistoryApi: the history and the audit log as the HTTP API (SPEC §4) and the chat's purge and
// redact serve them, with their access rules. Users see their own entries (another user's entry
// is "not found"), admins all; purge, redact and the audit log are for admins ("forbidden"
// otherwise). Each read is audited; a read that cannot be audited is refused
// ("store_unavailable"). Purge and redact are audited by the store with their counts.
//
// Holds the interfaces it was given (they must outlive it); thread-safe as they are.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/log.h"
#include "common/result.h"
#include "core/recorder.h"
#include "core/request.h"
#include "history/history_filter.h"
#include "storage/store.h"

namespace planbot::core {

class HistoryApi {
 public:
  HistoryApi(storage::HistoryStore* history, storage::AuditLog* audit, Recorder* recorder,
             Logger log)
      : history_(history), audit_(audit), recorder_(recorder), log_(std::move(log)) {}

  Result<std::vector<storage::HistoryEntry>> ListHistory(const Caller& caller,
                                                         storage::HistoryQuery query);
  Result<storage::HistoryEntry> GetHistory(const Caller& caller, int64_t id);
  Result<std::vector<storage::AuditEntry>> ListAudit(const Caller& caller, int limit,
                                                     std::optional<int64_t> before_id);
  // "purge" or "redact" with the caller's filters: history::MaintenanceToJson plus "text" (the
  // chat line).
  Result<nlohmann::json> Maintain(const Caller& caller, const std::string& operation,
                                  const history::FilterSpec& spec);

 private:
  storage::HistoryStore* history_;
  storage::AuditLog* audit_;
  Recorder* recorder_;
  Logger log_;
};

}  // namespace planbot::core
