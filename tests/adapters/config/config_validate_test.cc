// ValidateConfig: required values, ranges, names, uniqueness and references, each error naming
// the key path; checked through ParseConfig (which validates) and on structs directly.
#include <doctest/doctest.h>

#include <string>

#include "adapters/config/config_yaml.h"
#include "tests/support/config_testing.h"

namespace planbot::adapters {
namespace {

using testing::FakeEnv;
using testing::kMinimal;
using testing::ParseError;
using testing::StartsWith;
using testing::TempDir;

constexpr const char* kTokens =
    "api:\n  tokens:\n    - {name: ci, token: 0123456789abcdef, role: user}\n";

std::string Validate(const core::Config& config) {
  Status status = ValidateConfig(config);
  return status.ok() ? "OK" : status.error().message;
}

TEST_CASE("listen: HOST:PORT with a port from 1 to 65535") {
  auto with_listen = [](const std::string& listen) {
    core::Config c = core::DefaultConfig(FakeEnv({}));
    c.listen = listen;
    return Validate(c);
  };
  CHECK(with_listen("127.0.0.1:8080") == "OK");
  CHECK(with_listen("localhost:1") == "OK");
  CHECK(with_listen("[::1]:8080") == "OK");
  CHECK(with_listen("127.0.0.1:65535") == "OK");
  CHECK(StartsWith(with_listen("127.0.0.1:0"), "config: listen: the port must be a number"));
  CHECK(StartsWith(with_listen("127.0.0.1:65536"), "config: listen: the port must be a number"));
  CHECK(StartsWith(with_listen("127.0.0.1:http"), "config: listen: the port must be a number"));
  CHECK(StartsWith(with_listen("127.0.0.1:"), "config: listen: the port must be a number"));
  CHECK(StartsWith(with_listen("127.0.0.1"), "config: listen: expected HOST:PORT"));
  CHECK(StartsWith(with_listen(":8080"), "config: listen: expected a host before the port"));
  CHECK(StartsWith(with_listen("[]:8080"), "config: listen: expected a host before the port"));
  CHECK(with_listen("::1:8080") ==
        "config: listen: an IPv6 address needs brackets, like [::1]:8080");
  CHECK(StartsWith(with_listen("[::1]8080"), "config: listen: expected [IPV6]:PORT"));
  CHECK(with_listen("[nope]:80") == "config: listen: \"nope\" is not an IPv6 address");
  CHECK(with_listen("") == "config: listen: required (HOST:PORT like 127.0.0.1:8080)");
}

TEST_CASE("listening beyond loopback needs API tokens") {
  core::Config c = core::DefaultConfig(FakeEnv({}));
  c.listen = "0.0.0.0:8080";
  CHECK(StartsWith(Validate(c),
                   "config: listen: listening on 0.0.0.0 without api.tokens is "
                   "refused"));
  c.listen = "[::]:8080";
  CHECK(StartsWith(Validate(c), "config: listen: listening on :: without api.tokens"));
  c.listen = "127.8.9.10:8080";
  CHECK(Validate(c) == "OK");
  c.listen = "[::ffff:127.0.0.1]:8080";
  CHECK(Validate(c) == "OK");
  c.listen = "0.0.0.0:8080";
  c.tokens.push_back({"ci", "0123456789abcdef", "user"});
  CHECK(Validate(c) == "OK");
}

TEST_CASE("api.tokens: name, token of 16 characters or more, role; names and tokens unique") {
  const std::string base = std::string(kMinimal) + "api:\n  tokens:\n";
  auto with_tokens = [&](const std::string& entries) { return ParseError(base + entries); };
  CHECK(with_tokens("    - {name: ci, token: 0123456789abcdef, role: admin}\n") == "OK");
  CHECK(with_tokens("    - {token: 0123456789abcdef, role: user}\n") ==
        "config: api.tokens[0].name: required");
  CHECK(with_tokens("    - {name: ci, role: user}\n") == "config: api.tokens[0].token: required");
  CHECK(with_tokens("    - {name: ci, token: \"${T}\", role: user}\n") ==
        "config: api.tokens[0].token: environment variable T is not set");
  const std::string too_short = with_tokens("    - {name: ci, token: secret, role: user}\n");
  CHECK(too_short ==
        "config: api.tokens[0].token: too short (6 characters): use at least 16 random "
        "characters, a shorter token can be guessed by trying");
  CHECK(too_short.find("secret,") == std::string::npos);  // the value itself is not quoted
  CHECK(with_tokens("    - {name: ci, token: 0123456789abcdef}\n") ==
        "config: api.tokens[0].role: required (user or admin)");
  CHECK(with_tokens("    - {name: ci, token: 0123456789abcdef, role: root}\n") ==
        "config: api.tokens[0].role: expected one of: user, admin (got \"root\")");
  CHECK(with_tokens("    - {name: ci, token: 0123456789abcdef, role: user}\n"
                    "    - {name: ci, token: fedcba9876543210, role: user}\n") ==
        "config: api.tokens[1].name: duplicate: api.tokens[0] is also called ci");
  const std::string same = with_tokens(
      "    - {name: ci, token: 0123456789abcdef, role: user}\n"
      "    - {name: ops, token: 0123456789abcdef, role: admin}\n");
  CHECK(same ==
        "config: api.tokens[1].token: the same token as api.tokens[0]; every client needs its "
        "own token");
}

TEST_CASE("limits: positive durations, PostgreSQL's bound on server timeouts, quota >= 0") {
  const std::string base = std::string(kMinimal) + "limits:\n";
  CHECK(ParseError(base + "  statement_timeout: 0s\n") ==
        "config: limits.statement_timeout: must be positive, like 30s");
  CHECK(ParseError(base + "  lock_timeout: 25d\n") ==
        "config: limits.lock_timeout: at most 2147483647ms (about 24 days, PostgreSQL's limit)");
  CHECK(ParseError(base + "  statement_timeout: 24d\n") == "OK");
  CHECK(ParseError(base + "  idle_timeout: 0\n") ==
        "config: limits.idle_timeout: must be positive, like 30s");
  CHECK(ParseError(base + "  quota: {commands: -1}\n") ==
        "config: limits.quota.commands: must be 0 (no quota) or more");
  CHECK(ParseError(base + "  quota: {commands: 0}\n") == "OK");
  CHECK(ParseError(base + "  quota: {per: 0s}\n") ==
        "config: limits.quota.per: must be positive, like 30s");
}

TEST_CASE("a database may have its own quota, checked like limits.quota") {
  const std::string db = "databases:\n  - name: shop\n    local: {source: s}\n";
  CHECK(ParseError(db + "    quota: {commands: 5, per: 1h}\n") == "OK");
  CHECK(ParseError(db + "    quota: {commands: -2}\n") ==
        "config: databases[0].quota.commands: must be 0 (no quota) or more");
  CHECK(ParseError(db + "    quota: {per: 0s}\n") ==
        "config: databases[0].quota.per: must be positive, like 30s");
  CHECK(StartsWith(ParseError(db + "    quota: {burst: 1}\n"),
                   "config: databases[0].quota.burst: unknown key"));
}

TEST_CASE("databases: names, providers and their required values") {
  CHECK(ParseError("databases:\n  - {local: {source: s}}\n") ==
        "config: databases[0].name: required");
  CHECK(ParseError("databases:\n  - {name: Shop, local: {source: s}}\n") ==
        "config: databases[0].name: expected up to 63 of a-z, 0-9, _ and - (got \"Shop\")");
  CHECK(ParseError("databases:\n  - {name: shop-2_b, local: {source: s}}\n") == "OK");
  CHECK(ParseError(std::string(kMinimal) +
                   "  - {name: shop, local: {source: t, clone_prefix: b}}\n") ==
        "config: databases[1].name: duplicate: databases[0] is also called shop");
  CHECK(ParseError("databases:\n  - {name: shop}\n") ==
        "config: databases[0].local.source: required for provider local (the database to clone)");
  CHECK(ParseError("databases:\n  - {name: shop, local: {source: s, warm_clones: 17}}\n") ==
        "config: databases[0].local.warm_clones: must be from 0 to 16");
  CHECK(ParseError("databases:\n  - {name: shop, local: {source: s, warm_clones: 0}}\n") == "OK");
  CHECK(StartsWith(ParseError("databases:\n  - {name: a, local: {source: s, clone_prefix: 9x}}\n"),
                   "config: databases[0].local.clone_prefix: expected a lower-case letter"));
  CHECK(StartsWith(ParseError("databases:\n  - {name: a, local: {source: s, clone_prefix: " +
                              std::string(32, 'a') + "}}\n"),
                   "config: databases[0].local.clone_prefix: expected a lower-case letter"));
  CHECK(ParseError("databases:\n  - {name: shop, retention: 0d, local: {source: s}}\n") ==
        "config: databases[0].retention: must be positive, like 30s");
}

TEST_CASE("two local databases on one server need their own clone prefixes") {
  const std::string yaml = std::string(kMinimal) + "  - {name: crm, local: {source: crm}}\n";
  CHECK(StartsWith(ParseError(yaml),
                   "config: databases[1].local.clone_prefix: planbot_clone is "
                   "also used by databases[0] on the same server"));
  CHECK(ParseError(std::string(kMinimal) +
                   "  - {name: crm, local: {source: crm, clone_prefix: crm_clone}}\n") == "OK");
}

TEST_CASE("dblab: url (http or https), token and db_name are required") {
  const std::string head = "databases:\n  - name: big\n    provider: dblab\n    dblab: ";
  auto dblab = [&](const std::string& section) { return ParseError(head + section + "\n"); };
  CHECK(dblab("{url: 'https://dle:2345', token: t, db_name: big}") == "OK");
  CHECK(ParseError("databases:\n  - {name: big, provider: dblab}\n") ==
        "config: databases[0].dblab.url: required for provider dblab");
  CHECK(dblab("{token: t, db_name: big}") ==
        "config: databases[0].dblab.url: required for provider dblab");
  CHECK(dblab("{url: 'ftp://dle', token: t, db_name: big}") ==
        "config: databases[0].dblab.url: expected an http:// or https:// URL");
  CHECK(dblab("{url: 'http://dle', db_name: big}") ==
        "config: databases[0].dblab.token: required for provider dblab");
  CHECK(dblab("{url: 'http://dle', token: t}") ==
        "config: databases[0].dblab.db_name: required for provider dblab");
  CHECK(StartsWith(dblab("{url: 'http://dle', token: t, db_name: b, sslmode: yes-please}"),
                   "config: databases[0].dblab.sslmode: expected one of: disable,"));
  CHECK(dblab("{url: 'http://dle', token: t, db_name: b, create_timeout: 0s}") ==
        "config: databases[0].dblab.create_timeout: must be positive, like 30s");
}

TEST_CASE("slack: secrets required, channels name configured databases") {
  const std::string base = std::string(kMinimal) + "slack:\n";
  const std::string secrets = "  signing_secret: s\n  bot_token: b\n";
  CHECK(ParseError(base + "  bot_token: b\n") == "config: slack.signing_secret: required");
  CHECK(ParseError(base + "  signing_secret: s\n") == "config: slack.bot_token: required");
  CHECK(ParseError(base + secrets) == "OK");
  CHECK(ParseError(base + secrets + "  channels: [{id: C1, database: shop}]\n") == "OK");
  CHECK(ParseError(base + secrets + "  channels: [{id: C1, database: crm}]\n") ==
        "config: slack.channels[0].database: no database is called crm (configured: shop)");
  CHECK(ParseError(base + secrets + "  channels: [{database: shop}]\n") ==
        "config: slack.channels[0].id: required (a channel id)");
  CHECK(ParseError(base + secrets +
                   "  channels: [{id: C1, database: shop}, {id: C1, database: shop}]\n") ==
        "config: slack.channels[1].id: duplicate: slack.channels[0] is also C1");
  CHECK(ParseError(base + secrets + "  api_url: slack.com\n") ==
        "config: slack.api_url: expected an http:// or https:// URL");
  CHECK(ParseError(base + secrets + "  admins: ['']\n") ==
        "config: slack.admins[0]: empty user id");
}

TEST_CASE("tls: cert and key are required and must be readable files") {
  TempDir dir;
  const std::string cert = dir.Write("server.crt", "cert");
  const std::string key = dir.Write("server.key", "key");
  const std::string base = std::string(kMinimal) + "tls:\n";
  CHECK(ParseError(base + "  cert: " + cert + "\n  key: " + key + "\n") == "OK");
  CHECK(ParseError(base + "  key: " + key + "\n") ==
        "config: tls.cert: required when tls is present (a PEM file)");
  CHECK(ParseError(base + "  cert: " + cert + "\n") ==
        "config: tls.key: required when tls is present (a PEM file)");
  CHECK(ParseError(base + "  cert: " + dir.path() + "/missing.crt\n  key: " + key + "\n") ==
        "config: tls.cert: cannot read " + dir.path() + "/missing.crt: No such file or directory");
  CHECK(ParseError(base + "  cert: " + cert + "\n  key: " + dir.path() + "\n") ==
        "config: tls.key: " + dir.path() + " is not a regular file");
}

TEST_CASE("store is required") {
  core::Config c = core::DefaultConfig(FakeEnv({}));
  c.store.clear();
  CHECK(Validate(c) == "config: store: required (a file path)");
}

TEST_CASE("web: public_url is an http(s) URL answers can append /plans/ID to; assets_dir exists") {
  const std::string base = std::string(kMinimal) + "web:\n";
  CHECK(ParseError(base + "  public_url: https://planbot.internal\n") == "OK");
  CHECK(ParseError(base + "  public_url: http://10.0.0.5:8080/planbot\n") == "OK");
  for (const char* bad : {"planbot.internal", "https://planbot.internal/", "ftp://x",
                          "https://x/?a=1", "https://x/#top", "'https://a b'", "https://x|y"}) {
    CHECK_MESSAGE(StartsWith(ParseError(base + "  public_url: " + bad + "\n"),
                             "config: web.public_url: must be an http:// or https:// URL"),
                  bad);
  }
  CHECK(ParseError(base + "  assets_dir: /nonexistent/planbot-web\n") ==
        "config: web.assets_dir: not a directory: /nonexistent/planbot-web");
  CHECK(StartsWith(ParseError(base + "  theme: dark\n"), "config: web.theme: unknown key"));
}

}  // namespace
}  // namespace planbot::adapters
