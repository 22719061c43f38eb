#include "adapters/http/web_assets.h"

#include <cstring>
#include <fstream>
#include <sstream>

namespace planbot::adapters {
namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// A path to serve: names of [A-Za-z0-9._-] joined by "/", none empty or starting with a dot.
bool SafePath(std::string_view path) {
  if (path.empty() || path.size() > 200) return false;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view part = path.substr(start, slash - start);
    if (part.empty() || part[0] == '.') return false;
    for (char c : part) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '_' || c == '-';
      if (!ok) return false;
    }
    start = slash + 1;
  }
  return true;
}

}  // namespace

std::string ContentTypeFor(std::string_view path) {
  if (EndsWith(path, ".html")) return "text/html; charset=utf-8";
  if (EndsWith(path, ".js")) return "text/javascript; charset=utf-8";
  if (EndsWith(path, ".css")) return "text/css; charset=utf-8";
  if (EndsWith(path, ".svg")) return "image/svg+xml";
  if (EndsWith(path, ".png")) return "image/png";
  if (EndsWith(path, ".ico")) return "image/x-icon";
  if (EndsWith(path, ".json")) return "application/json";
  if (EndsWith(path, ".txt") || EndsWith(path, "LICENSE")) return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

std::optional<WebFile> WebAssets::Find(std::string_view path) const {
  if (!SafePath(path)) return std::nullopt;
  if (!dir_.empty()) {
    std::ifstream in(dir_ + "/" + std::string(path), std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream body;
    body << in.rdbuf();
    return WebFile{body.str(), ContentTypeFor(path)};
  }
  for (const web_internal::EmbeddedFile* f = web_internal::kEmbeddedFiles; f->path != nullptr;
       ++f) {
    if (path == f->path) {
      return WebFile{std::string(f->begin, static_cast<size_t>(f->end - f->begin)),
                     ContentTypeFor(path)};
    }
  }
  return std::nullopt;
}

}  // namespace planbot::adapters
