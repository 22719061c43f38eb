#include "adapters/http/http_server.h"

#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <random>

#include "adapters/http/http_history.h"
#include "adapters/http/http_web.h"
#include "common/json_text.h"

namespace planbot::adapters {
namespace {

// With a parameter, httplib does not compress the body: its Brotli runs at the slowest quality
// (seconds of CPU for a large plan when a browser asks for br), a cost any client could impose.
constexpr const char* kJson = "application/json; charset=utf-8";

// The request this thread handles (httplib runs a request's pre-routing handler, route and
// logger on one thread): its id and when it arrived.
struct RequestScratch {
  std::string id;
  std::chrono::steady_clock::time_point start;
};
thread_local RequestScratch current_request;

bool ValidRequestId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == ':' || c == '-';
  });
}

// 16 hex digits from a per-thread generator seeded by the system's random source.
std::string NewRequestId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t v = rng();
  std::string id(16, '0');
  for (char& c : id) {
    c = kHex[v & 0xf];
    v >>= 4;
  }
  return id;
}

// "host:port", "[::1]:port" or "host" -> the host ("::1" without brackets).
std::string HostName(const std::string& host_header) {
  if (!host_header.empty() && host_header[0] == '[') {
    const size_t close = host_header.find(']');
    return close == std::string::npos ? host_header : host_header.substr(1, close - 1);
  }
  return host_header.substr(0, host_header.find(':'));
}

bool IsLoopbackAddress(const std::string& addr) {
  return addr.rfind("127.", 0) == 0 || addr == "::1" || addr.rfind("::ffff:127.", 0) == 0;
}

ErrorCode StatusCode(int status) {
  switch (status) {
    case 400:
      return ErrorCode::kBadRequest;
    case 401:
      return ErrorCode::kUnauthorized;
    case 403:
      return ErrorCode::kForbidden;
    case 404:
      return ErrorCode::kNotFound;
    case 405:
      return ErrorCode::kMethodNotAllowed;
    case 413:
      return ErrorCode::kTooLarge;
    default:
      return ErrorCode::kHttpError;
  }
}

std::string DefaultMessage(int status, const httplib::Request& req, size_t max_body) {
  switch (status) {
    case 404:
      return "no endpoint " + req.method + " " + req.path;
    case 413:
      return "request body is larger than " + std::to_string(max_body) + " bytes";
    default:
      return "HTTP " + std::to_string(status);
  }
}

// Reads {"text", "database"?, "session"?} from the body.
Result<core::CommandRequest> ParseCommandBody(const std::string& body) {
  auto doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return MakeError(ErrorCode::kBadJson, "the request body is not valid JSON");
  }
  if (!doc.is_object()) {
    return MakeError(ErrorCode::kBadRequest,
                     "the request body must be a JSON object like "
                     "{\"text\": \"explain select ...\"}");
  }
  core::CommandRequest req;
  auto text = doc.find("text");
  if (text == doc.end() || !text->is_string()) {
    return MakeError(ErrorCode::kMissingText,
                     "\"text\" (a string with the chat command) is required");
  }
  req.text = text->get<std::string>();
  for (const char* key : {"database", "session"}) {
    auto it = doc.find(key);
    if (it == doc.end() || it->is_null()) continue;
    if (!it->is_string())
      return MakeError(ErrorCode::kBadRequest, std::string("\"") + key + "\" must be a string");
    (std::string(key) == "database" ? req.database : req.session) = it->get<std::string>();
  }
  return req;
}

}  // namespace

