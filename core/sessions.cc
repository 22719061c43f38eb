#include "core/sessions.h"

#include <algorithm>

namespace planbot::core {

std::string SessionKey(const std::string& user, const std::string& database,
                       const std::string& name) {
  return user + '\x1f' + database + '\x1f' + name;
}

SessionManager::SessionManager(std::map<std::string, CloneProvider*> providers,
                               SessionFactory* factory, storage::SessionStore* store,
                               std::chrono::seconds idle_timeout, Logger log, Telemetry* telemetry)
    : providers_(std::move(providers)),
      factory_(factory),
      store_(store),
      idle_timeout_(idle_timeout),
      log_(std::move(log)),
      telemetry_(telemetry) {
  reaper_ = std::thread([this] { ReaperLoop(); });
}

SessionManager::~SessionManager() {
  Shutdown();
  if (reaper_.joinable()) reaper_.join();
}

void SessionManager::Restore(const std::vector<storage::SessionRecord>& saved) {
  std::lock_guard<std::mutex> guard(mu_);
  for (const storage::SessionRecord& r : saved) {
    if (providers_.count(r.database) == 0) continue;
    auto s = std::make_shared<Session>();
    s->key = SessionKey(r.user, r.database, r.name);
    s->name = r.name;
    s->user = r.user;
    s->database = r.database;
    SetClone(*s, CloneLease{r.clone_id,
                            {r.host, r.port, r.dbname, r.db_user, r.password, r.sslmode,
                             /*source_dbname: set by Reattach*/ ""}});
    s->restored = true;
    s->last_used = std::chrono::steady_clock::now();
    sessions_[s->key] = s;
  }
  if (!saved.empty()) log_.Info(std::to_string(saved.size()) + " sessions restored from the store");
}

Result<std::shared_ptr<Session>> SessionManager::Get(const std::string& user,
                                                     const std::string& database,
                                                     const std::string& name) {
  std::lock_guard<std::mutex> guard(mu_);
  if (stopping_) return MakeError(ErrorCode::kShuttingDown, "planbot is shutting down");
  std::string key = SessionKey(user, database, name);
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

std::shared_ptr<Session> SessionManager::Find(const std::string& user, const std::string& database,
                                              const std::string& name) {
  std::lock_guard<std::mutex> guard(mu_);
  auto it = sessions_.find(SessionKey(user, database, name));
  return it == sessions_.end() ? nullptr : it->second;
}

void SessionManager::SetClone(Session& s, std::optional<CloneLease> clone) {
  std::lock_guard<std::mutex> guard(s.clone_mu);
  s.clone_copy = clone;
  s.clone = std::move(clone);
}

std::optional<CloneLease> SessionManager::CurrentClone(const Session& s) {
  std::lock_guard<std::mutex> guard(s.clone_mu);
  return s.clone_copy;
}

CloneProvider* SessionManager::provider(const std::string& database) const {
  auto it = providers_.find(database);
  return it == providers_.end() ? nullptr : it->second;
}

void SessionManager::Save(const Session& s) {
  if (store_ == nullptr || !s.clone) return;
  const ConnectionInfo& c = s.clone->connection;
  storage::SessionRecord r{s.key,  s.user,   s.database, s.name,     s.clone->id, c.host,
                           c.port, c.dbname, c.user,     c.password, c.sslmode,   {}};
  if (Status saved = store_->SaveSession(r); !saved) {
    log_.Warn("session " + s.name +
              " not saved (it will not survive a restart): " + saved.error().message);
  }
}

Status SessionManager::Reattach(Session& s, CloneProvider& provider) {
  auto lease = provider.Reattach(s.clone->id, s.clone->connection.password);
  s.restored = false;
  if (lease) {
    SetClone(s, std::move(*lease));
    s.notice = "session " + s.name +
               " restored after a restart of planbot; its settings and "
               "hypothetical indexes were reset";
    Save(s);
    return Ok{};
  }
  if (lease.error().code != ErrorCode::kNotFound) return lease.error();
  s.notice = "the clone of session " + s.name +
             " did not survive a restart of planbot; this is "
             "a new clone";
  SetClone(s, std::nullopt);
  return Ok{};
}

Status SessionManager::Ensure(Session& s) {
  {
    std::lock_guard<std::mutex> guard(mu_);
    if (stopping_) return MakeError(ErrorCode::kShuttingDown, "planbot is shutting down");
  }
  if (s.db && s.db->usable()) return Ok{};
  CloneProvider* p = provider(s.database);
  if (p == nullptr)
    return MakeError(ErrorCode::kNotFound, "no database named \"" + s.database + "\"");
  if (s.clone && s.restored) {
    if (Status back = Reattach(s, *p); !back) return back;
  }
  if (!s.clone) {
    const auto asked = std::chrono::steady_clock::now();
    auto lease = p->Acquire();
    if (telemetry_) {
      telemetry_->CloneAcquired(
          s.database,
          std::chrono::duration<double>(std::chrono::steady_clock::now() - asked).count(),
          static_cast<bool>(lease));
    }
    if (!lease) return lease.error();
    SetClone(s, std::move(*lease));
    log_.Info("session " + s.name + " of " + s.user + " on " + s.database + ": clone " +
              s.clone->id);
    Save(s);
  }
  s.db.reset();
  auto db = factory_->Open(s.clone->connection);
  if (!db) return db.error();
  s.db = std::move(*db);
  s.backend_pid = s.db->backend_pid();
  return Ok{};
}

std::string SessionManager::ConnectionLost(Session& s) {
  s.db.reset();
  s.backend_pid = 0;
  CloneProvider* p = provider(s.database);
  if (s.clone && p != nullptr && p->Exists(s.clone->id)) {
    return "the connection to your clone was lost (its backend ended); the next command "
           "reconnects to the same clone, without this session's settings and hypothetical "
           "indexes";
  }
  Discard(s);
  return "your clone is gone; the next command of session " + s.name +
         " starts a new one from the source";
}

void SessionManager::Discard(Session& s) {
  s.db.reset();
  s.backend_pid = 0;
  if (!s.clone) return;
  if (CloneProvider* p = provider(s.database)) {
    Status released = p->Release(s.clone->id);
    if (!released) log_.Warn("releasing clone " + s.clone->id + ": " + released.error().message);
  }
  SetClone(s, std::nullopt);
  if (store_ != nullptr) (void)store_->DeleteSession(s.key);
}

Status SessionManager::ResetClone(Session& s) {
  CloneProvider* p = provider(s.database);
  if (p == nullptr || !s.clone) return Ensure(s);
  s.db.reset();
  s.backend_pid = 0;
  auto lease = p->Reset(s.clone->id);
  if (!lease) {
    if (lease.error().code == ErrorCode::kNotFound) SetClone(s, std::nullopt);
    return lease.error();
  }
  SetClone(s, std::move(*lease));
  Save(s);
  return Ensure(s);
}

void SessionManager::Touch(Session& s) {
  std::lock_guard<std::mutex> guard(mu_);
  s.last_used = std::chrono::steady_clock::now();
}

void SessionManager::End(Session& s) {
  log_.Info("session " + s.name + " of " + s.user + " on " + s.database + " ended");
  Discard(s);
  if (store_ != nullptr) (void)store_->DeleteSession(s.key);
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

}  // namespace planbot::core
