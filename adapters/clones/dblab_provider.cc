#include "adapters/clones/dblab_provider.h"

#include <openssl/rand.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <system_error>

#include "adapters/clones/random_hex.h"

namespace planbot::adapters {
namespace {

using std::chrono::milliseconds;

constexpr char kIdPrefix[] = "planbot-";
constexpr char kUserPrefix[] = "planbot_";
constexpr size_t kIdBytes = 6;         // 12 hex digits
constexpr size_t kPasswordChars = 32;  // of 62: about 190 bits
constexpr milliseconds kMaxRetryDelay{60000};
constexpr size_t kMaxShutdownThreads = 8;

// Letters and digits only: safe in a libpq connection string and in the engine's JSON, and well
// past the engine's password validation (60 bits of entropy). Empty if OpenSSL fails.
std::string RandomPassword() {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  constexpr unsigned kSize = sizeof kAlphabet - 1;  // 62
  constexpr unsigned kLimit = 256 - 256 % kSize;    // rejection sampling keeps it uniform
  std::string out;
  unsigned char buf[64];
  while (out.size() < kPasswordChars) {
    if (RAND_bytes(buf, sizeof buf) != 1) return std::string();
    for (unsigned char b : buf) {
      if (b >= kLimit || out.size() == kPasswordChars) continue;
      out += kAlphabet[b % kSize];
    }
  }
  return out;
}

bool OurId(const std::string& id) {
  return id.starts_with(kIdPrefix) && DblabClient::ValidCloneId(id);
}

bool OneOf(const std::string& code, const std::vector<std::string>& codes) {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

long long MillisSince(DblabClock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(DblabClock::now() - start).count();
}

std::string SecondsText(milliseconds ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms.count()) / 1000.0);
  return buf;
}

}  // namespace

Result<std::unique_ptr<DblabCloneProvider>> DblabCloneProvider::Create(
    const core::DblabProviderConfig& config, DblabOptions options) {
  if (config.db_name.empty()) return MakeError(ErrorCode::kBadConfig, "dblab.db_name is empty");
  if (config.create_timeout.count() <= 0) {
    return MakeError(ErrorCode::kBadConfig, "dblab.create_timeout must be positive");
  }
  if (options.poll_interval.count() <= 0) options.poll_interval = milliseconds(1);
  Result<std::unique_ptr<DblabClient>> client =
      DblabClient::Make(config.url, config.token, {options.connect_timeout, options.read_timeout});
  if (!client) return client.error();
  Result<DblabEngineInfo> health = (*client)->Healthz(DblabClock::now() + options.health_timeout);
  if (health) health = (*client)->EngineStatus(DblabClock::now() + options.health_timeout);
  if (!health) {
    options.logger.Error(health.error().message);
    return MakeError(ErrorCode::kCloneUnavailable, health.error().message);
  }
  options.logger.Info("Database Lab Engine at " + config.url + ": version " + health->version +
                      " (" + health->edition + "), status " + health->status_code + ", " +
                      std::to_string(health->num_clones) + " clones");
  std::unique_ptr<DblabCloneProvider> provider(
      new DblabCloneProvider(config, std::move(options), std::move(*client)));
  try {
    provider->deleter_ = std::thread([p = provider.get()] { p->DeleteLoop(); });
  } catch (const std::system_error& e) {
    return MakeError(ErrorCode::kCloneUnavailable,
                     std::string("cannot start a thread: ") + e.what());
  }
  return provider;
}

DblabCloneProvider::DblabCloneProvider(const core::DblabProviderConfig& config,
                                       DblabOptions options, std::unique_ptr<DblabClient> client)
    : config_(config), options_(std::move(options)), client_(std::move(client)) {}

DblabCloneProvider::~DblabCloneProvider() { Shutdown(); }

Error DblabCloneProvider::Unavailable(const Error& error) const {
  return MakeError(ErrorCode::kCloneUnavailable, error.message);
}

