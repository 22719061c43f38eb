#include "tests/analyzer/fidelity_corpus.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>
#include <utility>

namespace planbot::fidelity {
namespace {

constexpr ModeSpec kModes[] = {
    // name, options, warm_up, checkpoint, mask_timings
    {"plan", "COSTS", false, false, false},
    {"plan_verbose", "VERBOSE", false, false, false},
    {"costs_off", "COSTS OFF", false, false, false},
    {"plan_buffers", "BUFFERS", true, false, false},
    {"analyze", "ANALYZE, TIMING OFF, SUMMARY OFF", false, false, false},
    {"analyze_verbose", "ANALYZE, TIMING OFF, SUMMARY OFF, VERBOSE", false, false, false},
    {"analyze_costs_off", "ANALYZE, TIMING OFF, SUMMARY OFF, COSTS OFF", false, false, false},
    {"analyze_timing", "ANALYZE", false, false, true},
    {"buffers", "ANALYZE, TIMING OFF, SUMMARY OFF, BUFFERS", true, false, false},
    {"settings", "SETTINGS", false, false, false},
    {"wal", "ANALYZE, TIMING OFF, SUMMARY OFF, WAL", false, true, false},
};

constexpr std::string_view kEntryKeys[] = {"name",        "modes", "expect",
                                           "expect_text", "setup", "note"};

std::string_view Trim(std::string_view s) {
  const auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

std::vector<std::string> SplitList(std::string_view value) {
  std::vector<std::string> items;
  while (!value.empty()) {
    const size_t comma = value.find(',');
    const std::string_view item = Trim(value.substr(0, comma));
    if (!item.empty()) items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return items;
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const std::string& part : parts) {
    if (!out.empty()) out += sep;
    out += part;
  }
  return out;
}

struct Header {
  std::string_view key, value;
};

// `-- key: value` with a lowercase key; anything else is not a header.
std::optional<Header> ParseHeader(std::string_view line) {
  if (!line.starts_with("-- ")) return std::nullopt;
  const std::string_view rest = line.substr(3);
  size_t i = 0;
  while (i < rest.size() && (std::islower(static_cast<unsigned char>(rest[i])) || rest[i] == '_')) {
    ++i;
  }
  if (i == 0 || i >= rest.size() || rest[i] != ':') return std::nullopt;
  return Header{rest.substr(0, i), Trim(rest.substr(i + 1))};
}

bool ValidName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c)) || c == '_';
  });
}

Error CorpusError(int line, const std::string& what) {
  return MakeError(ErrorCode::kBadRequest,
                   "statements.sql line " + std::to_string(line) + ": " + what);
}

// Line-by-line state machine over statements.sql.
class CorpusParser {
 public:
  Status Feed(std::string_view line, int lineno);
  Result<Corpus> Finish();

 private:
  Status FeedPreamble(std::string_view line, const std::optional<Header>& header, int lineno);
  Status FeedHeader(const Header& header, int lineno);
  Status FinishEntry(Entry& entry);

  std::vector<std::string> session_;
  std::vector<Entry> entries_;
  std::vector<std::string> setup_, body_;
  bool in_body_ = false;
};

Status CorpusParser::Feed(std::string_view line, int lineno) {
  const std::optional<Header> header = ParseHeader(line);
  if (header && header->key == "name") {
    if (!entries_.empty()) {
      if (Status s = FinishEntry(entries_.back()); !s.ok()) return s;
    }
    entries_.push_back(Entry{std::string(header->value), {}, {}, {}, "", "", lineno});
    in_body_ = false;
    return Ok{};
  }
  if (entries_.empty()) return FeedPreamble(line, header, lineno);
  if (!in_body_ && header) return FeedHeader(*header, lineno);
  if (!in_body_ && (Trim(line).empty() || line.starts_with("--"))) return Ok{};
  in_body_ = true;
  body_.emplace_back(line);
  return Ok{};
}

Status CorpusParser::FeedPreamble(std::string_view line, const std::optional<Header>& header,
                                  int lineno) {
  if (header && header->key == "session") {
    session_.emplace_back(header->value);
  } else if (!Trim(line).empty() && !line.starts_with("--")) {
    return CorpusError(lineno, "SQL before the first '-- name:'");
  }
  return Ok{};
}

Status CorpusParser::FeedHeader(const Header& header, int lineno) {
  if (std::find(std::begin(kEntryKeys), std::end(kEntryKeys), header.key) == std::end(kEntryKeys)) {
    return CorpusError(lineno, "unknown header '" + std::string(header.key) + "'");
  }
  Entry& entry = entries_.back();
  std::vector<std::string> items = SplitList(header.value);
  if (header.key == "modes") entry.modes.insert(entry.modes.end(), items.begin(), items.end());
  if (header.key == "expect") entry.expect.insert(entry.expect.end(), items.begin(), items.end());
  if (header.key == "expect_text") {
    entry.expect_text.insert(entry.expect_text.end(), items.begin(), items.end());
  }
  if (header.key == "setup") setup_.emplace_back(header.value);
  return Ok{};
}

Status CorpusParser::FinishEntry(Entry& entry) {
  const std::string body = Join(body_, "\n");
  std::string_view sql = Trim(body);
  while (!sql.empty() && sql.back() == ';') sql.remove_suffix(1);
  entry.sql = std::string(Trim(sql));
  entry.setup = Join(setup_, "; ");
  body_.clear();
  setup_.clear();
  const std::string where = "entry '" + entry.name + "': ";
  if (!ValidName(entry.name)) return CorpusError(entry.line, where + "bad name");
  if (entry.sql.empty()) return CorpusError(entry.line, where + "no statement");
  if (entry.modes.empty()) return CorpusError(entry.line, where + "no modes");
  for (const std::string& mode : entry.modes) {
    if (FindMode(mode) == nullptr) return CorpusError(entry.line, where + "unknown mode " + mode);
  }
  if (entry.expect.empty()) return CorpusError(entry.line, where + "no expect");
  return Ok{};
}

