#include "core/config.h"

#include <cctype>
#include <cstdint>
#include <cstdlib>

namespace planbot::core {

std::string_view RoleName(Role role) { return role == Role::kAdmin ? "admin" : "user"; }

std::optional<Role> ParseRole(std::string_view name) {
  if (name == "user") return Role::kUser;
  if (name == "admin") return Role::kAdmin;
  return std::nullopt;
}

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

Config DefaultConfig(const EnvLookup& env) {
  Config config;
  DatabaseConfig db;
  db.name = "default";
  db.provider = "local";
  db.local.admin_dsn = "";
  auto source = env("PGDATABASE");
  db.local.source = source && !source->empty() ? *source : "postgres";
  config.databases.push_back(db);
  return config;
}

}  // namespace planbot::core
