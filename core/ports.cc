#include "core/ports.h"

namespace planbot::core {

std::string ConnectionInfo::Describe() const {
  std::string s =
      "host=" + host + " port=" + std::to_string(port) + " dbname=" + dbname + " user=" + user;
  if (!sslmode.empty()) s += " sslmode=" + sslmode;
  return s;
}

}  // namespace planbot::core
