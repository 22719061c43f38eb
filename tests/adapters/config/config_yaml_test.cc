// Reading the configuration file: SPEC §5's example, `${VAR}` expansion, and the errors of
// reading (YAML syntax, unknown keys, wrong types, unset variables), each naming its key path.
#include "adapters/config/config_yaml.h"

#include <doctest/doctest.h>

#include <optional>
#include <stdexcept>
#include <string>

#include "tests/result_testing.h"
#include "tests/support/config_testing.h"

namespace planbot::adapters {
namespace {

using testing::FakeEnv;
using testing::kMinimal;
using testing::ParseError;
using testing::StartsWith;
using testing::TempDir;

// SPEC §5, verbatim but for the TLS file names (validation checks that they exist).
constexpr const char* kSpecExample = R"(listen: 127.0.0.1:8080
store: ./planbot.db
tls: {cert: CERT, key: KEY}          # optional: HTTPS
api:
  tokens:
    - {name: ci, token: "${PLANBOT_CI_TOKEN}", role: user}
    - {name: ops, token: "${PLANBOT_ADMIN_TOKEN}", role: admin}
limits:
  statement_timeout: 30s
  lock_timeout: 5s
  idle_timeout: 30m
  quota: {commands: 30, per: 60s}
databases:
  - name: shop
    provider: local                                # local | dblab
    history: normalized                            # full | normalized | off
    retention: 30d
    local: {admin_dsn: "host=127.0.0.1 port=5432 user=postgres dbname=postgres", source: shop, warm_clones: 1}
  - name: big
    provider: dblab
    dblab: {url: "https://dle.internal:2345", token: "${DLE_TOKEN}", db_name: big, sslmode: verify-full}
slack:
  signing_secret: "${SLACK_SIGNING_SECRET}"
  bot_token: "${SLACK_BOT_TOKEN}"
  api_url: https://slack.com/api
  channels: [{id: C0123456, database: shop}]
  users: []                                        # allow-list; empty: everyone in those channels
  admins: [U0456789]
)";

core::EnvLookup SpecEnv() {
  return FakeEnv({{"PLANBOT_CI_TOKEN", "ci-token-0123456789abcdef"},
                  {"PLANBOT_ADMIN_TOKEN", "admin-token-0123456789abcdef"},
                  {"DLE_TOKEN", "dle-token-secret"},
                  {"SLACK_SIGNING_SECRET", "slack-signing-secret-value"},
                  {"SLACK_BOT_TOKEN", "xoxb-slack-bot-token"}});
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  text.replace(text.find(from), from.size(), to);
  return text;
}

TEST_CASE("the example of SPEC section 5 parses into the expected structs") {
  TempDir dir;
  const std::string cert = dir.Write("server.crt", "cert");
  const std::string key = dir.Write("server.key", "key");
  const std::string yaml = Replace(Replace(kSpecExample, "CERT", cert), "KEY", key);
  Result<core::Config> parsed = ParseConfig(yaml, SpecEnv());
  REQUIRE_MESSAGE(parsed.ok(), planbot::testing::ErrorText(parsed));
  const core::Config& c = *parsed;

  CHECK(c.listen == "127.0.0.1:8080");
  CHECK(c.store == "./planbot.db");
  REQUIRE(c.tls.has_value());
  CHECK(c.tls->cert == cert);
  CHECK(c.tls->key == key);
  REQUIRE(c.tokens.size() == 2);
  CHECK(c.tokens[0].name == "ci");
  CHECK(c.tokens[0].token == "ci-token-0123456789abcdef");
  CHECK(c.tokens[0].role == "user");
  CHECK(c.tokens[1].name == "ops");
  CHECK(c.tokens[1].token == "admin-token-0123456789abcdef");
  CHECK(c.tokens[1].role == "admin");
  CHECK(c.limits.statement_timeout == core::Millis(30000));
  CHECK(c.limits.lock_timeout == core::Millis(5000));
  CHECK(c.limits.idle_timeout == core::Seconds(1800));
  CHECK(c.limits.quota.commands == 30);
  CHECK(c.limits.quota.per == core::Seconds(60));

  REQUIRE(c.databases.size() == 2);
  const core::DatabaseConfig& shop = c.databases[0];
  CHECK(shop.name == "shop");
  CHECK(shop.provider == "local");
  CHECK(shop.history == "normalized");
  CHECK(shop.retention == core::Seconds(30 * 24 * 3600));
  CHECK(shop.local.admin_dsn == "host=127.0.0.1 port=5432 user=postgres dbname=postgres");
  CHECK(shop.local.source == "shop");
  CHECK(shop.local.warm_clones == 1);
  CHECK(shop.local.clone_prefix == "planbot_clone");  // default
  const core::DatabaseConfig& big = c.databases[1];
  CHECK(big.name == "big");
  CHECK(big.provider == "dblab");
  CHECK(big.history == "normalized");                     // default
  CHECK(big.retention == core::Seconds(30 * 24 * 3600));  // default
  CHECK(big.dblab.url == "https://dle.internal:2345");
  CHECK(big.dblab.token == "dle-token-secret");
  CHECK(big.dblab.db_name == "big");
  CHECK(big.dblab.sslmode == "verify-full");
  CHECK(big.dblab.create_timeout == core::Seconds(300));  // default

  CHECK(c.slack.enabled);
  CHECK(c.slack.signing_secret == "slack-signing-secret-value");
  CHECK(c.slack.bot_token == "xoxb-slack-bot-token");
  CHECK(c.slack.api_url == "https://slack.com/api");
  REQUIRE(c.slack.channels.size() == 1);
  CHECK(c.slack.channels[0].id == "C0123456");
  CHECK(c.slack.channels[0].database == "shop");
  CHECK(c.slack.users.empty());
  CHECK(c.slack.admins == std::vector<std::string>{"U0456789"});
  CHECK_FALSE(c.logging.debug_database_errors);
}

TEST_CASE("omitted optional keys keep the struct defaults") {
  Result<core::Config> parsed = ParseConfig(kMinimal, FakeEnv({}));
  REQUIRE_MESSAGE(parsed.ok(), planbot::testing::ErrorText(parsed));
  const core::Config defaults;
  CHECK(parsed->listen == defaults.listen);
  CHECK(parsed->store == defaults.store);
  CHECK_FALSE(parsed->tls.has_value());
  CHECK(parsed->tokens.empty());
  CHECK(parsed->limits.statement_timeout == defaults.limits.statement_timeout);
  CHECK(parsed->limits.quota.per == defaults.limits.quota.per);
  CHECK_FALSE(parsed->slack.enabled);
  CHECK(parsed->databases[0].local.warm_clones == 1);
}

TEST_CASE("logging.debug_database_errors is a boolean") {
  std::string yaml = std::string(kMinimal) + "logging: {debug_database_errors: true}\n";
  Result<core::Config> parsed = ParseConfig(yaml, FakeEnv({}));
  REQUIRE_MESSAGE(parsed.ok(), planbot::testing::ErrorText(parsed));
  CHECK(parsed->logging.debug_database_errors);
  CHECK(ParseError(std::string(kMinimal) + "logging: {debug_database_errors: maybe}\n") ==
        "config: logging.debug_database_errors: expected true or false (got \"maybe\")");
}

TEST_CASE("logging.format is text or json, logging.level debug, info, warn or error") {
  Result<core::Config> defaults = ParseConfig(kMinimal, FakeEnv({}));
  REQUIRE_MESSAGE(defaults.ok(), planbot::testing::ErrorText(defaults));
  CHECK(defaults->logging.format == "text");
  CHECK(defaults->logging.level == "info");
  std::string yaml = std::string(kMinimal) + "logging: {format: json, level: warn}\n";
  Result<core::Config> parsed = ParseConfig(yaml, FakeEnv({}));
  REQUIRE_MESSAGE(parsed.ok(), planbot::testing::ErrorText(parsed));
  CHECK(parsed->logging.format == "json");
  CHECK(parsed->logging.level == "warn");
  CHECK(ParseError(std::string(kMinimal) + "logging: {format: xml}\n") ==
        "config: logging.format: expected one of: text, json");
  CHECK(ParseError(std::string(kMinimal) + "logging: {level: verbose}\n") ==
        "config: logging.level: expected one of: debug, info, warn, error");
  CHECK(ParseError(std::string(kMinimal) + "logging: {colour: true}\n") ==
        "config: logging.colour: unknown key (expected one of: debug_database_errors, format, "
        "level)");
}

TEST_CASE("${VAR} is expanded anywhere inside a value, $${ is a literal ${") {
  const std::string yaml =
      "databases:\n"
      "  - name: shop\n"
      "    local:\n"
      "      admin_dsn: \"host=${PGHOST} port=${PGPORT} password=${PW}x$$y\"\n"
      "      source: \"$${NOT_A_VAR}-${DB}\"\n"
      "      warm_clones: ${WARM}\n";
  auto env = FakeEnv(
      {{"PGHOST", "db.internal"}, {"PGPORT", "5433"}, {"PW", "s3"}, {"DB", "shop"}, {"WARM", "3"}});
  Result<core::Config> parsed = ParseConfig(yaml, env);
  REQUIRE_MESSAGE(parsed.ok(), planbot::testing::ErrorText(parsed));
  const core::LocalProviderConfig& local = parsed->databases[0].local;
  CHECK(local.admin_dsn == "host=db.internal port=5433 password=s3x$$y");  // `$` without `{` stays
  CHECK(local.source == "${NOT_A_VAR}-shop");
  CHECK(local.warm_clones == 3);  // expanded before conversion
}

TEST_CASE("an unset variable names the key path and the variable") {
  TempDir dir;
  const std::string yaml =
      Replace(Replace(kSpecExample, "CERT", dir.Write("c", "")), "KEY", dir.Write("k", ""));
  CHECK(ParseError(yaml) ==
        "config: api.tokens[0].token: environment variable PLANBOT_CI_TOKEN is not set");
  CHECK(ParseError(std::string(kMinimal) + "store: ${HOME}/x/${NOPE}.db\n",
                   FakeEnv({{"HOME", "/root"}})) ==
        "config: store: environment variable NOPE is not set");
}

TEST_CASE("malformed ${ references are errors") {
  CHECK(StartsWith(ParseError(std::string(kMinimal) + "store: \"a${B\"\n"),
                   "config: store: unterminated ${"));
  CHECK(StartsWith(ParseError(std::string(kMinimal) + "store: \"${}\"\n"),
                   "config: store: \"${}\" is not an environment variable name"));
  CHECK(StartsWith(ParseError(std::string(kMinimal) + "store: \"${1X}\"\n"),
                   "config: store: \"${1X}\" is not an environment variable name"));
}

TEST_CASE("a variable's value is not expanded again") {
  Result<core::Config> parsed =
      ParseConfig(std::string(kMinimal) + "store: ${A}\n", FakeEnv({{"A", "${B}"}}));
  REQUIRE_MESSAGE(parsed.ok(), planbot::testing::ErrorText(parsed));
  CHECK(parsed->store == "${B}");
}

TEST_CASE("unknown keys are errors naming their path") {
  CHECK(StartsWith(ParseError(std::string(kMinimal) + "listn: 1.2.3.4:80\n"),
                   "config: listn: unknown key (expected one of: listen, store,"));
  CHECK(StartsWith(ParseError("databases:\n  - {name: shop, local: {sourse: shop}}\n"),
                   "config: databases[0].local.sourse: unknown key"));
  CHECK(StartsWith(ParseError(std::string(kMinimal) + "limits: {quota: {per: 1s, burst: 3}}\n"),
                   "config: limits.quota.burst: unknown key"));
  CHECK(StartsWith(ParseError(std::string(kMinimal) + "slack: {channels: [{id: C1, db: x}]}\n"),
                   "config: slack.channels[0].db: unknown key"));
}

TEST_CASE("a key given twice is an error") {
  CHECK(ParseError(std::string(kMinimal) + "store: a.db\nstore: b.db\n") ==
        "config: store: duplicate key");
}

TEST_CASE("wrong types are errors naming their path") {
  CHECK(ParseError(std::string(kMinimal) + "limits: {quota: {per: soon}}\n") ==
        "config: limits.quota.per: expected a duration like 30s, 5m, 1h, 30d or 250ms, at most "
        "36500d (got \"soon\")");
  CHECK(ParseError(std::string(kMinimal) + "limits: {idle_timeout: 1500ms}\n") ==
        "config: limits.idle_timeout: expected whole seconds like 30s or 5m (got \"1500ms\")");
  CHECK(ParseError("databases: {name: shop}\n") == "config: databases: expected a list, got a map");
  CHECK(ParseError("databases:\n  - {name: shop, provider: docker}\n") ==
        "config: databases[0].provider: expected one of: local, dblab (got \"docker\")");
  CHECK(ParseError("databases:\n  - {name: shop, history: some, local: {source: s}}\n") ==
        "config: databases[0].history: expected one of: full, normalized, off (got \"some\")");
  CHECK(ParseError("databases:\n  - {name: shop, local: {source: s, warm_clones: two}}\n") ==
        "config: databases[0].local.warm_clones: expected a whole number (got \"two\")");
  CHECK(ParseError(std::string(kMinimal) + "api: {tokens: [{name: [a, b]}]}\n") ==
        "config: api.tokens[0].name: expected a string, got a list");
  CHECK(ParseError(std::string(kMinimal) + "slack: {admins: U1}\n") ==
        "config: slack.admins: expected a list, got a single value");
  CHECK(ParseError(std::string(kMinimal) + "tls: server.crt\n") ==
        "config: tls: expected a map (key: value), got a single value");
  CHECK(ParseError("databases:\n  - shop\n") ==
        "config: databases[0]: expected a map (key: value), got a single value");
}

TEST_CASE("the other provider's section is a mistake, not an extra") {
  CHECK(
      ParseError("databases:\n  - {name: big, dblab: {url: 'http://x', token: t, db_name: b}}\n") ==
      "config: databases[0].dblab: only for provider dblab (this database's provider is local)");
}

TEST_CASE("audit.export: a file, stdout, or off; unknown keys under audit are errors") {
  auto file = ParseConfig(
      "databases:\n  - {name: shop, local: {source: s}}\naudit: {export: /var/log/a.jsonl}\n",
      FakeEnv({}));
  REQUIRE(file.ok());
  CHECK(file->audit.export_to == "/var/log/a.jsonl");
  auto none = ParseConfig("databases:\n  - {name: shop, local: {source: s}}\n", FakeEnv({}));
  REQUIRE(none.ok());
  CHECK(none->audit.export_to.empty());
  CHECK(ParseError("databases:\n  - {name: shop, local: {source: s}}\naudit: {exprt: x}\n")
            .find("audit.exprt") != std::string::npos);
}

TEST_CASE("YAML 1.1 boolean words are plain text: history off, provider names") {
  Result<core::Config> parsed =
      ParseConfig("databases:\n  - {name: shop, history: off, local: {source: on}}\n", FakeEnv({}));
  REQUIRE_MESSAGE(parsed.ok(), planbot::testing::ErrorText(parsed));
  CHECK(parsed->databases[0].history == "off");
  CHECK(parsed->databases[0].local.source == "on");
}

TEST_CASE("nothing throws out of ParseConfig, not even a failing environment") {
  core::EnvLookup throwing = [](const std::string&) -> std::optional<std::string> {
    throw std::runtime_error("environment unavailable");
  };
  CHECK(ParseError(std::string(kMinimal) + "store: ${X}\n", throwing) ==
        "config: cannot read the configuration: environment unavailable");
}

TEST_CASE("a YAML syntax error reports its line and column") {
  const std::string message = ParseError("listen: 127.0.0.1:8080\nstore: [a,\ndatabases: []\n");
  CHECK(StartsWith(message, "config: YAML syntax error at line "));
  CHECK(message.find("line 4") != std::string::npos);
  CHECK(ParseError("a: x\n  b: 2\n") ==
        "config: YAML syntax error at line 2, column 4: illegal map value");
}

TEST_CASE("an empty file, a list and a scalar at the top level are errors") {
  CHECK(ParseError("") ==
        "config: the file is empty; it needs at least one database under databases");
  CHECK(ParseError("# nothing but a comment\n") ==
        "config: the file is empty; it needs at least one database under databases");
  CHECK(ParseError("- listen: 1\n- store: x\n") ==
        "config: expected a map of settings (key: value) at the top level, got a list");
  CHECK(ParseError("hello\n") ==
        "config: expected a map of settings (key: value) at the top level, got a single value");
  CHECK(StartsWith(ParseError(std::string(kMinimal) + "---\n" + kMinimal),
                   "config: the file holds 2 YAML documents"));
}

TEST_CASE("a file without databases is an error: the defaults are only for no file at all") {
  CHECK(ParseError("listen: 127.0.0.1:9000\n") ==
        "config: databases: required: at least one database");
  CHECK(ParseError("databases: []\n") == "config: databases: required: at least one database");
}

// Found by tests/fuzz/fuzz_config_yaml: yaml-cpp 0.7 loops for ever on a document whose node
// starts with ',' (a hung `planbot serve`); such a line is refused before it is parsed, and
// YAML's legal uses of a leading ',' (in a flow collection, in a block scalar) still read.
TEST_CASE("a value starting with ',' is a syntax error, not a hang") {
  for (const char* text : {",x\n", "  ,\"\n", "---\n,x\n", "# c\n,oggin  \"  : verbose}\n",
                           "databases:\n  - name: a\n,x\n", "&a ,x\n"}) {
    CAPTURE(text);
    auto config = ParseConfig(text, FakeEnv({}));
    REQUIRE_FALSE(config.ok());
    CHECK(config.error().message.find("cannot start with ','") != std::string::npos);
  }
  // Text yaml-cpp cannot consume after a node (here a tag holding ','): LoadAll made document
  // after document for ever; the documents are counted with a bound now.
  auto tag = ParseConfig("\n\n!id30d2,15\n", FakeEnv({}));
  REQUIRE_FALSE(tag.ok());
  CHECK(tag.error().message.find("2 YAML documents or more") != std::string::npos);
  // Not UTF-8: refused with its line (YAML is Unicode; found by the same target).
  auto latin1 = ParseConfig("databases:\n  - name: caf\xe9\n", FakeEnv({}));
  REQUIRE_FALSE(latin1.ok());
  CHECK(latin1.error().message.find("line 2 is not valid UTF-8") != std::string::npos);
  auto utf8 =
      ParseConfig("databases:\n  - name: caf\xc3\xa9\n    local: {source: shop}\n", FakeEnv({}));
  CHECK((utf8.ok() || utf8.error().message.find("UTF-8") == std::string::npos));
  auto flow = ParseConfig("databases: [{name: shop, provider: local\n  , local: {source: shop}}]\n",
                          FakeEnv({}));
  CHECK(flow.ok());
  // Text of a block scalar is not looked at (whatever the reader then says of the value).
  auto block = ParseConfig(
      "databases:\n  - name: shop\n    local:\n      source: shop\n"
      "      admin_dsn: >\n        host=localhost\n        ,port=5432\n",
      FakeEnv({}));
  CHECK((block.ok() || block.error().message.find("cannot start with") == std::string::npos));
}

TEST_CASE("LoadConfigFile reads a file and names the path it cannot read") {
  TempDir dir;
  const std::string file = dir.Write("planbot.yaml", kMinimal);
  Result<core::Config> loaded = LoadConfigFile(file, FakeEnv({}));
  REQUIRE_MESSAGE(loaded.ok(), planbot::testing::ErrorText(loaded));
  CHECK(loaded->databases[0].name == "shop");

  const std::string missing = dir.path() + "/nope.yaml";
  Result<core::Config> gone = LoadConfigFile(missing, FakeEnv({}));
  REQUIRE_FALSE(gone.ok());
  CHECK(gone.error().code == "bad_config");
  CHECK(gone.error().message == "config: cannot read " + missing + ": No such file or directory");

  Result<core::Config> directory = LoadConfigFile(dir.path(), FakeEnv({}));
  REQUIRE_FALSE(directory.ok());
  CHECK(directory.error().message == "config: cannot read " + dir.path() + ": Is a directory");
}

TEST_CASE("the embedded defaults are valid") {
  Status valid = ValidateConfig(core::DefaultConfig(FakeEnv({})));
  CHECK_MESSAGE(valid.ok(), planbot::testing::ErrorText(valid));
}

}  // namespace
}  // namespace planbot::adapters
