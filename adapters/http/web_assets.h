// The web view's files (docs/web.md): the pages, app.js, planbot.css and the vendored PEV2, Vue
// and Bootstrap under web/, compiled into the binary at build time (adapters/http/CMakeLists.txt),
// or read from a directory instead (web.assets_dir) while working on them.
//
// Thread-safety: WebAssets is immutable after construction; Find() from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace planbot::adapters {

namespace web_internal {
struct EmbeddedFile {
  const char* path;  // relative to web/, e.g. "vendor/pev2.umd.js"; nullptr ends the table
  const char* begin;
  const char* end;
};
extern const EmbeddedFile kEmbeddedFiles[];
}  // namespace web_internal

struct WebFile {
  std::string body;
  std::string content_type;
};

class WebAssets {
 public:
  // `dir` empty: the compiled-in copy.
  explicit WebAssets(std::string dir = {}) : dir_(std::move(dir)) {}

  // The file at `path` (relative to web/: "plan.html", "vendor/pev2.css"). Nullopt for a path
  // that is not one of the files, including any with "..", a leading "/" or a hidden part.
  std::optional<WebFile> Find(std::string_view path) const;

 private:
  std::string dir_;
};

// "text/html; charset=utf-8" and so on, by extension; "application/octet-stream" otherwise.
std::string ContentTypeFor(std::string_view path);

}  // namespace planbot::adapters
