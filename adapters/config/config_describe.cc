// DescribeConfig and RedactConnectionString: the configuration as the startup log shows it.
// Every secret is replaced here, so callers can log the result as it is.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "adapters/config/config_yaml.h"
#include "common/duration.h"

namespace planbot::adapters {
namespace {

constexpr const char* kMask = "***";
constexpr const char* kHiddenDsn = "(hidden: the connection string cannot be parsed)";

std::string Secret(const std::string& value) { return value.empty() ? "(not set)" : kMask; }

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// libpq's key=value form: values unquoted up to white space, or in single quotes; a backslash
// escapes the next character in both. Returns nullopt when the text does not parse.
std::optional<std::string> RedactKeyValue(const std::string& s) {
  std::string out;
  size_t i = 0;
  auto copy_space = [&] {
    while (i < s.size() && IsSpace(s[i])) out += s[i++];
  };
  while (true) {
    copy_space();
    if (i == s.size()) return out;
    const size_t key_start = i;
    while (i < s.size() && s[i] != '=' && !IsSpace(s[i])) ++i;
    const std::string key = s.substr(key_start, i - key_start);
    out += key;
    copy_space();
    if (i == s.size() || s[i] != '=') return std::nullopt;
    out += s[i++];
    copy_space();
    const size_t value_start = i;
    const bool quoted = i < s.size() && s[i] == '\'';
    if (quoted) ++i;
    while (i < s.size() && (quoted ? s[i] != '\'' : !IsSpace(s[i]))) {
      i += s[i] == '\\' ? 2 : 1;
    }
    if (quoted && i >= s.size()) return std::nullopt;  // no closing quote
    if (quoted) ++i;
    i = std::min(i, s.size());
    out += key == "password" ? std::string(kMask) : s.substr(value_start, i - value_start);
  }
}

// scheme://user:password@host/...?password=...: the password after the first ':' of the
// authority, up to the last '@' (over-redacting rather than leaking when a password holds an
// unescaped '@', '/' or '?'), and every `password` query parameter.
std::string RedactUri(const std::string& uri) {
  const size_t authority = uri.find("://") + 3;
  std::string out = uri;
  const size_t at = uri.rfind('@');
  if (at != std::string::npos && at > authority) {
    const size_t colon = uri.find(':', authority);
    if (colon < at) out = uri.substr(0, colon + 1) + kMask + uri.substr(at);
  }
  const size_t query = out.find('?', authority);
  if (query == std::string::npos) return out;
  std::string redacted = out.substr(0, query + 1);
  size_t i = query + 1;
  while (i <= out.size()) {
    size_t end = out.find('&', i);
    if (end == std::string::npos) end = out.size();
    const std::string param = out.substr(i, end - i);
    const bool secret = param.compare(0, 9, "password=") == 0;
    redacted += secret ? std::string("password=") + kMask : param;
    if (end < out.size()) redacted += '&';
    i = end + 1;
  }
  return redacted;
}

std::string JoinIds(const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) out += (out.empty() ? "" : ", ") + id;
  return out;
}

std::string DescribeTokens(const std::vector<core::TokenConfig>& tokens) {
  if (tokens.empty()) return "api tokens: none (the HTTP API accepts loopback connections only)";
  std::string out = "api tokens:";
  for (const core::TokenConfig& t : tokens) {
    out += (out.back() == ':' ? " " : ", ") + t.name + " (" + t.role + ", token " +
           Secret(t.token) + ")";
  }
  return out;
}

std::string DescribeQuota(const core::QuotaConfig& quota) {
  return quota.commands == 0
             ? "off"
             : std::to_string(quota.commands) + " commands per " + FormatDuration(quota.per);
}

std::string DescribeLimits(const core::LimitsConfig& limits) {
  const std::string quota = DescribeQuota(limits.quota);
  return "limits: statement_timeout " + FormatDuration(limits.statement_timeout) +
         ", lock_timeout " + FormatDuration(limits.lock_timeout) + ", idle_timeout " +
         FormatDuration(limits.idle_timeout) + ", quota " + quota + ", workers " +
         std::to_string(limits.workers);
}

std::string DescribeDatabase(const core::DatabaseConfig& db) {
  std::string out = "database " + db.name + ": provider " + db.provider;
  if (db.provider == "dblab") {
    const core::DblabProviderConfig& d = db.dblab;
    out += ", url " + RedactConnectionString(d.url) + ", token " + Secret(d.token) + ", db_name " +
           d.db_name + ", sslmode " + (d.sslmode.empty() ? "default" : d.sslmode) +
           ", create_timeout " + FormatDuration(d.create_timeout);
  } else {
    const core::LocalProviderConfig& l = db.local;
    out += ", admin_dsn " +
           (l.admin_dsn.empty() ? "(libpq environment)"
                                : "\"" + RedactConnectionString(l.admin_dsn) + "\"") +
           ", source " + l.source + ", warm_clones " + std::to_string(l.warm_clones) +
           ", clone_prefix " + l.clone_prefix;
  }
  out += ", history " + db.history + ", retention " + FormatDuration(db.retention);
  if (db.quota) out += ", quota " + DescribeQuota(*db.quota);
  return out;
}

std::string DescribeSlack(const core::SlackConfig& slack) {
  if (!slack.enabled) return "slack: off";
  std::string channels;
  for (const core::SlackChannelConfig& c : slack.channels) {
    channels += (channels.empty() ? "" : ", ") + c.id + " -> " + c.database;
  }
  return "slack: signing_secret " + Secret(slack.signing_secret) + ", bot_token " +
         Secret(slack.bot_token) + ", api_url " + RedactConnectionString(slack.api_url) +
         ", channels " + (channels.empty() ? "none" : channels) + ", users " +
         (slack.users.empty() ? "everyone in those channels" : JoinIds(slack.users)) + ", admins " +
         (slack.admins.empty() ? "none" : JoinIds(slack.admins));
}

}  // namespace

