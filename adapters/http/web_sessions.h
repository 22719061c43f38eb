// WebSessions: the web view's logins (docs/web.md). A valid API token posted to /login becomes a
// session: a random 256-bit id for the cookie and a random CSRF token for the page's POSTs,
// bound to the token's name and role, ending after `lifetime` or at logout. Only a SHA-256 of
// the id is kept, so the table holds nothing a reader could replay. Sessions live in memory: a
// restart logs everyone out.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "core/config.h"

namespace planbot::adapters {

struct WebSession {
  std::string user;
  core::Role role = core::Role::kUser;
  std::string csrf;  // hex
  std::chrono::steady_clock::time_point expires;
};

class WebSessions {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::hours kLifetime{12};
  static constexpr size_t kMaxSessions = 10000;  // the oldest go first beyond this

  // A new session; returns the cookie value (hex) and the session.
  std::pair<std::string, WebSession> Create(const std::string& user, core::Role role,
                                            Clock::time_point now = Clock::now());
  // The live session for a cookie value; nullopt when unknown or expired (then forgotten).
  std::optional<WebSession> Find(const std::string& cookie, Clock::time_point now = Clock::now());
  // Ends the session of a cookie value (logout); false when there was none.
  bool Remove(const std::string& cookie);
  size_t size() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, WebSession> by_hash_;  // SHA-256(cookie) hex -> session
};

// Random bytes as hex (OpenSSL's RAND_bytes), `bytes` of them.
std::string RandomHex(size_t bytes);
// Constant-time equality of two strings (different lengths are unequal).
bool SecretEquals(const std::string& a, const std::string& b);

}  // namespace planbot::adapters
