// Slack end to end: signed requests to the real HTTP server on loopback, SlackBot, the real
// service with local clones on the test PostgreSQL, the real Web API client against FakeSlack
// (tests/support/fake_slack.h). Assertions are on what Slack's users would see: reactions,
// thread replies, files, ephemeral refusals — and on history and audit.
#include <doctest/doctest.h>
#include <openssl/hmac.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "adapters/http/http_slack.h"
#include "adapters/slack/slack_client.h"
#include "slack/slack_bot.h"
#include "tests/support/fake_slack.h"
#include "tests/support/pg_test_env.h"
#include "tests/support/service_stack.h"

using nlohmann::json;
using namespace planbot;

namespace {

constexpr char kSecret[] = "test-signing-secret-0123456789abcdef";
constexpr char kChannel[] = "C0SHOP";
constexpr char kAdmin[] = "U0ADMIN";
constexpr char kUser[] = "U0ANA";
constexpr char kBot[] = "U0BOT";

std::string Hex(const unsigned char* data, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 15];
  }
  return out;
}

std::string Sign(const std::string& secret, const std::string& ts, const std::string& body) {
  const std::string base = "v0:" + ts + ":" + body;
  unsigned char mac[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(base.data()), base.size(), mac, &len);
  return "v0=" + Hex(mac, len);
}

std::string Now(int offset_s = 0) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count() +
                        offset_s);
}

json MessageEvent(const std::string& event_id, const std::string& text,
                  const std::string& channel = kChannel, const std::string& user = kUser,
                  const std::string& ts = "1700000001.000100") {
  return {{"token", "unused"},
          {"team_id", "T0TEAM"},
          {"api_app_id", "A0APP"},
          {"type", "event_callback"},
          {"event_id", event_id},
          {"event_time", 1700000001},
          {"authorizations", json::array({{{"user_id", kBot}, {"is_bot", true}}})},
          {"event",
           {{"type", "message"},
            {"channel", channel},
            {"user", user},
            {"text", text},
            {"ts", ts},
            {"channel_type", "channel"}}}};
}

struct SlackRig {
  explicit SlackRig(std::chrono::milliseconds progress = std::chrono::milliseconds(10000)) {
    adapters::SlackClientOptions client_options;
    client_options.api_url = fake.url();
    client_options.bot_token = fake.token();
    client_options.channel_interval = std::chrono::milliseconds(0);
    client_options.extra_allowed_hosts = {fake.host()};
    client_options.read_timeout = std::chrono::milliseconds(2000);
    client_options.max_retries = 1;
    client_logger = Logger(
        [this](const LogRecord& record) {
          std::lock_guard<std::mutex> guard(log_mu);
          log_lines.push_back(record.Line());
        },
        LogLevel::kInfo, "slack");
    client_options.logger = client_logger;
    client = std::make_unique<adapters::SlackWebClient>(client_options);
    slack::SlackBotOptions bot_options;
    bot_options.config.enabled = true;
    bot_options.config.channels = {{kChannel, "shop"}};
    bot_options.config.admins = {kAdmin};
    bot_options.progress_interval = progress;
    testing::StackOptions options;
    options.before_serve = [this, bot_options](testing::ServiceStack& s) mutable {
      bot_options.telemetry = s.telemetry.get();
      bot = std::make_unique<slack::SlackBot>(bot_options, client.get(), s.store.get(),
                                              s.service.get(), client_logger);
      adapters::InstallSlackRoutes(*s.http, bot.get(), s.service.get(),
                                   {kSecret, 1 << 20, s.telemetry.get()});
      bot->Start();
    };
    stack = std::make_unique<testing::ServiceStack>(options);
  }
  ~SlackRig() {
    stack->http->Stop();
    stack->service->Shutdown();
    bot.reset();
  }

  httplib::Result Send(const std::string& path, const std::string& body,
                       const std::string& content_type, const std::string& ts,
                       const std::string& signature, int retry = 0) {
    httplib::Client http("127.0.0.1", stack->http->port());
    httplib::Headers headers = {{"X-Slack-Request-Timestamp", ts},
                                {"X-Slack-Signature", signature}};
    if (retry > 0) {
      headers.emplace("X-Slack-Retry-Num", std::to_string(retry));
      headers.emplace("X-Slack-Retry-Reason", "http_timeout");
    }
    return http.Post(path.c_str(), headers, body, content_type.c_str());
  }
  httplib::Result Event(const json& event, int retry = 0) {
    const std::string body = event.dump();
    const std::string ts = Now();
    return Send("/slack/events", body, "application/json", ts, Sign(kSecret, ts, body), retry);
  }
  int HistoryRows() {
    auto rows = stack->store->ListHistory(storage::HistoryQuery{});
    REQUIRE(rows.ok());
    return static_cast<int>(rows->size());
  }

