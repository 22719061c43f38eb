// The "Settings" of EXPLAIN (SETTINGS, FORMAT JSON) output, with the values that may not be shown
// withheld (SECURITY.md: "EXPLAIN's Settings: line and session state").
//
// PostgreSQL prints every planner-relevant setting that differs from its built-in default, with
// its current value. A value can be computed from data: `set_config('search_path', (select col
// ...), true)` inside the explained statement is printed by that very EXPLAIN. So the session
// decides, setting by setting, which values it can vouch for (those of its connection's start and
// of literal `SET`s), and every other value is replaced by kWithheldSetting. The names stay: that
// a setting differs is configuration, not data.
//
// WithholdSettings keeps every other byte of the document as the server printed it (numbers,
// key order, whitespace), so the plan renders exactly as before. It looks only at "Settings"
// objects of the query level ([{"Plan": ..., "Settings": {...}}] or {"Plan": ..., ...}).
//
// Failures: a document that is not well-formed JSON as far as the scanner can tell (unterminated
// string, unbalanced brackets) is an Error "bad_json". Thread-safe: pure function.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace planbot::analyzer {

inline constexpr std::string_view kWithheldSetting = "(withheld)";

// Decides whether the value of setting `name` may be shown.
using SettingFilter = std::function<bool(const std::string& name, const std::string& value)>;

// `explain_json` with the value of every setting that `shown` rejects replaced by
// kWithheldSetting.
Result<std::string> WithholdSettings(std::string_view explain_json, const SettingFilter& shown);

// `explain_json` with every Settings value withheld: for a plan whose session can no longer
// vouch for any value (history written before settings were checked, redact).
Result<std::string> WithholdAllSettings(std::string_view explain_json);

}  // namespace planbot::analyzer
