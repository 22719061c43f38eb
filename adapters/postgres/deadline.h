// Watchdog: a timer queue served by one thread, used for client-side statement deadlines.
//
// A PostgresSessionFactory owns one Watchdog and shares it (std::shared_ptr) with every session
// it opens, so a deadline costs a map entry, not a thread. A session schedules "cancel at the
// deadline" and "cut the socket a grace period later" before each statement and disarms both
// when the statement returned.
//
// Callbacks run on the watchdog's thread, one at a time, in time order; they must be short (a
// PQcancel round trip, a shutdown(2)) because a slow callback delays every later timer. A
// callback that throws is ignored.
//
// Thread-safety: Schedule() and Disarm() may be called from any thread, also from inside a
// callback. After Disarm(t) returns, the callback of t is not running and will never run, so the
// caller may destroy what the callback refers to (Disarm called from inside t's own callback does
// not wait for itself). The destructor drops pending timers without running them and joins the
// thread; it must not run on the watchdog's own thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>

namespace planbot::adapters {

class Watchdog {
 public:
  using Clock = std::chrono::steady_clock;
  using Ticket = uint64_t;  // never 0

  Watchdog();
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  // Runs `callback` on the watchdog thread at `when` (at once if `when` has passed).
  Ticket Schedule(Clock::time_point when, std::function<void()> callback);

  // Removes the timer if it has not fired; waits if its callback is running right now. Unknown
  // or already fired tickets are ignored.
  void Disarm(Ticket ticket);

  // Timers scheduled and not yet fired or disarmed (tests).
  size_t pending() const;

 private:
  using Key = std::pair<Clock::time_point, Ticket>;

  void Run();

  mutable std::mutex mu_;
  std::condition_variable wake_;      // a new earliest timer, or stop
  std::condition_variable finished_;  // a callback returned
  std::map<Key, std::function<void()>> timers_;
  std::unordered_map<Ticket, Clock::time_point> due_;
  Ticket next_ticket_ = 1;
  Ticket running_ = 0;  // the ticket whose callback runs now, 0 if none
  // When the thread wakes up on its own next (max(): it waits without a timeout; min(): it is
  // awake). Schedule() wakes it only for a timer due before that, so the common case (a new
  // deadline later than one already pending) costs no context switch.
  Clock::time_point wakes_at_ = Clock::time_point::min();
  bool stop_ = false;
  std::thread thread_;  // last: started once the members above exist
};

}  // namespace planbot::adapters
