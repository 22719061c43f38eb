// Recorder: the core's writer of history and audit entries. A finished command becomes one
// history entry (under its database's history policy and the command table's rule) and one
// audit entry, committed together; events outside commands (authentication failures, refusals
// at a channel, start and stop, reads of the history API) become audit entries of their own.
//
// Holds the store interfaces it was given (they must outlive it); thread-safe as they are.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "common/log.h"
#include "common/result.h"
#include "common/telemetry.h"
#include "core/request.h"
#include "storage/store.h"

namespace planbot::core {

struct CommandContext;

class Recorder {
 public:
  // `telemetry` (may be null) gets each store write's latency and outcome, and auth failures.
  Recorder(storage::HistoryStore* history, storage::AuditLog* audit, Logger log,
           Telemetry* telemetry = nullptr)
      : history_(history), audit_(audit), log_(std::move(log)), telemetry_(telemetry) {}

  // The history entry (when one is kept) and the audit entry of a finished command, committed
  // together; returns the history id (0 when none was written).
  Result<int64_t> RecordCommand(const CommandContext& ctx);

  // Audit entries for events outside commands. Failures are logged: these are not answers.
  void AuthFailure(const std::string& channel, const std::string& who, const std::string& reason,
                   const std::string& request_id = {});
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
  // Runs one store write, reporting its latency and outcome to telemetry.
  template <class Write>
  auto Timed(Write write) {
    const auto start = std::chrono::steady_clock::now();
    auto result = write();
    if (telemetry_) {
      telemetry_->StoreWrite(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
          static_cast<bool>(result));
    }
    return result;
  }

  storage::HistoryStore* history_;
  storage::AuditLog* audit_;
  Logger log_;
  Telemetry* telemetry_;
};

}  // namespace planbot::core
