// ServiceStack: the service as `planbot serve` composes it, in process, for end-to-end tests: a
// real HTTP server on loopback, the bot core, a real SQLite store, PostgreSQL sessions, the real
// psql describer, and either the local clone provider on the PostgreSQL that scripts/test starts
// or the dblab provider against a FakeDle whose clones are databases on that same server.
// Requests are what a script or `planbot ask` sends; callers assert on what comes back.
#pragma once

#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "adapters/clones/dblab_provider.h"
#include "adapters/clones/local_clones.h"
#include "adapters/http/http_server.h"
#include "adapters/postgres/postgres_session.h"
#include "adapters/postgres/psql_describer.h"
#include "common/log.h"
#include "core/service.h"
#include "storage/store.h"

namespace planbot::testing {

class FakeDle;
class ServiceStack;

struct StackOptions {
  std::vector<core::TokenConfig> tokens;
  int statement_timeout_ms = 30000;
  core::QuotaConfig quota{0, core::Seconds{60}};  // off unless a test sets it
  FakeDle* dle = nullptr;        // set: the database "shop" uses the dblab provider against it
  adapters::DblabOptions dblab;  // with dle: poll interval, timeouts
  int dblab_create_timeout_s = 30;
  // Called after the HTTP server is made and before it serves: extra routes (Slack).
  std::function<void(ServiceStack&)> before_serve;
  // The database's history policy and retention, and how often retention is checked.
  std::string history = "normalized";
  core::Seconds retention{30 * 24 * 3600};
  std::chrono::milliseconds retention_interval{std::chrono::hours(1)};
  // Called with the store before the service starts (entries written by an earlier run).
  std::function<void(storage::Store&)> prepare_store;
  // The web view: public URL for answer links, pages from a directory.
  core::WebConfig web;
  // Where the service, its sessions and its clone provider log (silent by default).
  Logger logger;
};

class ServiceStack {
 public:
  explicit ServiceStack(StackOptions options = {});
  ~ServiceStack();

  // POSTs {"text": text} (plus extra fields) to /api/v1/commands: status and JSON body.
  std::pair<int, nlohmann::json> Ask(const std::string& text,
                                     nlohmann::json extra = nlohmann::json::object(),
                                     const std::string& token = "");
  std::pair<int, nlohmann::json> Post(const std::string& body, const std::string& token = "");
  // Any route of the API: GET `path` (with its query string) or POST `body` to it.
  std::pair<int, nlohmann::json> Get(const std::string& path, const std::string& token = "");
  std::pair<int, nlohmann::json> PostTo(const std::string& path, const std::string& body,
                                        const std::string& token = "");
  // The clone database of the stack's only session, found by its connection (warm spares have
  // none); local provider only.
  std::string SessionClone() const;
  const std::string& provider_prefix() const { return provider_prefix_; }
  std::filesystem::path store_path() const { return dir_ / "planbot.db"; }

  std::filesystem::path dir_;
  // What GET /metrics renders; the service, the HTTP server and Slack routes report to it.
  std::unique_ptr<adapters::PrometheusTelemetry> telemetry =
      std::make_unique<adapters::PrometheusTelemetry>("test");
  std::unique_ptr<storage::Store> store;
  std::unique_ptr<core::CloneProvider> provider;
  std::unique_ptr<adapters::PostgresSessionFactory> factory;
  std::unique_ptr<adapters::PsqlDescriber> describer;
  std::unique_ptr<core::Service> service;
  std::unique_ptr<adapters::HttpServer> http;
  std::unique_ptr<httplib::Client> client;

 private:
  std::string provider_prefix_;
};

}  // namespace planbot::testing
