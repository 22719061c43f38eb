#include "core/retention.h"

#include <string>

#include "history/history_admin.h"
#include "storage/timestamp.h"

namespace planbot::core {

void Retention::RunOnce() {
  auto now = std::chrono::system_clock::now();
  for (const DatabaseConfig& db : databases_) {
    if (db.retention.count() <= 0) continue;
    std::string cutoff = storage::FormatRfc3339Millis(now - db.retention);
    storage::HistoryQuery probe;  // anything to do? Saves an audit entry per hour otherwise.
    probe.database = db.name;
    probe.before = cutoff;
    probe.limit = 1;
    probe.include_plans = false;
    auto old = history_->ListHistory(probe);
    if (!old) {
      log_.Warn("retention check of " + db.name + " failed: " + old.error().message);
      continue;
    }
    if (old->empty()) continue;
    storage::HistoryFilter filter;
    filter.database = db.name;
    filter.before = cutoff;
    history::MaintenanceRequest request{"purge", filter, "system", "system", "", "retention"};
    auto result = history::RunMaintenance(*history_, request);
    if (!result) {
      log_.Error("retention purge of " + db.name + " failed: " + result.error().message);
      continue;
    }
    log_.Info("retention: purged " + std::to_string(result->changed) + " history entries of " +
              db.name + " older than " + cutoff);
  }
}

Retention::Retention(storage::HistoryStore* history, std::vector<DatabaseConfig> databases,
                     std::chrono::milliseconds interval, Logger log)
    : history_(history),
      databases_(std::move(databases)),
      interval_(interval),
      log_(std::move(log)),
      thread_([this] { Loop(); }) {}

Retention::~Retention() { Stop(); }

void Retention::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Retention::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    RunOnce();
    lock.lock();
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

}  // namespace planbot::core
