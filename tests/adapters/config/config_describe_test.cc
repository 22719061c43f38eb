// DescribeConfig and RedactConnectionString: the startup summary shows the configuration and
// never a secret — tokens, signing secret, bot token, dblab token, passwords in DSNs and URLs.
#include <doctest/doctest.h>

#include <string>

#include "adapters/config/config_yaml.h"
#include "tests/support/config_testing.h"

namespace planbot::adapters {
namespace {

using testing::FakeEnv;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

core::Config FullConfig() {
  core::Config c;
  c.listen = "0.0.0.0:8443";
  c.tls = core::TlsConfig{"/etc/planbot/server.crt", "/etc/planbot/server.key"};
  c.tokens = {{"ci", "ci-token-AAAAAAAAAAAAAAAA", "user"},
              {"ops", "ops-token-BBBBBBBBBBBBBBBB", "admin"}};
  c.limits.quota.per = core::Seconds(60);
  core::DatabaseConfig shop;
  shop.name = "shop";
  shop.local.admin_dsn = "host=127.0.0.1 user=postgres password='pa ss\\'CCC' dbname=postgres";
  shop.local.source = "shop";
  core::DatabaseConfig crm;
  crm.name = "crm";
  crm.local.admin_dsn = "postgresql://admin:DDDsecret@db.internal:5432/postgres?sslmode=require";
  crm.local.source = "crm";
  crm.local.clone_prefix = "crm_clone";
  core::DatabaseConfig big;
  big.name = "big";
  big.provider = "dblab";
  big.history = "full";
  big.retention = core::Seconds(7 * 24 * 3600);
  big.dblab = {"https://user:EEEsecret@dle.internal:2345", "dle-token-FFFF", "big", "verify-full",
               core::Seconds(300)};
  c.databases = {shop, crm, big};
  c.slack.enabled = true;
  c.slack.signing_secret = "signing-GGGG";
  c.slack.bot_token = "xoxb-HHHH";
  c.slack.channels = {{"C0123456", "shop"}};
  c.slack.admins = {"U0456789"};
  return c;
}

TEST_CASE("DescribeConfig shows the settings and hides every secret") {
  const std::string text = DescribeConfig(FullConfig());
  for (const char* secret :
       {"ci-token-AAAAAAAAAAAAAAAA", "ops-token-BBBBBBBBBBBBBBBB", "CCC", "pa ss", "DDDsecret",
        "EEEsecret", "dle-token-FFFF", "signing-GGGG", "xoxb-HHHH"}) {
    CAPTURE(secret);
    CHECK_FALSE(Contains(text, secret));
  }
  CAPTURE(text);
  CHECK(Contains(text,
                 "listen 0.0.0.0:8443 (HTTPS, cert /etc/planbot/server.crt, key "
                 "/etc/planbot/server.key)"));
  CHECK(Contains(text, "api tokens: ci (user, token ***), ops (admin, token ***)"));
  CHECK(Contains(text,
                 "limits: statement_timeout 30s, lock_timeout 5s, idle_timeout 30m, quota "
                 "30 commands per 1m"));
  CHECK(Contains(text,
                 "database shop: provider local, admin_dsn \"host=127.0.0.1 user=postgres "
                 "password=*** dbname=postgres\", source shop, warm_clones 1, clone_prefix "
                 "planbot_clone, history normalized, retention 30d"));
  CHECK(Contains(text,
                 "admin_dsn \"postgresql://admin:***@db.internal:5432/postgres"
                 "?sslmode=require\""));
  CHECK(Contains(text,
                 "database big: provider dblab, url https://user:***@dle.internal:2345, "
                 "token ***, db_name big, sslmode verify-full, create_timeout 5m, history "
                 "full, retention 7d"));
  CHECK(Contains(text,
                 "slack: signing_secret ***, bot_token ***, api_url https://slack.com/api, "
                 "channels C0123456 -> shop, users everyone in those channels, admins "
                 "U0456789"));
  CHECK(Contains(text, "logging: text lines at level info and above; debug_database_errors off"));
  CHECK(text.back() != '\n');
}

TEST_CASE("DescribeConfig of the embedded defaults") {
  const std::string text = DescribeConfig(core::DefaultConfig(FakeEnv({{"PGDATABASE", "shop"}})));
  CHECK(text ==
        "listen 127.0.0.1:8080 (plain HTTP)\n"
        "store ./planbot.db\n"
        "api tokens: none (the HTTP API accepts loopback connections only)\n"
        "limits: statement_timeout 30s, lock_timeout 5s, idle_timeout 30m, quota 30 commands "
        "per 1m, workers 8\n"
        "database default: provider local, admin_dsn (libpq environment), source shop, "
        "warm_clones 1, clone_prefix planbot_clone, history normalized, retention 30d\n"
        "slack: off\n"
        "logging: text lines at level info and above; debug_database_errors off\n"
        "audit export: off\n"
        "web view: no public URL (answers carry no link)");
}

TEST_CASE("RedactConnectionString: key=value connection strings") {
  CHECK(RedactConnectionString("") == "");
  CHECK(RedactConnectionString("host=h port=5432") == "host=h port=5432");
  CHECK(RedactConnectionString("host=h password=s3cret user=u") == "host=h password=*** user=u");
  CHECK(RedactConnectionString("password = s3cret") == "password = ***");
  CHECK(RedactConnectionString("password='a b\\' c' host=h") == "password=*** host=h");
  CHECK(RedactConnectionString("password=a\\ b host=h") == "password=*** host=h");
  CHECK(RedactConnectionString("host=h password=") == "host=h password=***");
  // Unparsable: hidden entirely rather than guessed at.
  CHECK(RedactConnectionString("host=h password='unterminated") ==
        "(hidden: the connection string cannot be parsed)");
  CHECK(RedactConnectionString("host h password s3cret") ==
        "(hidden: the connection string cannot be parsed)");
}

TEST_CASE("RedactConnectionString: URIs") {
  CHECK(RedactConnectionString("postgresql://u:s3cret@h:5432/db") ==
        "postgresql://u:***@h:5432/db");
  CHECK(RedactConnectionString("postgres://u:s3cret@h/db") == "postgres://u:***@h/db");
  CHECK(RedactConnectionString("postgresql://u@h:5432/db") == "postgresql://u@h:5432/db");
  CHECK(RedactConnectionString("postgresql://h:5432/db") == "postgresql://h:5432/db");
  CHECK(RedactConnectionString("postgresql://u:p@ss/w?rd@h/db") == "postgresql://u:***@h/db");
  CHECK(RedactConnectionString("postgresql://h/db?user=u&password=s3cret&sslmode=require") ==
        "postgresql://h/db?user=u&password=***&sslmode=require");
  CHECK(RedactConnectionString("https://dle.internal:2345") == "https://dle.internal:2345");
  CHECK(RedactConnectionString("https://u:s3cret@dle.internal") == "https://u:***@dle.internal");
}

}  // namespace
}  // namespace planbot::adapters
