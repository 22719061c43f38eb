// Durations as people write them in configuration and filters: "30s", "5m", "1h", "30d", "250ms".
// Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace planbot {

// The longest duration ParseDuration accepts: 100 years (36500d). Bounded so that adding a
// duration to a clock's now() cannot overflow, even in nanoseconds.
inline constexpr int64_t kMaxDurationMs = 36500LL * 24 * 3600 * 1000;

// "30s", "5m" (or "5min"), "1h", "30d", "250ms"; a bare number is seconds. Digits then an optional
// unit, nothing else: no sign, fraction or space. Nullopt when malformed or above kMaxDurationMs.
std::optional<std::chrono::milliseconds> ParseDuration(const std::string& text);

// The duration as ParseDuration reads it back, in the largest unit that divides it exactly:
// "30d", "1h", "30m", "5s", "250ms"; "0s" for zero.
std::string FormatDuration(std::chrono::milliseconds value);

}  // namespace planbot
