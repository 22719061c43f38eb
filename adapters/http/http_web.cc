#include "adapters/http/http_web.h"

#include <httplib.h>

#include <charconv>
#include <memory>

#include "adapters/http/http_server.h"
#include "analyzer/analysis.h"
#include "analyzer/plan_compare.h"
#include "analyzer/summary.h"
#include "analyzer/tips.h"
#include "common/json_text.h"
#include "common/raw_json.h"
#include "core/answer.h"
#include "core/service.h"

namespace planbot::adapters {
namespace {

constexpr const char* kCsp =
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'";

void SecurityHeaders(httplib::Response& res) {
  res.set_header("Content-Security-Policy", kCsp);
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("X-Frame-Options", "DENY");
  // Not no-referrer: under it Chromium sends `Origin: null` with the page's own form POSTs.
  res.set_header("Referrer-Policy", "same-origin");
}

void ReplyError(httplib::Response& res, const Error& e) {
  ReplyJson(res, core::HttpStatusFor(e), core::ErrorToJson(e));
}

void Redirect(httplib::Response& res, const std::string& to) {
  res.status = 303;
  res.set_header("Location", to);
  res.set_header("Cache-Control", "no-store");
}

// A plain page for refusals before any page can load (no script needed to read it).
void ReplyTextPage(httplib::Response& res, int status, const std::string& text) {
  res.status = status;
  res.set_content(text + "\n", "text/plain; charset=utf-8");
}

Result<int64_t> EntryId(const std::string& name, const std::string& text) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < 1) {
    return MakeError(ErrorCode::kBadRequest, "`" + name + "` must be a history entry id");
  }
  return n;
}

std::string SessionCookie(const std::string& value, bool secure, int max_age) {
  return std::string(kSessionCookie) + "=" + value + "; Path=/; HttpOnly; SameSite=Strict" +
         (secure ? "; Secure" : "") + "; Max-Age=" + std::to_string(max_age);
}

// The analysis of a stored entry's plan, for a comparison.
Result<std::unique_ptr<analyzer::Analysis>> AnalysisOf(const storage::HistoryEntry& e) {
  if (!e.plan_json) {
    return MakeError(ErrorCode::kNoPlan, "entry #" + std::to_string(e.id) +
                                             " has no stored plan (its command was " + e.command +
                                             ", outcome " + e.outcome + ")");
  }
  auto analyzed = analyzer::Analyze(*e.plan_json, {e.server_version, 8192});
  if (!analyzed) {
    return MakeError(ErrorCode::kNoPlan, "the stored plan of entry #" + std::to_string(e.id) +
                                             " cannot be read: " + analyzed.error().message);
  }
  return std::make_unique<analyzer::Analysis>(std::move(*analyzed));
}

analyzer::CompareSide SideOf(const storage::HistoryEntry& e, const analyzer::Analysis* a) {
  analyzer::CompareSide side;
  side.id = e.id;
  side.created_at = e.created_at;
  side.command = e.command;
  side.database = e.database;
  side.session = e.session;
  side.normalized = e.normalized;
  side.fingerprint = e.fingerprint;
  side.analysis = a;
  return side;
}

// The EXPLAIN JSON of an analyze request: {"plan": <JSON or a string holding it>, "query"?}.
Result<std::pair<std::string, std::string>> AnalyzeBody(const std::string& body) {
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return MakeError(ErrorCode::kBadJson, "the body is not valid JSON");
  if (!doc.is_object() || !doc.contains("plan")) {
    return MakeError(ErrorCode::kBadRequest,
                     "the body must be {\"plan\": <EXPLAIN (FORMAT JSON) output>, \"query\": "
                     "\"optional SQL\"}");
  }
  std::string query;
  if (auto q = doc.find("query"); q != doc.end() && !q->is_null()) {
    if (!q->is_string()) return MakeError(ErrorCode::kBadRequest, "\"query\" must be a string");
    query = q->get<std::string>();
  }
  const nlohmann::json& plan = doc["plan"];
  if (plan.is_string()) return std::make_pair(plan.get<std::string>(), query);
  if (plan.is_array() || plan.is_object()) return std::make_pair(JsonText(plan), query);
  return MakeError(ErrorCode::kNotExplain,
                   "\"plan\" must be the output of EXPLAIN (FORMAT JSON), as JSON or as a string");
}

class WebRoutes : public std::enable_shared_from_this<WebRoutes> {
 public:
  explicit WebRoutes(HttpServer& http) : http_(http) {}

