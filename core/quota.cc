#include "core/quota.h"

#include <cmath>

namespace planbot::core {

Status Quota::Take(const std::string& key, Clock::time_point now) {
  return Take(key, config_, "", now);
}

Status Quota::Take(const std::string& key, const QuotaConfig& config, const std::string& what,
                   Clock::time_point now) {
  if (config.commands <= 0) return Ok{};
  std::lock_guard<std::mutex> lock(mu_);
  auto& times = recent_[key];
  while (!times.empty() && now - times.front() >= config.per) times.pop_front();
  if (static_cast<int>(times.size()) < config.commands) {
    times.push_back(now);
    return Ok{};
  }
  auto wait = config.per - (now - times.front());
  int seconds = static_cast<int>(std::ceil(std::chrono::duration<double>(wait).count()));
  if (seconds < 1) seconds = 1;
  Error e = MakeError(ErrorCode::kQuota, "quota reached: " + std::to_string(config.commands) +
                                             " commands per " + std::to_string(config.per.count()) +
                                             " s" + (what.empty() ? "" : " " + what) +
                                             "; try again in " + std::to_string(seconds) + " s");
  e.retry_after = seconds;
  return e;
}

}  // namespace planbot::core
