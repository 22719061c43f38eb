#include "bot/dispatcher.h"

#include <algorithm>
#include <future>

namespace planbot::bot {

Dispatcher::Dispatcher(int workers) : limit_(static_cast<size_t>(std::max(1, workers))) {
  for (size_t i = 0; i < limit_; ++i) workers_.emplace_back([this] { Work(); });
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

void Dispatcher::RunHere(const std::string& lane, std::function<void()> task) {
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (!stopping_ && running_ < limit_ && lanes_.find(lane) == lanes_.end()) {
      lanes_.try_emplace(lane);  // present and empty: the lane runs, later tasks queue behind
      ++pending_;
      ++running_;
      lock.unlock();
      try {
        task();
      } catch (...) {
        lock.lock();
        Finished(lane);
        throw;
      }
      lock.lock();
      Finished(lane);
      return;
    }
  }
  std::promise<void> done;
  std::future<void> ran = done.get_future();
  Submit(lane, [&task, &done] {
    task();
    done.set_value();
  });
  ran.get();
}

size_t Dispatcher::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pending_;
}

void Dispatcher::Finished(const std::string& name) {
  --pending_;
  --running_;
  auto lane = lanes_.find(name);
  if (lane->second.tasks.empty()) {
    lanes_.erase(lane);
  } else {
    ready_.push_back(name);  // behind the other ready lanes: lanes take turns
  }
  if (!ready_.empty()) ready_cv_.notify_one();
  if (stopping_ && pending_ == 0) ready_cv_.notify_all();
}

void Dispatcher::Work() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    ready_cv_.wait(lock, [this] {
      return (!ready_.empty() && running_ < limit_) || (stopping_ && pending_ == 0);
    });
    if (ready_.empty()) return;  // stopping, and nothing is left to run
    std::string name = std::move(ready_.front());
    ready_.pop_front();
    std::function<void()> task = std::move(lanes_[name].tasks.front());
    lanes_[name].tasks.pop_front();
    ++running_;
    lock.unlock();
    task();
    task = nullptr;  // what it captured goes before the lane's next task may start
    lock.lock();
    Finished(name);
  }
}

}  // namespace planbot::bot
