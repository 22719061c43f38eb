#include "adapters/clones/dblab_client.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <regex>

#include "common/json_text.h"

namespace planbot::adapters {
namespace {

using json = nlohmann::json;
using std::chrono::milliseconds;

constexpr char kTokenHeader[] = "Verification-Token";
constexpr size_t kMaxReason = 300;  // of an engine's error message, in our messages

const json& Child(const json& object, const char* key) {
  static const json kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

// A string field, or an integer written as one (older engines sent db.port as a number).
std::string Text(const json& object, const char* key) {
  const json& value = Child(object, key);
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) return std::to_string(value.get<long long>());
  return std::string();
}

std::string Seconds(milliseconds ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms.count()) / 1000.0);
  return buf;
}

void SetTimeout(milliseconds ms, const std::function<void(time_t, time_t)>& set) {
  ms = std::max(ms, milliseconds(1));
  set(static_cast<time_t>(ms.count() / 1000), static_cast<time_t>((ms.count() % 1000) * 1000));
}

std::string Truncate(std::string text) {
  if (text.size() > kMaxReason) text = text.substr(0, kMaxReason) + "...";
  return text;
}

// "HTTP 500 INTERNAL_ERROR: clone not found" from an answer that is not a success.
std::string HttpReason(int status, const json& body, const std::string& raw) {
  std::string reason = "HTTP " + std::to_string(status);
  std::string code = Text(body, "code");
  std::string message = Text(body, "message");
  if (!code.empty()) reason += " " + code;
  if (!message.empty()) {
    reason += ": " + Truncate(message);
  } else if (!body.is_object() && !raw.empty()) {
    reason += ": " + Truncate(raw);
  }
  return reason;
}

DblabClone ParseClone(const json& body) {
  DblabClone clone;
  clone.id = Text(body, "id");
  const json& status = Child(body, "status");
  clone.status_code = Text(status, "code");
  clone.status_message = Text(status, "message");
  const json& db = Child(body, "db");
  clone.host = Text(db, "host");
  clone.port = Text(db, "port");
  clone.username = Text(db, "username");
  clone.db_name = Text(db, "dbName");
  return clone;
}

bool ContainsNoCase(const std::string& text, const std::string& needle) {
  auto it = std::search(text.begin(), text.end(), needle.begin(), needle.end(),
                        [](char a, char b) { return std::tolower(a) == std::tolower(b); });
  return it != text.end();
}

}  // namespace

struct DblabClient::Reply {
  int status = 0;
  json body;  // discarded (is_discarded()) when the answer is not JSON
  std::string raw;
};

bool DblabClient::ValidCloneId(const std::string& id) {
  static const std::regex kId("^[a-zA-Z0-9][a-zA-Z0-9_.-]*$");
  return id.size() <= 128 && std::regex_match(id, kId);
}

Result<std::unique_ptr<DblabClient>> DblabClient::Make(const std::string& url, std::string token,
                                                       DblabClientOptions options) {
  // No user info, query or fragment: the URL appears in messages and logs as it is.
  static const std::regex kUrl(
      R"(^(https?://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(:[0-9]{1,5})?)(/[^\s?#@]*)?$)");
  std::smatch m;
  if (!std::regex_match(url, m, kUrl)) {
    return MakeError(ErrorCode::kBadConfig,
                     "dblab.url must look like https://HOST:PORT or http://HOST:PORT/PREFIX");
  }
  if (token.empty()) return MakeError(ErrorCode::kBadConfig, "dblab.token is empty");
  std::string host = m[2];
  if (host.front() == '[') host = host.substr(1, host.size() - 2);
  std::string prefix = m[4];
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  return std::unique_ptr<DblabClient>(
      new DblabClient(url, m[1], prefix, host, std::move(token), options));
}

DblabClient::DblabClient(std::string url, std::string origin, std::string prefix, std::string host,
                         std::string token, DblabClientOptions options)
    : url_(std::move(url)),
      origin_(std::move(origin)),
      prefix_(std::move(prefix)),
      host_(std::move(host)),
      token_(std::move(token)),
      options_(options) {}

Error DblabClient::Failure(ErrorCode code, const std::string& method, const std::string& route,
                           const std::string& reason) const {
  return MakeError(code, "the DLE at " + url_ + ": " + method + " " + route + ": " + reason);
}

Result<DblabClient::Reply> DblabClient::Send(const std::string& method, const std::string& route,
                                             const std::string& body, bool authenticated,
                                             DblabClock::time_point deadline) const {
  auto left = std::chrono::duration_cast<milliseconds>(deadline - DblabClock::now());
  if (left <= milliseconds(0))
    return Failure(ErrorCode::kUnreachable, method, route, "out of time");
  const milliseconds connect = std::min(options_.connect_timeout, left);
  const milliseconds read = std::min(options_.read_timeout, left);
  try {
    httplib::Client client(origin_);
    SetTimeout(connect, [&](time_t s, time_t us) { client.set_connection_timeout(s, us); });
    SetTimeout(read, [&](time_t s, time_t us) { client.set_read_timeout(s, us); });
    SetTimeout(read, [&](time_t s, time_t us) { client.set_write_timeout(s, us); });
    httplib::Headers headers = {{"Accept", "application/json"}};
    if (authenticated) headers.emplace(kTokenHeader, token_);
    const std::string path = prefix_ + route;
    httplib::Result res = method == "GET" ? client.Get(path, headers)
                          : method == "DELETE"
                              ? client.Delete(path, headers)
                              : client.Post(path, headers, body, "application/json");
    if (!res) {
      httplib::Error error = res.error();
      std::string reason = httplib::to_string(error);
      if (error == httplib::Error::Connection || error == httplib::Error::ConnectionTimeout) {
        reason = "cannot connect within " + Seconds(connect) + " (" + reason + ")";
      } else if (error == httplib::Error::Read) {
        reason = "no answer within " + Seconds(read) + " (" + reason + ")";
      }
      return Failure(ErrorCode::kUnreachable, method, route, reason);
    }
    if (authenticated) token_rejected_.store(res->status == 401);
    Reply reply;
    reply.status = res->status;
    reply.raw = res->body;
    reply.body = json::parse(res->body, nullptr, /*allow_exceptions=*/false);
    if (res->status == 401) {
      return MakeError(ErrorCode::kUnauthorized,
                       "the DLE at " + url_ + " rejected the verification token (HTTP 401 on " +
                           method + " " + route + "); check dblab.token");
    }
    return reply;
  } catch (const std::exception& e) {
    return Failure(ErrorCode::kUnreachable, method, route, e.what());
  }
}

