// Fault injection at the edge: the Database Lab Engine's API and Slack's Web API answering
// garbage — not JSON, JSON of the wrong shape, truncated, empty, HTML, wrong types, a body of
// several megabytes, a connection closed mid-answer. Every call of the clients comes back with
// a value or a clear error (never an exception or a crash), errors never hold the token, and the
// same client works again as soon as the server answers properly.
#include <doctest/doctest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "adapters/clones/dblab_client.h"
#include "adapters/slack/slack_client.h"

namespace planbot::adapters {
namespace {

// A loopback server that answers every request with the body (and status) it is told to.
class GarbageServer {
 public:
  GarbageServer() {
    auto handler = [this](const httplib::Request&, httplib::Response& res) {
      std::lock_guard<std::mutex> guard(mu_);
      res.status = status_;
      res.set_content(body_, content_type_);
    };
    server_.Get(".*", handler);
    server_.Post(".*", handler);
    server_.Delete(".*", handler);
    port_ = server_.bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 500 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    REQUIRE(server_.is_running());
  }
  ~GarbageServer() {
    server_.stop();
    thread_.join();
  }
  void Answer(int status, std::string body, std::string content_type = "application/json") {
    std::lock_guard<std::mutex> guard(mu_);
    status_ = status;
    body_ = std::move(body);
    content_type_ = std::move(content_type);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  int status_ = 200;
  std::string body_ = "{}";
  std::string content_type_ = "application/json";
};

struct Garbage {
  int status;
  std::string body;
  std::string content_type;
};

std::vector<Garbage> Garbages() {
  return {
      {200, "", "application/json"},
      {200, "not json at all", "application/json"},
      {200, "<html><body>502 Bad Gateway</body></html>", "text/html"},
      {200, "{\"id\": ", "application/json"},
      {200, "[]", "application/json"},
      {200, "null", "application/json"},
      {200, "42", "application/json"},
      {200, "\"a string\"", "application/json"},
      {200, R"({"id": {}, "status": 5, "db": [], "ok": "yes", "user": null})", "application/json"},
      {200, R"({"id": "x", "status": {"code": 7, "message": []}, "db": {"port": {}, "host": 1}})",
       "application/json"},
      {200, R"({"ok": true})", "application/json"},
      {200, R"({"ok": true, "ts": 5, "user_id": [], "upload_url": 7, "file_id": {}})",
       "application/json"},
      {200, R"({"ok": false})", "application/json"},
      {200, R"({"ok": false, "error": {"nested": true}})", "application/json"},
      {200, "{\"ok\": true, \"pad\": \"" + std::string(4 << 20, 'x') + "\"}", "application/json"},
      {200, "\xff\xfe\xfd garbage \x00 bytes", "application/octet-stream"},
      {404, "{", "application/json"},
      {500, "<h1>oops</h1>", "text/html"},
      {201, R"({"id": "c1", "status": {"code": "OK"}, "db": {"host": "", "port": 0}})",
       "application/json"},
  };
}

constexpr char kToken[] = "garbage-test-token-0123456789abcdef";

template <typename T>
void CheckOutcome(const Result<T>& r) {
  if (r.ok()) return;
  CHECK_FALSE(r.error().message.empty());
  CHECK(r.error().message.find(kToken) == std::string::npos);
}

TEST_CASE("dblab client: every call survives garbage answers, then works again") {
  GarbageServer server;
  DblabClientOptions options;
  options.connect_timeout = std::chrono::milliseconds(2000);
  options.read_timeout = std::chrono::milliseconds(5000);
  auto client = DblabClient::Make(server.url(), kToken, options);
  REQUIRE(client.ok());
  for (const Garbage& g : Garbages()) {
    CAPTURE(g.status);
    CAPTURE(g.body.substr(0, 80));
    server.Answer(g.status, g.body, g.content_type);
    const auto deadline = DblabClock::now() + std::chrono::seconds(10);
    CheckOutcome((*client)->Healthz(deadline));
    CheckOutcome((*client)->EngineStatus(deadline));
    CheckOutcome(
        (*client)->CreateClone({"planbot-g1", "planbot_g1", "pw-0123456789", "shop"}, deadline));
    CheckOutcome((*client)->GetClone("planbot-g1", deadline));
    CheckOutcome((*client)->ResetClone("planbot-g1", deadline));
    CheckOutcome((*client)->DeleteClone("planbot-g1", deadline));
  }
  // A proper answer again: the client is unharmed.
  server.Answer(200, R"({"version": "v3.5.0", "edition": "standard"})");
  auto health = (*client)->Healthz(DblabClock::now() + std::chrono::seconds(10));
  REQUIRE(health.ok());
  CHECK(health->version == "v3.5.0");
}

TEST_CASE("slack client: every call survives garbage answers, then works again") {
  GarbageServer server;
  SlackClientOptions options;
  options.api_url = server.url() + "/api";
  options.bot_token = kToken;
  options.max_retries = 0;
  options.channel_interval = std::chrono::milliseconds(0);
  options.retry_backoff = std::chrono::milliseconds(1);
  options.read_timeout = std::chrono::milliseconds(5000);
  options.extra_allowed_hosts = {"127.0.0.1:" + std::to_string(server.port())};
  SlackWebClient client(options);
  for (const Garbage& g : Garbages()) {
    CAPTURE(g.status);
    CAPTURE(g.body.substr(0, 80));
    server.Answer(g.status, g.body, g.content_type);
    CheckOutcome(client.AuthTest());
    CheckOutcome(client.PostMessage("C1", "", "hello"));
    CheckOutcome(client.PostMessage("C1", "1700000000.000100", "in a thread"));
    CheckOutcome(Result<Ok>(client.UpdateMessage("C1", "1700000000.000100", "updated")));
    CheckOutcome(Result<Ok>(client.PostEphemeral("C1", "U1", "only you")));
    CheckOutcome(Result<Ok>(client.AddReaction("C1", "1700000000.000100", "hourglass")));
    CheckOutcome(Result<Ok>(client.RemoveReaction("C1", "1700000000.000100", "hourglass")));
    CheckOutcome(Result<Ok>(
        client.UploadFiles("C1", "1700000000.000100", {{"plan-1.txt", "plan", "Seq Scan on t"}})));
    CheckOutcome(
        Result<Ok>(client.Respond(server.url() + "/commands/1/2", "answer", /*ephemeral=*/true)));
    CheckOutcome(client.DownloadFile(server.url() + "/files/F1/snippet.sql", 1 << 20));
  }
  server.Answer(200, R"({"ok": true, "user_id": "U0BOT"})");
  auto me = client.AuthTest();
  REQUIRE(me.ok());
  CHECK(*me == "U0BOT");
}

}  // namespace
}  // namespace planbot::adapters