  // The handlers share ownership of this object: it lives as long as the server's routes.
  void Install() {
    httplib::Server& server = http_.server();
    auto self = shared_from_this();
    server.set_post_routing_handler(
        [](const httplib::Request&, httplib::Response& res) { SecurityHeaders(res); });
    server.Get("/", [self](const auto& req, auto& res) { self->Page(req, res, "index.html"); });
    server.Get(R"(/plans/(\d+))",
               [self](const auto& req, auto& res) { self->Page(req, res, "plan.html"); });
    server.Get(R"(/compare/(\d+)/(\d+))",
               [self](const auto& req, auto& res) { self->Page(req, res, "compare.html"); });
    server.Get("/analyze",
               [self](const auto& req, auto& res) { self->Page(req, res, "analyze.html"); });
    server.Get("/login", [self](const auto& req, auto& res) { self->LoginPage(req, res); });
    server.Post("/login", [self](const auto& req, auto& res) { self->Login(req, res); });
    server.Post("/logout", [self](const auto& req, auto& res) { self->Logout(req, res); });
    server.Get(R"(/assets/(.+))", [self](const auto& req, auto& res) { self->Asset(req, res); });
    server.Get("/api/v1/session", [self](const auto& req, auto& res) { self->Session(req, res); });
    server.Get("/api/v1/compare", [self](const auto& req, auto& res) { self->Compare(req, res); });
    server.Post("/api/v1/analyze", [self](const auto& req, auto& res) { self->Analyze(req, res); });
  }

 private:
  bool TokensConfigured() const { return !http_.options().tokens.empty(); }

  bool ServeFile(httplib::Response& res, const std::string& path, const char* cache) {
    std::optional<WebFile> file = http_.web_assets().Find(path);
    if (!file) return false;
    res.status = 200;
    res.set_header("Cache-Control", cache);
    // Through a content provider of known length: httplib then sends the bytes as they are.
    // With set_content it would compress text for a browser that accepts br, at Brotli's
    // slowest quality (about a second of CPU for PEV2's 575 kB on this machine).
    auto body = std::make_shared<std::string>(std::move(file->body));
    res.set_content_provider(body->size(), file->content_type,
                             [body](size_t offset, size_t length, httplib::DataSink& sink) {
                               return sink.write(body->data() + offset, length);
                             });
    return true;
  }

  void Page(const httplib::Request& req, httplib::Response& res, const std::string& file) {
    auto identity = http_.Identify(req);
    if (!identity) {
      if (TokensConfigured() && identity.error().code == ErrorCode::kUnauthorized) {
        return Redirect(res, "/login");
      }
      return ReplyTextPage(res, core::HttpStatusFor(identity.error()), identity.error().message);
    }
    if (!ServeFile(res, file, "no-store")) {
      ReplyTextPage(res, 404, "this build of planbot has no web view files (web/" + file + ")");
    }
  }

  void LoginPage(const httplib::Request& req, httplib::Response& res) {
    if (!TokensConfigured()) return Redirect(res, "/");  // nothing to log in to
    auto identity = http_.Identify(req);
    if (identity && identity->auth == "cookie") return Redirect(res, "/");
    if (!ServeFile(res, "login.html", "no-store")) {
      ReplyTextPage(res, 404, "this build of planbot has no web view files");
    }
  }

  void Login(const httplib::Request& req, httplib::Response& res) {
    if (http_.BodyTooLarge(req, res)) return;
    if (!TokensConfigured()) return Redirect(res, "/");
    // The Origin rule of Identify applies to the login form too (login CSRF).
    if (!http_.SameOrigin(req)) {
      http_.service()->recorder().AuthFailure("http", req.remote_addr, "cross-site login refused");
      return ReplyTextPage(res, 403, "a login from another site is refused");
    }
    const core::TokenConfig* match =
        MatchToken(http_.options().tokens, req.get_param_value("token"));
    if (match == nullptr) {
      http_.service()->recorder().AuthFailure("http", req.remote_addr, "invalid token at login");
      return Redirect(res, "/login?error=1");
    }
    core::Caller caller;
    caller.user = match->name;
    caller.role = core::ParseRole(match->role).value_or(core::Role::kUser);
    caller.channel = "http";
    auto [cookie, session] = http_.web_sessions().Create(caller.user, caller.role);
    http_.service()->recorder().WebSession(caller, "login", req.remote_addr);
    res.set_header(
        "Set-Cookie",
        SessionCookie(cookie, http_.options().tls.has_value(),
                      static_cast<int>(std::chrono::seconds(WebSessions::kLifetime).count())));
    Redirect(res, "/");
  }

