// The HTTP front door (SPEC §4), on cpp-httplib: `POST /api/v1/commands`, `GET /healthz`,
// `GET /readyz` and `GET /metrics` (no authentication: they carry no user, SQL or data), with
// more routes added by other adapters (Slack) through AddRoutes(). Every answer carries an
// X-Request-Id, which the access log line and the request's audit entries name.
//
// Authentication: with API tokens configured, `/api/*` needs `Authorization: Bearer TOKEN`
// (compared in constant time); without tokens only loopback clients are served, and Create()
// refuses a non-loopback listen address. Failures are audited; tokens are never logged.
// Bodies over `max_body` (`max_analyze_body` for a pasted plan) get 413; every error is `{"error":
// {"code", "message"}}`.
//
// Thread-safety: handlers run on the server's thread pool and call core::Service concurrently.
// Start() and Stop() are called by one thread.
#pragma once

#include <httplib.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "adapters/http/web_assets.h"
#include "adapters/http/web_sessions.h"
#include "adapters/metrics/prometheus_telemetry.h"
#include "common/log.h"
#include "common/result.h"
#include "core/config.h"
#include "core/service.h"

namespace planbot::adapters {

struct HttpServerOptions {
  std::string listen = "127.0.0.1:8080";  // HOST:PORT; port 0 picks a free one
  std::optional<core::TlsConfig> tls;
  std::vector<core::TokenConfig> tokens;
  core::WebConfig web;  // the web view: public URL, pages from a directory
  size_t max_body = 1 << 20;
  // POST /api/v1/analyze takes pasted plans, which are larger than commands (the 1,600-node
  // plan of the render benchmark is 1.8 MB).
  size_t max_analyze_body = 16 << 20;
  int threads = 32;
  Logger log;
  // GET /metrics renders these (may be null: then /metrics is 404).
  PrometheusTelemetry* metrics = nullptr;
};

// Splits "HOST:PORT" / "[::1]:PORT". Nullopt when malformed.
std::optional<std::pair<std::string, int>> SplitHostPort(const std::string& listen);

// True for 127.0.0.0/8, ::1, localhost.
bool IsLoopbackHost(const std::string& host);

// Who a request is from and how it proved it: "bearer" (API token), "cookie" (a web view
// session, with that session), "loopback" (no tokens configured).
struct Identity {
  core::Caller caller;
  std::string auth;
  std::optional<WebSession> session;
};

class HttpServer {
 public:
  // Validates the options (a non-loopback address needs tokens; TLS files must load).
  static Result<std::unique_ptr<HttpServer>> Create(HttpServerOptions options,
                                                    core::Service* service);
  ~HttpServer();

  // Binds and serves in a background thread. Error "listen_failed" when the address is taken.
  Status Start();
  // The same in two steps, so a taken port is found before anything else starts. `service`
  // may be set between them (requests are only served after Serve()).
  Status Bind();
  void Serve();
  void set_service(core::Service* service) { service_ = service; }
  core::Service* service() const { return service_; }
  // The port actually bound (useful with port 0).
  int port() const { return port_; }
  // "http://127.0.0.1:8080" or "https://...".
  std::string url() const;
  void Stop();

  // Who the request is from, or the error to answer with (401/403). Audits failures.
  // Besides the token or loopback rules: a POST whose Origin is not this server's is refused
  // (cross-site), a cookie session's POST needs its CSRF token, and without tokens a Host that
  // is not a loopback name is refused (DNS rebinding). docs/web.md.
  Result<core::Caller> Authenticate(const httplib::Request& req);
  Result<Identity> Identify(const httplib::Request& req);

  const HttpServerOptions& options() const { return options_; }
  // True (and 413 set on `res`) when the body is over max_body: routes other than the pasted
  // plan's call it first.
  bool BodyTooLarge(const httplib::Request& req, httplib::Response& res) const;
  // True unless the request carries an Origin other than this server's: scheme and Host as the
  // request reached us, or the origin of web.public_url (a proxy in front that ends TLS).
  bool SameOrigin(const httplib::Request& req) const;
  WebSessions& web_sessions() { return web_sessions_; }
  const WebAssets& web_assets() const { return web_assets_; }

  httplib::Server& server() { return *server_; }

 private:
  HttpServer(HttpServerOptions options, core::Service* service,
             std::unique_ptr<httplib::Server> server);
  void InstallRoutes();
  void HandleCommand(const httplib::Request& req, httplib::Response& res);

  HttpServerOptions options_;
  core::Service* service_;
  std::unique_ptr<httplib::Server> server_;
  WebSessions web_sessions_;
  WebAssets web_assets_;
  std::string host_;
  int port_ = 0;
  std::thread thread_;
  std::atomic<bool> listen_returned_{false};  // the listen thread is done (Serve)
};

// The web view's session cookie.
inline constexpr const char* kSessionCookie = "planbot_session";
// The configured token equal to `token` (compared in constant time), or nullptr.
const core::TokenConfig* MatchToken(const std::vector<core::TokenConfig>& tokens,
                                    const std::string& token);
// The value of cookie `name` in the request's Cookie header; empty when absent.
std::string CookieValue(const httplib::Request& req, const std::string& name);

// The id of the HTTP request this thread is handling: the client's X-Request-Id when it is 1-64
// of [A-Za-z0-9._:-], otherwise a new random one; every answer carries it in X-Request-Id, and
// audit entries and log lines name it. Empty outside a request handler.
std::string CurrentRequestId();

// Writes `body` as JSON with `status`.
void ReplyJson(httplib::Response& res, int status, const nlohmann::json& body);
// The same for a body already written as JSON text.
void ReplyJsonText(httplib::Response& res, int status, std::string body);

}  // namespace planbot::adapters