Result<core::CloneLease> DblabCloneProvider::Acquire() {
  const auto start = DblabClock::now();
  const auto deadline = start + config_.create_timeout;
  const std::string hex = RandomHex(kIdBytes);
  const std::string password = RandomPassword();
  if (hex.empty() || password.empty()) {
    return MakeError(ErrorCode::kCloneUnavailable, "the random number generator failed");
  }
  const DblabCloneRequest request{kIdPrefix + hex, kUserPrefix + hex, password, config_.db_name};
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_)
      return MakeError(ErrorCode::kCloneUnavailable, "the clone provider is shutting down");
    core::CloneLease pending;  // so that Shutdown() deletes it while it is being made
    pending.id = request.id;
    held_[request.id] = pending;
  }
  Result<DblabClone> created = client_->CreateClone(request, deadline);
  if (!created) {
    // Without an answer the clone may exist all the same; a 4xx made nothing.
    const ErrorCode code = created.error().code;
    if (code == ErrorCode::kRejected || code == ErrorCode::kUnauthorized) {
      std::lock_guard<std::mutex> lock(mu_);
      held_.erase(request.id);
    } else {
      DeleteLater(request.id);
    }
    options_.logger.Warn("cannot make a clone: " + created.error().message);
    return Unavailable(created.error());
  }
  Result<core::CloneLease> lease = AwaitCreated(request, created->status_code, deadline);
  if (!lease) {
    DeleteLater(request.id);
    options_.logger.Warn("clone " + request.id + ": " + lease.error().message);
    return lease;
  }
  options_.logger.Info("clone " + request.id + " ready in " + std::to_string(MillisSince(start)) +
                       " ms: " + lease->connection.Describe());
  return lease;
}

Result<core::CloneLease> DblabCloneProvider::AwaitCreated(const DblabCloneRequest& request,
                                                          const std::string& status,
                                                          DblabClock::time_point deadline) {
  Result<DblabClone> ready = WaitWhileBusy(request.id, {"CREATING"}, deadline, true, status);
  if (!ready) return Unavailable(ready.error());
  if (ready->status_code != "OK") {
    // FATAL, with the cause: "no available ports", "postgres start timeout", ...
    const std::string& cause =
        ready->status_message.empty() ? ready->status_code : ready->status_message;
    return MakeError(ErrorCode::kCloneUnavailable,
                     "the DLE at " + config_.url + " could not make a clone: " + cause);
  }
  return Finish(request.id, *ready, request.username, request.password);
}

Result<DblabClone> DblabCloneProvider::WaitWhileBusy(const std::string& id,
                                                     const std::vector<std::string>& busy,
                                                     DblabClock::time_point deadline,
                                                     bool interruptible, std::string known_status) {
  const auto start = DblabClock::now();
  // What the engine last said, and why the latest poll failed (if it did): a poll that times
  // out at the deadline must not hide the status seen before it.
  std::string status = std::move(known_status);
  std::string poll_error;
  for (;;) {
    Result<std::optional<DblabClone>> got = client_->GetClone(id, deadline);
    if (got && !got->has_value()) {
      return MakeError(ErrorCode::kNotFound,
                       "the DLE at " + config_.url + " does not know clone " + id);
    }
    if (got && !OneOf((*got)->status_code, busy)) return **got;
    if (got) {
      status = (*got)->status_code;
      poll_error.clear();
    } else if (got.error().code == ErrorCode::kUnreachable ||
               got.error().code == ErrorCode::kServerError) {
      poll_error = got.error().message;  // maybe passing: ask again until the deadline
    } else {
      return Unavailable(got.error());
    }
    if (!Sleep(options_.poll_interval, deadline, interruptible)) {
      return MakeError(ErrorCode::kCloneUnavailable, "the clone provider is shutting down");
    }
    if (DblabClock::now() >= deadline) {
      std::string last = status.empty() ? "no status seen" : "last status " + status;
      if (!poll_error.empty()) last += "; last poll: " + poll_error;
      return MakeError(
          ErrorCode::kCloneUnavailable,
          "the DLE at " + config_.url + ": clone " + id + " not ready after " +
              SecondsText(std::chrono::duration_cast<milliseconds>(DblabClock::now() - start)) +
              " (" + last + ")");
    }
  }
}

