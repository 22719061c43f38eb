// ValidateConfig: the rules of SPEC §5 that types alone do not express. Each check returns the
// first problem it finds as an Error naming the key path; nothing here depends on YAML.
#include <arpa/inet.h>
#include <sys/stat.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "adapters/config/config_yaml.h"
#include "adapters/config/config_yaml_reader.h"

namespace planbot::adapters {
namespace {

using Problem = std::optional<Error>;

// Below 16 characters a token is within reach of guessing over the network.
constexpr size_t kMinTokenLength = 16;
constexpr int kMaxWarmClones = 16;
constexpr size_t kMaxDatabaseName = 63;
// PostgreSQL's statement_timeout and lock_timeout are int milliseconds.
constexpr int64_t kMaxServerTimeoutMs = INT_MAX;

std::string Index(const std::string& list, size_t i) {
  return list + "[" + std::to_string(i) + "]";
}

bool OneOf(const std::string& value, std::initializer_list<const char*> choices) {
  for (const char* choice : choices) {
    if (value == choice) return true;
  }
  return false;
}

// [first][rest]{0,max_rest} over ASCII classes given as predicates.
template <typename First, typename Rest>
bool Matches(const std::string& s, First first, Rest rest, size_t max_length) {
  if (s.empty() || s.size() > max_length || !first(s[0])) return false;
  for (char c : s) {
    if (!rest(c)) return false;
  }
  return true;
}

bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsNameChar(char c) { return IsLower(c) || IsDigit(c) || c == '_' || c == '-'; }
bool IsPrefixChar(char c) { return IsLower(c) || IsDigit(c) || c == '_'; }

bool IsHttpUrl(const std::string& url) {
  for (const char* scheme : {"http://", "https://"}) {
    const size_t n = std::strlen(scheme);
    if (url.size() > n && url.compare(0, n, scheme) == 0) return true;
  }
  return false;
}

bool IsLoopback(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    return IN6_IS_ADDR_LOOPBACK(&v6) || (IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127);
  }
  return false;
}

Problem CheckListen(const std::string& listen, bool has_tokens) {
  const char* kPath = "listen";
  if (listen.empty()) return ConfigError(kPath, "required (HOST:PORT like 127.0.0.1:8080)");
  std::string host;
  std::string port;
  if (listen[0] == '[') {
    const size_t close = listen.find(']');
    if (close == std::string::npos || listen.compare(close + 1, 1, ":") != 0) {
      return ConfigError(kPath, "expected [IPV6]:PORT like [::1]:8080 (got \"" + listen + "\")");
    }
    host = listen.substr(1, close - 1);
    port = listen.substr(close + 2);
    in6_addr v6{};
    if (!host.empty() && inet_pton(AF_INET6, host.c_str(), &v6) != 1) {
      return ConfigError(kPath, "\"" + host + "\" is not an IPv6 address");
    }
  } else {
    const size_t colon = listen.rfind(':');
    if (colon == std::string::npos) {
      return ConfigError(kPath, "expected HOST:PORT like 127.0.0.1:8080 (got \"" + listen + "\")");
    }
    host = listen.substr(0, colon);
    port = listen.substr(colon + 1);
    if (host.find(':') != std::string::npos) {
      return ConfigError(kPath, "an IPv6 address needs brackets, like [::1]:8080");
    }
  }
  if (host.empty() || host.find_first_of(" \t/") != std::string::npos) {
    return ConfigError(kPath, "expected a host before the port, e.g. 127.0.0.1 or 0.0.0.0 (got \"" +
                                  listen + "\")");
  }
  const bool digits = !port.empty() && port.size() <= 5 &&
                      port.find_first_not_of("0123456789") == std::string::npos;
  if (!digits || std::stoi(port) < 1 || std::stoi(port) > 65535) {
    return ConfigError(kPath, "the port must be a number from 1 to 65535 (got \"" + port + "\")");
  }
  if (!has_tokens && !IsLoopback(host)) {
    return ConfigError(kPath, "listening on " + host +
                                  " without api.tokens is refused: anyone who reaches the port "
                                  "could run commands; add api.tokens or listen on 127.0.0.1");
  }
  return std::nullopt;
}

Problem CheckReadableFile(const std::string& file, const std::string& path) {
  if (file.empty()) return ConfigError(path, "required when tls is present (a PEM file)");
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    return ConfigError(path, "cannot read " + file + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) return ConfigError(path, file + " is not a regular file");
  std::FILE* f = std::fopen(file.c_str(), "rb");
  if (f == nullptr) return ConfigError(path, "cannot read " + file + ": " + std::strerror(errno));
  std::fclose(f);
  return std::nullopt;
}

Problem CheckTls(const std::optional<core::TlsConfig>& tls) {
  if (!tls) return std::nullopt;
  if (Problem p = CheckReadableFile(tls->cert, "tls.cert")) return p;
  return CheckReadableFile(tls->key, "tls.key");
}

Problem CheckToken(const core::TokenConfig& token, const std::string& path) {
  if (token.name.empty()) return ConfigError(path + ".name", "required");
  if (token.token.empty()) return ConfigError(path + ".token", "required");
  if (token.token.size() < kMinTokenLength) {
    return ConfigError(path + ".token",
                       "too short (" + std::to_string(token.token.size()) +
                           " characters): use at least 16 random characters, a shorter token can "
                           "be guessed by trying");
  }
  if (token.role.empty()) return ConfigError(path + ".role", "required (user or admin)");
  if (!OneOf(token.role, {"user", "admin"})) {
    return ConfigError(path + ".role", "expected one of: user, admin");
  }
  return std::nullopt;
}

Problem CheckTokens(const std::vector<core::TokenConfig>& tokens) {
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::string path = Index("api.tokens", i);
    if (Problem p = CheckToken(tokens[i], path)) return p;
    for (size_t j = 0; j < i; ++j) {
      if (tokens[j].name == tokens[i].name) {
        return ConfigError(path + ".name", "duplicate: " + Index("api.tokens", j) +
                                               " is also called " + tokens[i].name);
      }
      if (tokens[j].token == tokens[i].token) {
        return ConfigError(path + ".token", "the same token as " + Index("api.tokens", j) +
                                                "; every client needs its own token");
      }
    }
  }
  return std::nullopt;
}

