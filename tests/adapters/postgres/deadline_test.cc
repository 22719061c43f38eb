#include "adapters/postgres/deadline.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

namespace planbot::adapters {
namespace {

using namespace std::chrono_literals;

TEST_CASE("the watchdog runs callbacks in time order on one thread") {
  Watchdog watchdog;
  std::mutex mu;
  std::vector<int> order;
  auto now = Watchdog::Clock::now();
  std::atomic<int> done{0};
  for (int i : {3, 1, 2}) {
    watchdog.Schedule(now + i * 20ms, [&, i] {
      std::lock_guard<std::mutex> lock(mu);
      order.push_back(i);
      ++done;
    });
  }
  for (int i = 0; i < 200 && done < 3; ++i) std::this_thread::sleep_for(5ms);
  std::lock_guard<std::mutex> lock(mu);
  CHECK(order == std::vector<int>{1, 2, 3});
  CHECK(watchdog.pending() == 0);
}

TEST_CASE("a disarmed timer never runs") {
  Watchdog watchdog;
  std::atomic<bool> ran{false};
  auto ticket = watchdog.Schedule(Watchdog::Clock::now() + 50ms, [&] { ran = true; });
  CHECK(watchdog.pending() == 1);
  watchdog.Disarm(ticket);
  CHECK(watchdog.pending() == 0);
  std::this_thread::sleep_for(100ms);
  CHECK_FALSE(ran);
  watchdog.Disarm(ticket);  // twice: ignored
  watchdog.Disarm(12345);   // unknown: ignored
}

TEST_CASE("Disarm waits for a callback that is running") {
  Watchdog watchdog;
  std::atomic<bool> started{false};
  std::atomic<bool> finished{false};
  auto ticket = watchdog.Schedule(Watchdog::Clock::now(), [&] {
    started = true;
    std::this_thread::sleep_for(200ms);
    finished = true;
  });
  while (!started) std::this_thread::sleep_for(1ms);
  watchdog.Disarm(ticket);
  CHECK(finished);
}

TEST_CASE("a callback may schedule and disarm, and a throwing callback is ignored") {
  Watchdog watchdog;
  std::atomic<int> runs{0};
  watchdog.Schedule(Watchdog::Clock::now(), [&] { throw 1; });
  Watchdog::Ticket self = 0;
  std::mutex mu;
  {
    std::lock_guard<std::mutex> lock(mu);
    self = watchdog.Schedule(Watchdog::Clock::now() + 10ms, [&] {
      std::lock_guard<std::mutex> inner(mu);
      watchdog.Disarm(self);  // itself: must not wait for itself
      watchdog.Schedule(Watchdog::Clock::now(), [&] { ++runs; });
      ++runs;
    });
  }
  for (int i = 0; i < 200 && runs < 2; ++i) std::this_thread::sleep_for(5ms);
  CHECK(runs == 2);
}

TEST_CASE("a timer due before the one the watchdog sleeps for fires on time; a later one waits") {
  // The watchdog is woken only for a timer earlier than its current wake-up time.
  Watchdog watchdog;
  std::atomic<bool> early{false}, later{false};
  auto start = Watchdog::Clock::now();
  auto far = watchdog.Schedule(start + 10s, [] {});
  std::this_thread::sleep_for(20ms);  // the thread now sleeps until start + 10 s
  std::atomic<long long> early_ms{-1};
  watchdog.Schedule(start + 60ms, [&] {
    early_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Watchdog::Clock::now() - start)
                   .count();
    early = true;
  });
  watchdog.Disarm(far);  // no timer left before the early one: it must still fire
  watchdog.Schedule(start + 120ms, [&] { later = true; });
  for (int i = 0; i < 300 && !later; ++i) std::this_thread::sleep_for(10ms);
  CHECK(early);
  CHECK(later);
  CHECK(early_ms >= 60);
  CHECK(early_ms < 2000);
  CHECK(watchdog.pending() == 0);
}

}  // namespace
}  // namespace planbot::adapters
