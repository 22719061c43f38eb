// DblabCloneProvider, the part that deletes clones nobody uses any more: the background deletion
// of clones whose creation or release failed, and Shutdown() (see
// adapters/clones/dblab_provider.h).
#include <algorithm>
#include <atomic>
#include <system_error>

#include "adapters/clones/dblab_provider.h"

namespace planbot::adapters {
namespace {

constexpr std::chrono::milliseconds kMaxRetryDelay{60000};
constexpr size_t kMaxShutdownThreads = 8;

}  // namespace

void DblabCloneProvider::DeleteLater(const std::string& id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    held_.erase(id);
    if (!stopping_) {
      doomed_.try_emplace(id, Doomed{DblabClock::now(), options_.retry_delay});
      changed_.notify_all();
      return;
    }
  }
  // Shutdown() has taken the list of clones to delete already, or is about to: one that an
  // Acquire() made meanwhile is deleted here, by that caller.
  (void)Delete(id, DblabClock::now() + options_.shutdown_timeout, /*interruptible=*/false);
}

void DblabCloneProvider::DeleteLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    auto next = std::min_element(doomed_.begin(), doomed_.end(), [](const auto& a, const auto& b) {
      return a.second.due < b.second.due;
    });
    if (next == doomed_.end()) {
      changed_.wait(lock);
      continue;
    }
    if (next->second.due > DblabClock::now()) {
      changed_.wait_until(lock, next->second.due);
      continue;
    }
    const std::string id = next->first;
    Doomed doomed = next->second;
    doomed_.erase(next);
    lock.unlock();
    Status deleted = Delete(id, DblabClock::now() + options_.release_timeout, true);
    lock.lock();
    if (deleted) {
      options_.logger.Info("deleted clone " + id + " in the background");
      continue;
    }
    // Kept for the next attempt, or for Shutdown() when it interrupted this one.
    doomed.due = DblabClock::now() + doomed.delay;
    doomed_.try_emplace(id, doomed);
    if (!stopping_) {
      options_.logger.Warn("deleting clone " + id + " failed, retrying in " +
                           std::to_string(doomed.delay.count()) +
                           " ms: " + deleted.error().message);
    }
    doomed_.at(id).delay = std::min(doomed.delay * 2, kMaxRetryDelay);
  }
}

void DblabCloneProvider::DeleteAll(const std::vector<std::string>& ids) {
  if (ids.empty()) return;
  const auto deadline = DblabClock::now() + options_.shutdown_timeout;
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < ids.size();) {
      Status deleted = Delete(ids[i], deadline, /*interruptible=*/false);
      if (deleted) {
        options_.logger.Info("deleted clone " + ids[i] + " at shutdown");
      } else {
        options_.logger.Warn("cannot delete clone " + ids[i] +
                             " at shutdown: " + deleted.error().message);
      }
    }
  };
  std::vector<std::thread> threads;
  const size_t count = std::min(kMaxShutdownThreads, ids.size());
  for (size_t i = 1; i < count; ++i) {
    try {
      threads.emplace_back(work);
    } catch (const std::system_error&) {
      break;  // fewer threads: the work is shared all the same
    }
  }
  work();
  for (std::thread& t : threads) t.join();
}

void DblabCloneProvider::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shut_down_) return;
    shut_down_ = stopping_ = true;
  }
  changed_.notify_all();
  if (deleter_.joinable()) deleter_.join();
  std::vector<std::string> ids;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [id, lease] : held_) ids.push_back(id);
    for (const auto& [id, doomed] : doomed_) {
      if (!held_.contains(id)) ids.push_back(id);
    }
    held_.clear();
    doomed_.clear();
  }
  DeleteAll(ids);
}

}  // namespace planbot::adapters
