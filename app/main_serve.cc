// `planbot serve`: the composition root of the service. Reads the configuration, opens the
// store, makes one clone provider per database, wires the core to the HTTP server, and runs
// until SIGINT or SIGTERM; then it cancels what runs, releases every clone and stops. With
// --check-config it stops after reading the configuration and prints it instead.
#include "app/main_serve.h"

#include <csignal>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "adapters/clones/dblab_provider.h"
#include "adapters/clones/local_clones.h"
#include "adapters/config/config_discovery.h"
#include "adapters/config/config_yaml.h"
#include "adapters/http/http_server.h"
#include "adapters/http/http_slack.h"
#include "adapters/metrics/prometheus_telemetry.h"
#include "adapters/postgres/postgres_session.h"
#include "adapters/postgres/psql_describer.h"
#include "adapters/slack/slack_client.h"
#include "common/json_text.h"
#include "core/config.h"
#include "core/service.h"
#include "core/version.h"
#include "history/audit_export.h"
#include "slack/slack_bot.h"
#include "storage/store.h"

namespace planbot::app {
namespace {

constexpr int kFailure = 1;
constexpr int kBadInput = 2;

// The configuration file and store by the rule the offline commands share
// (adapters/config/config_discovery.h), then --listen; validated again after the overrides.
Result<adapters::ResolvedConfig> LoadConfig(const ServeArgs& args) {
  adapters::ConfigRequest request;
  request.config_flag = args.config;
  request.store_flag = args.store;
  auto resolved = adapters::ResolveConfig(request, core::ProcessEnv());
  if (!resolved) return resolved.error();
  if (!args.listen.empty()) resolved->config.listen = args.listen;
  if (Status valid = adapters::ValidateConfig(resolved->config); !valid) return valid.error();
  return resolved;
}

// `--check-config`: the configuration serving would use, as YAML with secrets masked.
int CheckConfig(const ServeArgs& args) {
  auto resolved = LoadConfig(args);
  if (!resolved) {
    std::cerr << "planbot serve: " << resolved.error().message << "\n";
    return kBadInput;
  }
  std::string checked = adapters::DescribeChoice(resolved->choice);
  if (!args.listen.empty() || !args.store.empty()) checked += " with the command-line overrides";
  std::cout << "# planbot " << core::Version() << ": " << checked
            << ": valid. The effective configuration follows;\n"
            << "# secrets are shown as \"***\": put ${VAR} references there to reuse it as a "
               "file.\n"
            << adapters::EffectiveConfigYaml(resolved->config);
  std::cout.flush();
  return std::cout ? 0 : kFailure;
}

// One provider per configured database. Clones of sessions saved by a previous run (that
// crashed) are kept, so those sessions survive the restart.
Result<std::vector<std::unique_ptr<core::CloneProvider>>> MakeProviders(
    const core::Config& config, const std::vector<storage::SessionRecord>& saved,
    const Logger& log) {
  std::vector<std::unique_ptr<core::CloneProvider>> providers;
  for (const core::DatabaseConfig& db : config.databases) {
    Result<std::unique_ptr<core::CloneProvider>> provider =
        MakeError(ErrorCode::kBadConfig, "no provider");
    if (db.provider == "dblab") {
      adapters::DblabOptions options;
      options.logger = log.For("clones/" + db.name);
      auto made = adapters::DblabCloneProvider::Create(db.dblab, options);
      if (made) provider = std::unique_ptr<core::CloneProvider>(std::move(*made));
      if (!made) provider = made.error();
    } else {
      std::set<std::string> keep;
      for (const storage::SessionRecord& r : saved) {
        if (r.database == db.name) keep.insert(r.clone_id);
      }
      adapters::LocalCloneOptions options;
      options.logger = log.For("clones/" + db.name);
      options.keep = [keep](const std::string& id) { return keep.count(id) > 0; };
      auto made = adapters::LocalCloneProvider::Create(db.local, options);
      if (made) provider = std::unique_ptr<core::CloneProvider>(std::move(*made));
      if (!made) provider = made.error();
    }
    if (!provider) {
      return MakeError(provider.error().code,
                       "database " + db.name + ": " + provider.error().message);
    }
    providers.push_back(std::move(*provider));
  }
  return providers;
}

// Blocks SIGINT/SIGTERM in every thread started after this call; main waits for them.
sigset_t BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  return set;
}

}  // namespace