bool DblabCloneProvider::Sleep(milliseconds duration, DblabClock::time_point deadline,
                               bool interruptible) {
  const auto until = std::min(DblabClock::now() + duration, deadline);
  std::unique_lock<std::mutex> lock(mu_);
  if (!interruptible) {
    lock.unlock();
    std::this_thread::sleep_until(until);
    return true;
  }
  return !changed_.wait_until(lock, until, [&] { return stopping_; });
}

Result<core::ConnectionInfo> DblabCloneProvider::Connection(const DblabClone& clone,
                                                            const std::string& user,
                                                            const std::string& password) const {
  core::ConnectionInfo c;
  c.host = clone.host;
  // The engine names its own machine as localhost: from here, that is the API's host.
  if (c.host.empty() || c.host == "localhost" || c.host == "127.0.0.1" || c.host == "::1") {
    c.host = client_->host();
  }
  const char* end = clone.port.data() + clone.port.size();
  auto [ptr, ec] = std::from_chars(clone.port.data(), end, c.port);
  if (ec != std::errc() || ptr != end || c.port < 1 || c.port > 65535) {
    return MakeError(ErrorCode::kCloneUnavailable, "the DLE at " + config_.url +
                                                       " reported clone " + clone.id +
                                                       " on port \"" + clone.port + "\"");
  }
  c.dbname = clone.db_name.empty() ? config_.db_name : clone.db_name;
  c.source_dbname = c.dbname;  // a thin clone has the source's databases under their own names
  c.user = user;
  c.password = password;
  c.sslmode = config_.sslmode;
  return c;
}

Result<core::CloneLease> DblabCloneProvider::Finish(const std::string& id, const DblabClone& clone,
                                                    const std::string& user,
                                                    const std::string& password) {
  Result<core::ConnectionInfo> connection = Connection(clone, user, password);
  if (!connection) return connection.error();
  core::CloneLease lease{id, std::move(*connection)};
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_)
    return MakeError(ErrorCode::kCloneUnavailable, "the clone provider is shutting down");
  held_[id] = lease;
  return lease;
}

Status DblabCloneProvider::Release(const std::string& clone_id) {
  if (!OurId(clone_id)) return Ok{};  // not a clone of ours: nothing to delete
  {
    std::lock_guard<std::mutex> lock(mu_);
    held_.erase(clone_id);
    doomed_.erase(clone_id);
  }
  const auto start = DblabClock::now();
  Status deleted = Delete(clone_id, start + options_.release_timeout, /*interruptible=*/false);
  if (!deleted) {
    options_.logger.Warn("releasing clone " + clone_id +
                         " failed, retrying in the background: " + deleted.error().message);
    DeleteLater(clone_id);
    return deleted;
  }
  options_.logger.Info("released clone " + clone_id + " in " + std::to_string(MillisSince(start)) +
                       " ms");
  return Ok{};
}

Status DblabCloneProvider::Delete(const std::string& id, DblabClock::time_point deadline,
                                  bool interruptible) {
  Result<bool> started = client_->DeleteClone(id, deadline);
  if (!started) return Unavailable(started.error());
  if (!*started) return Ok{};  // the engine does not know it: gone already
  Result<DblabClone> after = WaitWhileBusy(id, {"DELETING"}, deadline, interruptible);
  if (!after && after.error().code == ErrorCode::kNotFound) return Ok{};
  if (!after) return Unavailable(after.error());
  return MakeError(ErrorCode::kCloneUnavailable,
                   "the DLE at " + config_.url + " could not delete clone " + id + ": status " +
                       after->status_code +
                       (after->status_message.empty() ? "" : ": " + after->status_message));
}

