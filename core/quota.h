// Quota: at most `commands` commands per key in any window of `per` (a sliding window), so that
// probing values one question at a time stays slow (SECURITY.md, "what no EXPLAIN service can
// close"). The service counts per user and database, with the database's own quota where the
// configuration gives one (a database whose clones hold unmasked data can be held tighter).
// Over the quota, Take() returns Error "quota" with `retry_after` in seconds.
//
// Thread-safety: Take() may be called concurrently.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <string>

#include "common/result.h"
#include "core/config.h"

namespace planbot::core {

class Quota {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Quota(QuotaConfig config) : config_(config) {}

  // Counts one command for `key` at `now` under the constructor's config; refuses it when the
  // window is full.
  Status Take(const std::string& key, Clock::time_point now = Clock::now());
  // The same under `config`; `what` names the window in the refusal ("on database shop").
  Status Take(const std::string& key, const QuotaConfig& config, const std::string& what,
              Clock::time_point now = Clock::now());

 private:
  QuotaConfig config_;
  std::mutex mu_;
  std::map<std::string, std::deque<Clock::time_point>> recent_;
};

}  // namespace planbot::core