int RunServe(const ServeArgs& args) {
  if (args.check_config) return CheckConfig(args);
  sigset_t stop_signals = BlockStopSignals();
  auto resolved = LoadConfig(args);
  if (!resolved) {
    std::cerr << "planbot serve: " << resolved.error().message << "\n";
    return kBadInput;
  }
  const core::Config* config = &resolved->config;
  Logger log(Logger::StderrFormat(config->logging.format),
             ParseLogLevel(config->logging.level).value_or(LogLevel::kInfo), "planbot");
  adapters::PrometheusTelemetry telemetry(core::Version());
  log.Info(std::string("planbot ") + core::Version() + " starting: configuration " +
           adapters::DescribeChoice(resolved->choice) + "\n" + adapters::DescribeConfig(*config));
  // The port first: a second planbot on the same address stops here, before touching clones.
  adapters::HttpServerOptions http_options;
  http_options.listen = config->listen;
  http_options.tls = config->tls;
  http_options.tokens = config->tokens;
  http_options.web = config->web;
  http_options.log = log.For("http");
  http_options.metrics = &telemetry;
  auto http = adapters::HttpServer::Create(http_options, nullptr);
  Status bound = http ? (*http)->Bind() : Status(http.error());
  if (!bound) {
    std::cerr << "planbot serve: " << bound.error().message << "\n";
    return bound.error().code == ErrorCode::kBadConfig ? kBadInput : kFailure;
  }
  auto store = storage::Store::Open(config->store);
  if (!store) {
    std::cerr << "planbot serve: store " << config->store << ": " << store.error().message << "\n";
    return kFailure;
  }
  auto saved = (*store)->ListSessions();
  if (!saved) {
    std::cerr << "planbot serve: store " << config->store << ": " << saved.error().message << "\n";
    return kFailure;
  }
  std::unique_ptr<history::AuditExporter> exporter;
  if (!config->audit.export_to.empty()) {
    auto started =
        history::AuditExporter::Start(store->get(), config->audit.export_to, log.For("audit"));
    if (!started) {
      std::cerr << "planbot serve: " << started.error().message << "\n";
      return kBadInput;
    }
    exporter = std::move(*started);
  }
  auto providers = MakeProviders(*config, *saved, log);
  if (!providers) {
    std::cerr << "planbot serve: " << providers.error().message << "\n";
    return kFailure;
  }
  std::map<std::string, core::CloneProvider*> by_name;
  for (size_t i = 0; i < config->databases.size(); ++i) {
    by_name[config->databases[i].name] = (*providers)[i].get();
  }
  adapters::PostgresSessionOptions session_options;
  session_options.logger = log.For("session");
  session_options.debug_database_errors = config->logging.debug_database_errors;
  adapters::PostgresSessionFactory factory(session_options);
  adapters::PsqlDescriber describer(adapters::PsqlDescriberOptions{});
  core::ServicePorts ports;
  ports.UseStore(store->get());
  ports.providers = by_name;
  ports.sessions = &factory;
  ports.describer = &describer;
  ports.telemetry = &telemetry;
  core::ServiceOptions service_options;
  service_options.limits = config->limits;
  service_options.databases = config->databases;
  service_options.public_url = config->web.public_url;
  core::Service service(service_options, ports, log.For("service"));
  (*http)->set_service(&service);
  std::unique_ptr<adapters::SlackWebClient> slack_api;
  std::unique_ptr<slack::SlackBot> slack;
  if (config->slack.enabled) {
    adapters::SlackClientOptions client_options;
    client_options.api_url = config->slack.api_url;
    client_options.bot_token = config->slack.bot_token;
    client_options.logger = log.For("slack-api");
    client_options.telemetry = &telemetry;
    slack_api = std::make_unique<adapters::SlackWebClient>(client_options);
    slack::SlackBotOptions bot_options;
    bot_options.config = config->slack;
    bot_options.telemetry = &telemetry;
    slack = std::make_unique<slack::SlackBot>(bot_options, slack_api.get(), store->get(), &service,
                                              log.For("slack"));
    adapters::InstallSlackRoutes(**http, slack.get(), &service,
                                 {config->slack.signing_secret, http_options.max_body, &telemetry});
    slack->Start();
  }
  (*http)->Serve();
  service.recorder().Event("start", JsonText(nlohmann::json{{"version", core::Version()}}));
  log.Info("listening on " + (*http)->url() +
           (config->tokens.empty() ? " (no API tokens: loopback clients only)" : ""));

  int signal = 0;
  sigwait(&stop_signals, &signal);
  if (signal == SIGTERM) {
    // A planned stop (an orchestrator, systemd): /readyz fails and new commands get 503 at
    // once, while those already running finish (each is bounded by its deadline).
    log.Info("stopping on SIGTERM: draining (new commands are refused, running ones finish)");
    service.Drain(config->limits.statement_timeout + std::chrono::seconds(1));
  } else {
    log.Info("stopping on SIGINT");  // Ctrl-C: cancel what runs
  }
  service.Shutdown();
  (*http)->Stop();
  if (slack) slack->Shutdown();  // delivers the answers of commands that were running
  for (auto& p : *providers) p->Shutdown();
  service.recorder().Event(
      "stop", JsonText(nlohmann::json{{"signal", signal == SIGINT ? "SIGINT" : "SIGTERM"}}));
  if (exporter) exporter->Stop();  // after the stop entry: the export ends with it
  log.Info("stopped");
  return 0;
}

}  // namespace planbot::app
