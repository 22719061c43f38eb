// Recorder: the core's writer of history and audit entries. A finished command becomes one
// history entry (under its database's history policy and the command table's rule) and one
// audit entry, committed together; events outside commands (authentication failures, refusals
// at a channel, start and stop, reads of the history API) become audit entries of their own.
//
// Holds the store interfaces it was given (they must outlive it); thread-safe as they are.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "common/log.h"
#include "common/result.h"
#include "core/request.h"
#include "storage/store.h"

namespace planbot::core {

struct CommandContext;

class Recorder {
 public:
  Recorder(storage::HistoryStore* history, storage::AuditLog* audit, Logger log)
      : history_(history), audit_(audit), log_(std::move(log)) {}

  // The history entry (when one is kept) and the audit entry of a finished command, committed
  // together; returns the history id (0 when none was written).
  Result<int64_t> RecordCommand(const CommandContext& ctx);

  // Audit entries for events outside commands. Failures are logged: these are not answers.
  void AuthFailure(const std::string& channel, const std::string& who, const std::string& reason);
  // A command refused before it reached the core's handlers (a channel's checks, an admin-only
  // command, a history read of someone else's entries).
  void Refusal(const Caller& caller, const std::string& command, const std::string& reason);
  void Event(const std::string& action, const std::string& details_json);
  // A web view login or logout ("login", "logout") of `caller`, from `remote` (an address).
  void WebSession(const Caller& caller, const std::string& action, const std::string& remote);

  // A read of the history API. An error ("store_unavailable") means the read must not be
  // answered: nothing is shown unaudited.
  Status Read(const Caller& caller, const std::string& what, nlohmann::json details);

 private:
  void Append(const storage::AuditEntry& entry);

  storage::HistoryStore* history_;
  storage::AuditLog* audit_;
  Logger log_;
};

}  // namespace planbot::core
