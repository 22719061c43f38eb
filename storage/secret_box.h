// SecretBox: encryption of the few secrets planbot must keep across a restart (clone passwords
// of live sessions), so that no password is stored in clear. AES-256-GCM (OpenSSL) with a random
// 96-bit nonce per secret; the 256-bit key lives in its own file next to the store
// (`<store>.key`, mode 0600), created on first use.
//
// Sealed text: "v1:" + hex(nonce || ciphertext || tag). Failures: "store_error" (the key file
// cannot be read or written, or a sealed text is corrupt or was made with another key).
// Thread-safety: Seal/Open are const and may be called concurrently.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "common/result.h"

namespace planbot::storage {

class SecretBox {
 public:
  // Reads the key from `key_path`, creating a new random key there when the file is missing.
  static Result<SecretBox> Load(const std::string& key_path);

  Result<std::string> Seal(const std::string& plaintext) const;
  Result<std::string> Open(const std::string& sealed) const;

 private:
  explicit SecretBox(std::array<uint8_t, 32> key) : key_(key) {}
  std::array<uint8_t, 32> key_;
};

}  // namespace planbot::storage