std::optional<std::pair<std::string, int>> SplitHostPort(const std::string& listen) {
  std::string host;
  std::string port;
  if (!listen.empty() && listen[0] == '[') {
    auto close = listen.find(']');
    if (close == std::string::npos || close + 1 >= listen.size() || listen[close + 1] != ':') {
      return std::nullopt;
    }
    host = listen.substr(1, close - 1);
    port = listen.substr(close + 2);
  } else {
    auto colon = listen.rfind(':');
    if (colon == std::string::npos) return std::nullopt;
    host = listen.substr(0, colon);
    port = listen.substr(colon + 1);
  }
  if (host.empty() || port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  int p = std::stoi(port);
  if (p > 65535) return std::nullopt;
  return std::make_pair(host, p);
}

std::string CurrentRequestId() { return current_request.id; }

bool IsLoopbackHost(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

const core::TokenConfig* MatchToken(const std::vector<core::TokenConfig>& tokens,
                                    const std::string& token) {
  const core::TokenConfig* match = nullptr;
  for (const core::TokenConfig& t : tokens) {  // every one compared: no early exit to time
    if (SecretEquals(t.token, token)) match = &t;
  }
  return match;
}

std::string CookieValue(const httplib::Request& req, const std::string& name) {
  const std::string header = req.get_header_value("Cookie");
  size_t pos = 0;
  while (pos < header.size()) {
    size_t end = header.find(';', pos);
    if (end == std::string::npos) end = header.size();
    std::string pair = header.substr(pos, end - pos);
    const size_t first = pair.find_first_not_of(' ');
    pair = first == std::string::npos ? std::string() : pair.substr(first);
    if (pair.rfind(name + "=", 0) == 0) return pair.substr(name.size() + 1);
    pos = end + 1;
  }
  return "";
}

void ReplyJson(httplib::Response& res, int status, const nlohmann::json& body) {
  ReplyJsonText(res, status, JsonText(body));
}

void ReplyJsonText(httplib::Response& res, int status, std::string body) {
  res.status = status;
  res.set_content(std::move(body), kJson);
}

Result<std::unique_ptr<HttpServer>> HttpServer::Create(HttpServerOptions options,
                                                       core::Service* service) {
  auto hp = SplitHostPort(options.listen);
  if (!hp)
    return MakeError(ErrorCode::kBadConfig,
                     "listen address must be HOST:PORT, got " + options.listen);
  if (options.tokens.empty() && !IsLoopbackHost(hp->first)) {
    return MakeError(ErrorCode::kBadConfig,
                     "refusing to listen on " + options.listen +
                         " without API tokens: configure api.tokens, or listen on "
                         "127.0.0.1");
  }
  std::unique_ptr<httplib::Server> server;
  if (options.tls) {
    for (const std::string& f : {options.tls->cert, options.tls->key}) {
      if (!std::filesystem::exists(f))
        return MakeError(ErrorCode::kBadConfig, "TLS file not found: " + f);
    }
    auto ssl =
        std::make_unique<httplib::SSLServer>(options.tls->cert.c_str(), options.tls->key.c_str());
    if (!ssl->is_valid()) {
      return MakeError(
          ErrorCode::kBadConfig,
          "cannot load the TLS certificate " + options.tls->cert + " and key " + options.tls->key);
    }
    server = std::move(ssl);
  } else {
    server = std::make_unique<httplib::Server>();
  }
  std::unique_ptr<HttpServer> http(new HttpServer(std::move(options), service, std::move(server)));
  http->host_ = hp->first;
  http->port_ = hp->second;
  return http;
}

HttpServer::HttpServer(HttpServerOptions options, core::Service* service,
                       std::unique_ptr<httplib::Server> server)
    : options_(std::move(options)),
      service_(service),
      server_(std::move(server)),
      web_assets_(options_.web.assets_dir) {
  int threads = options_.threads;
  server_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // httplib's limit is the largest route's (a pasted plan); the routes that take commands and
  // filters refuse a body over max_body themselves (BodyTooLarge). httplib reads and discards
  // a body over its own limit before answering 413, so the client gets the answer.
  server_->set_payload_max_length(std::max(options_.max_body, options_.max_analyze_body));
  // httplib's default also sets SO_REUSEPORT, which lets a second process bind the same port
  // and silently take half of the connections; a taken port must be an error instead.
  server_->set_socket_options([](int sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  // Answers are written as headers and body; without TCP_NODELAY, Nagle's algorithm and the
  // client's delayed ACK add ~40 ms to every request on a kept-alive connection.
  server_->set_tcp_nodelay(true);
  server_->set_read_timeout(30, 0);
  server_->set_keep_alive_timeout(30);
  // httplib closes a kept-alive connection after 5 requests by default; scripts that send
  // many commands would pay a new connection every fifth one.
  server_->set_keep_alive_max_count(100000);
  InstallRoutes();
}

HttpServer::~HttpServer() { Stop(); }

std::string HttpServer::url() const {
  std::string host = host_.find(':') != std::string::npos ? "[" + host_ + "]" : host_;
  return std::string(options_.tls ? "https" : "http") + "://" + host + ":" + std::to_string(port_);
}

bool HttpServer::SameOrigin(const httplib::Request& req) const {
  if (!req.has_header("Origin")) return true;  // not a browser's cross-site request
  const std::string origin = req.get_header_value("Origin");
  const std::string own =
      std::string(options_.tls ? "https://" : "http://") + req.get_header_value("Host");
  if (origin == own) return true;
  // Behind a proxy that ends TLS, the browser's origin is web.public_url's, not ours.
  const std::string& url = options_.web.public_url;
  const size_t authority = url.find("://");
  if (authority == std::string::npos) return false;
  return origin == url.substr(0, url.find('/', authority + 3));
}

bool HttpServer::BodyTooLarge(const httplib::Request& req, httplib::Response& res) const {
  if (req.body.size() <= options_.max_body) return false;
  res.status = 413;  // the error handler writes the body
  return true;
}

Result<core::Caller> HttpServer::Authenticate(const httplib::Request& req) {
  auto identity = Identify(req);
  if (!identity) return identity.error();
  return identity->caller;
}

Result<Identity> HttpServer::Identify(const httplib::Request& req) {
  Identity identity;
  core::Caller& caller = identity.caller;
  caller.channel = "http";
  caller.request_id = CurrentRequestId();
  const bool unsafe = req.method != "GET" && req.method != "HEAD";
  if (unsafe && req.has_header("Origin")) {
    const std::string origin = req.get_header_value("Origin");
    if (!SameOrigin(req)) {
      service_->recorder().AuthFailure("http", req.remote_addr, "cross-site request refused",
                                       caller.request_id);
      return MakeError(ErrorCode::kForbidden,
                       "a request from another site (Origin " + origin + ") is refused");
    }
  }
  if (options_.tokens.empty()) {
    if (!IsLoopbackAddress(req.remote_addr)) {
      service_->recorder().AuthFailure("http", req.remote_addr,
                                       "non-loopback client without tokens", caller.request_id);
      return MakeError(ErrorCode::kForbidden,
                       "planbot has no API tokens configured and serves loopback clients only");
    }
    if (req.has_header("Host") && !IsLoopbackHost(HostName(req.get_header_value("Host")))) {
      service_->recorder().AuthFailure("http", req.remote_addr, "non-loopback Host header",
                                       caller.request_id);
      return MakeError(ErrorCode::kForbidden,
                       "planbot has no API tokens configured and answers only requests "
                       "addressed to a loopback name (Host: localhost or 127.0.0.1)");
    }
    caller.user = "loopback:" + req.remote_addr;
    caller.role = core::Role::kUser;
    identity.auth = "loopback";
    return identity;
  }
  const std::string header = req.get_header_value("Authorization");
  const std::string prefix = "Bearer ";
  if (header.empty()) {
    const std::string cookie = CookieValue(req, kSessionCookie);
    if (!cookie.empty()) {
      std::optional<WebSession> session = web_sessions_.Find(cookie);
      if (!session) {
        return MakeError(ErrorCode::kUnauthorized,
                         "the web session has expired or ended; log in again");
      }
      caller.user = session->user;
      caller.role = session->role;
      if (unsafe) {
        std::string csrf = req.get_header_value("X-CSRF-Token");
        if (csrf.empty()) csrf = req.get_param_value("csrf");
        if (!SecretEquals(csrf, session->csrf)) {
          service_->recorder().AuthFailure("http", req.remote_addr, "missing or wrong CSRF token",
                                           caller.request_id);
          return MakeError(ErrorCode::kForbidden, "missing or wrong CSRF token");
        }
      }
      identity.auth = "cookie";
      identity.session = std::move(session);
      return identity;
    }
  }
  if (header.rfind(prefix, 0) != 0) {
    service_->recorder().AuthFailure("http", req.remote_addr, "missing bearer token",
                                     caller.request_id);
    return MakeError(ErrorCode::kUnauthorized, "missing `Authorization: Bearer TOKEN`");
  }
  std::string token = header.substr(prefix.size());
  const core::TokenConfig* match = MatchToken(options_.tokens, token);
  if (match == nullptr) {
    service_->recorder().AuthFailure("http", req.remote_addr, "invalid token", caller.request_id);
    return MakeError(ErrorCode::kUnauthorized, "invalid token");
  }
  caller.user = match->name;
  caller.role = core::ParseRole(match->role).value_or(core::Role::kUser);  // validated at start
  identity.auth = "bearer";
  return identity;
}

void HttpServer::HandleCommand(const httplib::Request& req, httplib::Response& res) {
  if (BodyTooLarge(req, res)) return;
  auto caller = Authenticate(req);
  if (!caller) {
    ReplyJson(res, core::HttpStatusFor(caller.error()), core::ErrorToJson(caller.error()));
    return;
  }
  auto command = ParseCommandBody(req.body);
  if (!command) {
    ReplyJson(res, 400, core::ErrorToJson(command.error()));
    return;
  }
  command->caller = *caller;
  core::Answer answer = service_->Run(*command);
  if (!answer.ok() && answer.error->retry_after > 0) {
    res.set_header("Retry-After", std::to_string(answer.error->retry_after));
  }
  // plan.json goes out as PostgreSQL printed it.
  ReplyJsonText(res, answer.ok() ? 200 : core::HttpStatusFor(*answer.error), answer.ToJsonText());
}

void HttpServer::InstallRoutes() {
  server_->set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    std::string id = req.get_header_value("X-Request-Id");
    if (!ValidRequestId(id)) id = NewRequestId();
    res.set_header("X-Request-Id", id);
    current_request = RequestScratch{std::move(id), std::chrono::steady_clock::now()};
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server_->Post("/api/v1/commands", [this](const httplib::Request& req, httplib::Response& res) {
    HandleCommand(req, res);
  });
  InstallHistoryRoutes(*this);
  InstallWebRoutes(*this);
  server_->Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
    nlohmann::json health = service_->Health();
    ReplyJson(res, health["status"] == "ok" ? 200 : 503, health);
  });
  // Readiness for a load balancer: fails from the moment a SIGTERM starts the drain, and while
  // the store cannot record (then every command would be refused).
  server_->Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    if (!service_->ready()) {
      ReplyJson(res, 503, {{"status", "draining"}, {"message", "planbot is shutting down"}});
      return;
    }
    if (Status store = service_->StoreHealth(); !store) {
      ReplyJson(res, 503,
                {{"status", "unavailable"},
                 {"message", "the store cannot record commands: " + store.error().message}});
      return;
    }
    ReplyJson(res, 200, {{"status", "ready"}});
  });
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    if (options_.metrics == nullptr) {
      res.status = 404;  // the error handler writes the body
      return;
    }
    core::Service::Gauges now = service_->ReadGauges();
    MetricsGauges gauges;
    gauges.ready = service_->ready();
    gauges.sessions = static_cast<double>(now.sessions);
    gauges.queued = static_cast<double>(now.queued);
    for (const auto& [name, pool] : now.pools) {
      gauges.pools[name] = {static_cast<double>(pool.warm), static_cast<double>(pool.leased)};
    }
    // Through a content provider: httplib would compress text for a client that asks for it.
    auto body = std::make_shared<std::string>(options_.metrics->Render(gauges));
    res.set_content_provider(body->size(), PrometheusTelemetry::kContentType,
                             [body](size_t offset, size_t length, httplib::DataSink& sink) {
                               return sink.write(body->data() + offset, length);
                             });
  });
  server_->set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    // Slack's failed verifications get an empty 401: nothing for a forger to learn from.
    if (res.status == 401 && req.path.rfind("/slack/", 0) == 0) return;
    ReplyJson(res, res.status,
              core::ErrorToJson(MakeError(StatusCode(res.status),
                                          DefaultMessage(res.status, req, options_.max_body))));
  });
  server_->set_exception_handler(
      [this](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        options_.log.Error("unexpected exception in a request handler");
        ReplyJson(res, 500, core::ErrorToJson(MakeError(ErrorCode::kInternal, "internal error")));
      });
  // One line per request: no query string (filters can name users and fingerprints), no body,
  // no header values.
  server_->set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    const std::string id = res.get_header_value("X-Request-Id");
    LogFields fields = {{"request_id", id},
                        {"method", req.method},
                        {"path", req.path},
                        {"status", res.status},
                        {"remote", req.remote_addr}};
    if (!id.empty() && id == current_request.id) {
      fields.emplace_back("duration_ms",
                          std::chrono::duration<double, std::milli>(
                              std::chrono::steady_clock::now() - current_request.start)
                              .count());
    }
    options_.log.Info("request", fields);
    current_request = RequestScratch{};
  });
}

Status HttpServer::Bind() {
  bool bound = port_ == 0 ? (port_ = server_->bind_to_any_port(host_)) > 0
                          : server_->bind_to_port(host_, port_);
  if (!bound) {
    return MakeError(ErrorCode::kListenFailed,
                     "cannot listen on " + options_.listen +
                         " (address in use, or not an address of this host)");
  }
  return Ok{};
}

void HttpServer::Serve() {
  listen_returned_ = false;
  thread_ = std::thread([this] {
    server_->listen_after_bind();
    listen_returned_ = true;
  });
  // httplib's stop() does nothing until the listen loop has started, so a Stop() right after
  // Serve() would be lost and join() would wait forever in accept(): wait for the loop first.
  while (!server_->is_running() && !listen_returned_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

Status HttpServer::Start() {
  if (Status bound = Bind(); !bound) return bound;
  Serve();
  return Ok{};
}

void HttpServer::Stop() {
  if (!thread_.joinable()) return;
  server_->stop();
  thread_.join();
}

}  // namespace planbot::adapters
