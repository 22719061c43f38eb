#include "history/history_filter.h"

#include <charconv>
#include <map>
#include <regex>

#include "common/duration.h"
#include "storage/timestamp.h"

namespace planbot::history {
namespace {

Error Bad(const std::string& message) { return MakeError(ErrorCode::kBadRequest, message); }

// The filters that take a value, by their name without dashes.
std::optional<std::string>* ValueSlot(FilterSpec& spec, const std::string& name) {
  if (name == "before") return &spec.before;
  if (name == "user") return &spec.user;
  if (name == "session") return &spec.session;
  if (name == "database") return &spec.database;
  if (name == "fingerprint") return &spec.fingerprint;
  return nullptr;
}

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    size_t start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) words.emplace_back(text.substr(start, i - start));
  }
  return words;
}

Status SetValue(FilterSpec& spec, const std::string& name, const std::string& value) {
  if (value.empty()) return Bad("--" + name + " needs a value");
  if (name == "id") {
    spec.ids.push_back(value);
    return Ok{};
  }
  std::optional<std::string>* slot = ValueSlot(spec, name);
  if (slot == nullptr) return Bad("unknown filter --" + name + "; filters: " + kFilterUsage);
  if (slot->has_value()) return Bad("--" + name + " given twice");
  *slot = value;
  return Ok{};
}

Result<int64_t> ParseId(std::string_view text) {
  int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) {
    return Bad("--id takes history ids (positive integers), not \"" + std::string(text) + "\"");
  }
  return id;
}

// RFC 3339 UTC with optional fraction, or a date: what the store's timestamps compare with.
bool IsTimeBound(const std::string& text) {
  static const std::regex kTime(R"(\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?Z?)?)");
  return std::regex_match(text, kTime);
}

}  // namespace

Result<std::string> ResolveTime(const std::string& text, std::chrono::system_clock::time_point now,
                                const std::string& what) {
  if (auto duration = ParseDuration(text)) {
    return storage::FormatRfc3339Millis(now - *duration);
  }
  if (IsTimeBound(text)) {
    std::string t = text;
    if (t.size() > 10) t[10] = 'T';
    if (t.size() > 10 && t.back() != 'Z') t += 'Z';
    return t;
  }
  return Bad(what +
             " takes a time (2026-11-01, 2026-11-01T12:00:00Z) or a duration (30d, 12h), "
             "not \"" +
             text + "\"");
}

Result<FilterSpec> ParseFilterWords(std::string_view text) {
  FilterSpec spec;
  std::vector<std::string> words = Words(text);
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (w.rfind("--", 0) != 0 || w.size() == 2) {
      return Bad("unexpected \"" + w + "\"; filters: " + kFilterUsage);
    }
    std::string name = w.substr(2);
    if (name == "all") {
      spec.all = true;
      continue;
    }
    std::string value;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    } else if (i + 1 < words.size() && words[i + 1].rfind("--", 0) != 0) {
      value = words[++i];
    }
    if (name != "id" && ValueSlot(spec, name) == nullptr) {
      return Bad("unknown filter --" + name + "; filters: " + kFilterUsage);
    }
    if (Status s = SetValue(spec, name, value); !s) return s.error();
  }
  return spec;
}

Result<FilterSpec> FilterSpecFromJson(const nlohmann::json& body) {
  if (!body.is_object()) return Bad("the body must be a JSON object of filters");
  FilterSpec spec;
  for (const auto& [key, value] : body.items()) {
    if (key == "all") {
      if (!value.is_boolean()) return Bad("\"all\" must be true or false");
      spec.all = value.get<bool>();
    } else if (key == "id" || key == "ids") {
      nlohmann::json list = value.is_array() ? value : nlohmann::json::array({value});
      for (const auto& v : list) {
        if (v.is_number_integer()) {
          spec.ids.push_back(std::to_string(v.get<int64_t>()));
        } else if (v.is_string()) {
          spec.ids.push_back(v.get<std::string>());
        } else {
          return Bad("\"id\" holds history ids (integers)");
        }
      }
    } else if (std::optional<std::string>* slot = ValueSlot(spec, key)) {
      if (!value.is_string()) return Bad("\"" + key + "\" must be a string");
      *slot = value.get<std::string>();
    } else {
      return Bad("unknown filter \"" + key +
                 "\"; filters: before, user, session, fingerprint, database, id, all");
    }
  }
  return spec;
}

Result<storage::HistoryFilter> ResolveFilter(const FilterSpec& spec,
                                             std::chrono::system_clock::time_point now) {
  storage::HistoryFilter f;
  f.user = spec.user;
  f.session = spec.session;
  f.database = spec.database;
  f.fingerprint = spec.fingerprint;
  f.all = spec.all;
  if (spec.before) {
    auto before = ResolveTime(*spec.before, now);
    if (!before) return before.error();
    f.before = *before;
  }
  for (const std::string& list : spec.ids) {
    size_t start = 0;
    while (start <= list.size()) {
      size_t comma = list.find(',', start);
      std::string_view one = std::string_view(list).substr(
          start, comma == std::string::npos ? std::string::npos : comma - start);
      auto id = ParseId(one);
      if (!id) return id.error();
      f.ids.push_back(*id);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  if (f.Empty() && !f.all) {
    return Bad("give at least one filter, or --all for every entry: " + std::string(kFilterUsage));
  }
  if (f.all && !f.Empty()) return Bad("--all cannot be combined with other filters");
  return f;
}

nlohmann::json FilterToJson(const storage::HistoryFilter& f) {
  nlohmann::json out = nlohmann::json::object();
  if (f.all) out["all"] = true;
  if (f.before) out["before"] = *f.before;
  if (f.user) out["user"] = *f.user;
  if (f.session) out["session"] = *f.session;
  if (f.database) out["database"] = *f.database;
  if (f.fingerprint) out["fingerprint"] = *f.fingerprint;
  if (!f.ids.empty()) out["id"] = f.ids;
  return out;
}

}  // namespace planbot::history
