#include "storage/timestamp.h"

#include <cstdio>
#include <ctime>

namespace planbot::storage {

std::string FormatRfc3339Millis(std::chrono::system_clock::time_point t) {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  auto since_epoch = duration_cast<milliseconds>(t.time_since_epoch()).count();
  auto seconds = static_cast<std::time_t>(since_epoch / 1000);
  auto millis = static_cast<int>(since_epoch % 1000);
  if (millis < 0) {  // before 1970: floor, not truncate
    millis += 1000;
    seconds -= 1;
  }
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[96];  // generous: GCC sizes every int field at its widest
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

std::string NowRfc3339Millis() { return FormatRfc3339Millis(std::chrono::system_clock::now()); }

std::string NormalizeTimeBound(const std::string& bound) {
  // "YYYY-MM-DDTHH:MM:SSZ" is 20 characters.
  if (bound.size() == 20 && bound[10] == 'T' && bound.back() == 'Z') {
    return bound.substr(0, 19) + ".000Z";
  }
  return bound;
}

}  // namespace planbot::storage
