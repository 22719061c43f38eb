// Helpers for the configuration tests: a fake environment, parse-and-return-the-error, and a
// temporary directory for files that validation checks (TLS certificate and key).
#pragma once

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>

#include "adapters/config/config_yaml.h"
#include "core/config.h"

namespace planbot::adapters::testing {

inline core::EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

// The smallest valid file; tests add or break one thing at a time.
inline constexpr const char* kMinimal = "databases:\n  - {name: shop, local: {source: shop}}\n";

// The error message of parsing `yaml`, or "OK" when it parses.
inline std::string ParseError(const std::string& yaml, const core::EnvLookup& env = FakeEnv({})) {
  Result<core::Config> config = ParseConfig(yaml, env);
  return config.ok() ? "OK" : config.error().message;
}

inline bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

// A fresh directory under the system's temporary directory, removed with the object.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "planbot-config-XXXXXX");
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Writes `content` to `name` inside the directory; returns the full path.
  std::string Write(const std::string& name, const std::string& content) const {
    const std::string file = (path_ / name).string();
    std::ofstream(file, std::ios::binary) << content;
    return file;
  }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace planbot::adapters::testing
