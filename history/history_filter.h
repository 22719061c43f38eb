// The filters of purge and redact (SPEC §1 `planbot admin`, §2 chat, §4 HTTP), the same from all
// three places: --before TIME|DURATION, --user, --session, --fingerprint, --database, --id (one
// or several), or --all. They arrive as words (chat), CLI options or a JSON body, become one
// FilterSpec of the caller's strings, and ResolveFilter checks it and turns it into the store's
// HistoryFilter (a duration becomes "now minus it").
//
// Failures: Error "bad_request" with a message that names the filter. Pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "storage/store.h"

namespace planbot::history {

struct FilterSpec {
  std::optional<std::string> before;  // RFC 3339 UTC, a date, or a duration ("30d")
  std::optional<std::string> user, session, database, fingerprint;
  std::vector<std::string> ids;  // each "12" or "12,13"
  bool all = false;
};

// "--before 30d --user alice --id 3,4" (also --flag=value). Words that are not known flags,
// and flags without their value, are errors.
Result<FilterSpec> ParseFilterWords(std::string_view text);

// {"before": "30d", "user": "alice", "id": [3, 4] (or 3, or "3,4"), "all": true}; other keys are
// errors that name them.
Result<FilterSpec> FilterSpecFromJson(const nlohmann::json& body);

// Checks the spec (at least one filter, or --all alone; ids are positive integers; --before is
// a time or a duration) and resolves it against `now`.
Result<storage::HistoryFilter> ResolveFilter(const FilterSpec& spec,
                                             std::chrono::system_clock::time_point now);

// A time bound as the store compares it: RFC 3339 UTC or a date as given (a missing Z added), or
// a duration ("30d") as now minus it. Error "bad_request" naming `what` otherwise.
Result<std::string> ResolveTime(const std::string& text, std::chrono::system_clock::time_point now,
                                const std::string& what = "--before");

// The resolved filter as JSON, for audit details and answers: only the filters given.
nlohmann::json FilterToJson(const storage::HistoryFilter& filter);

// The usage line the three places share.
inline constexpr const char* kFilterUsage =
    "--before TIME|DURATION, --user NAME, --session NAME, --fingerprint FP, --database NAME, "
    "--id ID[,ID...], or --all";

}  // namespace planbot::history
