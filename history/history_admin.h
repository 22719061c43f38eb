// History maintenance for admins (SPEC §1 `planbot admin`, §2 `purge`/`redact`, §4
// /api/v1/admin/*): one function that runs a purge or a redact on the store and audits it, used
// by the chat command, the HTTP endpoint and the CLI alike; the redactor that turns a "full"
// entry into a "normalized" one; and the masking of a plan that the "normalized" policy stores.
//
// Failures: the store's ("store_error", "bad_request"). Thread-safety: as the store's.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/result.h"
#include "storage/store.h"

namespace planbot::history {

// The Redactor for Store::Redact: drops the raw SQL, masks the plan (text, JSON, tips), keeps
// the figures (summary, times, counts); a syntax error's message, which quotes the statement,
// keeps only its kind. A plan that cannot be read is dropped rather than kept unmasked. Every
// entry is scrubbed too (storage/history_scrub.h: Settings values, server error texts, comments),
// whatever policy wrote it.
Status RedactEntry(storage::HistoryEntry& entry);

struct MaintenanceRequest {
  std::string operation;  // "purge" or "redact"
  storage::HistoryFilter filter;
  std::string actor;    // who: token name, Slack user, "cli:<login>", "system"
  std::string channel;  // "http", "slack", "cli", "system"
  std::string role;
  std::string reason;  // e.g. "retention"; empty for an admin's request
};

// Runs it and writes its audit entry (who, filters, counts — in the store's transaction).
Result<storage::MaintenanceResult> RunMaintenance(storage::HistoryStore& store,
                                                  const MaintenanceRequest& request);

// "purged 4 history entries (filters ...); audit entry #812" and a note when the WAL could not
// be cleared.
std::string MaintenanceText(const MaintenanceRequest& request,
                            const storage::MaintenanceResult& result);

// {"operation", "matched", "purged"|"redacted", "audit_id", "wal_cleared", "filters"}.
nlohmann::json MaintenanceToJson(const MaintenanceRequest& request,
                                 const storage::MaintenanceResult& result);

}  // namespace planbot::history
