// Random identifiers and passwords from OpenSSL's generator, as lowercase hex.
#pragma once

#include <cstddef>
#include <string>

namespace planbot::adapters {

// `bytes` random bytes as 2 * bytes lowercase hex digits; empty if the generator fails.
std::string RandomHex(size_t bytes);

}  // namespace planbot::adapters
