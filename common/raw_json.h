// Raw JSON text inside a document that nlohmann writes: for members that must reach the client
// byte for byte as they were printed (PostgreSQL's EXPLAIN JSON keeps "0.00", key order and
// layout that a parse and dump would change).
//
// The document is built with the member set to null and dumped; SpliceRawJson then replaces
// `"<parent>":{"<key>":null` by the same with `raw` in place of null. nlohmann writes object keys
// in sorted order without spaces, so that text occurs exactly once for a member written so (a
// string value holding it would have its quotes escaped).
//
// Pure function; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace planbot {

// `dumped` with the null of member parent.key replaced by `raw`; unchanged when absent.
inline std::string SpliceRawJson(std::string dumped, std::string_view parent, std::string_view key,
                                 std::string_view raw) {
  const std::string marker = "\"" + std::string(parent) + "\":{\"" + std::string(key) + "\":null";
  const size_t at = dumped.find(marker);
  if (at == std::string::npos) return dumped;
  dumped.replace(at + marker.size() - 4, 4, raw);
  return dumped;
}

}  // namespace planbot