  void Logout(const httplib::Request& req, httplib::Response& res) {
    if (http_.BodyTooLarge(req, res)) return;
    auto identity = http_.Identify(req);  // a cookie session's POST: CSRF token checked
    if (!identity) {
      return ReplyTextPage(res, core::HttpStatusFor(identity.error()), identity.error().message);
    }
    if (identity->auth == "cookie") {
      http_.web_sessions().Remove(CookieValue(req, kSessionCookie));
      http_.service()->recorder().WebSession(identity->caller, "logout", req.remote_addr);
    }
    res.set_header("Set-Cookie", SessionCookie("", http_.options().tls.has_value(), 0));
    Redirect(res, TokensConfigured() ? "/login" : "/");
  }

  void Asset(const httplib::Request& req, httplib::Response& res) {
    if (!ServeFile(res, req.matches[1], "public, max-age=300")) {
      ReplyError(res, MakeError(ErrorCode::kNotFound, "no file " + req.path));
    }
  }

  void Session(const httplib::Request& req, httplib::Response& res) {
    auto identity = http_.Identify(req);
    if (!identity) return ReplyError(res, identity.error());
    const std::string& public_url = http_.options().web.public_url;
    ReplyJson(res, 200,
              {{"user", identity->caller.user},
               {"role", core::RoleName(identity->caller.role)},
               {"auth", identity->auth},
               {"csrf", identity->session ? nlohmann::json(identity->session->csrf) : nullptr},
               {"public_url",
                public_url.empty() ? nlohmann::json(nullptr) : nlohmann::json(public_url)}});
  }

  void Compare(const httplib::Request& req, httplib::Response& res) {
    auto caller = http_.Authenticate(req);
    if (!caller) return ReplyError(res, caller.error());
    for (const auto& [key, value] : req.params) {
      if (key != "a" && key != "b") {
        return ReplyError(res, MakeError(ErrorCode::kBadRequest,
                                         "unknown parameter `" + key + "`; parameters: a, b"));
      }
    }
    if (!req.has_param("a") || !req.has_param("b")) {
      return ReplyError(res, MakeError(ErrorCode::kBadRequest,
                                       "`a` and `b` (two history entry ids) are required"));
    }
    auto a_id = EntryId("a", req.get_param_value("a"));
    if (!a_id) return ReplyError(res, a_id.error());
    auto b_id = EntryId("b", req.get_param_value("b"));
    if (!b_id) return ReplyError(res, b_id.error());
    core::HistoryApi& api = http_.service()->history_api();
    auto a = api.GetHistory(*caller, *a_id);  // audited reads; another user's entry: not found
    if (!a) return ReplyError(res, a.error());
    auto b = api.GetHistory(*caller, *b_id);
    if (!b) return ReplyError(res, b.error());
    auto a_analysis = AnalysisOf(*a);
    if (!a_analysis) return ReplyError(res, a_analysis.error());
    auto b_analysis = AnalysisOf(*b);
    if (!b_analysis) return ReplyError(res, b_analysis.error());
    ReplyJson(res, 200,
              analyzer::ComparePlans(SideOf(*a, a_analysis->get()), SideOf(*b, b_analysis->get())));
  }

  void Analyze(const httplib::Request& req, httplib::Response& res) {
    auto caller = http_.Authenticate(req);
    if (!caller) return ReplyError(res, caller.error());
    auto body = AnalyzeBody(req.body);
    if (!body) return ReplyError(res, body.error());
    auto analysis = analyzer::Analyze(body->first, {});
    if (!analysis) return ReplyError(res, analysis.error());
    // Nothing is run or stored; the read of the service is audited like any other.
    if (Status st = http_.service()->recorder().Read(
            *caller, "analyze",
            {{"bytes", body->first.size()}, {"nodes", analysis->metrics.nodes.size()}});
        !st) {
      return ReplyError(res, st.error());
    }
    nlohmann::json out = {
        {"plan", {{"json", nullptr}, {"text", analysis->text}}},
        {"summary", analyzer::SummaryToJson(analysis->summary)},
        {"tips", analyzer::TipsToJson(analysis->tips)},
        {"node_count", analysis->metrics.nodes.size()},
        {"query", body->second.empty() ? nlohmann::json(nullptr) : nlohmann::json(body->second)}};
    ReplyJsonText(res, 200, SpliceRawJson(JsonText(out), "plan", "json", analysis->json));
  }

  HttpServer& http_;
};

}  // namespace

std::string EntryUrl(const std::string& public_url, int64_t id) {
  if (public_url.empty() || id <= 0) return "";
  return public_url + "/plans/" + std::to_string(id);
}

void InstallWebRoutes(HttpServer& http) { std::make_shared<WebRoutes>(http)->Install(); }

}  // namespace planbot::adapters
