#include "storage/secret_box.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

namespace planbot::storage {
namespace {

constexpr size_t kNonce = 12;
constexpr size_t kTag = 16;
constexpr char kPrefix[] = "v1:";

Error Fail(const std::string& message) { return MakeError(ErrorCode::kStoreError, message); }

std::string Hex(const uint8_t* data, size_t n) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 15]);
  }
  return out;
}

bool Unhex(const std::string& hex, std::vector<uint8_t>& out) {
  if (hex.size() % 2 != 0) return false;
  out.clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    auto nibble = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<uint8_t>(hi * 16 + lo));
  }
  return true;
}

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

Result<std::array<uint8_t, 32>> ReadKey(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Fail("cannot read the key file " + path + ": " + std::strerror(errno));
  char buf[65] = {};
  ssize_t n = ::read(fd, buf, 64);
  ::close(fd);
  std::vector<uint8_t> bytes;
  if (n != 64 || !Unhex(std::string(buf, 64), bytes)) {
    return Fail("the key file " + path + " is not 64 hex digits");
  }
  std::array<uint8_t, 32> key{};
  std::memcpy(key.data(), bytes.data(), 32);
  return key;
}

Status WriteNewKey(const std::string& path) {
  std::array<uint8_t, 32> key{};
  if (RAND_bytes(key.data(), 32) != 1) return Fail("no randomness for a new key");
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return Ok{};  // another process made it first
    return Fail("cannot create the key file " + path + ": " + std::strerror(errno));
  }
  std::string hex = Hex(key.data(), key.size());
  bool ok =
      ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return Fail("cannot write the key file " + path);
  return Ok{};
}

}  // namespace

Result<SecretBox> SecretBox::Load(const std::string& key_path) {
  struct stat st {};
  if (::stat(key_path.c_str(), &st) != 0) {
    if (Status made = WriteNewKey(key_path); !made) return made.error();
  }
  auto key = ReadKey(key_path);
  if (!key) return key.error();
  return SecretBox(*key);
}

Result<std::string> SecretBox::Seal(const std::string& plaintext) const {
  uint8_t nonce[kNonce];
  if (RAND_bytes(nonce, kNonce) != 1) return Fail("no randomness for a nonce");
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  std::vector<uint8_t> out(kNonce + plaintext.size() + kTag);
  std::memcpy(out.data(), nonce, kNonce);
  int len = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), nonce) != 1 ||
      EVP_EncryptUpdate(ctx.get(), out.data() + kNonce, &len,
                        reinterpret_cast<const uint8_t*>(plaintext.data()),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), out.data() + kNonce + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTag,
                          out.data() + kNonce + plaintext.size()) != 1) {
    return Fail("encryption failed");
  }
  return std::string(kPrefix) + Hex(out.data(), out.size());
}

Result<std::string> SecretBox::Open(const std::string& sealed) const {
  std::vector<uint8_t> in;
  if (sealed.rfind(kPrefix, 0) != 0 || !Unhex(sealed.substr(3), in) || in.size() < kNonce + kTag) {
    return Fail("a sealed secret is corrupt");
  }
  size_t n = in.size() - kNonce - kTag;
  std::string plain(n, '\0');
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int len = 0;
  if (!ctx ||
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), in.data()) != 1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<uint8_t*>(plain.data()), &len,
                        in.data() + kNonce, static_cast<int>(n)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTag, in.data() + kNonce + n) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<uint8_t*>(plain.data()) + len, &len) != 1) {
    return Fail("a sealed secret does not open with this key (was the key file replaced?)");
  }
  return plain;
}

}  // namespace planbot::storage