Problem CheckPositive(core::Millis value, const std::string& path, int64_t max_ms = 0) {
  if (value.count() <= 0) return ConfigError(path, "must be positive, like 30s");
  if (max_ms > 0 && value.count() > max_ms) {
    return ConfigError(path, "at most 2147483647ms (about 24 days, PostgreSQL's limit)");
  }
  return std::nullopt;
}

Problem CheckQuota(const core::QuotaConfig& quota, const std::string& path) {
  if (quota.commands < 0) return ConfigError(path + ".commands", "must be 0 (no quota) or more");
  return CheckPositive(quota.per, path + ".per");
}

Problem CheckLimits(const core::LimitsConfig& limits) {
  if (Problem p = CheckPositive(limits.statement_timeout, "limits.statement_timeout",
                                kMaxServerTimeoutMs)) {
    return p;
  }
  if (Problem p = CheckPositive(limits.lock_timeout, "limits.lock_timeout", kMaxServerTimeoutMs)) {
    return p;
  }
  if (Problem p = CheckPositive(limits.idle_timeout, "limits.idle_timeout")) return p;
  if (limits.workers < 1 || limits.workers > 256) {
    return ConfigError("limits.workers",
                       "must be 1 to 256 (sessions run in parallel on this many "
                       "workers)");
  }
  return CheckQuota(limits.quota, "limits.quota");
}

