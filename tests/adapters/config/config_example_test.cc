// The configuration files shipped with planbot: planbot.example.yaml (every key the reader
// accepts, defaults shown) and packaging/planbot.yaml (the systemd unit's) load and validate,
// and every `${VAR}` they use is in packaging/planbot.env.example. Completeness is checked against
// ConfigKeyPaths(), which the reader derives from its own schema.
#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "adapters/config/config_yaml.h"
#include "tests/result_testing.h"
#include "tests/support/config_testing.h"

namespace planbot::adapters {
namespace {

using testing::FakeEnv;
using testing::TempDir;

const std::string kExample = std::string(PLANBOT_SOURCE_DIR) + "/planbot.example.yaml";
const std::string kUnitConfig = std::string(PLANBOT_SOURCE_DIR) + "/packaging/planbot.yaml";
const std::string kEnvExample = std::string(PLANBOT_SOURCE_DIR) + "/packaging/planbot.env.example";

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot read " << path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every key path in a YAML tree, as ConfigKeyPaths() writes them ("databases[].local.source").
void CollectKeyPaths(const YAML::Node& node, const std::string& path, std::set<std::string>* out) {
  if (node.IsMap()) {
    for (const auto& entry : node) {
      const std::string key =
          path.empty() ? entry.first.Scalar() : path + "." + entry.first.Scalar();
      out->insert(key);
      CollectKeyPaths(entry.second, key, out);
    }
  } else if (node.IsSequence()) {
    for (const auto& element : node) CollectKeyPaths(element, path + "[]", out);
  }
}

std::set<std::string> KeyPathsOfFile(const std::string& path) {
  std::set<std::string> paths;
  CollectKeyPaths(YAML::LoadFile(path), "", &paths);
  return paths;
}

// The names of the `${VAR}` references in a YAML tree's values (`$${` is a literal, and
// comments are not values).
void CollectVariables(const YAML::Node& node, std::set<std::string>* names) {
  if (node.IsScalar()) {
    const std::string& text = node.Scalar();
    const std::regex reference(R"((^|[^$])\$\{([A-Za-z_][A-Za-z0-9_]*)\})");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), reference);
         it != std::sregex_iterator(); ++it) {
      names->insert((*it)[2]);
    }
  }
  if (node.IsMap()) {
    for (const auto& entry : node) CollectVariables(entry.second, names);
  }
  if (node.IsSequence()) {
    for (const auto& element : node) CollectVariables(element, names);
  }
}

std::set<std::string> ReferencedVariables(const std::string& file) {
  std::set<std::string> names;
  CollectVariables(YAML::LoadFile(file), &names);
  return names;
}

// The VAR=... lines of an environment file.
std::set<std::string> EnvFileVariables(const std::string& text) {
  std::set<std::string> names;
  const std::regex assignment(R"(^([A-Za-z_][A-Za-z0-9_]*)=)");
  std::istringstream lines(text);
  std::string line;
  std::smatch match;
  while (std::getline(lines, line)) {
    if (std::regex_search(line, match, assignment)) names.insert(match[1]);
  }
  return names;
}

// A value for every variable a file references: TLS paths name real files (validation reads
// them), every other variable gets a distinct value long enough for a token.
core::EnvLookup EnvFor(const std::string& file, const TempDir& dir) {
  std::map<std::string, std::string> vars;
  for (const std::string& name : ReferencedVariables(file)) {
    vars[name] = name + "-value-0123456789";
  }
  vars["PLANBOT_TLS_CERT"] = dir.Write("server.crt", "certificate");
  vars["PLANBOT_TLS_KEY"] = dir.Write("server.key", "key");
  return FakeEnv(vars);
}

TEST_CASE("ConfigKeyPaths lists the reader's schema, list elements as []") {
  const std::vector<std::string> paths = ConfigKeyPaths();
  const std::set<std::string> set(paths.begin(), paths.end());
  CHECK(set.size() == paths.size());
  REQUIRE(paths.size() > 2);
  CHECK(paths[0] == "listen");
  CHECK(paths[1] == "store");
  for (const char* path :
       {"tls.key", "api.tokens", "api.tokens[].role", "limits.quota.per", "limits.workers",
        "databases[].quota.commands", "databases[].local.clone_prefix",
        "databases[].dblab.create_timeout", "slack.channels[].database", "slack.admins",
        "logging.debug_database_errors", "logging.format", "logging.level", "audit.export",
        "web.assets_dir"}) {
    CAPTURE(path);
    CHECK(set.count(path) == 1);
  }
}

