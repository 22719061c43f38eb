// DblabClient: the part of the Database Lab Engine REST API that the `dblab` clone provider uses
// (GET /healthz, GET /status, POST /clone, GET /clone/{id}, POST /clone/{id}/reset,
// DELETE /clone/{id}), on cpp-httplib with nlohmann JSON. adapters/clones/dblab_provider.h builds
// the clone lifecycle on top of it.
//
// Every route but /healthz carries the `Verification-Token` header. The token is held in memory
// only: it is never logged and never part of an error message. Messages name the engine by the
// configured URL ("the DLE at https://dle:2345: POST /clone: HTTP 500 ...").
//
// Each call takes a deadline: its connection timeout is min(connect_timeout, time left) and its
// read and write timeouts min(read_timeout, time left), so an engine that accepts a connection
// and never answers holds a caller no longer than that. (cpp-httplib's read timeout bounds each
// read, not the whole answer: an engine that trickles bytes is not cut off; the DLE does not.)
//
// Failures are values (nothing throws), with these codes for the provider to map:
//   "unreachable"   no HTTP answer: connection refused or timed out, TLS failure, no answer in
//                   time, or the deadline had already passed
//   "unauthorized"  HTTP 401: "the DLE at URL rejected the verification token (...)"
//   "rejected"      another 4xx (400 "missing DB password", "clone ... already exists", ...)
//   "server_error"  a 5xx, or an answer that is not the JSON the contract promises
//   "bad_config" from Make() only
//
// Thread-safety: every member may be called from any thread. Each request uses a connection of
// its own (no keep-alive), so a slow request never queues others behind it.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "common/result.h"

namespace planbot::adapters {

using DblabClock = std::chrono::steady_clock;

// The fields of a DLE `Clone` that planbot reads.
struct DblabClone {
  std::string id;
  std::string status_code;  // OK, CREATING, RESETTING, DELETING, FATAL, EXPORTING, ...
  std::string status_message;
  std::string host;  // empty until the clone is ready
  std::string port;  // a string in the API (a number is accepted too)
  std::string username;
  std::string db_name;
};

// What POST /clone asks for. The clone is never protected and its user is restricted.
struct DblabCloneRequest {
  std::string id;  // ^[a-zA-Z0-9][a-zA-Z0-9_.-]*$
  std::string username;
  std::string password;  // secret: sent once, never logged
  std::string db_name;
};

// What GET /healthz and GET /status report.
struct DblabEngineInfo {
  std::string version;
  std::string edition;
  std::string status_code;  // from /status; empty from /healthz
  std::string status_message;
  int num_clones = 0;
};

struct DblabClientOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds read_timeout{30000};
};

class DblabClient {
 public:
  // `url`: http(s)://HOST[:PORT][/PREFIX], e.g. https://dle:2345 or http://dle:2346/api.
  // Error "bad_config" for anything else (user info, query strings, empty token).
  static Result<std::unique_ptr<DblabClient>> Make(const std::string& url, std::string token,
                                                   DblabClientOptions options);

  // GET /healthz, without the token.
  Result<DblabEngineInfo> Healthz(DblabClock::time_point deadline) const;
  // GET /status: checks the token, too.
  Result<DblabEngineInfo> EngineStatus(DblabClock::time_point deadline) const;
  // POST /clone; the engine answers at once with status CREATING.
  Result<DblabClone> CreateClone(const DblabCloneRequest& request,
                                 DblabClock::time_point deadline) const;
  // GET /clone/{id}; std::nullopt when the engine answers 404.
  Result<std::optional<DblabClone>> GetClone(const std::string& id,
                                             DblabClock::time_point deadline) const;
  // POST /clone/{id}/reset with {} (the clone's snapshot); the status turns RESETTING.
  Status ResetClone(const std::string& id, DblabClock::time_point deadline) const;
  // DELETE /clone/{id}. True: deletion started (status DELETING). False: the engine does not
  // know the clone (it answers 500 "clone not found", or 404), i.e. it is already gone.
  Result<bool> DeleteClone(const std::string& id, DblabClock::time_point deadline) const;

  // The URL as configured, for messages (never holds the token).
  const std::string& url() const { return url_; }
  // The API's host name or address (without IPv6 brackets): clones reported on "localhost" are
  // reached there.
  const std::string& host() const { return host_; }
  // True when the latest authenticated request was answered 401.
  bool token_rejected() const { return token_rejected_.load(); }

  // True for ids the API accepts; other ids are never put into a path.
  static bool ValidCloneId(const std::string& id);

 private:
  struct Reply;
  DblabClient(std::string url, std::string origin, std::string prefix, std::string host,
              std::string token, DblabClientOptions options);

  Result<Reply> Send(const std::string& method, const std::string& route, const std::string& body,
                     bool authenticated, DblabClock::time_point deadline) const;
  Error Failure(ErrorCode code, const std::string& method, const std::string& route,
                const std::string& reason) const;

  const std::string url_;
  const std::string origin_;  // scheme://host[:port]
  const std::string prefix_;  // path before the routes, without a trailing slash
  const std::string host_;
  const std::string token_;  // secret
  const DblabClientOptions options_;
  mutable std::atomic<bool> token_rejected_{false};
};

}  // namespace planbot::adapters
