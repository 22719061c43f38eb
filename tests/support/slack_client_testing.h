// Shared by the SlackWebClient tests: client options pointed at a FakeSlack, and a Logger whose
// lines the test can read.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "adapters/slack/slack_client.h"
#include "common/log.h"
#include "tests/support/fake_slack.h"

namespace planbot::adapters::slack_testing {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

inline double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Every line logged through logger(), at debug level and up.
class LogLines {
 public:
  Logger logger() const {
    auto state = state_;
    return Logger(
        [state](const LogRecord& record) {
          std::lock_guard<std::mutex> lock(state->mu);
          state->lines.push_back(std::string(LogLevelName(record.level)) + " " + record.Line());
        },
        LogLevel::kDebug, "slack");
  }
  std::vector<std::string> lines() const {
    std::lock_guard<std::mutex> lock(state_->mu);
    return state_->lines;
  }
  std::string Text() const {
    std::string text;
    for (const std::string& line : lines()) text += line + "\n";
    return text;
  }

 private:
  struct State {
    std::mutex mu;
    std::vector<std::string> lines;
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

// Fast settings: no pacing, short backoff and timeouts; the fake's host is allowed.
inline SlackClientOptions OptionsFor(const testing::FakeSlack& fake, const LogLines& log) {
  SlackClientOptions options;
  options.api_url = fake.url();
  options.bot_token = fake.token();
  options.logger = log.logger();
  options.connect_timeout = 2000ms;
  options.read_timeout = 3000ms;
  options.channel_interval = 0ms;
  options.max_retries = 2;
  options.max_retry_after = 5s;
  options.retry_backoff = 20ms;
  options.extra_allowed_hosts = {fake.host()};
  return options;
}

}  // namespace planbot::adapters::slack_testing
