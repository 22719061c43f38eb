#include "adapters/clones/random_hex.h"

#include <openssl/rand.h>

#include <vector>

namespace planbot::adapters {

std::string RandomHex(size_t bytes) {
  std::vector<unsigned char> buf(bytes);
  if (RAND_bytes(buf.data(), static_cast<int>(buf.size())) != 1) return std::string();
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char b : buf) {
    hex += kDigits[b >> 4];
    hex += kDigits[b & 0xf];
  }
  return hex;
}

}  // namespace planbot::adapters
