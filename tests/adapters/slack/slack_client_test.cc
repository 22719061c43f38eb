// SlackWebClient against FakeSlack: what each method sends (method, arguments, Bearer token,
// content type) and what it returns; uploads end to end; response_url and file downloads, with
// the hosts they refuse.
#include "adapters/slack/slack_client.h"

#include <doctest/doctest.h>

#include "tests/support/fake_slack.h"
#include "tests/support/slack_client_testing.h"

namespace planbot::adapters {
namespace {

using namespace slack_testing;
using testing::FakeSlack;

TEST_CASE("slack client: auth.test and messages send their arguments with the bearer token") {
  FakeSlack fake;
  LogLines log;
  SlackWebClient client(OptionsFor(fake, log));

  Result<std::string> me = client.AuthTest();
  REQUIRE(me.ok());
  CHECK(*me == "U0BOT");

  Result<std::string> ts = client.PostMessage("C1", "", "*hello*");
  REQUIRE(ts.ok());
  CHECK(*ts == "1700000000.000100");
  Result<std::string> reply = client.PostMessage("C1", *ts, "in the thread");
  REQUIRE(reply.ok());
  CHECK(*reply == "1700000000.000200");
  REQUIRE(client.UpdateMessage("C1", *ts, "*hello again*").ok());
  REQUIRE(client.PostEphemeral("C1", "U42", "only for you").ok());

  auto posts = fake.Calls("chat.postMessage");
  REQUIRE(posts.size() == 2);
  CHECK(posts[0].args == nlohmann::json{{"channel", "C1"}, {"text", "*hello*"}});
  CHECK(posts[1].args ==
        nlohmann::json{{"channel", "C1"}, {"thread_ts", *ts}, {"text", "in the thread"}});
  auto updates = fake.Calls("chat.update");
  REQUIRE(updates.size() == 1);
  CHECK(updates[0].args ==
        nlohmann::json{{"channel", "C1"}, {"ts", *ts}, {"text", "*hello again*"}});
  auto ephemeral = fake.Calls("chat.postEphemeral");
  REQUIRE(ephemeral.size() == 1);
  CHECK(ephemeral[0].args ==
        nlohmann::json{{"channel", "C1"}, {"user", "U42"}, {"text", "only for you"}});
  for (const FakeSlack::Call& call : fake.calls()) {
    CAPTURE(call.method);
    CHECK(call.authorization == "Bearer " + fake.token());
    CHECK(call.content_type == "application/json; charset=utf-8");
  }
  auto messages = fake.messages();
  CHECK(messages.at(*ts).text == "*hello again*");
  CHECK(messages.at(*reply).thread_ts == *ts);
}

TEST_CASE("slack client: reactions, already_reacted and no_reaction count as success") {
  FakeSlack fake;
  LogLines log;
  SlackWebClient client(OptionsFor(fake, log));
  Result<std::string> ts = client.PostMessage("C1", "", "explain");
  REQUIRE(ts.ok());

  CHECK(client.AddReaction("C1", *ts, "hourglass_flowing_sand").ok());
  CHECK(client.AddReaction("C1", *ts, "hourglass_flowing_sand").ok());  // already_reacted
  CHECK(client.RemoveReaction("C1", *ts, "hourglass_flowing_sand").ok());
  CHECK(client.RemoveReaction("C1", *ts, "hourglass_flowing_sand").ok());  // no_reaction
  auto adds = fake.Calls("reactions.add");
  REQUIRE(adds.size() == 2);
  CHECK(adds[0].args ==
        nlohmann::json{{"channel", "C1"}, {"timestamp", *ts}, {"name", "hourglass_flowing_sand"}});
  CHECK(fake.Calls("reactions.remove").size() == 2);
  CHECK(log.Text().find("warn") == std::string::npos);

  Status missing = client.AddReaction("C1", "1.000000", "x");
  REQUIRE(!missing.ok());
  CHECK(missing.error().code == "slack_error");
  CHECK(missing.error().message.find("message_not_found") != std::string::npos);
}

TEST_CASE("slack client: UploadFiles reserves, uploads the bytes, completes into the thread") {
  FakeSlack fake;
  LogLines log;
  SlackWebClient client(OptionsFor(fake, log));
  Result<std::string> thread = client.PostMessage("C7", "", "plan below");
  REQUIRE(thread.ok());
  const std::string binary("a\0b\xff\n", 5);
  std::vector<slack::SlackFile> files = {{"plan-42.txt", "Plan 42", "Seq Scan on t\n"},
                                         {"raw.bin", "", binary}};

  REQUIRE(client.UploadFiles("C7", *thread, files).ok());

  auto reserves = fake.Calls("files.getUploadURLExternal");
  REQUIRE(reserves.size() == 2);
  CHECK(reserves[0].args == nlohmann::json{{"filename", "plan-42.txt"}, {"length", "14"}});
  CHECK(reserves[1].args == nlohmann::json{{"filename", "raw.bin"}, {"length", "5"}});
  CHECK(reserves[0].authorization == "Bearer " + fake.token());
  auto uploads = fake.Calls("upload");
  REQUIRE(uploads.size() == 2);
  for (const FakeSlack::Call& upload : uploads) CHECK(upload.authorization.empty());
  auto completes = fake.Calls("files.completeUploadExternal");
  REQUIRE(completes.size() == 1);
  const nlohmann::json& args = completes[0].args;
  CHECK(args["channel_id"] == "C7");
  CHECK(args["thread_ts"] == *thread);
  REQUIRE(args["files"].size() == 2);
  CHECK(args["files"][1]["title"] == "raw.bin");  // no title: the file name

  for (size_t i = 0; i < 2; ++i) {
    const std::string id = args["files"][i]["id"];
    CHECK(id == uploads[i].args["file_id"]);
    std::optional<FakeSlack::UploadedFile> file = fake.Uploaded(id);
    REQUIRE(file.has_value());
    CHECK(file->bytes == files[i].content);
    CHECK(file->completed);
    CHECK(file->channel_id == "C7");
    CHECK(file->thread_ts == *thread);
  }
  CHECK(fake.Uploaded(args["files"][0]["id"])->title == "Plan 42");
}

TEST_CASE("slack client: a failed upload step stops before completeUploadExternal") {
  FakeSlack fake;
  LogLines log;
  SlackWebClient client(OptionsFor(fake, log));
  fake.FailNext("files.getUploadURLExternal", "invalid_arguments");
  Status status = client.UploadFiles("C7", "", {{"a.txt", "A", "a"}});
  REQUIRE(!status.ok());
  CHECK(status.error().code == "slack_error");
  CHECK(status.error().message.find("invalid_arguments") != std::string::npos);
  CHECK(fake.Calls("upload").empty());
  CHECK(fake.Calls("files.completeUploadExternal").empty());
  CHECK(client.UploadFiles("C7", "", {}).ok());
}

TEST_CASE("slack client: Respond posts to an allowed response_url and refuses other hosts") {
  FakeSlack fake;
  LogLines log;
  SlackWebClient client(OptionsFor(fake, log));
  const std::string hook = fake.url() + "/response/T1/397700885554/96rGlfmibIGlgcZRskXaIFfN";

  REQUIRE(client.Respond(hook, "working on it", /*ephemeral=*/true).ok());
  REQUIRE(client.Respond(hook, "done", /*ephemeral=*/false).ok());
  auto responses = fake.Calls("response");
  REQUIRE(responses.size() == 2);
  CHECK(responses[0].args ==
        nlohmann::json{{"response_type", "ephemeral"}, {"text", "working on it"}});
  CHECK(responses[1].args == nlohmann::json{{"response_type", "in_channel"}, {"text", "done"}});
  CHECK(responses[0].authorization.empty());  // the token stays with the API
  CHECK(log.Text().find("96rGlfmibIGlgcZRskXaIFfN") == std::string::npos);

  for (const std::string& url :
       {std::string("https://evil.example/commands/T1/1/x"),
        std::string("http://hooks.slack.com/commands/T1/1/x"),
        std::string("https://hooks.slack.com.evil.example/commands/x"),
        std::string("https://user@hooks.slack.com/commands/x"), std::string("not a url")}) {
    CAPTURE(url);
    Status refused = client.Respond(url, "hi", true);
    REQUIRE(!refused.ok());
    CHECK(refused.error().code == "refused");
  }
  CHECK(fake.calls().size() == 2);
}

TEST_CASE("slack client: DownloadFile with the token, refused hosts and too_large") {
  FakeSlack fake;
  LogLines log;
  SlackWebClient client(OptionsFor(fake, log));
  const std::string url = fake.ServeFile("snippet.sql", "select 1;");

  Result<std::string> body = client.DownloadFile(url, 1024);
  REQUIRE(body.ok());
  CHECK(*body == "select 1;");
  auto downloads = fake.Calls("download");
  REQUIRE(downloads.size() == 1);
  CHECK(downloads[0].authorization == "Bearer " + fake.token());
  CHECK(client.DownloadFile(url, 9).ok());  // exactly the limit

  Result<std::string> big = client.DownloadFile(url, 8);
  REQUIRE(!big.ok());
  CHECK(big.error().code == "too_large");

  Result<std::string> refused = client.DownloadFile("https://evil.example/snippet.sql", 1024);
  REQUIRE(!refused.ok());
  CHECK(refused.error().code == "refused");
  CHECK(fake.Calls("download").size() == 3);

  Result<std::string> missing = client.DownloadFile(fake.url() + "/files/nope", 1024);
  REQUIRE(!missing.ok());
  CHECK(missing.error().code == "slack_error");
}

TEST_CASE("slack client: SplitUrl") {
  auto url = SlackWebClient::SplitUrl("https://Hooks.Slack.com/commands/T1/2/x?y=1");
  REQUIRE(url.has_value());
  CHECK(url->scheme == "https");
  CHECK(url->authority == "hooks.slack.com");
  CHECK(url->origin == "https://hooks.slack.com");
  CHECK(url->path == "/commands/T1/2/x?y=1");
  url = SlackWebClient::SplitUrl("http://127.0.0.1:8080");
  REQUIRE(url.has_value());
  CHECK(url->authority == "127.0.0.1:8080");
  CHECK(url->host == "127.0.0.1");
  CHECK(url->path == "/");
  CHECK(!SlackWebClient::SplitUrl("ftp://files.slack.com/x").has_value());
  CHECK(!SlackWebClient::SplitUrl("https://a@files.slack.com/x").has_value());
  CHECK(!SlackWebClient::SplitUrl("https://files.slack.com/a b").has_value());
}

}  // namespace
}  // namespace planbot::adapters
