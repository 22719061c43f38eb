#include "adapters/config/config_yaml_reader.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>
#include <utility>

namespace planbot::adapters {
namespace {

constexpr size_t kMaxQuoted = 40;

bool IsNameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// The raw text of a scalar for a message: quoted, shortened, before `${}` expansion.
std::string Quoted(const YAML::Node& node) {
  std::string text = node.Scalar();
  if (text.size() > kMaxQuoted) text = text.substr(0, kMaxQuoted) + "...";
  return "\"" + text + "\"";
}

bool IsAbsent(const YAML::Node& node) { return !node.IsDefined() || node.IsNull(); }

}  // namespace

Result<std::string> ExpandEnv(const std::string& text, const std::string& path,
                              const core::EnvLookup& env) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      out += text[i++];
      continue;
    }
    const size_t close = text.find('}', i + 2);
    if (close == std::string::npos) {
      return ConfigError(path, "unterminated ${ (write $${ for a literal ${)");
    }
    const std::string name = text.substr(i + 2, close - i - 2);
    bool valid = !name.empty() && IsNameStart(name[0]);
    for (char c : name) valid = valid && IsNameChar(c);
    if (!valid) {
      return ConfigError(path, "\"${" + name.substr(0, kMaxQuoted) +
                                   "}\" is not an environment variable name "
                                   "(letters, digits and _; write $${ for a literal ${)");
    }
    std::optional<std::string> value = env(name);
    if (!value) return ConfigError(path, "environment variable " + name + " is not set");
    out += *value;
    i = close + 1;
  }
  return out;
}

Error ConfigError(const std::string& path, const std::string& what) {
  return MakeError(ErrorCode::kBadConfig,
                   path.empty() ? "config: " + what : "config: " + path + ": " + what);
}

void ReadState::Fail(const std::string& path, const std::string& what) {
  Fail(ConfigError(path, what));
}

void ReadState::Fail(Error error) {
  if (!error_ && !schema_walk()) error_ = std::move(error);
}

void ReadState::RecordKey(const std::string& path) {
  if (std::find(key_paths_->begin(), key_paths_->end(), path) == key_paths_->end()) {
    key_paths_->push_back(path);
  }
}

const char* NodeKindName(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Scalar:
      return "a single value";
    default:
      return "no value";
  }
}

std::optional<std::string> ReadScalar(ReadState& state, const YAML::Node& node,
                                      const std::string& path, const char* expected) {
  if (state.failed() || state.schema_walk()) return std::nullopt;
  if (!node.IsScalar()) {
    state.Fail(path, std::string("expected ") + expected + ", got " + NodeKindName(node));
    return std::nullopt;
  }
  Result<std::string> expanded = ExpandEnv(node.Scalar(), path, state.env());
  if (!expanded.ok()) {
    state.Fail(expanded.error());
    return std::nullopt;
  }
  return std::move(expanded).value();
}

MapReader::MapReader(ReadState& state, const YAML::Node& node, std::string path,
                     std::initializer_list<const char*> keys)
    : state_(state), node_(node), path_(std::move(path)) {
  if (state_.schema_walk()) {
    for (const char* k : keys) state_.RecordKey(Path(k));
    ok_ = true;
    return;
  }
  if (state_.failed()) return;
  if (!node_.IsMap()) {
    state_.Fail(path_, std::string("expected a map (key: value), got ") + NodeKindName(node_));
    return;
  }
  std::set<std::string> seen;
  for (const auto& entry : node_) {
    const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : "";
    bool known = false;
    for (const char* k : keys) known = known || key == k;
    const std::string where = Path(key.empty() ? "?" : key.c_str());
    if (!known) {
      std::string allowed;
      for (const char* k : keys) allowed += std::string(allowed.empty() ? "" : ", ") + k;
      state_.Fail(where, "unknown key (expected one of: " + allowed + ")");
      return;
    }
    if (!seen.insert(key).second) {
      state_.Fail(where, "duplicate key");
      return;
    }
  }
  ok_ = true;
}

