#include "adapters/slack/slack_verify.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdint>

namespace planbot::adapters {
namespace {

constexpr size_t kMaxTimestampDigits = 12;
constexpr char kVersion[] = "v0";

Error Unauthorized(const std::string& message) {
  return MakeError(ErrorCode::kUnauthorized, message);
}

// "v0=" + lowercase hex of HMAC-SHA256(secret, "v0:" + timestamp + ":" + body); empty on failure.
std::string Sign(const std::string& secret, const std::string& timestamp, const std::string& body) {
  std::string base = std::string(kVersion) + ":" + timestamp + ":" + body;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(base.data()), base.size(), digest,
           &length) == nullptr) {
    return {};
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = std::string(kVersion) + "=";
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0x0f];
  }
  OPENSSL_cleanse(digest, sizeof digest);
  return out;
}

}  // namespace

Status VerifySlackRequest(const std::string& signing_secret, const std::string& timestamp_header,
                          const std::string& signature_header, const std::string& raw_body,
                          std::chrono::system_clock::time_point now) {
  if (signing_secret.empty()) return Unauthorized("no Slack signing secret is configured");
  if (timestamp_header.empty()) return Unauthorized("missing X-Slack-Request-Timestamp");
  if (signature_header.empty()) return Unauthorized("missing X-Slack-Signature");
  if (timestamp_header.size() > kMaxTimestampDigits) {
    return Unauthorized("malformed X-Slack-Request-Timestamp");
  }
  int64_t seconds = 0;
  for (char c : timestamp_header) {
    if (c < '0' || c > '9') return Unauthorized("malformed X-Slack-Request-Timestamp");
    seconds = seconds * 10 + (c - '0');
  }
  int64_t now_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (now_seconds - seconds > kSlackMaxClockSkew.count()) return Unauthorized("stale timestamp");
  if (seconds - now_seconds > kSlackMaxClockSkew.count()) return Unauthorized("future timestamp");

  std::string expected = Sign(signing_secret, timestamp_header, raw_body);
  if (expected.empty()) return Unauthorized("could not compute the signature");
  // Lengths are public (the format fixes them); only equal-length contents are compared, and
  // that comparison takes the same time wherever the first difference is.
  bool same = signature_header.size() == expected.size() &&
              CRYPTO_memcmp(signature_header.data(), expected.data(), expected.size()) == 0;
  OPENSSL_cleanse(expected.data(), expected.size());
  if (!same) return Unauthorized("bad signature");
  return Ok{};
}

}  // namespace planbot::adapters
