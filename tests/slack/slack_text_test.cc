// Slack message text → command text, with payloads as Slack sends them.
#include "slack/slack_text.h"

#include <doctest/doctest.h>

using planbot::slack::ExtractCommand;
using planbot::slack::ParseSlackMessageEvent;
using planbot::slack::SlackCommandText;
using planbot::slack::SlackIntent;
using planbot::slack::SlackMessageIn;
using planbot::slack::StripCodeFormatting;
using planbot::slack::UnescapeSlack;

namespace {

const std::string kBot = "U0BOT";
const std::set<std::string> kWords = {"plan",      "explain", "exec", "reset",   "hypo", "activity",
                                      "terminate", "\\d",     "\\dt", "history", "help"};

SlackMessageIn Parse(const std::string& event_json) {
  auto m = ParseSlackMessageEvent(nlohmann::json::parse(event_json));
  REQUIRE(m.ok());
  return *m;
}

SlackCommandText Extract(const std::string& event_json) {
  return ExtractCommand(Parse(event_json), kBot, kWords);
}

std::string CommandOf(const std::string& event_json) {
  SlackCommandText c = Extract(event_json);
  CHECK(c.intent == SlackIntent::kCommand);
  return c.text;
}

// A channel message event with `text` as Slack's JSON carries it.
std::string Message(const std::string& text_json, const std::string& extra = "") {
  return R"({"type":"message","channel":"C024BE91L","user":"U2147483697","ts":"1355517523.000005",)"
         R"("event_ts":"1355517523.000005","channel_type":"channel","text":)" +
         text_json + extra + "}";
}

}  // namespace

TEST_CASE("slack_text: entities decode in one pass") {
  CHECK(UnescapeSlack("a &lt; 5 and b &gt; 2 &amp;&amp; c") == "a < 5 and b > 2 && c");
  CHECK(UnescapeSlack("&amp;lt;") == "&lt;");
  CHECK(UnescapeSlack("&amp;amp;") == "&amp;");
  CHECK(UnescapeSlack("&quot; &nbsp; & &l") == "&quot; &nbsp; & &l");
}

TEST_CASE("slack_text: links become what the user typed; mentions stay") {
  CHECK(UnescapeSlack("see <http://x.com|x.com>") == "see x.com");
  CHECK(UnescapeSlack("see <http://x.com>") == "see http://x.com");
  CHECK(UnescapeSlack("<mailto:a@b.com|a@b.com>") == "a@b.com");
  CHECK(UnescapeSlack("<http://x.com/?a=1&amp;b=2>") == "http://x.com/?a=1&b=2");
  CHECK(UnescapeSlack("hi <@U123> in <#C123|general> <!here>") ==
        "hi <@U123> in <#C123|general> <!here>");
  CHECK(UnescapeSlack("a <b") == "a <b");
}

TEST_CASE("slack_text: smart quotes, primes and no-break spaces outside straight literals") {
  CHECK(UnescapeSlack("where name = \xE2\x80\x98"
                      "bob\xE2\x80\x99") == "where name = 'bob'");
  CHECK(UnescapeSlack("select \xE2\x80\x9C"
                      "Name\xE2\x80\x9D from t") == "select \"Name\" from t");
  CHECK(UnescapeSlack("x = \xE2\x80\xB2"
                      "a\xE2\x80\xB2 or \xE2\x80\xB3"
                      "b\xE2\x80\xB3") == "x = 'a' or \"b\"");
  CHECK(UnescapeSlack("select\xC2\xA0"
                      "1") == "select 1");
  // Typed on purpose inside a straight-quoted literal: kept.
  CHECK(UnescapeSlack("where t = 'it\xE2\x80\x99s\xC2\xA0ok' and u = \xE2\x80\x98x\xE2\x80\x99") ==
        "where t = 'it\xE2\x80\x99s\xC2\xA0ok' and u = 'x'");
  CHECK(UnescapeSlack("where \"a\xE2\x80\x9D\" = 1") == "where \"a\xE2\x80\x9D\" = 1");
}

TEST_CASE("slack_text: code fences and backticks") {
  CHECK(UnescapeSlack("```select 1```") == "select 1");
  CHECK(UnescapeSlack("```sql\nselect *\nfrom t\n```") == "select *\nfrom t");
  CHECK(StripCodeFormatting("```\nselect 1\n```") == "select 1");
  CHECK(StripCodeFormatting("```SQL\nselect 1```") == "select 1");
  CHECK(StripCodeFormatting("```sql select 1```") == "select 1");
  CHECK(StripCodeFormatting("`select 1`") == "select 1");
  CHECK(StripCodeFormatting("  select 1 ") == "select 1");
  CHECK(StripCodeFormatting("select `a` from t") == "select `a` from t");
  CHECK(StripCodeFormatting("```a``` and ```b```") == "```a``` and ```b```");
  CHECK(StripCodeFormatting("``") == "");
}

