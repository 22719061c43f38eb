#include "tests/support/service_stack.h"

#include <doctest/doctest.h>

#include <chrono>

#include "tests/result_testing.h"
#include "tests/support/fake_dle.h"
#include "tests/support/pg_test_env.h"

namespace planbot::testing {

using nlohmann::json;

ServiceStack::ServiceStack(StackOptions options) {
  dir_ = std::filesystem::temp_directory_path() / UniqueName("planbot_e2e");
  std::filesystem::create_directories(dir_);
  auto opened = storage::Store::Open(store_path().string());
  REQUIRE_MESSAGE(opened.ok(), planbot::testing::ErrorText(opened));
  store = std::move(*opened);

  if (options.prepare_store) options.prepare_store(*store);

  core::DatabaseConfig db;
  db.name = "shop";
  db.history = options.history;
  db.retention = options.retention;
  if (options.dle != nullptr) {
    db.provider = "dblab";
    db.dblab.url = options.dle->url();
    db.dblab.token = "fake-dle-token";
    db.dblab.db_name = SourceDatabase();
    db.dblab.create_timeout = core::Seconds(options.dblab_create_timeout_s);
    auto made = adapters::DblabCloneProvider::Create(db.dblab, options.dblab);
    REQUIRE_MESSAGE(made.ok(), planbot::testing::ErrorText(made));
    provider = std::move(*made);
  } else {
    provider_prefix_ = UniqueName("e2e");
    provider = MakeProvider(1, options.logger, provider_prefix_);
  }
  adapters::PostgresSessionOptions session_options;
  session_options.logger = options.logger;
  factory = std::make_unique<adapters::PostgresSessionFactory>(session_options);
  describer = std::make_unique<adapters::PsqlDescriber>();

  core::ServiceOptions service_options;
  service_options.databases.push_back(db);
  service_options.limits.statement_timeout =
      std::chrono::milliseconds(options.statement_timeout_ms);
  service_options.limits.quota = options.quota;
  service_options.retention_interval = options.retention_interval;
  service_options.public_url = options.web.public_url;
  core::ServicePorts ports;
  ports.UseStore(store.get());
  ports.providers = {{"shop", provider.get()}};
  ports.sessions = factory.get();
  ports.describer = describer.get();
  ports.telemetry = telemetry.get();
  service = std::make_unique<core::Service>(service_options, ports, options.logger);

  adapters::HttpServerOptions http_options;
  http_options.listen = "127.0.0.1:0";
  http_options.tokens = std::move(options.tokens);
  http_options.web = options.web;
  http_options.metrics = telemetry.get();
  auto created = adapters::HttpServer::Create(http_options, service.get());
  REQUIRE_MESSAGE(created.ok(), planbot::testing::ErrorText(created));
  http = std::move(*created);
  if (options.before_serve) options.before_serve(*this);
  REQUIRE(http->Start().ok());
  client = std::make_unique<httplib::Client>("127.0.0.1", http->port());
  client->set_read_timeout(120, 0);
}

ServiceStack::~ServiceStack() {
  service->Shutdown();
  http->Stop();
  provider->Shutdown();
  std::filesystem::remove_all(dir_);
}

std::pair<int, json> ServiceStack::Ask(const std::string& text, json extra,
                                       const std::string& token) {
  extra["text"] = text;
  return Post(extra.dump(), token);
}

std::pair<int, json> ServiceStack::Post(const std::string& body, const std::string& token) {
  return PostTo("/api/v1/commands", body, token);
}

std::pair<int, json> ServiceStack::Get(const std::string& path, const std::string& token) {
  httplib::Headers headers;
  if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
  httplib::Client per_request("127.0.0.1", http->port());
  per_request.set_read_timeout(120, 0);
  auto res = per_request.Get(path, headers);
  REQUIRE(res);
  return {res->status, json::parse(res->body, nullptr, false)};
}

std::pair<int, json> ServiceStack::PostTo(const std::string& path, const std::string& body,
                                          const std::string& token) {
  httplib::Headers headers;
  if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
  // A client per request: httplib::Client serializes the requests of one instance, and tests
  // send commands concurrently (activity beside a busy session).
  httplib::Client per_request("127.0.0.1", http->port());
  per_request.set_read_timeout(120, 0);
  auto res = per_request.Post(path, headers, body, "application/json");
  REQUIRE(res);
  return {res->status, json::parse(res->body, nullptr, false)};
}

std::string ServiceStack::SessionClone() const {
  REQUIRE(!provider_prefix_.empty());
  const std::string where =
      "from pg_stat_activity where datname like '" + provider_prefix_ +
      "\\_%' and application_name = 'planbot'";  // a session, not the admin setting up a spare
  REQUIRE(Scalar("", "select count(distinct datname) " + where) == "1");
  return Scalar("", "select min(datname) " + where);
}

}  // namespace planbot::testing
