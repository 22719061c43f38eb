// SlackWebClient against FakeSlack when Slack misbehaves: ok:false, 429 with Retry-After, a
// server that hangs, 503, nothing listening; per-channel pacing; the token in no message or log.
#include <doctest/doctest.h>

#include <thread>

#include "adapters/slack/slack_client.h"
#include "tests/support/fake_slack.h"
#include "tests/support/slack_client_testing.h"

namespace planbot::adapters {
namespace {

using namespace slack_testing;
using testing::FakeSlack;

TEST_CASE("slack client: ok:false is slack_error with Slack's error, one warning, no token") {
  FakeSlack fake;
  LogLines log;
  SlackWebClient client(OptionsFor(fake, log));
  fake.FailNext("chat.postMessage", "channel_not_found");

  Result<std::string> ts = client.PostMessage("C404", "", "hello");
  REQUIRE(!ts.ok());
  CHECK(ts.error().code == "slack_error");
  CHECK(ts.error().message.find("channel_not_found") != std::string::npos);
  CHECK(ts.error().message.find(fake.token()) == std::string::npos);
  CHECK(fake.Calls("chat.postMessage").size() == 1);  // not retried
  auto lines = log.lines();
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].rfind("warn ", 0) == 0);
  CHECK(lines[0].find("chat.postMessage") != std::string::npos);
  CHECK(lines[0].find("channel_not_found") != std::string::npos);

  SlackClientOptions wrong = OptionsFor(fake, log);
  wrong.bot_token = "xoxb-wrong-token-1234";
  SlackWebClient impostor(wrong);
  Result<std::string> me = impostor.AuthTest();
  REQUIRE(!me.ok());
  CHECK(me.error().code == "slack_error");
  CHECK(me.error().message.find("invalid_auth") != std::string::npos);
  CHECK(me.error().message.find("xoxb-wrong-token-1234") == std::string::npos);
}

TEST_CASE("slack client: transient ok:false errors are retried") {
  FakeSlack fake;
  LogLines log;
  SlackWebClient client(OptionsFor(fake, log));  // max_retries 2
  fake.FailNext("chat.postMessage", "internal_error", 2);
  CHECK(client.PostMessage("C1", "", "hello").ok());
  CHECK(fake.Calls("chat.postMessage").size() == 3);

  fake.FailNext("chat.update", "service_unavailable", 3);
  Status status = client.UpdateMessage("C1", "1.0", "x");
  REQUIRE(!status.ok());
  CHECK(status.error().code == "slack_unavailable");
  CHECK(fake.Calls("chat.update").size() == 3);
}

TEST_CASE("slack client: HTTP 429 waits Retry-After, then succeeds") {
  FakeSlack fake;
  LogLines log;
  SlackWebClient client(OptionsFor(fake, log));
  fake.RateLimitNext("chat.postMessage", 1);
  const auto start = Clock::now();
  Result<std::string> ts = client.PostMessage("C1", "", "hello");
  const double took = SecondsSince(start);
  REQUIRE(ts.ok());
  CHECK(took >= 0.95);
  CHECK(took < 4.0);
  CHECK(fake.Calls("chat.postMessage").size() == 2);
}

TEST_CASE("slack client: HTTP 429 past max_retries is slack_unavailable") {
  FakeSlack fake;
  LogLines log;
  SlackClientOptions options = OptionsFor(fake, log);
  options.max_retries = 1;
  SlackWebClient client(options);
  fake.RateLimitNext("reactions.add", 1, 5);
  Status status = client.AddReaction("C1", "1.0", "eyes");
  REQUIRE(!status.ok());
  CHECK(status.error().code == "slack_unavailable");
  CHECK(status.error().retry_after == 1);
  CHECK(fake.Calls("reactions.add").size() == 2);
}

TEST_CASE("slack client: a hanging Slack is slack_unavailable within the timeouts") {
  FakeSlack fake;
  LogLines log;
  SlackClientOptions options = OptionsFor(fake, log);
  options.read_timeout = 300ms;
  options.max_retries = 1;
  SlackWebClient client(options);
  fake.set_hang(true);
  const auto start = Clock::now();
  Result<std::string> ts = client.PostMessage("C1", "", "hello");
  const double took = SecondsSince(start);
  REQUIRE(!ts.ok());
  CHECK(ts.error().code == "slack_unavailable");
  CHECK(took >= 0.55);  // two attempts of 300 ms
  CHECK(took < 5.0);
  fake.set_hang(false);
  CHECK(client.PostMessage("C1", "", "hello").ok());
}

