// Fault injection between a session and its clone: a TCP proxy on loopback that forwards the
// connection to the test server and cuts it after the server has sent N bytes, for N at every
// point of a command (the pipeline's BEGIN, SET LOCALs, EXPLAIN and ROLLBACK, and the settings
// read after it). Each time: the command answers a plan or a clear "clone_unavailable" error
// (never a crash, a hang past its deadline or a partial plan), the session says it is no longer
// usable, and a new session on the same clone works.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "adapters/postgres/postgres_session.h"
#include "tests/result_testing.h"
#include "tests/support/pg_test_env.h"

namespace planbot::adapters {
namespace {

using core::ExplainMode;

// Forwards each accepted connection to host:port; the server's bytes to the client are counted
// per connection and, when a cut is armed, the connection is closed once that many were sent.
class CuttingProxy {
 public:
  CuttingProxy(const std::string& host, int port) : host_(host), port_(port) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(listener_ >= 0);
    int one = 1;
    ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(listener_, 16) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    listen_port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { Accept(); });
  }
  ~CuttingProxy() {
    stop_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    acceptor_.join();
    for (std::thread& t : pipes_) t.join();
  }
  int port() const { return listen_port_; }
  // The next connection is cut after the server sent `bytes` to the client (-1: never).
  void CutNextAfter(long bytes) { cut_next_ = bytes; }
  // Server bytes sent on the latest connection so far.
  long sent() const { return sent_.load(); }

 private:
  void Accept() {
    while (!stop_) {
      int client = ::accept(listener_, nullptr, nullptr);
      if (client < 0) return;
      int server = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_port = htons(static_cast<uint16_t>(port_));
      ::inet_pton(AF_INET, host_.c_str(), &addr.sin_addr);
      if (::connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(server);
        ::close(client);
        continue;
      }
      const long cut = cut_next_.exchange(-1);
      sent_ = 0;
      std::lock_guard<std::mutex> guard(mu_);
      pipes_.emplace_back([this, client, server, cut] { Pipe(client, server, cut); });
    }
  }

  void Pipe(int client, int server, long cut) {
    char buffer[16384];
    pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
    while (!stop_) {
      if (::poll(fds, 2, 100) < 0) break;
      if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
        const ssize_t n = ::read(client, buffer, sizeof buffer);
        if (n <= 0 || ::write(server, buffer, static_cast<size_t>(n)) != n) break;
      }
      if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
        ssize_t n = ::read(server, buffer, sizeof buffer);
        if (n <= 0) break;
        const long already = sent_.load();
        if (cut >= 0 && already + n > cut) n = cut - already;  // up to the cut, then close
        sent_ += n;  // counted before the client can see the bytes: sent() is never behind
        if (n > 0 && ::write(client, buffer, static_cast<size_t>(n)) != n) break;
        if (cut >= 0 && sent_.load() >= cut) break;
      }
    }
    ::shutdown(client, SHUT_RDWR);
    ::shutdown(server, SHUT_RDWR);
    ::close(client);
    ::close(server);
  }

  std::string host_;
  int port_;
  int listener_ = -1;
  int listen_port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<long> cut_next_{-1};
  std::atomic<long> sent_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::thread> pipes_;
};

TEST_CASE(
    "a connection cut at every point of a command: a plan or clone_unavailable, then a new "
    "session works") {
  auto s = testing::OpenSessionOnClone();
  core::ConnectionInfo direct = s.lease.connection;
  if (direct.host.empty() || direct.host[0] == '/') direct.host = "127.0.0.1";
  CuttingProxy proxy(direct.host, direct.port);
  core::ConnectionInfo via = direct;
  via.host = "127.0.0.1";
  via.port = proxy.port();
  const std::string sql = "select count(*) from customers where email like 'a%'";

  // How many bytes the server sends to open a session, and then for one explain.
  long opened = 0;
  long total = 0;
  {
    auto session = s.factory->Open(via);
    REQUIRE_MESSAGE(session.ok(), testing::ErrorText(session));
    opened = proxy.sent();
    auto plan = (*session)->Explain(sql, ExplainMode::kAnalyze, testing::Limits());
    REQUIRE_MESSAGE(plan.ok(), testing::ErrorText(plan));
    total = proxy.sent();
  }
  REQUIRE(total > opened);
  std::vector<long> cuts;
  for (long k = 0; k < 16 && opened + k < total; ++k) cuts.push_back(opened + k);
  for (long k = 1; k <= 40; ++k) cuts.push_back(opened + (total - opened) * k / 41);
  cuts.push_back(total - 1);

  int failed = 0;
  int open_failed = 0;
  for (long cut : cuts) {
    CAPTURE(cut);
    proxy.CutNextAfter(cut);
    auto session = s.factory->Open(via);
    if (!session.ok()) {
      // Cut before the session was ready: that too is a clear error.
      CHECK(session.error().code == "clone_unavailable");
      ++open_failed;
      continue;
    }
    const auto started = std::chrono::steady_clock::now();
    auto plan = (*session)->Explain(sql, ExplainMode::kAnalyze, testing::Limits(5000, 6000));
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(7));
    if (plan.ok()) {
      CHECK(plan->find("\"Node Type\"") != std::string::npos);  // a whole plan, not a part
      continue;
    }
    ++failed;
    CHECK(plan.error().code == "clone_unavailable");
    CHECK_FALSE(plan.error().message.empty());
    CHECK_FALSE((*session)->usable());
  }
  MESSAGE("cut points: ", cuts.size(), ", failed to open: ", open_failed,
          ", explain failed: ", failed, ", bytes opening: ", opened,
          ", explaining: ", total - opened);
  CHECK(failed > 0);
  CHECK(open_failed < 3);  // only cuts at the very end of the opening
  // The clone itself is fine: a new session works, through the proxy and directly.
  auto again = s.factory->Open(via);
  REQUIRE_MESSAGE(again.ok(), testing::ErrorText(again));
  auto plan = (*again)->Explain(sql, ExplainMode::kAnalyze, testing::Limits());
  CHECK_MESSAGE(plan.ok(), testing::ErrorText(plan));
}

}  // namespace
}  // namespace planbot::adapters