Result<Corpus> CorpusParser::Finish() {
  if (entries_.empty()) return CorpusError(1, "no entries");
  if (Status s = FinishEntry(entries_.back()); !s.ok()) return s.error();
  std::set<std::string> names;
  for (const Entry& entry : entries_) {
    if (!names.insert(entry.name).second) {
      return CorpusError(entry.line, "duplicate name '" + entry.name + "'");
    }
  }
  return Corpus{Join(session_, "; "), std::move(entries_)};
}

// Finds where a statement ends, skipping over quoted text and comments.
class SqlSplitter {
 public:
  explicit SqlSplitter(std::string_view script) : s_(script) {}
  std::vector<std::string> Split();

 private:
  size_t SkipQuoted(size_t i) const;
  size_t SkipDollarQuote(size_t i) const;
  size_t SkipBlockComment(size_t i) const;
  void Emit(size_t end);

  std::string_view s_;
  size_t start_ = 0;
  bool has_code_ = false;
  std::vector<std::string> out_;
};

// s_[i] is ' or "; returns the index after the closing quote (a doubled quote is an escape).
size_t SqlSplitter::SkipQuoted(size_t i) const {
  const char quote = s_[i];
  for (size_t j = i + 1; j < s_.size(); ++j) {
    if (s_[j] != quote) continue;
    if (j + 1 < s_.size() && s_[j + 1] == quote) {
      ++j;
      continue;
    }
    return j + 1;
  }
  return s_.size();
}

// s_[i] is '$'; if it opens a dollar quote ($$ or $tag$), returns the index after its end,
// otherwise i + 1 (e.g. a parameter such as $1).
size_t SqlSplitter::SkipDollarQuote(size_t i) const {
  size_t j = i + 1;
  const auto tag_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  };
  if (j < s_.size() && std::isdigit(static_cast<unsigned char>(s_[j]))) return i + 1;
  while (j < s_.size() && tag_char(s_[j])) ++j;
  if (j >= s_.size() || s_[j] != '$') return i + 1;
  const std::string_view tag = s_.substr(i, j - i + 1);
  const size_t end = s_.find(tag, j + 1);
  return end == std::string_view::npos ? s_.size() : end + tag.size();
}

// s_[i..] is "/*"; comments nest in PostgreSQL.
size_t SqlSplitter::SkipBlockComment(size_t i) const {
  int depth = 0;
  for (size_t j = i; j + 1 < s_.size(); ++j) {
    if (s_[j] == '/' && s_[j + 1] == '*') {
      ++depth;
      ++j;
    } else if (s_[j] == '*' && s_[j + 1] == '/') {
      ++j;
      if (--depth == 0) return j + 1;
    }
  }
  return s_.size();
}

void SqlSplitter::Emit(size_t end) {
  const std::string_view statement = Trim(s_.substr(start_, end - start_));
  if (has_code_) out_.emplace_back(statement);
  start_ = end + 1;
  has_code_ = false;
}

std::vector<std::string> SqlSplitter::Split() {
  size_t i = 0;
  while (i < s_.size()) {
    const char c = s_[i];
    const char next = i + 1 < s_.size() ? s_[i + 1] : '\0';
    if (c == '-' && next == '-') {
      const size_t eol = s_.find('\n', i);
      i = eol == std::string_view::npos ? s_.size() : eol;
      continue;
    }
    if (c == '/' && next == '*') {
      i = SkipBlockComment(i);
      continue;
    }
    if (c == ';') {
      Emit(i++);
      continue;
    }
    if (!std::isspace(static_cast<unsigned char>(c))) has_code_ = true;
    if (c == '\'' || c == '"') {
      i = SkipQuoted(i);
    } else if (c == '$') {
      i = SkipDollarQuote(i);
    } else {
      ++i;
    }
  }
  Emit(s_.size());
  return std::move(out_);
}

}  // namespace

const ModeSpec* FindMode(std::string_view name) {
  for (const ModeSpec& mode : kModes) {
    if (mode.name == name) return &mode;
  }
  return nullptr;
}

Result<Corpus> ParseCorpus(std::string_view text) {
  CorpusParser parser;
  int lineno = 0;
  while (!text.empty()) {
    const size_t eol = text.find('\n');
    if (Status s = parser.Feed(text.substr(0, eol), ++lineno); !s.ok()) return s.error();
    if (eol == std::string_view::npos) break;
    text.remove_prefix(eol + 1);
  }
  return parser.Finish();
}

std::string MaskTimings(std::string_view text) {
  const auto digit = [&](size_t i) {
    return i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0;
  };
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    if (!digit(i) || (i > 0 && digit(i - 1))) {
      out += text[i++];
      continue;
    }
    size_t dot = i;
    while (digit(dot)) ++dot;
    if (dot < text.size() && text[dot] == '.' && digit(dot + 1) && digit(dot + 2) &&
        digit(dot + 3) && !digit(dot + 4)) {
      out += "#.###";
      i = dot + 4;
    } else {
      out.append(text.substr(i, dot - i));
      i = dot;
    }
  }
  return out;
}

std::string ExplainSql(const ModeSpec& mode, std::string_view format, std::string_view sql) {
  std::string out = "EXPLAIN (";
  out += mode.options;
  out += ", FORMAT ";
  out += format;
  out += ") ";
  out += sql;
  return out;
}

std::vector<std::string> SplitSqlStatements(std::string_view script) {
  return SqlSplitter(script).Split();
}

}  // namespace planbot::fidelity