Result<core::CloneLease> DblabCloneProvider::Reset(const std::string& clone_id) {
  std::string user;
  std::string password;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = held_.find(clone_id);
    if (it == held_.end() || it->second.connection.password.empty()) {
      return MakeError(ErrorCode::kCloneUnavailable,
                       "clone " + clone_id + " is not held by this provider");
    }
    user = it->second.connection.user;
    password = it->second.connection.password;
  }
  const auto start = DblabClock::now();
  const auto deadline = start + config_.create_timeout;
  Status reset = client_->ResetClone(clone_id, deadline);
  if (!reset) return Unavailable(reset.error());
  Result<DblabClone> ready = WaitWhileBusy(clone_id, {"RESETTING"}, deadline, true);
  if (!ready) return Unavailable(ready.error());
  if (ready->status_code != "OK") {
    return MakeError(ErrorCode::kCloneUnavailable,
                     "the DLE at " + config_.url + " could not reset clone " + clone_id + ": " +
                         ready->status_code + " " + ready->status_message);
  }
  Result<core::CloneLease> lease = Finish(clone_id, *ready, user, password);
  if (lease) {
    options_.logger.Info("reset clone " + clone_id + " in " + std::to_string(MillisSince(start)) +
                         " ms");
  }
  return lease;
}

bool DblabCloneProvider::Exists(const std::string& clone_id) {
  if (!OurId(clone_id)) return false;
  auto got = client_->GetClone(
      clone_id, DblabClock::now() + options_.connect_timeout + options_.read_timeout);
  return got && got->has_value() && !OneOf((*got)->status_code, {"DELETING", "FATAL"});
}

Result<core::CloneLease> DblabCloneProvider::Reattach(const std::string& clone_id,
                                                      const std::string& saved_password) {
  if (!OurId(clone_id))
    return MakeError(ErrorCode::kNotFound, clone_id + " is not a planbot clone");
  if (saved_password.empty()) {
    return MakeError(ErrorCode::kCloneUnavailable, "no saved password for clone " + clone_id);
  }
  const auto deadline = DblabClock::now() + config_.create_timeout;
  Result<DblabClone> clone = WaitWhileBusy(clone_id, {"CREATING", "RESETTING"}, deadline, true);
  if (!clone) {
    return clone.error().code == ErrorCode::kNotFound ? clone.error() : Unavailable(clone.error());
  }
  if (clone->status_code == "DELETING") {
    return MakeError(ErrorCode::kNotFound, "clone " + clone_id + " is being deleted");
  }
  if (clone->status_code == "FATAL") {
    DeleteLater(clone_id);
    return MakeError(ErrorCode::kNotFound, "clone " + clone_id + " failed on the DLE (" +
                                               clone->status_message + "); deleting it");
  }
  if (clone->status_code != "OK") {
    return MakeError(ErrorCode::kCloneUnavailable,
                     "clone " + clone_id + " is not ready (status " + clone->status_code + ")");
  }
  const std::string user = clone->username.empty()
                               ? kUserPrefix + clone_id.substr(sizeof kIdPrefix - 1)
                               : clone->username;
  Result<core::CloneLease> lease = Finish(clone_id, *clone, user, saved_password);
  if (lease) options_.logger.Info("reattached clone " + clone_id);
  return lease;
}

core::CloneProvider::PoolSize DblabCloneProvider::Pool() const {
  std::lock_guard<std::mutex> guard(mu_);
  return PoolSize{0, static_cast<int>(held_.size())};  // thin clones are made per session
}

Status DblabCloneProvider::Health() {
  Result<DblabEngineInfo> health = client_->Healthz(DblabClock::now() + options_.health_timeout);
  if (!health) return Unavailable(health.error());
  if (client_->token_rejected()) {
    return MakeError(ErrorCode::kCloneUnavailable,
                     "the DLE at " + config_.url +
                         " rejected the verification token on the latest "
                         "request; check dblab.token");
  }
  return Ok{};
}

std::vector<std::string> DblabCloneProvider::held() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> ids;
  for (const auto& [id, lease] : held_) ids.push_back(id);
  return ids;
}

size_t DblabCloneProvider::pending_deletions() const {
  std::lock_guard<std::mutex> lock(mu_);
  return doomed_.size();
}

}  // namespace planbot::adapters
