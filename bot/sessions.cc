#include "bot/sessions.h"

#include <algorithm>

namespace planbot::bot {
namespace {

std::string Key(const std::string& user, const std::string& database, const std::string& name) {
  return user + '\x1f' + database + '\x1f' + name;
}

}  // namespace

SessionManager::SessionManager(std::map<std::string, CloneProvider*> providers,
                               SessionFactory* factory, std::chrono::seconds idle_timeout,
                               Logger log)
    : providers_(std::move(providers)),
      factory_(factory),
      idle_timeout_(idle_timeout),
      log_(std::move(log)) {
  reaper_ = std::thread([this] { ReaperLoop(); });
}

SessionManager::~SessionManager() {
  Shutdown();
  if (reaper_.joinable()) reaper_.join();
}

Result<std::shared_ptr<Session>> SessionManager::Get(const std::string& user,
                                                     const std::string& database,
                                                     const std::string& name) {
  std::lock_guard<std::mutex> guard(mu_);
  if (stopping_) return MakeError("shutting_down", "planbot is shutting down");
  std::string key = Key(user, database, name);
  auto it = sessions_.find(key);
  if (it != sessions_.end()) return it->second;
  auto session = std::make_shared<Session>();
  session->key = key;
  session->name = name;
  session->user = user;
  session->database = database;
  session->last_used = std::chrono::steady_clock::now();
  sessions_[key] = session;
  return session;
}

Status SessionManager::Ensure(Session& s) {
  {
    std::lock_guard<std::mutex> guard(mu_);
    if (stopping_) return MakeError("shutting_down", "planbot is shutting down");
  }
  if (s.db && s.db->usable()) return Ok{};
  auto provider = providers_.find(s.database);
  if (provider == providers_.end()) {
    return MakeError("not_found", "no database named \"" + s.database + "\"");
  }
  if (!s.clone) {
    auto lease = provider->second->Acquire();
    if (!lease) return lease.error();
    s.clone = std::move(*lease);
    log_.Info("session " + s.name + " of " + s.user + " on " + s.database + ": clone " +
              s.clone->id);
  }
  auto db = factory_->Open(s.clone->connection);
  if (!db) {
    Discard(s);
    return db.error();
  }
  s.db = std::move(*db);
  return Ok{};
}

void SessionManager::Discard(Session& s) {
  s.db.reset();
  if (!s.clone) return;
  auto provider = providers_.find(s.database);
  if (provider != providers_.end()) {
    Status released = provider->second->Release(s.clone->id);
    if (!released) log_.Warn("releasing clone " + s.clone->id + ": " + released.error().message);
  }
  s.clone.reset();
}

void SessionManager::Touch(Session& s) {
  std::lock_guard<std::mutex> guard(mu_);
  s.last_used = std::chrono::steady_clock::now();
}

void SessionManager::End(Session& s) {
  log_.Info("session " + s.name + " of " + s.user + " on " + s.database + " ended");
  Discard(s);
}

int SessionManager::ReapIdle() {
  std::vector<std::shared_ptr<Session>> idle;
  {
    std::lock_guard<std::mutex> guard(mu_);
    auto now = std::chrono::steady_clock::now();
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      Session& s = *it->second;
      if (now - s.last_used >= idle_timeout_ && s.lock.try_lock()) {
        idle.push_back(it->second);
        it = sessions_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& s : idle) {
    End(*s);
    s->lock.unlock();
  }
  return static_cast<int>(idle.size());
}

size_t SessionManager::size() const {
  std::lock_guard<std::mutex> guard(mu_);
  return sessions_.size();
}

void SessionManager::ReaperLoop() {
  auto period = std::clamp(idle_timeout_ / 4, std::chrono::seconds(1), std::chrono::seconds(30));
  std::unique_lock<std::mutex> guard(mu_);
  while (!stopping_) {
    wake_.wait_for(guard, period);
    if (stopping_) break;
    guard.unlock();
    ReapIdle();
    guard.lock();
  }
}

void SessionManager::Shutdown() {
  std::map<std::string, std::shared_ptr<Session>> all;
  {
    std::lock_guard<std::mutex> guard(mu_);
    if (stopping_ && sessions_.empty()) return;
    stopping_ = true;
    all.swap(sessions_);
  }
  wake_.notify_all();
  // Cancel what runs, then take each session's lock so no command still uses its clone.
  for (auto& [key, s] : all) {
    {
      std::lock_guard<std::mutex> running(s->running_mu);
      if (s->running != nullptr) s->running->Cancel();
    }
    std::lock_guard<FifoLock> held(s->lock);
    End(*s);
  }
}

}  // namespace planbot::bot