  std::vector<std::string> Lines() {
    std::lock_guard<std::mutex> guard(log_mu);
    return log_lines;
  }

  std::mutex log_mu;
  std::vector<std::string> log_lines;
  Logger client_logger;
  testing::FakeSlack fake;
  std::unique_ptr<adapters::SlackWebClient> client;
  std::unique_ptr<slack::SlackBot> bot;
  std::unique_ptr<testing::ServiceStack> stack;
};

// Web API calls other than the auth.test SlackBot makes at start.
size_t CallsAfterStart(testing::FakeSlack& fake) {
  size_t n = 0;
  for (const auto& call : fake.calls()) n += call.method != "auth.test";
  return n;
}

bool Reacted(testing::FakeSlack& fake, const std::string& name) {
  for (const auto& call : fake.Calls("reactions.add")) {
    if (call.args.value("name", "") == name) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("slack: a signed message is acknowledged at once and answered in its thread") {
  SlackRig rig;
  const auto start = std::chrono::steady_clock::now();
  auto res = rig.Event(MessageEvent("Ev0001", "explain select * from orders where id &gt; 990"));
  const auto ack = std::chrono::steady_clock::now() - start;
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(ack < std::chrono::seconds(3));
  REQUIRE(rig.fake.WaitFor("reactions.add", 2, std::chrono::seconds(30)));
  CHECK(Reacted(rig.fake, "hourglass_flowing_sand"));
  CHECK(Reacted(rig.fake, "white_check_mark"));
  auto posts = rig.fake.Calls("chat.postMessage");
  REQUIRE(posts.size() == 1);
  CHECK(posts[0].args["channel"] == kChannel);
  CHECK(posts[0].args["thread_ts"] == "1700000001.000100");
  auto updates = rig.fake.Calls("chat.update");
  REQUIRE(!updates.empty());
  const std::string answer = updates.back().args["text"].get<std::string>();
  CHECK(answer.find("```") != std::string::npos);
  CHECK_MESSAGE(answer.find("on public.orders") != std::string::npos, answer);
  CHECK(answer.find("actual time=") != std::string::npos);
  CHECK(answer.find("&gt; 990") != std::string::npos);  // escaped again for Slack
  CHECK(rig.HistoryRows() == 1);
  // /metrics counts the acknowledgement, the command and the delivered answer.
  const std::string metrics = rig.stack->telemetry->Render({});
  CHECK(metrics.find("planbot_slack_ack_duration_seconds_count{endpoint=\"events\"} 1\n") !=
        std::string::npos);
  CHECK(metrics.find("planbot_commands_total{channel=\"slack\",command=\"explain\",outcome=\"ok\"} "
                     "1\n") != std::string::npos);
  CHECK(metrics.find("planbot_slack_deliveries_total{outcome=\"ok\"} 1\n") != std::string::npos);
}

TEST_CASE("slack: a long plan comes as a preview and the whole plan as files in the thread") {
  SlackRig rig;
  std::string sql = "explain select id from orders where amount &gt; 1";
  for (int i = 2; i < 25; ++i) {
    sql += " union all select id from orders where amount &gt; " + std::to_string(i);
  }
  REQUIRE(rig.Event(MessageEvent("Ev0002", sql))->status == 200);
  REQUIRE(rig.fake.WaitFor("files.completeUploadExternal", 1, std::chrono::seconds(60)));
  auto complete = rig.fake.Calls("files.completeUploadExternal");
  CHECK(complete[0].args["channel_id"] == kChannel);
  CHECK(complete[0].args["thread_ts"] == "1700000001.000100");
  CHECK(complete[0].args["files"].size() == 2);
  const std::string text = rig.fake.Calls("chat.update").back().args["text"].get<std::string>();
  CHECK(text.find("more lines") != std::string::npos);
}

TEST_CASE("slack: forged, stale and future-dated requests get an empty 401 and an audit entry") {
  SlackRig rig;
  const std::string body = MessageEvent("Ev0003", "plan select 1").dump();
  const std::string ts = Now();
  struct Case {
    std::string ts, signature, body;
  };
  for (const Case& c : {
           Case{ts, Sign("another-secret", ts, body), body},
           Case{ts, Sign(kSecret, ts, body), body + " "},
           Case{ts, "", body},
           Case{Now(-400), Sign(kSecret, Now(-400), body), body},
           Case{Now(+400), Sign(kSecret, Now(+400), body), body},  // clear of the 300 s edge
           Case{"", Sign(kSecret, "", body), body},
       }) {
    auto res = rig.Send("/slack/events", c.body, "application/json", c.ts, c.signature);
    REQUIRE(res);
    CHECK_MESSAGE(res->status == 401, c.ts << " " << c.signature << " " << c.body.size());
    CHECK(res->body.empty());
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(CallsAfterStart(rig.fake) == 0);
  CHECK(rig.HistoryRows() == 0);
  auto audit = rig.stack->store->ListAudit(50, std::nullopt);
  REQUIRE(audit.ok());
  int failures = 0;
  for (const auto& a : *audit) {
    if (a.action == "auth_failure" && a.channel == "slack") ++failures;
    CHECK(a.details.find(Sign(kSecret, ts, body).substr(3)) == std::string::npos);
  }
  CHECK(failures == 6);
  CHECK(rig.stack->telemetry->Render({}).find(
            "planbot_auth_failures_total{channel=\"slack\"} 6\n") != std::string::npos);
}

TEST_CASE("slack: the same event delivered four times runs once; a retry never recorded runs") {
  SlackRig rig;
  const json event = MessageEvent("Ev0004", "plan select * from customers where id = 1");
  for (int retry = 0; retry < 4; ++retry) CHECK(rig.Event(event, retry)->status == 200);
  REQUIRE(rig.fake.WaitFor("reactions.add", 2, std::chrono::seconds(30)));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  CHECK(rig.HistoryRows() == 1);
  CHECK(rig.fake.Calls("chat.postMessage").size() == 1);

  // A first delivery that arrives as retry 2 (planbot was down for the first ones) is processed.
  CHECK(rig.Event(MessageEvent("Ev0005", "plan select 2", kChannel, kUser, "1700000002.000200"), 2)
            ->status == 200);
  REQUIRE(rig.fake.WaitFor("reactions.add", 4, std::chrono::seconds(30)));
  CHECK(rig.HistoryRows() == 2);
}

TEST_CASE("slack: url_verification, ssl_check, and messages that are not commands") {
  SlackRig rig;
  const std::string body =
      R"({"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"})";
  const std::string ts = Now();
  auto res = rig.Send("/slack/events", body, "application/json", ts, Sign(kSecret, ts, body));
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body.find("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P") !=
        std::string::npos);

  const std::string form = "ssl_check=1&token=x";
  res = rig.Send("/slack/commands", form, "application/x-www-form-urlencoded", ts,
                 Sign(kSecret, ts, form));
  REQUIRE(res);
  CHECK(res->status == 200);

  CHECK(rig.Event(MessageEvent("Ev0006", "good morning, planbot"))->status == 200);
  json from_bot = MessageEvent("Ev0007", "plan select 1");
  from_bot["event"]["bot_id"] = "B0OTHER";
  CHECK(rig.Event(from_bot)->status == 200);
  const std::string bad = "{not json";
  res = rig.Send("/slack/events", bad, "application/json", ts, Sign(kSecret, ts, bad));
  REQUIRE(res);
  CHECK(res->status == 400);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  CHECK(CallsAfterStart(rig.fake) == 0);
  CHECK(rig.HistoryRows() == 0);
}

TEST_CASE("slack: a channel not in the config and a non-admin purge are refused politely") {
  SlackRig rig;
  CHECK(rig.Event(MessageEvent("Ev0008", "plan select 1", "C0OTHER"))->status == 200);
  REQUIRE(rig.fake.WaitFor("chat.postEphemeral", 1, std::chrono::seconds(10)));
  auto refusal = rig.fake.Calls("chat.postEphemeral")[0].args;
  CHECK(refusal["user"] == kUser);
  CHECK(refusal["text"].get<std::string>().find("not connected to a database") !=
        std::string::npos);

  CHECK(rig.Event(MessageEvent("Ev0009", "purge --all"))->status == 200);
  REQUIRE(rig.fake.WaitFor("chat.postEphemeral", 2, std::chrono::seconds(10)));
  CHECK(rig.fake.Calls("chat.postEphemeral")[1].args["text"].get<std::string>().find("admins") !=
        std::string::npos);
  CHECK(rig.fake.Calls("chat.postMessage").empty());
  CHECK(rig.HistoryRows() == 0);
  auto audit = rig.stack->store->ListAudit(50, std::nullopt);
  REQUIRE(audit.ok());
  int refusals = 0;
  for (const auto& a : *audit) refusals += a.action == "refusal" && a.actor == kUser;
  CHECK(refusals == 2);
}

TEST_CASE("slack: history shows the user's own entries; an admin purges them from the channel") {
  SlackRig rig;
  auto answer_of = [&](const json& event, size_t nth) {
    REQUIRE(rig.Event(event)->status == 200);
    for (int i = 0; i < 300 && rig.fake.Calls("chat.update").size() < nth; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    auto updates = rig.fake.Calls("chat.update");
    REQUIRE(updates.size() >= nth);
    return updates[nth - 1].args["text"].get<std::string>();
  };
  answer_of(MessageEvent("Ev0020", "plan select * from orders where id = 7", kChannel, kUser,
                         "1700000020.000100"),
            1);
  std::string history =
      answer_of(MessageEvent("Ev0021", "history", kChannel, kUser, "1700000021.000100"), 2);
  CHECK_MESSAGE(history.find("select * from orders where id = $1") != std::string::npos, history);
  std::string admin_history =
      answer_of(MessageEvent("Ev0022", "history", kChannel, kAdmin, "1700000022.000100"), 3);
  CHECK(admin_history.find("no history entries yet") != std::string::npos);  // only their own
  std::string purged = answer_of(
      MessageEvent("Ev0023", "purge --user U0ANA", kChannel, kAdmin, "1700000023.000100"), 4);
  CHECK_MESSAGE(purged.find("purged 1 history entry") != std::string::npos, purged);
  CHECK(rig.HistoryRows() == 0);
  auto audit = rig.stack->store->ListAudit(1, std::nullopt);
  REQUIRE(audit.ok());
  CHECK(audit->front().action == "purge");
  CHECK(audit->front().actor == kAdmin);
  CHECK(audit->front().channel == "slack");
}

TEST_CASE("slack: a slash command answers through response_url; its errors are ephemeral") {
  SlackRig rig;
  const std::string response = rig.fake.url() + "/response/T0/1/abc";
  auto command = [&](const std::string& text) {
    httplib::Params params = {{"token", "x"},
                              {"team_id", "T0TEAM"},
                              {"channel_id", kChannel},
                              {"user_id", kUser},
                              {"command", "/planbot"},
                              {"text", text},
                              {"response_url", response},
                              {"trigger_id", "1.2.3"}};
    const std::string form = httplib::detail::params_to_query_str(params);
    const std::string ts = Now();
    return rig.Send("/slack/commands", form, "application/x-www-form-urlencoded", ts,
                    Sign(kSecret, ts, form));
  };
  auto res = command("plan select * from customers where id &lt; 5");
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(json::parse(res->body)["response_type"] == "ephemeral");
  REQUIRE(rig.fake.WaitFor("response", 1, std::chrono::seconds(30)));
  auto answered = rig.fake.Calls("response")[0].args;
  CHECK_MESSAGE(answered["text"].get<std::string>().find("Filter: (customers.id &lt; 5)") !=
                    std::string::npos,
                answered.dump());

  res = command("plan selec 1");
  REQUIRE(res);
  CHECK(res->status == 200);  // errors are messages, not HTTP errors
  REQUIRE(rig.fake.WaitFor("response", 2, std::chrono::seconds(30)));
  auto failed = rig.fake.Calls("response")[1].args;
  CHECK(failed["response_type"] == "ephemeral");
  CHECK(failed["text"].get<std::string>().find("syntax error") != std::string::npos);
}

TEST_CASE("slack: Slack down while replying: the result is in the history, the failure logged") {
  SlackRig rig;
  rig.fake.set_down(true);
  CHECK(rig.Event(MessageEvent("Ev0010", "plan select * from orders where id = 3"))->status == 200);
  for (int i = 0; i < 200 && rig.HistoryRows() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(rig.HistoryRows() == 1);
  for (int i = 0; i < 200 && rig.bot->pending() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  bool logged = false;
  for (const std::string& line : rig.Lines()) {
    if (line.find("chat.") != std::string::npos || line.find("reactions.") != std::string::npos) {
      logged = true;
    }
    CHECK(line.find(rig.fake.token()) == std::string::npos);
  }
  CHECK(logged);
}

TEST_CASE("slack: a long command gets 'still running' updates") {
  SlackRig rig(std::chrono::milliseconds(300));
  CHECK(rig.Event(MessageEvent("Ev0011", "explain select pg_sleep(1.5)"))->status == 200);
  REQUIRE(rig.fake.WaitFor("reactions.add", 2, std::chrono::seconds(30)));
  auto updates = rig.fake.Calls("chat.update");
  REQUIRE(updates.size() >= 2);
  CHECK(updates.front().args["text"].get<std::string>().find("still running") != std::string::npos);
  CHECK(updates.back().args["text"].get<std::string>().find("pg_sleep") != std::string::npos);
}
