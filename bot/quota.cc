#include "bot/quota.h"

#include <cmath>

namespace planbot::bot {

Status Quota::Take(const std::string& user, Clock::time_point now) {
  if (config_.commands <= 0) return Ok{};
  std::lock_guard<std::mutex> lock(mu_);
  auto& times = recent_[user];
  while (!times.empty() && now - times.front() >= config_.per) times.pop_front();
  if (static_cast<int>(times.size()) < config_.commands) {
    times.push_back(now);
    return Ok{};
  }
  auto wait = config_.per - (now - times.front());
  int seconds = static_cast<int>(std::ceil(std::chrono::duration<double>(wait).count()));
  if (seconds < 1) seconds = 1;
  Error e = MakeError("quota", "quota reached: " + std::to_string(config_.commands) +
                                   " commands per " + std::to_string(config_.per.count()) +
                                   " s; try again in " + std::to_string(seconds) + " s");
  e.retry_after = seconds;
  return e;
}

}  // namespace planbot::bot
