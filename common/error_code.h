// The closed vocabulary of planbot's errors and outcomes, and the one table that says what each
// error code means at the edges: the HTTP status (SPEC §4), the outcome a command is recorded
// with, and whether trying again later can succeed.
//
// Every Error carries one of these codes (common/result.h); their names are what the HTTP API,
// history and audit entries show. A new failure picks an existing code or adds a row here — a
// code that is not in the table cannot be written.
//
// Pure data and lookups; thread-safe.
#pragma once

#include <array>
#include <string_view>

namespace planbot {

// How a command ended, as history and audit record it.
enum class Outcome {
  kOk,
  kError,             // the database (or planbot) failed to do it
  kRefused,           // planbot would not do it: bad input, policy, authentication
  kTimeout,           // statement_timeout, lock_timeout or planbot's deadline
  kCloneUnavailable,  // no clone could be made or reached
  kStoreUnavailable,  // the store could not record it, so it was not run or answered
  kQuota,             // over the user's quota
};

// "ok", "error", "refused", "timeout", "clone_unavailable", "store_unavailable", "quota".
std::string_view OutcomeName(Outcome outcome);

// X(enumerator, name, HTTP status, outcome, retryable). The outcome is what a command that ends
// with the error is recorded as; a command planbot did not run to the database is "refused".
// clang-format off
#define PLANBOT_ERROR_CODES(X)                                                          \
  /* bad input: the request, the command, the SQL */                                    \
  X(kBadRequest, "bad_request", 400, kRefused, false)                                   \
  X(kBadJson, "bad_json", 400, kRefused, false)                                         \
  X(kNotExplain, "not_explain", 400, kRefused, false)                                   \
  X(kNoPlan, "no_plan", 400, kRefused, false)                                           \
  X(kMissingText, "missing_text", 400, kRefused, false)                                 \
  X(kMissingSql, "missing_sql", 400, kRefused, false)                                   \
  X(kUnknownCommand, "unknown_command", 400, kRefused, false)                           \
  X(kUnknownDatabase, "unknown_database", 400, kRefused, false)                         \
  X(kEmpty, "empty", 400, kRefused, false)                                              \
  X(kMultipleStatements, "multiple_statements", 400, kRefused, false)                   \
  X(kSyntaxError, "syntax_error", 400, kRefused, false)                                 \
  X(kTooComplex, "too_complex", 400, kRefused, false)                                   \
  X(kRefused, "refused", 400, kRefused, false)                                          \
  X(kUsage, "usage", 400, kRefused, false)                                              \
  X(kBadConfig, "bad_config", 400, kRefused, false)                                     \
  X(kBadEvent, "bad_event", 400, kRefused, false)                                       \
  X(kTooLarge, "too_large", 413, kRefused, false)                                       \
  X(kMethodNotAllowed, "method_not_allowed", 405, kRefused, false)                      \
  X(kHttpError, "http_error", 400, kRefused, false)                                     \
  /* who may do what */                                                                 \
  X(kUnauthorized, "unauthorized", 401, kRefused, false)                                \
  X(kForbidden, "forbidden", 403, kRefused, false)                                      \
  X(kNotFound, "not_found", 404, kRefused, false)                                       \
  X(kQuota, "quota", 429, kQuota, true)                                                 \
  /* the database did not do it */                                                      \
  X(kDatabaseError, "database_error", 400, kError, false)                               \
  X(kHypoUnavailable, "hypo_unavailable", 400, kRefused, false)                           \
  X(kDescribeFailed, "describe_failed", 400, kRefused, false)                             \
  X(kTimeout, "timeout", 408, kTimeout, true)                                           \
  /* something planbot needs is not there right now */                                  \
  X(kCloneUnavailable, "clone_unavailable", 503, kCloneUnavailable, true)               \
  X(kSourceBusy, "source_busy", 503, kCloneUnavailable, true)                           \
  X(kStoreUnavailable, "store_unavailable", 503, kStoreUnavailable, true)               \
  X(kStoreError, "store_error", 503, kRefused, true)                           \
  X(kShuttingDown, "shutting_down", 503, kRefused, true)                                \
  X(kUnavailable, "unavailable", 503, kRefused, false)                                    \
  /* replies of the services planbot calls (adapters), before the core names the failure */ \
  X(kUnreachable, "unreachable", 503, kRefused, true)                          \
  X(kRejected, "rejected", 503, kRefused, false)                               \
  X(kServerError, "server_error", 503, kRefused, true)                         \
  X(kSlackError, "slack_error", 502, kRefused, false)                                     \
  X(kSlackUnavailable, "slack_unavailable", 503, kRefused, true)                          \
  X(kSpawnFailed, "spawn_failed", 500, kRefused, false)                                   \
  X(kListenFailed, "listen_failed", 500, kRefused, false)                                 \
  X(kUnsupported, "unsupported", 500, kRefused, false)                                    \
  /* a bug or an impossible answer: never the user's fault */                           \
  X(kInternal, "internal", 500, kError, false)
// clang-format on

enum class ErrorCode {
#define PLANBOT_ERROR_ENUM(e, name, status, outcome, retryable) e,
  PLANBOT_ERROR_CODES(PLANBOT_ERROR_ENUM)
#undef PLANBOT_ERROR_ENUM
};

struct ErrorCodeInfo {
  ErrorCode code;
  std::string_view name;
  int http_status;
  Outcome outcome;
  bool retryable;
};

inline constexpr std::array kErrorCodes = {
#define PLANBOT_ERROR_ROW(e, name, status, outcome, retryable) \
  ErrorCodeInfo{ErrorCode::e, name, status, Outcome::outcome, retryable},
    PLANBOT_ERROR_CODES(PLANBOT_ERROR_ROW)
#undef PLANBOT_ERROR_ROW
};

inline constexpr const ErrorCodeInfo& Info(ErrorCode code) {
  return kErrorCodes[static_cast<size_t>(code)];
}
inline constexpr std::string_view ErrorCodeName(ErrorCode code) { return Info(code).name; }

// Comparisons with a code's name, for readers of JSON and for tests: `e.code == "timeout"`.
inline constexpr bool operator==(ErrorCode code, std::string_view name) {
  return ErrorCodeName(code) == name;
}

inline std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kOk:
      return "ok";
    case Outcome::kError:
      return "error";
    case Outcome::kRefused:
      return "refused";
    case Outcome::kTimeout:
      return "timeout";
    case Outcome::kCloneUnavailable:
      return "clone_unavailable";
    case Outcome::kStoreUnavailable:
      return "store_unavailable";
    case Outcome::kQuota:
      return "quota";
  }
  return "error";
}

}  // namespace planbot
