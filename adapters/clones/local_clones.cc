#include "adapters/clones/local_clones.h"

#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <vector>

#include "adapters/clones/local_clones_admin.h"
#include "adapters/clones/random_hex.h"

namespace planbot::adapters {
namespace {

constexpr size_t kIdBytes = 6;         // 12 hex digits in the name
constexpr size_t kPasswordBytes = 24;  // 192 bits
constexpr size_t kMaxPrefix = 40;      // prefix_ + 12 digits stays within NAMEDATALEN

bool ValidPrefix(const std::string& prefix) {
  return !prefix.empty() && prefix.size() <= kMaxPrefix &&
         std::all_of(prefix.begin(), prefix.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
         });
}

long long MillisSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

}  // namespace

Result<std::unique_ptr<LocalCloneProvider>> LocalCloneProvider::Create(
    const core::LocalProviderConfig& config, LocalCloneOptions options) {
  if (!ValidPrefix(config.clone_prefix)) {
    return MakeError(ErrorCode::kBadConfig,
                     "local.clone_prefix must be 1 to 40 characters a-z, 0-9, _");
  }
  if (config.source.empty()) return MakeError(ErrorCode::kBadConfig, "local.source is empty");
  if (config.warm_clones < 0)
    return MakeError(ErrorCode::kBadConfig, "local.warm_clones is negative");
  auto admin = std::make_unique<CloneAdmin>(config.admin_dsn, config.source, config.clone_prefix,
                                            options.logger);
  if (Status s = admin->Connect(); !s) return s.error();
  Result<bool> exists = admin->DatabaseExists(config.source);
  if (!exists) return exists.error();
  if (!*exists) {
    return MakeError(ErrorCode::kCloneUnavailable,
                     "the source database \"" + config.source + "\" does not exist");
  }
  std::unique_ptr<LocalCloneProvider> provider(
      new LocalCloneProvider(config, std::move(options), std::move(admin)));
  if (Status s = provider->DropOrphans(); !s) return s.error();
  provider->refill_ = std::thread([p = provider.get()] { p->RefillLoop(); });
  return provider;
}

LocalCloneProvider::LocalCloneProvider(const core::LocalProviderConfig& config,
                                       LocalCloneOptions options, std::unique_ptr<CloneAdmin> admin)
    : config_(config), options_(std::move(options)), admin_(std::move(admin)) {}

LocalCloneProvider::~LocalCloneProvider() { Shutdown(); }

bool LocalCloneProvider::IsCloneName(const std::string& name) const {
  const std::string head = config_.clone_prefix + "_";
  if (name.size() != head.size() + 2 * kIdBytes || name.compare(0, head.size(), head) != 0) {
    return false;
  }
  return std::all_of(name.begin() + head.size(), name.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

Status LocalCloneProvider::DropOrphans() {
  Result<std::vector<std::string>> names = admin_->ListClonesNamed(config_.clone_prefix);
  if (!names) return names.error();
  for (const std::string& name : *names) {
    if (!IsCloneName(name)) continue;
    if (options_.keep && options_.keep(name)) {
      options_.logger.Info("keeping clone " + name + " from an earlier run");
      continue;
    }
    if (Status s = admin_->Drop(name); !s) return s;
    options_.logger.Info("dropped clone " + name + " left by an earlier run");
  }
  return Ok{};
}

Result<core::CloneLease> LocalCloneProvider::MakeClone() {
  auto start = std::chrono::steady_clock::now();
  std::string id = RandomHex(kIdBytes);
  std::string password = RandomHex(kPasswordBytes);
  if (id.empty() || password.empty()) {
    return MakeError(ErrorCode::kCloneUnavailable, "the random number generator failed");
  }
  const std::string name = config_.clone_prefix + "_" + id;
  Status made = admin_->CreateRoleAndDatabase(name, password, config_.source);
  if (made) made = admin_->PrepareClone(name);
  if (!made) {
    (void)admin_->Drop(name);  // whatever part of it exists
    return made.error();
  }
  core::CloneLease lease = LeaseFor(name, std::move(password));
  options_.logger.Info("clone " + name + " of " + config_.source + " ready in " +
                       std::to_string(MillisSince(start)) + " ms");
  return lease;
}

core::CloneLease LocalCloneProvider::LeaseFor(const std::string& name, std::string password) const {
  core::CloneLease lease;
  lease.id = name;
  lease.connection.host = admin_->host();
  lease.connection.port = admin_->port();
  lease.connection.dbname = name;
  lease.connection.source_dbname = config_.source;
  lease.connection.user = name;
  lease.connection.password = std::move(password);
  return lease;
}

Result<core::CloneLease> LocalCloneProvider::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_)
      return MakeError(ErrorCode::kCloneUnavailable, "the clone provider is shutting down");
    if (!warm_.empty()) {
      core::CloneLease lease = std::move(warm_.front());
      warm_.pop_front();
      leased_.insert(lease.id);
      changed_.notify_all();  // the refill thread makes a new one
      return lease;
    }
  }
  Result<core::CloneLease> lease = MakeClone();
  if (!lease) return lease;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) {
      leased_.insert(lease->id);
      return lease;
    }
  }
  (void)admin_->Drop(lease->id);
  return MakeError(ErrorCode::kCloneUnavailable, "the clone provider is shutting down");
}

