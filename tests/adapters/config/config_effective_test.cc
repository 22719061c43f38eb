// EffectiveConfigYaml: the configuration as `planbot serve --check-config` prints it — every
// setting with defaults filled in, no secret, and YAML that the reader takes back.
#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "adapters/config/config_yaml.h"
#include "tests/result_testing.h"
#include "tests/support/config_testing.h"

namespace planbot::adapters {
namespace {

using testing::FakeEnv;
using testing::TempDir;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

constexpr const char* kWithSecrets = R"(listen: 0.0.0.0:8443
api:
  tokens:
    - {name: ci, token: ci-token-AAAAAAAAAAAAAAAA, role: user}
    - {name: ops, token: "${OPS_TOKEN}", role: admin}
databases:
  - name: shop
    local: {admin_dsn: "host=127.0.0.1 user=postgres password='pa ss' dbname=postgres", source: shop}
  - name: crm
    quota: {commands: 5, per: 90s}
    local:
      admin_dsn: "postgresql://admin:DDDsecret@db.internal:5432/postgres?sslmode=require"
      source: crm
      clone_prefix: crm_clone
  - name: big
    provider: dblab
    history: full
    retention: 7d
    dblab: {url: "https://user:EEEsecret@dle.internal:2345", token: dle-token-FFFF, db_name: big}
slack:
  signing_secret: signing-GGGG
  bot_token: xoxb-HHHH
  channels: [{id: C0123456, database: shop}]
  admins: [U0456789]
logging: {format: json, level: debug}
web: {public_url: "https://planbot.internal"}
)";

TEST_CASE("EffectiveConfigYaml masks every secret and keeps the rest") {
  Result<core::Config> parsed =
      ParseConfig(kWithSecrets, FakeEnv({{"OPS_TOKEN", "ops-token-BBBBBBBBBBBBBBBB"}}));
  REQUIRE_MESSAGE(parsed.ok(), planbot::testing::ErrorText(parsed));
  const std::string yaml = EffectiveConfigYaml(*parsed);
  CAPTURE(yaml);
  for (const char* secret :
       {"ci-token-AAAAAAAAAAAAAAAA", "ops-token-BBBBBBBBBBBBBBBB", "pa ss", "DDDsecret",
        "EEEsecret", "dle-token-FFFF", "signing-GGGG", "xoxb-HHHH"}) {
    CAPTURE(secret);
    CHECK_FALSE(Contains(yaml, secret));
  }
  const YAML::Node root = YAML::Load(yaml);
  CHECK(root["listen"].Scalar() == "0.0.0.0:8443");
  CHECK(root["api"]["tokens"][0]["name"].Scalar() == "ci");
  CHECK(root["api"]["tokens"][0]["token"].Scalar() == "***");
  CHECK(root["api"]["tokens"][1]["token"].Scalar() == "***");
  CHECK(root["api"]["tokens"][1]["role"].Scalar() == "admin");
  CHECK(root["databases"][0]["local"]["admin_dsn"].Scalar() ==
        "host=127.0.0.1 user=postgres password=*** dbname=postgres");
  CHECK(root["databases"][1]["local"]["admin_dsn"].Scalar() ==
        "postgresql://admin:***@db.internal:5432/postgres?sslmode=require");
  CHECK(root["databases"][1]["quota"]["per"].Scalar() == "90s");
  CHECK(root["databases"][2]["dblab"]["url"].Scalar() == "https://user:***@dle.internal:2345");
  CHECK(root["databases"][2]["dblab"]["token"].Scalar() == "***");
  CHECK(root["databases"][2]["retention"].Scalar() == "7d");
  CHECK_FALSE(root["databases"][2]["local"].IsDefined());  // only the provider's own section
  CHECK(root["slack"]["signing_secret"].Scalar() == "***");
  CHECK(root["slack"]["bot_token"].Scalar() == "***");
  CHECK(root["slack"]["channels"][0]["database"].Scalar() == "shop");
  CHECK(root["logging"]["format"].Scalar() == "json");
  CHECK(root["logging"]["level"].Scalar() == "debug");
  CHECK(root["web"]["public_url"].Scalar() == "https://planbot.internal");
}

TEST_CASE("EffectiveConfigYaml of the embedded defaults, and the reader takes it back") {
  const core::Config defaults = core::DefaultConfig(FakeEnv({{"PGDATABASE", "shop"}}));
  const std::string yaml = EffectiveConfigYaml(defaults);
  CHECK(yaml ==
        "listen: 127.0.0.1:8080\n"
        "store: ./planbot.db\n"
        "api:\n"
        "  tokens: []\n"
        "limits:\n"
        "  statement_timeout: 30s\n"
        "  lock_timeout: 5s\n"
        "  idle_timeout: 30m\n"
        "  quota:\n"
        "    commands: 30\n"
        "    per: 1m\n"
        "  workers: 8\n"
        "databases:\n"
        "  - name: default\n"
        "    provider: local\n"
        "    history: normalized\n"
        "    retention: 30d\n"
        "    local:\n"
        "      admin_dsn: \"\"\n"
        "      source: shop\n"
        "      warm_clones: 1\n"
        "      clone_prefix: planbot_clone\n"
        "logging:\n"
        "  debug_database_errors: false\n"
        "  format: text\n"
        "  level: info\n"
        "audit:\n"
        "  export: \"\"\n"
        "web:\n"
        "  public_url: \"\"\n"
        "  assets_dir: \"\"\n");
  Result<core::Config> again = ParseConfig(yaml, FakeEnv({}));
  REQUIRE_MESSAGE(again.ok(), planbot::testing::ErrorText(again));
  CHECK(EffectiveConfigYaml(*again) == yaml);
}

TEST_CASE("a configuration without secrets goes through EffectiveConfigYaml unchanged") {
  TempDir dir;
  const std::string cert = dir.Write("server.crt", "cert");
  const std::string key = dir.Write("server.key", "key");
  const std::string text =
      "listen: \"[::1]:8443\"\nstore: /var/lib/planbot/planbot.db\n"
      "tls: {cert: " +
      cert + ", key: " + key +
      "}\n"
      "limits: {statement_timeout: 1500ms, quota: {commands: 0, per: 1h}}\n"
      "databases:\n"
      "  - {name: shop, history: \"off\", quota: {commands: 3, per: 10s},\n"
      "     local: {source: shop, warm_clones: 0}}\n"
      "slack: {signing_secret: s, bot_token: b, users: [U1, U2],\n"
      "        channels: [{id: C1, database: shop}]}\n"
      "audit: {export: \"-\"}\n";
  Result<core::Config> parsed = ParseConfig(text, FakeEnv({}));
  REQUIRE_MESSAGE(parsed.ok(), planbot::testing::ErrorText(parsed));
  const std::string yaml = EffectiveConfigYaml(*parsed);
  CAPTURE(yaml);
  // The Slack secrets are masked; put back, the output reads as the same configuration.
  std::string reusable = yaml;
  for (const char* key_name : {"signing_secret", "bot_token"}) {
    const std::string masked = std::string(key_name) + ": \"***\"";
    REQUIRE(Contains(reusable, masked));
    reusable.replace(reusable.find(masked), masked.size(), std::string(key_name) + ": x");
  }
  Result<core::Config> again = ParseConfig(reusable, FakeEnv({}));
  REQUIRE_MESSAGE(again.ok(), planbot::testing::ErrorText(again));
  CHECK(EffectiveConfigYaml(*again) == yaml);
  CHECK(again->limits.statement_timeout == core::Millis(1500));
  CHECK(again->limits.quota.commands == 0);
  CHECK(again->databases[0].history == "off");
  REQUIRE(again->databases[0].quota.has_value());
  CHECK(again->databases[0].quota->commands == 3);
  CHECK(again->slack.users == std::vector<std::string>{"U1", "U2"});
  CHECK(again->audit.export_to == "-");
  REQUIRE(again->tls.has_value());
  CHECK(again->tls->cert == cert);
}

// Found by tests/fuzz/fuzz_config_yaml: a value holding a literal "${" (written "$${" in the
// file) was printed as "${", which the reader then took for a variable.
TEST_CASE("a literal ${ in a value is printed as $${, so the output reads back") {
  const std::string text =
      "databases:\n  - name: shop\n    local: {source: \"a$${b}c\", admin_dsn: \"host=$$${x}\"}\n";
  Result<core::Config> parsed = ParseConfig(text, FakeEnv({}));
  REQUIRE_MESSAGE(parsed.ok(), planbot::testing::ErrorText(parsed));
  CHECK(parsed->databases[0].local.source == "a${b}c");
  const std::string yaml = EffectiveConfigYaml(*parsed);
  CAPTURE(yaml);
  Result<core::Config> again = ParseConfig(yaml, FakeEnv({}));
  REQUIRE_MESSAGE(again.ok(), planbot::testing::ErrorText(again));
  CHECK(again->databases[0].local.source == "a${b}c");
  CHECK(again->databases[0].local.admin_dsn == parsed->databases[0].local.admin_dsn);
}

}  // namespace
}  // namespace planbot::adapters
