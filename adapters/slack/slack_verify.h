// Verifying that a request came from Slack (../shared/contracts/slack.md, "Verifying requests"):
// HMAC-SHA256 over `v0:{timestamp}:{raw body}` with the app's signing secret, hex, prefixed
// "v0=", compared in constant time with X-Slack-Signature; the timestamp must be within five
// minutes of now in either direction, which bounds replays.
//
// Failures are "unauthorized" errors whose messages name what was wrong ("missing
// X-Slack-Signature", "stale timestamp", "bad signature", ...). They never carry the computed
// signature, the received one or the secret, so they are safe to log; the HTTP answer to a
// failure is an empty 401 regardless.
//
// Pure function over its inputs (the clock is a parameter); thread-safe.
#pragma once

#include <chrono>
#include <string>

#include "common/result.h"

namespace planbot::adapters {

// How far the request timestamp may be from `now`, in the past or the future.
inline constexpr std::chrono::seconds kSlackMaxClockSkew{300};

// `raw_body` must be the bytes exactly as received, before any parsing or decoding.
Status VerifySlackRequest(const std::string& signing_secret, const std::string& timestamp_header,
                          const std::string& signature_header, const std::string& raw_body,
                          std::chrono::system_clock::time_point now);

}  // namespace planbot::adapters
