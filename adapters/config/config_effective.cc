// EffectiveConfigYaml: the whole configuration, defaults included, as a YAML file in the schema
// that config_yaml.cc reads, with every secret masked the way DescribeConfig masks it.
#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "adapters/config/config_yaml.h"
#include "common/duration.h"

namespace planbot::adapters {
namespace {

constexpr const char* kMask = "***";

// A secret: "***", or "" when it is not set (so that a missing secret stays visible).
std::string Secret(const std::string& value) { return value.empty() ? std::string() : kMask; }

// A URL or connection string with its password masked; "" stays "".
std::string Redacted(const std::string& dsn) {
  return dsn.empty() ? std::string() : RedactConnectionString(dsn);
}

// A store is a file path, or a PostgreSQL URI that may carry a password.
std::string RedactedStore(const std::string& store) {
  for (const char* scheme : {"postgresql://", "postgres://"}) {
    if (store.rfind(scheme, 0) == 0) return RedactConnectionString(store);
  }
  return store;
}

// `value` as the reader gives it back: a literal "${" is written "$${" (config_yaml_reader.cc
// expands ${VAR} in every string; found by tests/fuzz/fuzz_config_yaml).
std::string Literal(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    if (value.compare(i, 2, "${") == 0) out += '$';
    out += value[i];
  }
  return out;
}

void Put(YAML::Emitter& out, const char* key, const std::string& value) {
  out << YAML::Key << key << YAML::Value << Literal(value);
}

void Put(YAML::Emitter& out, const char* key, core::Millis value) {
  Put(out, key, FormatDuration(value));
}

void Put(YAML::Emitter& out, const char* key, int value) {
  out << YAML::Key << key << YAML::Value << value;
}

void PutList(YAML::Emitter& out, const char* key, const std::vector<std::string>& values) {
  out << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (const std::string& v : values) out << Literal(v);
  out << YAML::EndSeq;
}

void PutQuota(YAML::Emitter& out, const core::QuotaConfig& quota) {
  out << YAML::Key << "quota" << YAML::Value << YAML::BeginMap;
  Put(out, "commands", quota.commands);
  Put(out, "per", quota.per);
  out << YAML::EndMap;
}

void PutTokens(YAML::Emitter& out, const std::vector<core::TokenConfig>& tokens) {
  out << YAML::Key << "api" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "tokens" << YAML::Value;
  if (tokens.empty()) out << YAML::Flow;
  out << YAML::BeginSeq;
  for (const core::TokenConfig& t : tokens) {
    out << YAML::BeginMap;
    Put(out, "name", t.name);
    Put(out, "token", Secret(t.token));
    Put(out, "role", t.role);
    out << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
}

void PutLimits(YAML::Emitter& out, const core::LimitsConfig& limits) {
  out << YAML::Key << "limits" << YAML::Value << YAML::BeginMap;
  Put(out, "statement_timeout", limits.statement_timeout);
  Put(out, "lock_timeout", limits.lock_timeout);
  Put(out, "idle_timeout", limits.idle_timeout);
  PutQuota(out, limits.quota);
  Put(out, "workers", limits.workers);
  out << YAML::EndMap;
}

void PutDatabase(YAML::Emitter& out, const core::DatabaseConfig& db) {
  out << YAML::BeginMap;
  Put(out, "name", db.name);
  Put(out, "provider", db.provider);
  Put(out, "history", db.history);
  Put(out, "retention", db.retention);
  if (db.quota) PutQuota(out, *db.quota);
  if (db.provider == "dblab") {
    const core::DblabProviderConfig& d = db.dblab;
    out << YAML::Key << "dblab" << YAML::Value << YAML::BeginMap;
    Put(out, "url", Redacted(d.url));
    Put(out, "token", Secret(d.token));
    Put(out, "db_name", d.db_name);
    Put(out, "sslmode", d.sslmode);
    Put(out, "create_timeout", d.create_timeout);
  } else {
    const core::LocalProviderConfig& l = db.local;
    out << YAML::Key << "local" << YAML::Value << YAML::BeginMap;
    Put(out, "admin_dsn", Redacted(l.admin_dsn));
    Put(out, "source", l.source);
    Put(out, "warm_clones", l.warm_clones);
    Put(out, "clone_prefix", l.clone_prefix);
  }
  out << YAML::EndMap << YAML::EndMap;
}

void PutSlack(YAML::Emitter& out, const core::SlackConfig& slack) {
  out << YAML::Key << "slack" << YAML::Value << YAML::BeginMap;
  Put(out, "signing_secret", Secret(slack.signing_secret));
  Put(out, "bot_token", Secret(slack.bot_token));
  Put(out, "api_url", Redacted(slack.api_url));
  out << YAML::Key << "channels" << YAML::Value;
  if (slack.channels.empty()) out << YAML::Flow;
  out << YAML::BeginSeq;
  for (const core::SlackChannelConfig& c : slack.channels) {
    out << YAML::Flow << YAML::BeginMap;
    Put(out, "id", c.id);
    Put(out, "database", c.database);
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
  PutList(out, "users", slack.users);
  PutList(out, "admins", slack.admins);
  out << YAML::EndMap;
}

}  // namespace

std::string EffectiveConfigYaml(const core::Config& config) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  Put(out, "listen", config.listen);
  Put(out, "store", RedactedStore(config.store));
  if (config.tls) {
    out << YAML::Key << "tls" << YAML::Value << YAML::BeginMap;
    Put(out, "cert", config.tls->cert);
    Put(out, "key", config.tls->key);
    out << YAML::EndMap;
  }
  PutTokens(out, config.tokens);
  PutLimits(out, config.limits);
  out << YAML::Key << "databases" << YAML::Value << YAML::BeginSeq;
  for (const core::DatabaseConfig& db : config.databases) PutDatabase(out, db);
  out << YAML::EndSeq;
  if (config.slack.enabled) PutSlack(out, config.slack);
  out << YAML::Key << "logging" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "debug_database_errors" << YAML::Value
      << config.logging.debug_database_errors;
  Put(out, "format", config.logging.format);
  Put(out, "level", config.logging.level);
  out << YAML::EndMap;
  out << YAML::Key << "audit" << YAML::Value << YAML::BeginMap;
  Put(out, "export", config.audit.export_to);
  out << YAML::EndMap;
  out << YAML::Key << "web" << YAML::Value << YAML::BeginMap;
  Put(out, "public_url", Redacted(config.web.public_url));
  Put(out, "assets_dir", config.web.assets_dir);
  out << YAML::EndMap;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace planbot::adapters
