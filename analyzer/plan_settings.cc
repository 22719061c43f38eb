#include "analyzer/plan_settings.h"

#include <nlohmann/json.hpp>
#include <vector>

namespace planbot::analyzer {
namespace {

// One open container of the document.
struct Level {
  bool object;
  bool settings;  // the query's "Settings" object
  bool expect_key = true;
};

// Index one past the closing quote of the string starting at text[at] (a '"'); npos when the
// string does not end.
size_t StringEnd(std::string_view text, size_t at) {
  for (size_t i = at + 1; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == '"') {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

std::string Decode(std::string_view token) {
  // Without an escape the string is its bytes between the quotes (PostgreSQL's keys and most
  // values); JSON's escapes are left to the library.
  if (token.size() >= 2 && token.find('\\') == std::string_view::npos) {
    return std::string(token.substr(1, token.size() - 2));
  }
  nlohmann::json value = nlohmann::json::parse(token, nullptr, /*allow_exceptions=*/false);
  return value.is_string() ? value.get<std::string>() : std::string();
}

// True when an object opened now, under `stack`, is a query object: the document itself, or an
// element of the top-level array.
bool AtQueryLevel(const std::vector<Level>& stack) {
  return (stack.size() == 1 && stack[0].object) ||
         (stack.size() == 2 && !stack[0].object && stack[1].object);
}

}  // namespace

Result<std::string> WithholdSettings(std::string_view json, const SettingFilter& shown) {
  const Error bad = MakeError(ErrorCode::kBadJson, "the plan is not valid JSON");
  std::string out;
  out.reserve(json.size());
  std::vector<Level> stack;
  std::string key;    // the last key read in the innermost object
  size_t copied = 0;  // json[0, copied) is in `out`
  for (size_t i = 0; i < json.size();) {
    const char c = json[i];
    if (c == '"') {
      const size_t end = StringEnd(json, i);
      if (end == std::string_view::npos) return bad;
      if (!stack.empty() && stack.back().object && stack.back().expect_key) {
        key = Decode(json.substr(i, end - i));
        stack.back().expect_key = false;
      } else if (!stack.empty() && stack.back().settings &&
                 !shown(key, Decode(json.substr(i, end - i)))) {
        out.append(json.substr(copied, i - copied));
        out += nlohmann::json(std::string(kWithheldSetting)).dump();
        copied = end;
      }
      i = end;
      continue;
    }
    if (c == '{' || c == '[') {
      const bool settings = c == '{' && !stack.empty() && stack.back().object &&
                            !stack.back().expect_key && key == "Settings" && AtQueryLevel(stack);
      stack.push_back(Level{c == '{', settings});
      key.clear();
    } else if (c == '}' || c == ']') {
      if (stack.empty() || stack.back().object != (c == '}')) return bad;
      stack.pop_back();
      key.clear();
    } else if (c == ',') {
      if (stack.empty()) return bad;
      if (stack.back().object) stack.back().expect_key = true;
    }
    ++i;
  }
  if (!stack.empty()) return bad;
  out.append(json.substr(copied));
  return out;
}

Result<std::string> WithholdAllSettings(std::string_view explain_json) {
  return WithholdSettings(explain_json,
                          [](const std::string&, const std::string&) { return false; });
}

}  // namespace planbot::analyzer
