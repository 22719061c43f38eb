// FifoLock: a mutex that is granted in arrival order (a ticket lock), so the commands of one
// session run one at a time in the order they came in. Meets Lockable (std::unique_lock).
// Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace planbot::core {

class FifoLock {
 public:
  void lock() {
    std::unique_lock<std::mutex> guard(mu_);
    uint64_t ticket = next_++;
    cv_.wait(guard, [&] { return serving_ == ticket; });
  }
  // Takes the lock only if nobody holds or waits for it.
  bool try_lock() {
    std::lock_guard<std::mutex> guard(mu_);
    if (next_ != serving_) return false;
    ++next_;
    return true;
  }
  void unlock() {
    std::lock_guard<std::mutex> guard(mu_);
    ++serving_;
    cv_.notify_all();
  }
  // Commands holding or waiting for the lock.
  uint64_t pending() const {
    std::lock_guard<std::mutex> guard(mu_);
    return next_ - serving_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  uint64_t next_ = 0;
  uint64_t serving_ = 0;
};

}  // namespace planbot::core
