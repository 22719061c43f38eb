// DblabCloneProvider: the `dblab` clone provider (SPEC §5): thin clones from a Database Lab
// Engine over its REST API (adapters/clones/dblab_client.h), one per session.
//
// Acquire() asks for a clone with a fresh id `planbot-<12 hex>`, a restricted user
// `planbot_<same hex>` and a random password (32 characters a-z, A-Z, 0-9 from OpenSSL's
// generator: about 190 bits), then polls GET /clone/{id} every poll_interval until the clone is
// no longer CREATING, for at most config.create_timeout. The password lives only in memory: in
// the lease handed to the core and in this provider's table of the clones it holds (Reset()
// hands the same one out again; the engine never returns it). A clone the engine reports on
// localhost or 127.0.0.1 is reached at the API URL's host.
//
// Release() deletes and polls until the engine answers 404 (an unknown clone is gone already).
// A clone whose creation failed, or whose deletion failed, is handed to a background thread that
// keeps deleting it (delay retry_delay, doubling up to a minute) so callers never wait for a
// broken engine twice. Shutdown() (also run by the destructor) stops that thread and deletes,
// in parallel and within shutdown_timeout, every clone this provider made or reattached and
// still holds, sessions' clones included.
//
// Only ids that start with "planbot-" are ever deleted, reset or reattached: Release() of another
// id does nothing, Exists() is false, Reattach() answers "not_found".
//
// Every wait is bounded: each request by connect_timeout (5 s) and read_timeout (30 s), and
// Acquire/Reset/Reattach as a whole by create_timeout, Release by release_timeout, Health by
// health_timeout. Failures are values ("clone_unavailable", "not_found" from Reattach,
// "bad_config" from Create) whose messages name the engine's URL, never its token.
//
// Thread-safety: every member may be called from any thread (core::CloneProvider's contract).
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "adapters/clones/dblab_client.h"
#include "common/log.h"
#include "core/config.h"
#include "core/ports.h"

namespace planbot::adapters {

struct DblabOptions {
  Logger logger;
  std::chrono::milliseconds poll_interval{1000};
  std::chrono::milliseconds connect_timeout{5000};    // per request
  std::chrono::milliseconds read_timeout{30000};      // per request
  std::chrono::milliseconds release_timeout{60000};   // DELETE until 404
  std::chrono::milliseconds health_timeout{5000};     // Health() and the checks in Create()
  std::chrono::milliseconds retry_delay{5000};        // background deletion's first retry
  std::chrono::milliseconds shutdown_timeout{15000};  // all of Shutdown's deletions
};

class DblabCloneProvider : public core::CloneProvider {
 public:
  // Checks GET /healthz and GET /status (the token) before anything else. Errors:
  // "bad_config", "clone_unavailable" (unreachable, or "the DLE rejected the verification
  // token").
  static Result<std::unique_ptr<DblabCloneProvider>> Create(const core::DblabProviderConfig& config,
                                                            DblabOptions options);
  ~DblabCloneProvider() override;
  DblabCloneProvider(const DblabCloneProvider&) = delete;
  DblabCloneProvider& operator=(const DblabCloneProvider&) = delete;

  std::string kind() const override { return "dblab"; }
  Result<core::CloneLease> Acquire() override;
  Status Release(const std::string& clone_id) override;
  // POST /clone/{id}/reset and poll until not RESETTING; the lease keeps its password.
  Result<core::CloneLease> Reset(const std::string& clone_id) override;
  // 200 and a status other than DELETING and FATAL; false when the engine cannot be asked.
  bool Exists(const std::string& clone_id) override;
  // A FATAL clone counts as gone ("not_found"; it is deleted in the background).
  Result<core::CloneLease> Reattach(const std::string& clone_id,
                                    const std::string& saved_password) override;
  Status Health() override;
  PoolSize Pool() const override;
  void Shutdown() override;

  // Ids of the clones this provider holds now (made or reattached, not released).
  std::vector<std::string> held() const;
  // Clones waiting for the background deletion.
  size_t pending_deletions() const;

 private:
  DblabCloneProvider(const core::DblabProviderConfig& config, DblabOptions options,
                     std::unique_ptr<DblabClient> client);

  // Polls until the clone's status is none of `busy` (e.g. CREATING). Errors: "not_found" (404),
  // "clone_unavailable" (deadline, 401, shutting down); the deadline error names the last status
  // seen, starting from `known_status` (what the engine said before polling began, if anything).
  Result<DblabClone> WaitWhileBusy(const std::string& id, const std::vector<std::string>& busy,
                                   DblabClock::time_point deadline, bool interruptible,
                                   std::string known_status = "");
  // Polls a clone just asked for (the engine answered `status`) until it is no longer CREATING;
  // a lease when it is OK.
  Result<core::CloneLease> AwaitCreated(const DblabCloneRequest& request, const std::string& status,
                                        DblabClock::time_point deadline);
  // DELETE, then poll until 404. `interruptible`: gives up when the provider stops.
  Status Delete(const std::string& id, DblabClock::time_point deadline, bool interruptible);
  Result<core::ConnectionInfo> Connection(const DblabClone& clone, const std::string& user,
                                          const std::string& password) const;
  Result<core::CloneLease> Finish(const std::string& id, const DblabClone& clone,
                                  const std::string& user, const std::string& password);
  // Sleeps `duration` (not past `deadline`); false when interrupted by Shutdown().
  bool Sleep(std::chrono::milliseconds duration, DblabClock::time_point deadline,
             bool interruptible);
  // Hands `id` to the background deletion (nothing once stopping: Shutdown() has it).
  void DeleteLater(const std::string& id);
  void DeleteLoop();
  void DeleteAll(const std::vector<std::string>& ids);
  Error Unavailable(const Error& error) const;

  const core::DblabProviderConfig config_;
  const DblabOptions options_;
  const std::unique_ptr<DblabClient> client_;

  mutable std::mutex mu_;
  std::condition_variable changed_;               // stopping_ or doomed_ changed
  std::map<std::string, core::CloneLease> held_;  // by id; a clone being made has no host yet
  struct Doomed {
    DblabClock::time_point due;
    std::chrono::milliseconds delay;
  };
  std::map<std::string, Doomed> doomed_;  // to delete in the background
  bool stopping_ = false;
  bool shut_down_ = false;
  std::thread deleter_;
};

}  // namespace planbot::adapters
