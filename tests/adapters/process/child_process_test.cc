// RunChild: both streams captured without deadlock, exactly the given environment, bounds on
// time and size, and no zombie whatever happens.
#include "adapters/process/child_process.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/child_test_util.h"

namespace planbot::adapters {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

ChildRequest Shell(const std::string& script, std::chrono::milliseconds timeout = 10s) {
  ChildRequest request;
  request.path = "/bin/sh";
  request.args = {"-c", script};
  request.env = {"PATH=/usr/bin:/bin"};
  request.timeout = timeout;
  return request;
}

double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

TEST_CASE("RunChild captures stdout and stderr apart, and the exit status") {
  auto out = RunChild(Shell("printf 'to out\\n'; printf 'to err\\n' >&2; exit 3"));
  REQUIRE(out.ok());
  CHECK(out->out == "to out\n");
  CHECK(out->err == "to err\n");
  CHECK(out->exit_code == 3);
  CHECK(out->signal == 0);
  CHECK_FALSE(out->stdout_truncated);
  CHECK(testing::ZombieChildren() == 0);
}

TEST_CASE("RunChild reads both pipes together: large output on both streams does not block") {
  // Each stream is far past a pipe's 64 KiB; reading one after the other would deadlock.
  auto request = Shell(
      "i=0; while [ $i -lt 3000 ]; do "
      "echo \"out line $i ................................................\"; "
      "echo \"err line $i ................................................\" >&2; "
      "i=$((i+1)); done");
  request.max_stderr = 1 << 20;
  auto out = RunChild(request);
  REQUIRE(out.ok());
  CHECK(out->exit_code == 0);
  CHECK(out->out.size() > 150000);
  CHECK(out->err.size() > 150000);
  CHECK(out->out.find("out line 2999 ") != std::string::npos);
  CHECK(out->err.find("err line 2999 ") != std::string::npos);
}

TEST_CASE("RunChild gives the child exactly the given environment, stdin empty, no other fds") {
  ::setenv("PLANBOT_PARENT_SECRET", "parent-only", 1);
  int opened = ::open("/dev/null", O_RDONLY);
  int leaked = ::dup2(opened, 77);  // not close-on-exec on purpose
  ::close(opened);
  REQUIRE(leaked == 77);
  auto request = Shell("env; echo stdin=$(cat | wc -c); ls /proc/$$/fd | tr '\\n' ' ' >&2");
  request.env.push_back("ONLY_THIS=1");
  auto out = RunChild(request);
  ::close(leaked);
  ::unsetenv("PLANBOT_PARENT_SECRET");
  REQUIRE(out.ok());
  CHECK(out->out.find("ONLY_THIS=1\n") != std::string::npos);
  CHECK(out->out.find("PLANBOT_PARENT_SECRET") == std::string::npos);
  CHECK(out->out.find("stdin=0\n") != std::string::npos);
  CHECK(out->err == "0 1 2 ");  // the shell's descriptors
}

TEST_CASE("RunChild kills and reaps a child past its timeout") {
  auto start = Clock::now();
  auto out = RunChild(Shell("sleep 30", 200ms));
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().code == "timeout");
  CHECK(Seconds(start) < 2.0);
  CHECK(testing::ZombieChildren() == 0);
}

TEST_CASE("RunChild times out a child that closed its output and keeps running") {
  auto start = Clock::now();
  auto out = RunChild(Shell("exec >&- 2>&-; exec sleep 30", 300ms));
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().code == "timeout");
  CHECK(Seconds(start) < 2.0);
  CHECK(testing::ZombieChildren() == 0);
}

TEST_CASE("RunChild with a zero timeout starts nothing that outlives it") {
  auto out = RunChild(Shell("sleep 30", 0ms));
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().code == "timeout");
  CHECK(testing::ZombieChildren() == 0);
}

TEST_CASE("RunChild stops a child whose stdout passes the cap") {
  auto request = Shell("while true; do echo 'a line of output'; done");
  request.max_stdout = 1000;
  auto start = Clock::now();
  auto out = RunChild(request);
  REQUIRE(out.ok());
  CHECK(out->stdout_truncated);
  CHECK(out->out.size() == 1000);
  CHECK(out->signal == SIGKILL);
  CHECK(Seconds(start) < 2.0);
  CHECK(testing::ZombieChildren() == 0);
}

TEST_CASE("RunChild keeps the first bytes of a long stderr and lets the child finish") {
  auto request = Shell(
      "i=0; while [ $i -lt 5000 ]; do echo 'noise noise noise' >&2; "
      "i=$((i+1)); done; echo done");
  request.max_stderr = 100;
  auto out = RunChild(request);
  REQUIRE(out.ok());
  CHECK(out->err.size() == 100);
  CHECK(out->out == "done\n");
  CHECK(out->exit_code == 0);
}

TEST_CASE("RunChild reports a child ended by a signal") {
  auto out = RunChild(Shell("kill -TERM $$"));
  REQUIRE(out.ok());
  CHECK(out->signal == SIGTERM);
  CHECK(out->exit_code == -1);
}

TEST_CASE("RunChild gives the child default signal dispositions even when planbot ignores them") {
  auto previous = ::signal(SIGPIPE, SIG_IGN);  // as a server does
  auto out = RunChild(Shell("grep SigIgn /proc/self/status"));
  ::signal(SIGPIPE, previous);
  REQUIRE(out.ok());
  size_t at = out->out.find("SigIgn:\t");
  REQUIRE(at != std::string::npos);
  uint64_t ignored = std::stoull(out->out.substr(at + 8, 16), nullptr, 16);
  CHECK((ignored & (uint64_t{1} << (SIGPIPE - 1))) == 0);
}

TEST_CASE("RunChild reports a program that cannot be started, with nothing left behind") {
  ChildRequest request;
  request.path = "/nonexistent/planbot-psql";
  auto out = RunChild(request);
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().code == "spawn_failed");
  CHECK(out.error().message.find("/nonexistent/planbot-psql") != std::string::npos);
  CHECK(testing::ZombieChildren() == 0);

  auto nul = RunChild(Shell(std::string("echo a\0b", 8)));
  REQUIRE_FALSE(nul.ok());
  CHECK(nul.error().code == "spawn_failed");
}

TEST_CASE("RunChild runs children from many threads at once") {
  std::vector<std::thread> threads;
  std::vector<std::string> outputs(8);
  for (size_t i = 0; i < outputs.size(); ++i) {
    threads.emplace_back([&outputs, i] {
      auto out = RunChild(Shell("sleep 0.1; echo " + std::to_string(i)));
      outputs[i] = out ? out->out : out.error().message;
    });
  }
  for (auto& t : threads) t.join();
  for (size_t i = 0; i < outputs.size(); ++i) CHECK(outputs[i] == std::to_string(i) + "\n");
  CHECK(testing::ZombieChildren() == 0);
}

}  // namespace
}  // namespace planbot::adapters