Result<DblabEngineInfo> DblabClient::Healthz(DblabClock::time_point deadline) const {
  Result<Reply> reply = Send("GET", "/healthz", "", /*authenticated=*/false, deadline);
  if (!reply) return reply.error();
  if (reply->status != 200 || !reply->body.is_object()) {
    return Failure(ErrorCode::kServerError, "GET", "/healthz",
                   HttpReason(reply->status, {}, reply->raw));
  }
  DblabEngineInfo info;
  info.version = Text(reply->body, "version");
  info.edition = Text(reply->body, "edition");
  return info;
}

Result<DblabEngineInfo> DblabClient::EngineStatus(DblabClock::time_point deadline) const {
  Result<Reply> reply = Send("GET", "/status", "", /*authenticated=*/true, deadline);
  if (!reply) return reply.error();
  if (reply->status != 200 || !reply->body.is_object()) {
    return Failure(reply->status / 100 == 4 ? ErrorCode::kRejected : ErrorCode::kServerError, "GET",
                   "/status", HttpReason(reply->status, reply->body, reply->raw));
  }
  DblabEngineInfo info;
  const json& engine = Child(reply->body, "engine");
  info.version = Text(engine, "version");
  info.edition = Text(engine, "edition");
  info.status_code = Text(Child(reply->body, "status"), "code");
  info.status_message = Text(Child(reply->body, "status"), "message");
  const json& clones = Child(Child(reply->body, "cloning"), "numClones");
  if (clones.is_number_integer()) info.num_clones = clones.get<int>();
  return info;
}

Result<DblabClone> DblabClient::CreateClone(const DblabCloneRequest& request,
                                            DblabClock::time_point deadline) const {
  json body = {{"id", request.id},
               {"protected", false},
               {"db",
                {{"username", request.username},
                 {"password", request.password},
                 {"restricted", true},
                 {"db_name", request.db_name}}}};
  Result<Reply> reply = Send("POST", "/clone", JsonText(body), /*authenticated=*/true, deadline);
  if (!reply) return reply.error();
  if (reply->status != 201 && reply->status != 200) {
    return Failure(reply->status / 100 == 4 ? ErrorCode::kRejected : ErrorCode::kServerError,
                   "POST", "/clone", HttpReason(reply->status, reply->body, reply->raw));
  }
  if (!reply->body.is_object()) {
    return Failure(ErrorCode::kServerError, "POST", "/clone", "the answer is not a clone");
  }
  return ParseClone(reply->body);
}

Result<std::optional<DblabClone>> DblabClient::GetClone(const std::string& id,
                                                        DblabClock::time_point deadline) const {
  if (!ValidCloneId(id)) return MakeError(ErrorCode::kRejected, "not a clone id: " + Truncate(id));
  const std::string route = "/clone/" + id;
  Result<Reply> reply = Send("GET", route, "", /*authenticated=*/true, deadline);
  if (!reply) return reply.error();
  if (reply->status == 404) return std::optional<DblabClone>();
  if (reply->status != 200 || !reply->body.is_object()) {
    return Failure(reply->status / 100 == 4 ? ErrorCode::kRejected : ErrorCode::kServerError, "GET",
                   route, HttpReason(reply->status, reply->body, reply->raw));
  }
  return std::optional<DblabClone>(ParseClone(reply->body));
}

Status DblabClient::ResetClone(const std::string& id, DblabClock::time_point deadline) const {
  if (!ValidCloneId(id)) return MakeError(ErrorCode::kRejected, "not a clone id: " + Truncate(id));
  const std::string route = "/clone/" + id + "/reset";
  Result<Reply> reply = Send("POST", route, "{}", /*authenticated=*/true, deadline);
  if (!reply) return reply.error();
  if (reply->status / 100 != 2) {
    return Failure(reply->status / 100 == 4 ? ErrorCode::kRejected : ErrorCode::kServerError,
                   "POST", route, HttpReason(reply->status, reply->body, reply->raw));
  }
  return Ok{};
}

Result<bool> DblabClient::DeleteClone(const std::string& id,
                                      DblabClock::time_point deadline) const {
  if (!ValidCloneId(id)) return MakeError(ErrorCode::kRejected, "not a clone id: " + Truncate(id));
  const std::string route = "/clone/" + id;
  Result<Reply> reply = Send("DELETE", route, "", /*authenticated=*/true, deadline);
  if (!reply) return reply.error();
  if (reply->status / 100 == 2) return true;
  // The engine answers an unknown id with 500 "clone not found" (not 404); newer ones may 404.
  if (reply->status == 404 ||
      (reply->status == 500 && ContainsNoCase(Text(reply->body, "message"), "not found"))) {
    return false;
  }
  return Failure(reply->status / 100 == 4 ? ErrorCode::kRejected : ErrorCode::kServerError,
                 "DELETE", route, HttpReason(reply->status, reply->body, reply->raw));
}

}  // namespace planbot::adapters