TEST_CASE("slack client: 503 and no listener are slack_unavailable") {
  std::string closed_url;
  {
    FakeSlack gone;
    closed_url = gone.url();
  }
  FakeSlack fake;
  LogLines log;
  SlackWebClient client(OptionsFor(fake, log));
  fake.set_down(true);
  Status down = client.PostEphemeral("C1", "U1", "hi");
  REQUIRE(!down.ok());
  CHECK(down.error().code == "slack_unavailable");
  CHECK(down.error().message.find("503") != std::string::npos);
  fake.set_down(false);
  CHECK(client.PostEphemeral("C1", "U1", "hi").ok());

  SlackClientOptions options = OptionsFor(fake, log);
  options.api_url = closed_url;
  SlackWebClient nowhere(options);
  Result<std::string> me = nowhere.AuthTest();
  REQUIRE(!me.ok());
  CHECK(me.error().code == "slack_unavailable");
}

// Posts `count` messages to `channel`; false on any failure.
bool PostMany(SlackWebClient& client, const std::string& channel, int count) {
  bool ok = true;
  for (int i = 0; i < count; ++i) ok = client.PostMessage(channel, "", "m").ok() && ok;
  return ok;
}

TEST_CASE("slack client: one channel is paced, two channels do not wait for each other") {
  FakeSlack fake;
  LogLines log;
  SlackClientOptions options = OptionsFor(fake, log);
  options.channel_interval = 200ms;
  SlackWebClient client(options);

  auto start = Clock::now();
  REQUIRE(PostMany(client, "C1", 3));
  const double one_channel = SecondsSince(start);
  CHECK(one_channel >= 0.39);  // 2 intervals

  // 3 posts to each of two channels at once: about as long as 3 to one channel, where a
  // global pace would take 5 intervals (2.5 times as long).
  start = Clock::now();
  bool ok_a = false, ok_b = false;
  std::thread a([&] { ok_a = PostMany(client, "C2", 3); });
  std::thread b([&] { ok_b = PostMany(client, "C3", 3); });
  a.join();
  b.join();
  const double two_channels = SecondsSince(start);
  CHECK(ok_a);
  CHECK(ok_b);
  CHECK(two_channels >= 0.39);
  CHECK(two_channels < 1.7 * one_channel);

  // Concurrent callers on one channel queue up for their slots too.
  start = Clock::now();
  std::thread c([&] { ok_a = PostMany(client, "C4", 2); });
  std::thread d([&] { ok_b = PostMany(client, "C4", 2); });
  c.join();
  d.join();
  CHECK(SecondsSince(start) >= 0.59);  // 4 messages: 3 intervals
  CHECK(fake.Calls("chat.postMessage").size() == 13);
}

TEST_CASE("slack client: reactions and uploads' reservations are not paced") {
  FakeSlack fake;
  LogLines log;
  SlackClientOptions options = OptionsFor(fake, log);
  options.channel_interval = 1000ms;
  SlackWebClient client(options);
  Result<std::string> ts = client.PostMessage("C1", "", "hi");
  REQUIRE(ts.ok());
  const auto start = Clock::now();
  CHECK(client.AddReaction("C1", *ts, "eyes").ok());
  CHECK(client.RemoveReaction("C1", *ts, "eyes").ok());
  CHECK(SecondsSince(start) < 0.9);
}

TEST_CASE("slack client: the token appears in no log line and no error") {
  FakeSlack fake;
  LogLines log;
  SlackClientOptions options = OptionsFor(fake, log);
  options.max_retries = 1;
  options.read_timeout = 300ms;
  SlackWebClient client(options);
  std::vector<Error> errors;
  fake.FailNext("chat.postMessage", "not_in_channel");
  errors.push_back(client.PostMessage("C1", "", "x").error());
  fake.RateLimitNext("chat.update", 0, 2);
  errors.push_back(client.UpdateMessage("C1", "1.0", "x").error());
  fake.set_down(true);
  errors.push_back(client.AuthTest().error());
  fake.set_down(false);
  fake.set_hang(true);
  errors.push_back(client.PostEphemeral("C1", "U1", "x").error());
  fake.set_hang(false);
  errors.push_back(client.DownloadFile("https://evil.example/" + fake.token(), 10).error());

  const std::string text = log.Text();
  CHECK(text.find("warn") != std::string::npos);
  CHECK(text.find("debug") != std::string::npos);  // retries are logged too
  CHECK(text.find(fake.token()) == std::string::npos);
  CHECK(text.find("xoxb") == std::string::npos);
  for (const Error& error : errors) {
    CAPTURE(error.message);
    CHECK(error.message.find(fake.token()) == std::string::npos);
  }
}

}  // namespace
}  // namespace planbot::adapters
