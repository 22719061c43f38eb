// Timestamps of the store: RFC 3339 UTC with milliseconds ("2026-11-23T10:00:00.123Z"). Stored as
// text, so that they sort as strings in time order and read well in the SQLite shell.
//
// Failures: none. Thread-safety: pure functions (gmtime_r), safe from any thread.
#pragma once

#include <chrono>
#include <string>

namespace planbot::storage {

std::string FormatRfc3339Millis(std::chrono::system_clock::time_point t);
std::string NowRfc3339Millis();

// A bound given by a caller ("2026-11-23T10:00:00Z", "2026-11-23") made comparable with stored
// values: a whole-second UTC time gains ".000" so that "10:00:00Z" sorts before "10:00:00.123Z".
// Anything else is returned unchanged.
std::string NormalizeTimeBound(const std::string& bound);

}  // namespace planbot::storage
