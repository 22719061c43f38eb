// How history and audit entries are shown: as JSON for the HTTP API (GET /api/v1/history,
// /history/{id}, /audit) and as the chat table of `history [N]`.
//
// Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "storage/store.h"

namespace planbot::history {

// One entry; with `with_plan` also "plan" {"text", "json"}, "summary" and "tips" (as stored:
// literals masked unless the database's policy is "full"). "query" (raw SQL) only when stored.
nlohmann::json HistoryEntryToJson(const storage::HistoryEntry& entry, bool with_plan);
// The same as text, with plan.json as stored (the server's JSON, or its masked copy), byte for
// byte: what the HTTP API sends.
std::string HistoryEntryToJsonText(const storage::HistoryEntry& entry, bool with_plan);
nlohmann::json AuditEntryToJson(const storage::AuditEntry& entry);

// The `history` answer: one line per entry (id, time, command with its outcome and error code
// when it failed, the execution time of explain or the duration of exec and hypo, normalized
// query shortened to one line), newest first.
std::string HistoryTable(const std::vector<storage::HistoryEntry>& entries);

}  // namespace planbot::history