Status LocalCloneProvider::Release(const std::string& clone_id) {
  if (!IsCloneName(clone_id)) return Ok{};  // not a clone of ours: nothing to drop
  {
    std::lock_guard<std::mutex> lock(mu_);
    leased_.erase(clone_id);
    std::erase_if(warm_, [&](const core::CloneLease& l) { return l.id == clone_id; });
  }
  changed_.notify_all();
  return admin_->Drop(clone_id);
}

Result<core::CloneLease> LocalCloneProvider::Reset(const std::string& clone_id) {
  if (Status s = Release(clone_id); !s) return s.error();
  return Acquire();
}

Result<core::CloneLease> LocalCloneProvider::Reattach(const std::string& clone_id,
                                                      const std::string& /*saved_password*/) {
  if (!IsCloneName(clone_id)) {
    return MakeError(ErrorCode::kNotFound, "\"" + clone_id + "\" is not a clone of this provider");
  }
  Result<bool> exists = admin_->CloneExists(clone_id);
  if (!exists) return exists.error();
  if (!*exists) return MakeError(ErrorCode::kNotFound, "clone " + clone_id + " no longer exists");
  std::string password = RandomHex(kPasswordBytes);
  if (password.empty())
    return MakeError(ErrorCode::kCloneUnavailable, "the random number generator failed");
  bool was_ours = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_)
      return MakeError(ErrorCode::kCloneUnavailable, "the clone provider is shutting down");
    // Recorded before the password changes, so a Shutdown() meanwhile drops it too.
    was_ours = std::erase_if(warm_, [&](const core::CloneLease& l) { return l.id == clone_id; });
    was_ours = !leased_.insert(clone_id).second || was_ours;
  }
  changed_.notify_all();
  if (Status s = admin_->SetPassword(clone_id, password); !s) {
    if (!was_ours) {
      std::lock_guard<std::mutex> lock(mu_);
      leased_.erase(clone_id);  // as before: left to the caller (another Reattach, or Release)
    }
    return s.error();
  }
  options_.logger.Info("reattached clone " + clone_id + " from an earlier run");
  return LeaseFor(clone_id, std::move(password));
}

bool LocalCloneProvider::Exists(const std::string& clone_id) {
  if (!IsCloneName(clone_id)) return false;
  Result<bool> exists = admin_->DatabaseExists(clone_id);
  return exists.ok() && *exists;
}

core::CloneProvider::PoolSize LocalCloneProvider::Pool() const {
  std::lock_guard<std::mutex> guard(mu_);
  return PoolSize{static_cast<int>(warm_.size()), static_cast<int>(leased_.size())};
}

Status LocalCloneProvider::Health() {
  Result<bool> exists = admin_->DatabaseExists(config_.source);
  if (!exists) return exists.error();
  if (!*exists) {
    return MakeError(ErrorCode::kCloneUnavailable,
                     "the source database \"" + config_.source + "\" does not exist");
  }
  return Ok{};
}

size_t LocalCloneProvider::warm_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return warm_.size();
}

bool LocalCloneProvider::WaitForWarm(size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  return changed_.wait_for(lock, timeout, [&] { return warm_.size() >= count || stopping_; }) &&
         warm_.size() >= count;
}

void LocalCloneProvider::RefillLoop() {
  const size_t target = static_cast<size_t>(config_.warm_clones);
  std::string last_failure;  // logged once, not every retry
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    if (warm_.size() + creating_ >= target) {
      changed_.wait(lock);
      continue;
    }
    ++creating_;
    lock.unlock();
    Result<core::CloneLease> lease = MakeClone();
    lock.lock();
    --creating_;
    if (lease && !stopping_) {
      warm_.push_back(std::move(*lease));
      changed_.notify_all();
      if (!last_failure.empty()) options_.logger.Info("warm pool: making clones again");
      last_failure.clear();
    } else if (lease) {
      lock.unlock();
      (void)admin_->Drop(lease->id);
      lock.lock();
    } else {
      if (lease.error().message != last_failure) {
        last_failure = lease.error().message;
        options_.logger.Warn("warm pool: cannot make a clone, retrying: " + last_failure);
      }
      changed_.wait_for(lock, options_.retry_delay, [&] { return stopping_; });
    }
  }
}

void LocalCloneProvider::Shutdown() {
  std::vector<std::string> made;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (refill_.joinable()) refill_.join();
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const core::CloneLease& lease : warm_) made.push_back(lease.id);
    made.insert(made.end(), leased_.begin(), leased_.end());
    warm_.clear();
    leased_.clear();
  }
  for (const std::string& name : made) {
    if (admin_->Drop(name)) options_.logger.Info("dropped clone " + name + " at shutdown");
  }
}

}  // namespace planbot::adapters
