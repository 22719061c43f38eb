#include "adapters/http/web_sessions.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <stdexcept>

namespace planbot::adapters {
namespace {

std::string Hex(const unsigned char* data, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 15];
  }
  return out;
}

std::string HashOf(const std::string& cookie) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(cookie.data()), cookie.size(), digest);
  return Hex(digest, sizeof digest);
}

}  // namespace

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    // No randomness, no session: never fall back to a predictable id.
    throw std::runtime_error("RAND_bytes failed");
  }
  return Hex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

bool SecretEquals(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::pair<std::string, WebSession> WebSessions::Create(const std::string& user, core::Role role,
                                                       Clock::time_point now) {
  std::string cookie = RandomHex(32);
  WebSession session{user, role, RandomHex(32), now + kLifetime};
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = by_hash_.begin(); it != by_hash_.end();) {
    it = it->second.expires <= now ? by_hash_.erase(it) : std::next(it);
  }
  while (by_hash_.size() >= kMaxSessions) {
    auto oldest = by_hash_.begin();
    for (auto it = by_hash_.begin(); it != by_hash_.end(); ++it) {
      if (it->second.expires < oldest->second.expires) oldest = it;
    }
    by_hash_.erase(oldest);
  }
  by_hash_[HashOf(cookie)] = session;
  return {cookie, session};
}

std::optional<WebSession> WebSessions::Find(const std::string& cookie, Clock::time_point now) {
  if (cookie.size() != 64) return std::nullopt;
  const std::string key = HashOf(cookie);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_hash_.find(key);
  if (it == by_hash_.end()) return std::nullopt;
  if (it->second.expires <= now) {
    by_hash_.erase(it);
    return std::nullopt;
  }
  return it->second;
}

bool WebSessions::Remove(const std::string& cookie) {
  const std::string key = HashOf(cookie);
  std::lock_guard<std::mutex> lock(mu_);
  return by_hash_.erase(key) > 0;
}

size_t WebSessions::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return by_hash_.size();
}

}  // namespace planbot::adapters
