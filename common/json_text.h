// JSON text of a value, whatever bytes its strings hold.
//
// nlohmann::json::dump() throws on a string that is not valid UTF-8, and such strings reach
// planbot from outside: a Slack slash command's form body, a query string, a header, psql's
// output. JsonText writes each invalid byte as U+FFFD instead, so that an answer, an audit entry
// or a log line is always written (tests/fuzz/fuzz_slack found a slash command that threw).
// Pure function; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace planbot {

// A template, so that an nlohmann::ordered_json keeps its key order (converting it to
// nlohmann::json would sort the keys).
template <typename Json>
std::string JsonText(const Json& value, int indent = -1) {
  return value.dump(indent, ' ', false, Json::error_handler_t::replace);
}

}  // namespace planbot
