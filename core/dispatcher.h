// Dispatcher: runs the commands of each session one at a time, in arrival order, and different
// sessions in parallel on a bounded pool of worker threads. A busy session's later commands wait
// in its lane (they are answered in order, not refused); lanes take turns, so one session with a
// long queue does not starve the others.
//
// Thread-safety: Submit() may be called from any thread. The destructor runs every task already
// submitted, then joins the workers.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace planbot::core {

class Dispatcher {
 public:
  explicit Dispatcher(int workers);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Runs `task` after every task submitted earlier under the same `lane`.
  void Submit(const std::string& lane, std::function<void()> task);

  // Tasks submitted and not finished (running or waiting).
  size_t pending() const;

 private:
  struct Lane {
    std::deque<std::function<void()>> tasks;
  };
  void Work();

  mutable std::mutex mu_;
  std::condition_variable ready_cv_;
  std::map<std::string, Lane> lanes_;  // lanes with a task running or waiting
  std::deque<std::string> ready_;      // lanes with waiting tasks and none running
  size_t pending_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace planbot::core
