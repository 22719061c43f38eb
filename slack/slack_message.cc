// ParseSlackMessageEvent and ExtractCommand (slack/slack_text.h): which Slack messages are
// commands for planbot, and their text.
#include <cctype>
#include <optional>

#include "slack/slack_text.h"

namespace planbot::slack {
namespace {

using json = nlohmann::json;

int64_t Int(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer()) return 0;
  return it->get<int64_t>();
}

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsBlank(s.back())) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out;
  for (char c : s) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

SlackCommandText Ignore(std::string reason) {
  SlackCommandText out;
  out.ignore_reason = std::move(reason);
  return out;
}

// Where a mention of `bot` (`<@BOT>` or `<@BOT|name>`) starting at `at` ends, or npos.
size_t MentionEnd(std::string_view text, size_t at, const std::string& bot) {
  std::string open = "<@" + bot;
  if (bot.empty() || text.substr(at, open.size()) != open) return std::string_view::npos;
  size_t after = at + open.size();
  if (after >= text.size() || (text[after] != '>' && text[after] != '|')) {
    return std::string_view::npos;
  }
  size_t close = text.find('>', after);
  return close == std::string_view::npos ? close : close + 1;
}

// The text after a mention of the bot, and after an optional ':' or ',' that follows it.
std::string_view AfterMention(std::string_view text, size_t end) {
  std::string_view rest = Trim(text.substr(end));
  if (!rest.empty() && (rest.front() == ':' || rest.front() == ',')) rest.remove_prefix(1);
  return Trim(rest);
}

// The text after the bot's first mention anywhere in `text`, if there is one.
std::optional<std::string_view> AfterAnyMention(std::string_view text, const std::string& bot) {
  for (size_t at = text.find("<@"); at != std::string_view::npos; at = text.find("<@", at + 1)) {
    size_t end = MentionEnd(text, at, bot);
    if (end != std::string_view::npos) return AfterMention(text, end);
  }
  return std::nullopt;
}

const SnippetRef* FindSnippet(const std::vector<SnippetRef>& files) {
  for (const SnippetRef& f : files) {
    if ((f.mode == "snippet" || f.filetype == "sql" || f.filetype == "text") &&
        !f.url_private_download.empty()) {
      return &f;
    }
  }
  return nullptr;
}

}  // namespace

Result<SlackMessageIn> ParseSlackMessageEvent(const json& event) {
  if (!event.is_object())
    return MakeError(ErrorCode::kBadEvent, "a Slack event must be a JSON object");
  SlackMessageIn m;
  m.type = JsonString(event, "type");
  if (m.type != "message" && m.type != "app_mention") {
    std::string shown = m.type.size() > 40 ? m.type.substr(0, 40) + "..." : m.type;
    return MakeError(ErrorCode::kBadEvent, "not a message event: \"" + shown + "\"");
  }
  m.channel = JsonString(event, "channel");
  m.user = JsonString(event, "user");
  m.text = JsonString(event, "text");
  m.ts = JsonString(event, "ts");
  m.thread_ts = JsonString(event, "thread_ts");
  m.subtype = JsonString(event, "subtype");
  m.bot_id = JsonString(event, "bot_id");
  auto edited = event.find("edited");
  m.edited = edited != event.end() && edited->is_object();
  auto files = event.find("files");
  if (files != event.end() && files->is_array()) {
    for (const json& f : *files) {
      if (!f.is_object()) continue;
      m.files.push_back({JsonString(f, "id"), JsonString(f, "name"), JsonString(f, "mode"),
                         JsonString(f, "filetype"), JsonString(f, "url_private_download"),
                         Int(f, "size")});
    }
  }
  return m;
}

std::string JsonString(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

SlackCommandText ExtractCommand(const SlackMessageIn& m, const std::string& bot_user_id,
                                const std::set<std::string>& command_words) {
  if (!m.bot_id.empty() || m.subtype == "bot_message" ||
      (!bot_user_id.empty() && m.user == bot_user_id)) {
    return Ignore("bot message");
  }
  if (m.subtype == "message_changed" || m.subtype == "message_deleted") {
    return Ignore("edited or deleted");
  }
  if (!m.subtype.empty() && m.subtype != "file_share" && m.subtype != "thread_broadcast") {
    return Ignore("subtype " + m.subtype);
  }
  if (m.edited) return Ignore("edited");

  const std::string text = UnescapeSlack(m.text);
  std::string_view body = Trim(text);
  bool addressed = false;      // a mention of the bot comes first, or Slack says it is for us
  bool needs_command = false;  // only a command word makes it a command
  if (size_t end = MentionEnd(body, 0, bot_user_id); end != std::string_view::npos) {
    body = AfterMention(body, end);
    addressed = true;
  } else if (m.type == "app_mention") {
    // "thanks <@BOT>!" is not a command; "fyi <@BOT> explain ..." is.
    if (auto rest = AfterAnyMention(body, bot_user_id)) body = *rest;
    addressed = true;
    needs_command = true;
  } else {
    needs_command = true;
  }
  bool in_thread = !m.thread_ts.empty() && m.thread_ts != m.ts;
  if (in_thread && !addressed) return Ignore("thread reply without a mention");

  size_t word_end = 0;
  while (word_end < body.size() && !IsBlank(body[word_end]) && body[word_end] != '`') ++word_end;
  std::string_view word = body.substr(0, word_end);
  bool is_command_word = command_words.count(Lower(word)) > 0;
  if (needs_command && !is_command_word) return Ignore("not a command");

  std::string argument = StripCodeFormatting(body.substr(word_end));
  SlackCommandText out;
  out.intent = SlackIntent::kCommand;
  out.text = std::string(word);
  if (!argument.empty()) out.text += " " + argument;
  if (argument.empty() && is_command_word) {
    if (const SnippetRef* snippet = FindSnippet(m.files)) {
      out.needs_snippet = true;
      out.snippet_url = snippet->url_private_download;
    }
  }
  return out;
}

}  // namespace planbot::slack