Problem CheckLocal(const core::LocalProviderConfig& local, const std::string& path) {
  if (local.source.empty()) {
    return ConfigError(path + ".source", "required for provider local (the database to clone)");
  }
  if (local.warm_clones < 0 || local.warm_clones > kMaxWarmClones) {
    return ConfigError(path + ".warm_clones", "must be from 0 to 16");
  }
  if (!Matches(local.clone_prefix, IsLower, IsPrefixChar, 31)) {
    return ConfigError(path + ".clone_prefix",
                       "expected a lower-case letter then up to 30 of a-z, 0-9, _ (got \"" +
                           local.clone_prefix + "\")");
  }
  return std::nullopt;
}

Problem CheckDblab(const core::DblabProviderConfig& dblab, const std::string& path) {
  if (dblab.url.empty()) return ConfigError(path + ".url", "required for provider dblab");
  if (!IsHttpUrl(dblab.url)) {
    return ConfigError(path + ".url", "expected an http:// or https:// URL");
  }
  if (dblab.token.empty()) return ConfigError(path + ".token", "required for provider dblab");
  if (dblab.db_name.empty()) return ConfigError(path + ".db_name", "required for provider dblab");
  if (!dblab.sslmode.empty() && !OneOf(dblab.sslmode, {"disable", "allow", "prefer", "require",
                                                       "verify-ca", "verify-full"})) {
    return ConfigError(path + ".sslmode",
                       "expected one of: disable, allow, prefer, require, verify-ca, verify-full");
  }
  return CheckPositive(dblab.create_timeout, path + ".create_timeout");
}

Problem CheckDatabase(const core::DatabaseConfig& db, const std::string& path) {
  if (db.name.empty()) return ConfigError(path + ".name", "required");
  if (!Matches(db.name, IsNameChar, IsNameChar, kMaxDatabaseName)) {
    return ConfigError(path + ".name",
                       "expected up to 63 of a-z, 0-9, _ and - (got \"" + db.name + "\")");
  }
  if (!OneOf(db.history, {"full", "normalized", "off"})) {
    return ConfigError(path + ".history", "expected one of: full, normalized, off");
  }
  if (Problem p = CheckPositive(db.retention, path + ".retention")) return p;
  if (db.quota) {
    if (Problem p = CheckQuota(*db.quota, path + ".quota")) return p;
  }
  if (db.provider == "local") return CheckLocal(db.local, path + ".local");
  if (db.provider == "dblab") return CheckDblab(db.dblab, path + ".dblab");
  return ConfigError(path + ".provider", "expected one of: local, dblab");
}

Problem CheckDatabases(const std::vector<core::DatabaseConfig>& dbs) {
  if (dbs.empty()) return ConfigError("databases", "required: at least one database");
  for (size_t i = 0; i < dbs.size(); ++i) {
    const std::string path = Index("databases", i);
    if (Problem p = CheckDatabase(dbs[i], path)) return p;
    for (size_t j = 0; j < i; ++j) {
      if (dbs[j].name == dbs[i].name) {
        return ConfigError(path + ".name", "duplicate: " + Index("databases", j) +
                                               " is also called " + dbs[i].name);
      }
      // Clones are found by prefix (pool, cleanup after a crash): on one server, two providers
      // with one prefix would take each other's clones.
      if (dbs[i].provider == "local" && dbs[j].provider == "local" &&
          dbs[i].local.admin_dsn == dbs[j].local.admin_dsn &&
          dbs[i].local.clone_prefix == dbs[j].local.clone_prefix) {
        return ConfigError(path + ".local.clone_prefix",
                           dbs[i].local.clone_prefix + " is also used by " + Index("databases", j) +
                               " on the same server; give each database its own clone_prefix");
      }
    }
  }
  return std::nullopt;
}

bool NamesDatabase(const std::vector<core::DatabaseConfig>& dbs, const std::string& name) {
  for (const core::DatabaseConfig& db : dbs) {
    if (db.name == name) return true;
  }
  return false;
}