std::string RedactConnectionString(const std::string& dsn) {
  for (const char* scheme : {"postgresql://", "postgres://", "http://", "https://"}) {
    if (dsn.rfind(scheme, 0) == 0) return RedactUri(dsn);
  }
  std::optional<std::string> redacted = RedactKeyValue(dsn);
  return redacted ? *redacted : kHiddenDsn;
}

std::string DescribeConfig(const core::Config& config) {
  std::vector<std::string> lines;
  lines.push_back("listen " + config.listen +
                  (config.tls
                       ? " (HTTPS, cert " + config.tls->cert + ", key " + config.tls->key + ")"
                       : " (plain HTTP)"));
  lines.push_back("store " + config.store);
  lines.push_back(DescribeTokens(config.tokens));
  lines.push_back(DescribeLimits(config.limits));
  for (const core::DatabaseConfig& db : config.databases) lines.push_back(DescribeDatabase(db));
  lines.push_back(DescribeSlack(config.slack));
  lines.push_back("logging: " + config.logging.format + " lines at level " + config.logging.level +
                  " and above; debug_database_errors " +
                  (config.logging.debug_database_errors
                       ? "on (database error texts, which can hold data values, are logged)"
                       : "off"));
  lines.push_back("audit export: " + (config.audit.export_to.empty() ? std::string("off")
                                      : config.audit.export_to == "-"
                                          ? std::string("JSON lines to stdout")
                                          : "JSON lines to " + config.audit.export_to));
  lines.push_back("web view: " +
                  (config.web.public_url.empty()
                       ? std::string("no public URL (answers carry no link)")
                       : "answers link to " + config.web.public_url + "/plans/ID") +
                  (config.web.assets_dir.empty() ? std::string()
                                                 : "; pages served from " + config.web.assets_dir));
  std::string out;
  for (const std::string& line : lines) out += (out.empty() ? "" : "\n") + line;
  return out;
}

}  // namespace planbot::adapters
