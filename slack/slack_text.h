// Slack message text → planbot command text (../shared/contracts/slack.md, "Events API").
//
// Slack escapes `&`, `<` and `>` as entities, turns what looks like a URL or an e-mail address
// into `<url|label>` markup, writes mentions as `<@U123>`, and clients may turn quotes into smart
// quotes; users wrap SQL in ``` fences or `backticks`. These functions undo all of that so the
// command grammar (core/command.h) sees what the user typed, and decide which messages are
// addressed to planbot at all (bot messages, edits and thread chatter are not).
//
// Pure functions; no failure modes except ParseSlackMessageEvent's "bad_event"; thread-safe.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace planbot::slack {

// Decodes Slack's text escaping in one pass: `&lt;` `&gt;` `&amp;` (so `&amp;lt;` → `&lt;`);
// links `<http://x.com|x.com>` → label, `<http://x.com>` → the URL, `<mailto:a@b.com|a@b.com>` →
// label; mentions and specials (`<@U123>`, `<#C123|name>`, `<!here>`) are kept as they are.
// Outside straight-quoted literals, smart quotes ‘ ’ ′ become ', “ ” ″ become ", and a
// non-breaking space a space; inside a literal the user typed with straight quotes, those
// characters are kept. Then StripCodeFormatting of the whole text.
std::string UnescapeSlack(std::string_view text);

// Text wrapped in ``` fences (optionally ```sql) → the inner text; text wrapped in single
// backticks → the inner text; anything else is returned trimmed and otherwise unchanged.
std::string StripCodeFormatting(std::string_view text);

// A file attached to a message (a snippet holding the SQL).
struct SnippetRef {
  std::string id, name, mode, filetype, url_private_download;
  int64_t size = 0;
};

// The fields of a `message` or `app_mention` event planbot reads; absent fields are empty.
struct SlackMessageIn {
  std::string type;  // "message" or "app_mention"
  std::string channel, user, text, ts, thread_ts, subtype, bot_id;
  bool edited = false;  // the event carries an "edited" object
  std::vector<SnippetRef> files;
};

// The `event` object of an event_callback envelope. Error "bad_event": not an object, or a type
// other than "message" / "app_mention". Fields of an unexpected JSON type count as absent.
Result<SlackMessageIn> ParseSlackMessageEvent(const nlohmann::json& event);

enum class SlackIntent { kIgnore, kCommand };

struct SlackCommandText {
  SlackIntent intent = SlackIntent::kIgnore;
  std::string text;            // kCommand: "explain select ...", unescaped, without the mention
  std::string ignore_reason;   // kIgnore: "bot message", "edited or deleted", "not a command", ...
  bool needs_snippet = false;  // the SQL is in an attached snippet: download it, append it
  std::string snippet_url;     // its url_private_download
};

// Decides whether `m` is a command for the bot `bot_user_id` and extracts its text.
// Ignored: messages from bots (bot_id, subtype "bot_message", or the bot's own user), edits and
// deletions and every subtype other than "" / "file_share" / "thread_broadcast", edited
// messages, and replies in a thread that do not start with a mention of the bot.
// A command: an `app_mention` event; a message starting with `<@BOT>` (then an optional ':' or
// ','); or a message whose first word (case-insensitive) is in `command_words` (lower-case).
// Code fences or backticks around the argument are removed ("explain ```select 1```" →
// "explain select 1"). When the text is only a command word and a snippet (mode "snippet", or
// filetype "sql" / "text") is attached, needs_snippet is set.
// object[key] when it is a string, else "" (Slack's optional fields).
std::string JsonString(const nlohmann::json& object, const char* key);

SlackCommandText ExtractCommand(const SlackMessageIn& m, const std::string& bot_user_id,
                                const std::set<std::string>& command_words);

}  // namespace planbot::slack