Problem CheckChannels(const std::vector<core::SlackChannelConfig>& channels,
                      const std::vector<core::DatabaseConfig>& dbs) {
  for (size_t i = 0; i < channels.size(); ++i) {
    const std::string path = Index("slack.channels", i);
    if (channels[i].id.empty()) return ConfigError(path + ".id", "required (a channel id)");
    if (channels[i].database.empty()) return ConfigError(path + ".database", "required");
    if (!NamesDatabase(dbs, channels[i].database)) {
      std::string names;
      for (const core::DatabaseConfig& db : dbs) names += (names.empty() ? "" : ", ") + db.name;
      return ConfigError(path + ".database", "no database is called " + channels[i].database +
                                                 " (configured: " + names + ")");
    }
    for (size_t j = 0; j < i; ++j) {
      if (channels[j].id == channels[i].id) {
        return ConfigError(path + ".id", "duplicate: " + Index("slack.channels", j) + " is also " +
                                             channels[i].id);
      }
    }
  }
  return std::nullopt;
}

Problem CheckIds(const std::vector<std::string>& ids, const std::string& list) {
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i].empty()) return ConfigError(Index(list, i), "empty user id");
  }
  return std::nullopt;
}

Problem CheckSlack(const core::SlackConfig& slack, const std::vector<core::DatabaseConfig>& dbs) {
  if (!slack.enabled) return std::nullopt;
  if (slack.signing_secret.empty()) return ConfigError("slack.signing_secret", "required");
  if (slack.bot_token.empty()) return ConfigError("slack.bot_token", "required");
  if (!IsHttpUrl(slack.api_url)) {
    return ConfigError("slack.api_url", "expected an http:// or https:// URL");
  }
  if (Problem p = CheckChannels(slack.channels, dbs)) return p;
  if (Problem p = CheckIds(slack.users, "slack.users")) return p;
  return CheckIds(slack.admins, "slack.admins");
}

Problem CheckLogging(const core::LoggingConfig& logging) {
  if (!OneOf(logging.format, {"text", "json"})) {
    return ConfigError("logging.format", "expected one of: text, json");
  }
  if (!OneOf(logging.level, {"debug", "info", "warn", "error"})) {
    return ConfigError("logging.level", "expected one of: debug, info, warn, error");
  }
  return std::nullopt;
}

}  // namespace

// web.public_url: an absolute http(s) URL without a trailing slash, query or fragment, since
// answers append "/plans/ID" to it.
Problem CheckWeb(const core::WebConfig& web) {
  const std::string& url = web.public_url;
  if (!url.empty()) {
    const bool scheme = url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0;
    const size_t host = url.find("://") + 3;
    if (!scheme || host >= url.size() || url.find_first_of("?#\"\\ <>|") != std::string::npos ||
        url.back() == '/') {
      return ConfigError("web.public_url",
                         "must be an http:// or https:// URL without a trailing slash, query or "
                         "fragment, e.g. https://planbot.internal, got " +
                             url);
    }
  }
  if (!web.assets_dir.empty() && !std::filesystem::is_directory(web.assets_dir)) {
    return ConfigError("web.assets_dir", "not a directory: " + web.assets_dir);
  }
  return std::nullopt;
}

Status ValidateConfig(const core::Config& config) {
  Problem problem = CheckListen(config.listen, !config.tokens.empty());
  if (!problem && config.store.empty()) problem = ConfigError("store", "required (a file path)");
  if (!problem) problem = CheckTls(config.tls);
  if (!problem) problem = CheckTokens(config.tokens);
  if (!problem) problem = CheckLimits(config.limits);
  if (!problem) problem = CheckDatabases(config.databases);
  if (!problem) problem = CheckSlack(config.slack, config.databases);
  if (!problem) problem = CheckWeb(config.web);
  if (!problem) problem = CheckLogging(config.logging);
  if (problem) return *problem;
  return Ok{};
}

}  // namespace planbot::adapters