MapReader MapReader::Map(const char* key, std::initializer_list<const char*> keys) {
  if (state_.schema_walk()) return MapReader(state_, YAML::Node(), Path(key), keys);
  if (!Has(key)) return MapReader(state_, Path(key));
  return MapReader(state_, Child(key), Path(key), keys);
}

bool MapReader::Has(const char* key) const {
  if (state_.schema_walk()) return ok_;
  const YAML::Node& node = node_;
  return ok_ && !IsAbsent(node[key]);
}

YAML::Node MapReader::Child(const char* key) const {
  const YAML::Node& node = node_;
  return node[key];
}

std::string MapReader::Path(const char* key) const {
  return path_.empty() ? std::string(key) : path_ + "." + key;
}

std::optional<std::string> MapReader::Scalar(const char* key, const char* expected) {
  if (state_.failed() || state_.schema_walk() || !Has(key)) return std::nullopt;
  return ReadScalar(state_, Child(key), Path(key), expected);
}

void MapReader::String(const char* key, std::string* out) {
  if (auto text = Scalar(key, "a string")) *out = std::move(*text);
}

void MapReader::Choice(const char* key, std::initializer_list<const char*> choices,
                       std::string* out) {
  auto text = Scalar(key, "a string");
  if (!text) return;
  std::string listed;
  for (const char* choice : choices) {
    if (*text == choice) {
      *out = *text;
      return;
    }
    listed += std::string(listed.empty() ? "" : ", ") + choice;
  }
  Fail(key, "expected one of: " + listed);
}

void MapReader::Int(const char* key, int* out) {
  auto text = Scalar(key, "a whole number");
  if (!text) return;
  int value = 0;
  const char* end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (text->empty() || ec != std::errc() || ptr != end) {
    Fail(key, "expected a whole number");
    return;
  }
  *out = value;
}

void MapReader::Bool(const char* key, bool* out) {
  auto text = Scalar(key, "true or false");
  if (!text) return;
  if (*text == "true" || *text == "True" || *text == "TRUE") {
    *out = true;
  } else if (*text == "false" || *text == "False" || *text == "FALSE") {
    *out = false;
  } else {
    Fail(key, "expected true or false");
  }
}

std::optional<core::Millis> MapReader::ReadDuration(const char* key) {
  auto text = Scalar(key, "a duration like 30s");
  if (!text) return std::nullopt;
  std::optional<core::Millis> value = core::ParseDuration(*text);
  if (!value) {
    Fail(key, "expected a duration like 30s, 5m, 1h, 30d or 250ms, at most 36500d");
  }
  return value;
}

void MapReader::Duration(const char* key, core::Millis* out) {
  if (auto value = ReadDuration(key)) *out = *value;
}

void MapReader::Duration(const char* key, core::Seconds* out) {
  std::optional<core::Millis> value = ReadDuration(key);
  if (!value) return;
  if (value->count() % 1000 != 0) {
    Fail(key, "expected whole seconds like 30s or 5m");
    return;
  }
  *out = std::chrono::duration_cast<core::Seconds>(*value);
}

// Quotes the raw value: only called for keys whose values are not secrets.
void MapReader::Fail(const char* key, const std::string& what) {
  state_.Fail(Path(key), what + " (got " + Quoted(Child(key)) + ")");
}

void MapReader::StringList(const char* key, std::vector<std::string>* out) {
  std::vector<std::string> values;
  List(key, [&](const YAML::Node& element, const std::string& path) {
    if (auto text = ReadScalar(state_, element, path, "a string")) values.push_back(*text);
  });
  if (!state_.failed() && Has(key)) *out = std::move(values);
}

void MapReader::List(const char* key,
                     const std::function<void(const YAML::Node&, const std::string&)>& each) {
  if (state_.schema_walk()) {
    each(YAML::Node(), Path(key) + "[]");
    return;
  }
  if (state_.failed() || !Has(key)) return;
  const YAML::Node list = Child(key);
  if (!list.IsSequence()) {
    state_.Fail(Path(key), std::string("expected a list, got ") + NodeKindName(list));
    return;
  }
  for (size_t i = 0; i < list.size() && !state_.failed(); ++i) {
    each(list[i], Path(key) + "[" + std::to_string(i) + "]");
  }
}

}  // namespace planbot::adapters
