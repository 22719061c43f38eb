// `planbot ask` before and at the connection: where the command comes from (TEXT, `-` for stdin,
// --file; exactly one), and what it says when it cannot reach planbot — connection refused,
// TLS, a name that does not resolve — instead of httplib's bare "Connection".
#include <doctest/doctest.h>
#include <httplib.h>

#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>

#include "adapters/http/ask_command.h"
#include "adapters/http/client_failure.h"
#include "tests/support/config_testing.h"
#include "tests/support/process_helpers.h"

namespace planbot::adapters {
namespace {

struct AskRun {
  int code;
  std::string out;
  std::string err;
};

AskRun Ask(const AskArgs& args, const std::string& stdin_text = "") {
  std::istringstream in(stdin_text);
  std::ostringstream out;
  std::ostringstream err;
  int code = RunAsk(args, in, out, err);
  return {code, out.str(), err.str()};
}

AskArgs ClosedPort() {
  AskArgs args;
  args.url = "http://127.0.0.1:" + std::to_string(planbot::testing::FreePort());
  return args;
}

// A plain-HTTP server on loopback that answers every POST with {"message": "ok"} and keeps the
// `text` of the last one.
class PlainServer {
 public:
  PlainServer() {
    server_.Post(".*", [this](const httplib::Request& req, httplib::Response& res) {
      auto body = nlohmann::json::parse(req.body, nullptr, false);
      std::lock_guard<std::mutex> lock(mu_);
      last_text_ = body.is_object() ? body.value("text", "") : "";
      res.set_content(R"({"message": "ok"})", "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // Running before the destructor's stop(), which does nothing to a server not yet running.
    for (int i = 0; i < 500 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  ~PlainServer() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  std::string last_text() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_text_;
  }

 private:
  std::mutex mu_;
  std::string last_text_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

TEST_CASE("ask against a closed port: connection refused, exit 2") {
  AskArgs args = ClosedPort();
  args.words = {"plan", "select", "1"};
  AskRun run = Ask(args);
  CHECK(run.code == 2);
  CHECK(run.err.find("planbot ask: cannot reach " + args.url + ": connection refused") == 0);
  CHECK(run.err.find("Connection\n") == std::string::npos);
}

TEST_CASE("ask with https:// against a plain HTTP server: the TLS handshake failed") {
  PlainServer server;
  AskArgs args;
  args.url = "https://127.0.0.1:" + std::to_string(server.port());
  args.words = {"plan select 1"};
  AskRun run = Ask(args);
  CHECK(run.code == 2);
  CHECK(run.err.find("TLS handshake with 127.0.0.1:" + std::to_string(server.port()) + " failed") !=
        std::string::npos);
  args.url = "http://127.0.0.1:" + std::to_string(server.port());
  AskRun plain = Ask(args);
  CHECK(plain.code == 0);
  CHECK(plain.out == "ok\n");
}

TEST_CASE("ask to a host name that does not resolve says so") {
  AskArgs args;
  args.url = "http://planbot-test-host.invalid:8080";  // RFC 6761: never resolves
  args.words = {"plan select 1"};
  AskRun run = Ask(args);
  CHECK(run.code == 2);
  CHECK(run.err.find("cannot resolve host planbot-test-host.invalid") != std::string::npos);
}

TEST_CASE("httplib's errors in words: timed out, TLS certificate, closed connection") {
  RequestTarget target{"db.internal", 8443, true, std::chrono::seconds(5),
                       std::chrono::seconds(60)};
  const auto elapsed = std::chrono::seconds(2);
  CHECK(DescribeRequestFailure(httplib::Error::ConnectionTimeout, target, elapsed) ==
        "timed out connecting to db.internal:8443 after 5 s");
  CHECK(DescribeRequestFailure(httplib::Error::SSLServerVerification, target, elapsed) ==
        "TLS certificate of db.internal:8443 could not be verified (untrusted issuer, expired, "
        "or issued for another name)");
  CHECK(DescribeRequestFailure(httplib::Error::Read, target, std::chrono::seconds(60)) ==
        "timed out: no answer from db.internal:8443 within 60 s (see --timeout)");
  CHECK(DescribeRequestFailure(httplib::Error::Read, target, elapsed) ==
        "the connection to db.internal:8443 was closed before the answer came");
  target.host = "::1";
  CHECK(DescribeRequestFailure(httplib::Error::SSLConnection, target, elapsed)
            .find("TLS handshake with [::1]:8443 failed") == 0);
}

TEST_CASE("ask reads the command from TEXT, - (stdin) or --file: exactly one of them") {
  PlainServer server;
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port());
  AskArgs args;
  args.url = url;
  args.words = {"-"};
  CHECK(Ask(args, "plan select 1\n").code == 0);
  CHECK(server.last_text() == "plan select 1\n");  // sent as it is
  AskRun empty_stdin = Ask(args, "  \n");
  CHECK(empty_stdin.code == 2);
  CHECK(empty_stdin.err.find("planbot ask: no command in stdin") == 0);

  testing::TempDir dir;
  args.words.clear();
  const std::string large = "plan select 1 where 0 in (" + std::string(300000, '0') + ")";
  args.file = dir.Write("query.txt", large);
  CHECK(Ask(args).code == 0);
  CHECK(server.last_text() == large);

  args.words = {"plan", "select", "2"};
  AskRun both = Ask(args);
  CHECK(both.code == 2);
  CHECK(both.err ==
        "planbot ask: give the command once: as TEXT, as - (stdin) or with --file, not two of "
        "them\n");

  args.words.clear();
  args.file = dir.path() + "/missing.txt";
  AskRun missing = Ask(args);
  CHECK(missing.code == 2);
  CHECK(missing.err == "planbot ask: cannot read " + args.file + ": No such file or directory\n");

  args.file.clear();
  AskRun none = Ask(args);
  CHECK(none.code == 2);
  CHECK(none.err.find("planbot ask: no command given; e.g. planbot ask \"explain select 1\"") == 0);

  // A "-" among other words is part of the command, not stdin.
  args.words = {"plan", "select", "3", "-", "1"};
  CHECK(Ask(args, "ignored").code == 0);
  CHECK(server.last_text() == "plan select 3 - 1");
}

}  // namespace
}  // namespace planbot::adapters
