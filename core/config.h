// planbot's configuration as plain structs (SPEC §5). adapters/config/config_yaml.h reads them from
// YAML; DefaultConfig() gives the embedded defaults used when no file is given. Each component
// receives its own part from main; nothing reads configuration globally.
//
// Secrets (tokens, signing secrets, passwords in DSNs) live in these structs only in memory and
// are never logged: use Describe() helpers that blank them.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/duration.h"

namespace planbot::core {

using Seconds = std::chrono::seconds;
using Millis = std::chrono::milliseconds;

// Who may do what: users run commands and read their own history; admins also read everyone's,
// purge and redact, and read the audit log.
enum class Role { kUser, kAdmin };

// "user", "admin".
std::string_view RoleName(Role role);
// The role a configuration names; nullopt for anything else.
std::optional<Role> ParseRole(std::string_view name);

struct TokenConfig {
  std::string name;   // shown in history and audit as the user
  std::string token;  // secret
  std::string role;   // as configured: "user" or "admin" (ParseRole; checked by validation)
};

struct QuotaConfig {
  int commands = 30;  // per user, database and interval; 0 disables the quota
  Seconds per{60};
};

struct LimitsConfig {
  Millis statement_timeout{30000};
  Millis lock_timeout{5000};
  Seconds idle_timeout{30 * 60};
  QuotaConfig quota;
  int workers = 8;  // sessions run in parallel on this many worker threads
};

struct LocalProviderConfig {
  std::string admin_dsn;  // libpq connection string; empty: the libpq environment (PGHOST, ...)
  std::string source;     // the database clones are made from
  int warm_clones = 1;    // spare clones kept ready
  std::string clone_prefix = "planbot_clone";  // clone databases and roles are named prefix_<id>
};

struct DblabProviderConfig {
  std::string url;    // e.g. https://dle.internal:2345
  std::string token;  // secret: Verification-Token
  std::string db_name;
  std::string sslmode;          // for connections to clones
  Seconds create_timeout{300};  // how long to wait for a clone to become ready
};

struct DatabaseConfig {
  std::string name;
  std::string provider = "local";      // "local" or "dblab"
  std::string history = "normalized";  // "full", "normalized" or "off"
  Seconds retention{30 * 24 * 3600};
  // This database's quota per user (databases[].quota); unset: limits.quota.
  std::optional<QuotaConfig> quota;
  LocalProviderConfig local;
  DblabProviderConfig dblab;
};

struct TlsConfig {
  std::string cert;  // PEM file
  std::string key;   // PEM file
};

struct SlackChannelConfig {
  std::string id;
  std::string database;
};

struct SlackConfig {
  bool enabled = false;        // true when the `slack` section is present
  std::string signing_secret;  // secret
  std::string bot_token;       // secret
  std::string api_url = "https://slack.com/api";
  std::vector<SlackChannelConfig> channels;
  std::vector<std::string> users;   // allow-list; empty: everyone in the configured channels
  std::vector<std::string> admins;  // user ids allowed to purge/redact
};

struct LoggingConfig {
  // Log full database error texts (with DETAIL/HINT/CONTEXT) at debug level. They can contain
  // values from the data: sensitive, off by default.
  bool debug_database_errors = false;
  std::string format = "text";
  std::string level = "info";
};

// The web view (docs/web.md).
struct WebConfig {
  // Where users reach planbot, e.g. https://planbot.internal: answers (Slack, `planbot ask`, the
  // API's `url`) link to the entry's page there. Empty: no links.
  std::string public_url;
  // Serve the pages from this directory instead of the copy compiled into the binary (for
  // working on web/ without rebuilding). Empty: the compiled copy.
  std::string assets_dir;
};

struct AuditConfig {
  // Every new audit entry as a JSON line: a file path (appended, resumed after restarts), "-"
  // for stdout, empty for none.
  std::string export_to;
};

struct Config {
  std::string listen = "127.0.0.1:8080";  // HOST:PORT
  std::string store = "./planbot.db";
  std::optional<TlsConfig> tls;
  std::vector<TokenConfig> tokens;  // api.tokens
  LimitsConfig limits;
  std::vector<DatabaseConfig> databases;
  SlackConfig slack;
  LoggingConfig logging;
  AuditConfig audit;
  WebConfig web;
};

// Reads an environment variable; returns nullopt when unset. Injected so tests control it.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// The process environment.
EnvLookup ProcessEnv();

// The embedded defaults of SPEC §5: listen 127.0.0.1:8080, store ./planbot.db, one database
// "default" with the local provider, admin connection from the libpq environment, source
// $PGDATABASE (or "postgres" when unset).
Config DefaultConfig(const EnvLookup& env);

// Durations in configuration and filters: common/duration.h.
using planbot::kMaxDurationMs;
using planbot::ParseDuration;

}  // namespace planbot::core