TEST_CASE("planbot.example.yaml holds every key the reader accepts, and no other") {
  const std::set<std::string> in_example = KeyPathsOfFile(kExample);
  const std::vector<std::string> known = ConfigKeyPaths();
  for (const std::string& path : known) {
    CAPTURE(path);
    CHECK_MESSAGE(in_example.count(path) == 1, "planbot.example.yaml lacks " << path);
  }
  const std::set<std::string> known_set(known.begin(), known.end());
  for (const std::string& path : in_example) {
    CAPTURE(path);
    CHECK(known_set.count(path) == 1);
  }
}

TEST_CASE("planbot.example.yaml loads and validates, and shows the defaults") {
  TempDir dir;
  Result<core::Config> loaded = LoadConfigFile(kExample, EnvFor(kExample, dir));
  REQUIRE_MESSAGE(loaded.ok(), planbot::testing::ErrorText(loaded));
  const core::Config& c = *loaded;
  CHECK(c.tls.has_value());
  CHECK(c.tokens.size() == 2);
  REQUIRE(c.databases.size() == 2);
  CHECK(c.databases[0].provider == "local");
  CHECK(c.databases[1].provider == "dblab");
  CHECK(c.slack.enabled);
  CHECK(c.tokens[0].token == "PLANBOT_CI_TOKEN-value-0123456789");

  // Where the example says "Default", its value is the struct's default.
  const core::Config defaults;
  const core::DatabaseConfig db_defaults;
  CHECK(c.listen == defaults.listen);
  CHECK(c.store == defaults.store);
  CHECK(c.limits.statement_timeout == defaults.limits.statement_timeout);
  CHECK(c.limits.lock_timeout == defaults.limits.lock_timeout);
  CHECK(c.limits.idle_timeout == defaults.limits.idle_timeout);
  CHECK(c.limits.quota.commands == defaults.limits.quota.commands);
  CHECK(c.limits.quota.per == defaults.limits.quota.per);
  CHECK(c.limits.workers == defaults.limits.workers);
  CHECK(c.databases[0].provider == db_defaults.provider);
  CHECK(c.databases[0].history == db_defaults.history);
  CHECK(c.databases[0].retention == db_defaults.retention);
  CHECK(c.databases[0].local.warm_clones == db_defaults.local.warm_clones);
  CHECK(c.databases[0].local.clone_prefix == db_defaults.local.clone_prefix);
  CHECK(c.databases[1].dblab.create_timeout == db_defaults.dblab.create_timeout);
  CHECK(c.slack.api_url == defaults.slack.api_url);
  CHECK(c.slack.users == defaults.slack.users);
  CHECK(c.logging.debug_database_errors == defaults.logging.debug_database_errors);
  CHECK(c.logging.format == defaults.logging.format);
  CHECK(c.logging.level == defaults.logging.level);
  CHECK(c.audit.export_to == defaults.audit.export_to);
  CHECK(c.web.public_url == defaults.web.public_url);
  CHECK(c.web.assets_dir == defaults.web.assets_dir);
}

TEST_CASE("packaging/planbot.yaml, the systemd unit's configuration, loads and validates") {
  TempDir dir;
  Result<core::Config> loaded = LoadConfigFile(kUnitConfig, EnvFor(kUnitConfig, dir));
  REQUIRE_MESSAGE(loaded.ok(), planbot::testing::ErrorText(loaded));
  CHECK(loaded->store == "/var/lib/planbot/planbot.db");              // the unit's StateDirectory
  CHECK(loaded->audit.export_to.rfind("/var/log/planbot/", 0) == 0);  // its LogsDirectory
  CHECK_FALSE(loaded->tokens.empty());
}

TEST_CASE("every variable the shipped configurations use is in planbot.env.example") {
  const std::set<std::string> listed = EnvFileVariables(ReadText(kEnvExample));
  for (const std::string& file : {kExample, kUnitConfig}) {
    const std::set<std::string> used = ReferencedVariables(file);
    CHECK_FALSE(used.empty());
    for (const std::string& name : used) {
      CAPTURE(file);
      CAPTURE(name);
      CHECK(listed.count(name) == 1);
    }
  }
  // The template holds no secret: every token and password is left empty.
  for (const char* secret : {"PLANBOT_CI_TOKEN", "PLANBOT_ADMIN_TOKEN", "PGPASSWORD", "DLE_TOKEN",
                             "SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN"}) {
    CAPTURE(secret);
    CHECK(ReadText(kEnvExample).find(std::string("\n") + secret + "=\n") != std::string::npos);
  }
}

}  // namespace
}  // namespace planbot::adapters
