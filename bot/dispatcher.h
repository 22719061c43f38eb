// Dispatcher: runs the commands of each session one at a time, in arrival order, and different
// sessions in parallel on a bounded pool of worker threads. A busy session's later commands wait
// in its lane (they are answered in order, not refused); lanes take turns, so one session with a
// long queue does not starve the others.
//
// RunHere() is for callers that wait for the answer anyway (the HTTP API): when the session's lane
// is idle and fewer than `workers` tasks run, the task runs on the caller's own thread, which saves
// two thread hand-offs per command; otherwise it waits its turn like a submitted task. Either way
// at most `workers` tasks run at once.
//
// Thread-safety: Submit() and RunHere() may be called from any thread. The destructor runs every
// task already submitted, then joins the workers.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace planbot::bot {

class Dispatcher {
 public:
  explicit Dispatcher(int workers);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Runs `task` after every task submitted earlier under the same `lane`.
  void Submit(const std::string& lane, std::function<void()> task);

  // Runs `task` after every task submitted earlier under the same `lane`, and returns once it
  // has run (on this thread when the lane is idle and a worker's share is free).
  void RunHere(const std::string& lane, std::function<void()> task);

  // Tasks submitted and not finished (running or waiting).
  size_t pending() const;

 private:
  struct Lane {
    std::deque<std::function<void()>> tasks;
  };
  void Work();
  // With mu_ held, after a task of `name` finished: the lane's next task becomes ready.
  void Finished(const std::string& name);

  mutable std::mutex mu_;
  std::condition_variable ready_cv_;
  std::map<std::string, Lane> lanes_;  // lanes with a task running or waiting
  std::deque<std::string> ready_;      // lanes with waiting tasks and none running
  size_t pending_ = 0;
  size_t running_ = 0;  // tasks running now, on workers or on RunHere() callers
  size_t limit_ = 1;    // at most this many at once
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace planbot::bot
