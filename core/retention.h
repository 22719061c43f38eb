// Retention: purges history older than each database's `retention`, once at start and then every
// interval, on a thread of its own; each purge is audited (actor "system", reason "retention").
// A database with nothing past its retention costs one probe and no audit entry.
//
// Thread-safety: RunOnce() may be called from any thread; Stop() (also the destructor) wakes
// and joins the thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "common/log.h"
#include "core/config.h"
#include "storage/store.h"

namespace planbot::core {

class Retention {
 public:
  // Starts the thread; `history` must outlive this.
  Retention(storage::HistoryStore* history, std::vector<DatabaseConfig> databases,
            std::chrono::milliseconds interval, Logger log);
  ~Retention();
  Retention(const Retention&) = delete;
  Retention& operator=(const Retention&) = delete;

  void RunOnce();
  void Stop();

 private:
  void Loop();

  storage::HistoryStore* history_;
  const std::vector<DatabaseConfig> databases_;
  const std::chrono::milliseconds interval_;
  Logger log_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace planbot::core
