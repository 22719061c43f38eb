// The dispatcher: per-lane order, parallel lanes, a bounded number of workers, draining.
#include "core/dispatcher.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

using planbot::core::Dispatcher;
using namespace std::chrono_literals;

TEST_CASE("tasks of one lane run one at a time in arrival order") {
  std::mutex mu;
  std::vector<int> order;
  std::atomic<int> running{0}, max_running{0};
  {
    Dispatcher d(4);
    for (int i = 0; i < 20; ++i) {
      d.Submit("s1", [&, i] {
        int now = ++running;
        max_running = std::max(max_running.load(), now);
        std::this_thread::sleep_for(2ms);
        {
          std::lock_guard<std::mutex> lock(mu);
          order.push_back(i);
        }
        --running;
      });
    }
  }  // the destructor runs everything submitted
  REQUIRE(order.size() == 20);
  for (int i = 0; i < 20; ++i) CHECK(order[i] == i);
  CHECK(max_running == 1);
}

TEST_CASE("lanes run in parallel, never more than the worker count") {
  std::atomic<int> running{0}, max_running{0};
  auto start = std::chrono::steady_clock::now();
  {
    Dispatcher d(3);
    for (int lane = 0; lane < 6; ++lane) {
      d.Submit("lane" + std::to_string(lane), [&] {
        int now = ++running;
        int prev = max_running.load();
        while (now > prev && !max_running.compare_exchange_weak(prev, now)) {
        }
        std::this_thread::sleep_for(100ms);
        --running;
      });
    }
  }
  auto took = std::chrono::steady_clock::now() - start;
  CHECK(max_running == 3);
  CHECK(took >= 200ms);  // 6 tasks of 100 ms on 3 workers
  CHECK(took < 1000ms);
}

TEST_CASE("a long lane does not starve another one") {
  std::vector<std::string> done;
  std::mutex mu;
  {
    Dispatcher d(1);
    auto record = [&](std::string what) {
      return [&, what] {
        std::lock_guard<std::mutex> lock(mu);
        done.push_back(what);
      };
    };
    // Block the worker until both lanes are queued.
    std::atomic<bool> go{false};
    d.Submit("a", [&] {
      while (!go) std::this_thread::sleep_for(1ms);
    });
    for (int i = 0; i < 3; ++i) d.Submit("a", record("a"));
    d.Submit("b", record("b"));
    go = true;
  }
  REQUIRE(done.size() == 4);
  CHECK(done[0] == "b");  // b runs right after the task that was running, before the rest of a
}
