// LocalCloneProvider: the `local` clone provider (SPEC §5). Each session gets its own database
// made with CREATE DATABASE ... TEMPLATE <source> on the server of the admin connection, and its
// own login role that owns the clone's schemas and relations and nothing else (see
// adapters/clones/local_clones_admin.h for the exact steps and privileges).
//
// Clones are named <prefix>_<12 hex digits>; the database and the role share the name, which is
// also the lease id. The role's password is random (OpenSSL), lives only in memory (in the
// lease) and is sent to the server only as a SCRAM verifier. The source database is only ever
// used as a template: nothing connects to it.
//
// A background thread keeps `warm_clones` clones ready; Acquire() hands one out at once when
// there is one and otherwise makes one while the caller waits. Release() drops a clone
// (DROP DATABASE ... WITH (FORCE), DROP ROLE); Reset() drops it and hands out another (a new
// id). Reattach() takes a clone kept from an earlier run (see `keep`) back: it gets a new random
// password (ALTER ROLE, again as a SCRAM verifier; the saved one is not used) and is this
// provider's from then on, so Release() and Shutdown() drop it. At Create(), databases and roles
// with the prefix left by a crashed run are dropped unless options.keep(id) says to keep them; so
// two planbot instances must not share a prefix on one server. Shutdown() (also run by the
// destructor) stops the thread and drops every clone this provider made that was not released.
//
// Failures are values: "clone_unavailable", "source_busy" (the source has other sessions:
// TEMPLATE needs it idle), "bad_config" from Create(), "not_found" from Reattach() (no such
// clone of this prefix). Nothing throws.
//
// Thread-safety: every member may be called from any thread (core::CloneProvider's contract).
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "common/log.h"
#include "core/config.h"
#include "core/ports.h"

namespace planbot::adapters {

class CloneAdmin;

struct LocalCloneOptions {
  Logger logger;
  // Called at Create() for each leftover clone id: true keeps it (sessions restored across a
  // restart). Default: keep none.
  std::function<bool(const std::string& clone_id)> keep;
  // How long the pool waits before it tries again after failing to make a clone.
  std::chrono::milliseconds retry_delay{5000};
};

class LocalCloneProvider : public core::CloneProvider {
 public:
  static Result<std::unique_ptr<LocalCloneProvider>> Create(const core::LocalProviderConfig& config,
                                                            LocalCloneOptions options);
  ~LocalCloneProvider() override;
  LocalCloneProvider(const LocalCloneProvider&) = delete;
  LocalCloneProvider& operator=(const LocalCloneProvider&) = delete;

  std::string kind() const override { return "local"; }
  Result<core::CloneLease> Acquire() override;
  Status Release(const std::string& clone_id) override;
  Result<core::CloneLease> Reset(const std::string& clone_id) override;
  bool Exists(const std::string& clone_id) override;
  Result<core::CloneLease> Reattach(const std::string& clone_id,
                                    const std::string& saved_password) override;
  Status Health() override;
  PoolSize Pool() const override;
  void Shutdown() override;

  // Ready clones in the pool now.
  size_t warm_count() const;
  // Waits until the pool holds `count` ready clones; false on timeout (tests, startup).
  bool WaitForWarm(size_t count, std::chrono::milliseconds timeout) const;

 private:
  LocalCloneProvider(const core::LocalProviderConfig& config, LocalCloneOptions options,
                     std::unique_ptr<CloneAdmin> admin);

  bool IsCloneName(const std::string& name) const;
  Result<core::CloneLease> MakeClone();
  core::CloneLease LeaseFor(const std::string& name, std::string password) const;
  Status DropOrphans();
  void RefillLoop();

  const core::LocalProviderConfig config_;
  const LocalCloneOptions options_;
  const std::unique_ptr<CloneAdmin> admin_;

  mutable std::mutex mu_;
  mutable std::condition_variable changed_;  // pool, leases or stopping_ changed
  std::deque<core::CloneLease> warm_;
  std::set<std::string> leased_;
  size_t creating_ = 0;  // clones the refill thread is making now
  bool stopping_ = false;
  std::thread refill_;
};

}  // namespace planbot::adapters