TEST_CASE("slack_text: parsing a message event") {
  SlackMessageIn m = Parse(Message(
      R"("explain select 1")", R"(,"thread_ts":"1355517500.000001","files":[{"id":"F1",)"
                               R"("name":"q.sql","mode":"snippet","filetype":"sql","size":42,)"
                               R"("url_private_download":"https://files.slack.com/x/q.sql"}])"));
  CHECK(m.type == "message");
  CHECK(m.channel == "C024BE91L");
  CHECK(m.user == "U2147483697");
  CHECK(m.ts == "1355517523.000005");
  CHECK(m.thread_ts == "1355517500.000001");
  CHECK(m.text == "explain select 1");
  CHECK_FALSE(m.edited);
  REQUIRE(m.files.size() == 1);
  CHECK(m.files[0].id == "F1");
  CHECK(m.files[0].size == 42);
  CHECK(m.files[0].url_private_download == "https://files.slack.com/x/q.sql");

  CHECK_FALSE(ParseSlackMessageEvent(nlohmann::json::array()).ok());
  auto other = ParseSlackMessageEvent(nlohmann::json{{"type", "reaction_added"}});
  REQUIRE_FALSE(other.ok());
  CHECK(other.error().code == "bad_event");
  // Unexpected JSON types count as absent instead of throwing.
  auto odd = ParseSlackMessageEvent(
      nlohmann::json{{"type", "message"}, {"text", 5}, {"files", "x"}, {"edited", true}});
  REQUIRE(odd.ok());
  CHECK(odd->text.empty());
  CHECK_FALSE(odd->edited);
}

TEST_CASE("slack_text: commands as Slack delivers them") {
  CHECK(CommandOf(
            Message(R"("explain select * from t where a &gt; 5 and b &lt;&gt; 'x &amp; y'")")) ==
        "explain select * from t where a > 5 and b <> 'x & y'");
  CHECK(CommandOf(Message(R"("Explain select 1")")) == "Explain select 1");
  CHECK(CommandOf(Message(
            R"("plan select * from sites where url = '<http://example.com|example.com>'")")) ==
        "plan select * from sites where url = 'example.com'");
  CHECK(
      CommandOf(Message(
          R"("plan select * from users where email = '<mailto:bob@example.com|bob@example.com>'")")) ==
      "plan select * from users where email = 'bob@example.com'");
  CHECK(CommandOf(Message("\"explain select * from users where name = \\u2018bob\\u2019\"")) ==
        "explain select * from users where name = 'bob'");
  CHECK(CommandOf(Message(R"("explain ```sql\nselect *\nfrom t\nwhere a &lt; 5\n```")")) ==
        "explain select *\nfrom t\nwhere a < 5");
  CHECK(CommandOf(Message(R"("explain\n```select 1```")")) == "explain select 1");
  CHECK(CommandOf(Message(R"("explain ```select 1```")")) == "explain select 1");
  CHECK(CommandOf(Message(R"("explain `select 1`")")) == "explain select 1");
  CHECK(CommandOf(Message(R"("explain```select 1```")")) == "explain select 1");
  CHECK(CommandOf(Message(R"("plan select '&amp;lt;b&amp;gt;' || x")")) ==
        "plan select '&lt;b&gt;' || x");
  CHECK(CommandOf(Message(R"("reset")")) == "reset");
  CHECK(CommandOf(Message(R"("\\dt orders")")) == "\\dt orders");
}

TEST_CASE("slack_text: mentions of the bot") {
  CHECK(CommandOf(Message(R"("<@U0BOT> explain select 1")")) == "explain select 1");
  CHECK(CommandOf(Message(R"("<@U0BOT>: explain select 1")")) == "explain select 1");
  CHECK(CommandOf(Message(R"("<@U0BOT>, plan select 1")")) == "plan select 1");
  CHECK(CommandOf(Message("\"<@U0BOT>\\u00a0explain select 1\"")) == "explain select 1");
  CHECK(CommandOf(Message(R"("<@U0BOT|planbot> help")")) == "help");
  // Addressed to the bot: even an unknown word is a command (the answer lists the commands).
  CHECK(CommandOf(Message(R"("<@U0BOT> what can you do")")) == "what can you do");
  // A mention of someone else is not for the bot.
  CHECK(Extract(Message(R"("<@U999> explain select 1")")).intent == SlackIntent::kIgnore);
  CHECK(Extract(Message(R"("<@U0BOTX> explain select 1")")).intent == SlackIntent::kIgnore);

  std::string mention = R"({"type":"app_mention","user":"U2147483697","channel":"C1","ts":"1.2",)"
                        R"("text":"<@U0BOT> explain select 1 where 2 &gt; 1"})";
  CHECK(CommandOf(mention) == "explain select 1 where 2 > 1");
  std::string later = R"({"type":"app_mention","user":"U1","channel":"C1","ts":"1.2",)"
                      R"("text":"fyi <@U0BOT> plan select 1"})";
  CHECK(CommandOf(later) == "plan select 1");
  std::string thanks = R"({"type":"app_mention","user":"U1","channel":"C1","ts":"1.2",)"
                       R"("text":"thanks <@U0BOT>!"})";
  CHECK(Extract(thanks).ignore_reason == "not a command");
}

TEST_CASE("slack_text: what is not a command") {
  SlackCommandText chat = Extract(Message(R"("explaining things is hard")"));
  CHECK(chat.intent == SlackIntent::kIgnore);
  CHECK(chat.ignore_reason == "not a command");
  CHECK(Extract(Message(R"("")")).intent == SlackIntent::kIgnore);

  CHECK(Extract(Message(R"("explain select 1")", R"(,"bot_id":"B1")")).ignore_reason ==
        "bot message");
  CHECK(Extract(Message(R"("explain select 1")", R"(,"subtype":"bot_message")")).ignore_reason ==
        "bot message");
  SlackMessageIn own = Parse(Message(R"("explain select 1")"));
  own.user = kBot;
  CHECK(ExtractCommand(own, kBot, kWords).ignore_reason == "bot message");

  CHECK(Extract(R"({"type":"message","subtype":"message_changed","channel":"C1","ts":"2.0",)"
                R"("message":{"user":"U1","text":"explain select 2","ts":"1.0"}})")
            .ignore_reason == "edited or deleted");
  CHECK(Extract(R"({"type":"message","subtype":"message_deleted","channel":"C1","ts":"2.0"})")
            .ignore_reason == "edited or deleted");
  CHECK(Extract(Message(R"("explain select 1")", R"(,"subtype":"channel_join")")).intent ==
        SlackIntent::kIgnore);
  CHECK(Extract(Message(R"("explain select 1")", R"(,"edited":{"user":"U1","ts":"2.0"})")).intent ==
        SlackIntent::kIgnore);
  CHECK(CommandOf(Message(R"("explain select 1")", R"(,"subtype":"thread_broadcast",)"
                                                   R"("thread_ts":"1355517523.000005")")) ==
        "explain select 1");
}

TEST_CASE("slack_text: thread replies need a leading mention") {
  std::string reply = R"(,"thread_ts":"1355517000.000001")";
  CHECK(Extract(Message(R"("explain select 1")", reply)).ignore_reason ==
        "thread reply without a mention");
  CHECK(CommandOf(Message(R"("<@U0BOT> explain select 1")", reply)) == "explain select 1");
  // The thread's parent itself (thread_ts == ts) is not a reply.
  CHECK(CommandOf(Message(R"("explain select 1")", R"(,"thread_ts":"1355517523.000005")")) ==
        "explain select 1");
}

TEST_CASE("slack_text: SQL in an attached snippet") {
  std::string snippet =
      R"(,"subtype":"file_share","files":[{"id":"F0S","name":"query.sql","mode":"snippet",)"
      R"("filetype":"sql","size":120,"url_private_download":"https://files.slack.com/files-pri/T1-F0S/download/query.sql"}])";
  for (const std::string text : {R"("explain")", R"("<@U0BOT> explain")", R"("Explain ")"}) {
    CAPTURE(text);
    SlackCommandText c = Extract(Message(text, snippet));
    CHECK(c.intent == SlackIntent::kCommand);
    CHECK(c.needs_snippet);
    CHECK(c.snippet_url == "https://files.slack.com/files-pri/T1-F0S/download/query.sql");
  }
  SlackCommandText inline_sql = Extract(Message(R"("explain select 1")", snippet));
  CHECK(inline_sql.text == "explain select 1");
  CHECK_FALSE(inline_sql.needs_snippet);
  std::string image =
      R"(,"subtype":"file_share","files":[{"id":"F1","mode":"hosted",)"
      R"("filetype":"png","url_private_download":"https://files.slack.com/a.png"}])";
  CHECK_FALSE(Extract(Message(R"("explain")", image)).needs_snippet);
  CHECK(Extract(Message(R"("just a file")", snippet)).intent == SlackIntent::kIgnore);
}
