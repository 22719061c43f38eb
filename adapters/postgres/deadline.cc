#include "adapters/postgres/deadline.h"

namespace planbot::adapters {

Watchdog::Watchdog() : thread_([this] { Run(); }) {}

Watchdog::~Watchdog() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    timers_.clear();
    due_.clear();
  }
  wake_.notify_all();
  thread_.join();
}

Watchdog::Ticket Watchdog::Schedule(Clock::time_point when, std::function<void()> callback) {
  Ticket ticket;
  bool wake;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ticket = next_ticket_++;
    timers_.emplace(Key{when, ticket}, std::move(callback));
    due_.emplace(ticket, when);
    wake = when < wakes_at_;
  }
  if (wake) wake_.notify_all();
  return ticket;
}

void Watchdog::Disarm(Ticket ticket) {
  std::unique_lock<std::mutex> lock(mu_);
  auto it = due_.find(ticket);
  if (it != due_.end()) {
    timers_.erase(Key{it->second, ticket});
    due_.erase(it);
    return;
  }
  if (std::this_thread::get_id() == thread_.get_id()) return;
  finished_.wait(lock, [&] { return running_ != ticket; });
}

size_t Watchdog::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return timers_.size();
}

void Watchdog::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    if (timers_.empty()) {
      wakes_at_ = Clock::time_point::max();
      wake_.wait(lock);
      wakes_at_ = Clock::time_point::min();
      continue;
    }
    auto first = timers_.begin();
    if (Clock::now() < first->first.first) {
      wakes_at_ = first->first.first;
      wake_.wait_until(lock, wakes_at_);
      wakes_at_ = Clock::time_point::min();
      continue;
    }
    Ticket ticket = first->first.second;
    std::function<void()> callback = std::move(first->second);
    timers_.erase(first);
    due_.erase(ticket);
    running_ = ticket;
    lock.unlock();
    try {
      callback();
    } catch (...) {  // a deadline action must not take the watchdog down
    }
    callback = nullptr;  // destroy what it captured outside the lock
    lock.lock();
    running_ = 0;
    finished_.notify_all();
  }
}

}  // namespace planbot::adapters
