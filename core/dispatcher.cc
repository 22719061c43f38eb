#include "core/dispatcher.h"

#include <algorithm>

namespace planbot::core {

Dispatcher::Dispatcher(int workers) {
  for (int i = 0; i < std::max(1, workers); ++i) workers_.emplace_back([this] { Work(); });
}

Dispatcher::~Dispatcher() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  ready_cv_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void Dispatcher::Submit(const std::string& lane, std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto [it, created] = lanes_.try_emplace(lane);
    it->second.tasks.push_back(std::move(task));
    ++pending_;
    // A new lane is ready; an existing one is either running (it requeues itself) or ready.
    if (created) ready_.push_back(lane);
  }
  ready_cv_.notify_one();
}

size_t Dispatcher::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pending_;
}

void Dispatcher::Work() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    ready_cv_.wait(lock, [this] { return !ready_.empty() || (stopping_ && pending_ == 0); });
    if (ready_.empty()) return;  // stopping, and nothing is left to run
    std::string name = std::move(ready_.front());
    ready_.pop_front();
    std::function<void()> task = std::move(lanes_[name].tasks.front());
    lanes_[name].tasks.pop_front();
    lock.unlock();
    task();
    lock.lock();
    --pending_;
    Lane& lane = lanes_[name];
    if (lane.tasks.empty()) {
      lanes_.erase(name);
    } else {
      ready_.push_back(name);  // behind the other ready lanes: lanes take turns
      ready_cv_.notify_one();
    }
    if (stopping_ && pending_ == 0) ready_cv_.notify_all();
  }
}

}  // namespace planbot::core
