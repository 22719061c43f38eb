// SlackWebClient's Web API methods (the HTTP side is in slack_transport.cc).
#include "adapters/slack/slack_client.h"

#include <cctype>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "common/json_text.h"

namespace planbot::adapters {
namespace {

using json = nlohmann::json;

constexpr char kJson[] = "application/json; charset=utf-8";
constexpr char kForm[] = "application/x-www-form-urlencoded";
constexpr char kHooksHost[] = "hooks.slack.com";
constexpr char kFilesHost[] = "files.slack.com";

// ok:false errors worth another attempt: Slack's side, not the request.
bool TransientError(const std::string& error) {
  static const std::set<std::string> kTransient = {"ratelimited", "internal_error", "fatal_error",
                                                   "service_unavailable", "request_timeout"};
  return kTransient.count(error) > 0;
}

std::string ErrorName(const json& body) {
  auto it = body.find("error");
  return it != body.end() && it->is_string() ? it->get<std::string>() : "unknown_error";
}

std::string PercentEncode(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

std::string FormEncode(const json& args) {
  std::string body;
  for (const auto& [key, value] : args.items()) {
    if (!body.empty()) body += '&';
    body += PercentEncode(key) + "=" +
            PercentEncode(value.is_string() ? value.get<std::string>() : JsonText(value));
  }
  return body;
}

std::string Text(const json& body, const char* key) {
  auto it = body.find(key);
  return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

SlackWebClient::SlackWebClient(SlackClientOptions options)
    : options_(std::move(options)), api_(SplitUrl(options_.api_url)) {
  if (api_) {
    while (api_->path.size() > 1 && api_->path.back() == '/') api_->path.pop_back();
    if (api_->path == "/") api_->path.clear();
  }
}

Result<json> SlackWebClient::Call(const std::string& method, const json& args,
                                  const std::string& paced_channel, bool form, const char* benign) {
  if (!api_)
    return Fail(ErrorCode::kSlackUnavailable, method, "slack api_url is not an http(s) URL");
  WaitForSlot(paced_channel);
  HttpRequest request;
  request.what = method;
  request.origin = api_->origin;
  request.path = api_->path + "/" + method;
  request.content_type = form ? kForm : kJson;
  request.body = form ? FormEncode(args) : JsonText(args);
  request.with_token = true;
  Result<HttpReply> reply = Exchange(request, [](const HttpReply& r) -> std::string {
    json body = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_object() && body.contains("ok") && body["ok"] == false &&
        TransientError(ErrorName(body))) {
      return "ok:false " + ErrorName(body);
    }
    return {};
  });
  if (!reply) return reply.error();
  json body = json::parse(reply->body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object() || !body.contains("ok") || !body["ok"].is_boolean()) {
    return Fail(reply->status / 100 == 4 ? ErrorCode::kSlackError : ErrorCode::kSlackUnavailable,
                method, "HTTP " + std::to_string(reply->status) + ", not a Web API answer");
  }
  if (!body["ok"].get<bool>() && !(benign != nullptr && ErrorName(body) == benign)) {
    return Fail(ErrorCode::kSlackError, method, ErrorName(body));
  }
  return body;
}

Result<std::string> SlackWebClient::AuthTest() {
  Result<json> body = Call("auth.test", json::object(), "");
  if (!body) return body.error();
  std::string user_id = Text(*body, "user_id");
  if (user_id.empty()) return Fail(ErrorCode::kSlackError, "auth.test", "no user_id in the answer");
  return user_id;
}

Result<std::string> SlackWebClient::PostMessage(const std::string& channel,
                                                const std::string& thread_ts,
                                                const std::string& text) {
  json args = {{"channel", channel}, {"text", text}};
  if (!thread_ts.empty()) args["thread_ts"] = thread_ts;
  Result<json> body = Call("chat.postMessage", args, channel);
  if (!body) return body.error();
  std::string ts = Text(*body, "ts");
  if (ts.empty()) return Fail(ErrorCode::kSlackError, "chat.postMessage", "no ts in the answer");
  return ts;
}

Status SlackWebClient::UpdateMessage(const std::string& channel, const std::string& ts,
                                     const std::string& text) {
  Result<json> body =
      Call("chat.update", {{"channel", channel}, {"ts", ts}, {"text", text}}, channel);
  if (!body) return body.error();
  return Ok{};
}

Status SlackWebClient::PostEphemeral(const std::string& channel, const std::string& user,
                                     const std::string& text) {
  Result<json> body =
      Call("chat.postEphemeral", {{"channel", channel}, {"user", user}, {"text", text}}, channel);
  if (!body) return body.error();
  return Ok{};
}

Status SlackWebClient::React(const std::string& method, const std::string& channel,
                             const std::string& ts, const std::string& name, const char* benign) {
  Result<json> body = Call(method, {{"channel", channel}, {"timestamp", ts}, {"name", name}}, "",
                           /*form=*/false, benign);
  if (!body) return body.error();
  return Ok{};
}

Status SlackWebClient::AddReaction(const std::string& channel, const std::string& ts,
                                   const std::string& name) {
  return React("reactions.add", channel, ts, name, "already_reacted");
}

Status SlackWebClient::RemoveReaction(const std::string& channel, const std::string& ts,
                                      const std::string& name) {
  return React("reactions.remove", channel, ts, name, "no_reaction");
}

Status SlackWebClient::UploadBytes(const std::string& upload_url, const slack::SlackFile& file) {
  std::optional<SlackUrl> url = SplitUrl(upload_url);
  if (!url || !Allowed(*url, kFilesHost)) {
    return Fail(ErrorCode::kRefused, "upload", "upload_url is not on " + std::string(kFilesHost));
  }
  HttpRequest request;
  request.what = "upload (" + url->authority + ")";
  request.origin = url->origin;
  request.path = url->path;
  request.content_type = "application/octet-stream";
  request.body = file.content;
  Result<HttpReply> reply = Exchange(request, nullptr);
  if (!reply) return reply.error();
  if (reply->status / 100 != 2) {
    return Fail(ErrorCode::kSlackError, request.what, "HTTP " + std::to_string(reply->status));
  }
  return Ok{};
}

Status SlackWebClient::UploadFiles(const std::string& channel, const std::string& thread_ts,
                                   const std::vector<slack::SlackFile>& files) {
  if (files.empty()) return Ok{};
  json completed = json::array();
  for (const slack::SlackFile& file : files) {
    Result<json> ticket = Call("files.getUploadURLExternal",
                               {{"filename", file.filename}, {"length", file.content.size()}}, "",
                               /*form=*/true);
    if (!ticket) return ticket.error();
    const std::string upload_url = Text(*ticket, "upload_url");
    const std::string file_id = Text(*ticket, "file_id");
    if (upload_url.empty() || file_id.empty()) {
      return Fail(ErrorCode::kSlackError, "files.getUploadURLExternal", "no upload_url or file_id");
    }
    if (Status sent = UploadBytes(upload_url, file); !sent) return sent.error();
    completed.push_back(
        {{"id", file_id}, {"title", file.title.empty() ? file.filename : file.title}});
  }
  json args = {{"files", completed}, {"channel_id", channel}};
  if (!thread_ts.empty()) args["thread_ts"] = thread_ts;
  Result<json> body = Call("files.completeUploadExternal", args, channel);
  if (!body) return body.error();
  return Ok{};
}

Status SlackWebClient::Respond(const std::string& response_url, const std::string& text,
                               bool ephemeral) {
  std::optional<SlackUrl> url = SplitUrl(response_url);
  if (!url || !Allowed(*url, kHooksHost)) {
    return Fail(ErrorCode::kRefused, "response_url",
                "not on " + std::string(kHooksHost) + " (" + (url ? url->authority : "?") + ")");
  }
  HttpRequest request;
  request.what = "response_url (" + url->authority + ")";
  request.origin = url->origin;
  request.path = url->path;
  request.content_type = kJson;
  request.body =
      JsonText(json{{"response_type", ephemeral ? "ephemeral" : "in_channel"}, {"text", text}});
  Result<HttpReply> reply = Exchange(request, nullptr);
  if (!reply) return reply.error();
  if (reply->status / 100 != 2) {
    return Fail(ErrorCode::kSlackError, request.what,
                "HTTP " + std::to_string(reply->status) + " " + reply->body.substr(0, 100));
  }
  return Ok{};
}

Result<std::string> SlackWebClient::DownloadFile(const std::string& url, size_t max_bytes) {
  std::optional<SlackUrl> parts = SplitUrl(url);
  if (!parts || !Allowed(*parts, kFilesHost)) {
    return Fail(
        ErrorCode::kRefused, "download",
        "not on " + std::string(kFilesHost) + " (" + (parts ? parts->authority : "?") + ")");
  }
  HttpRequest request;
  request.what = "download (" + parts->authority + ")";
  request.method = "GET";
  request.origin = parts->origin;
  request.path = parts->path;
  request.with_token = true;
  request.max_bytes = max_bytes;
  Result<HttpReply> reply = Exchange(request, nullptr);
  if (!reply) return reply.error();
  if (reply->status / 100 != 2) {
    return Fail(ErrorCode::kSlackError, request.what, "HTTP " + std::to_string(reply->status));
  }
  return std::move(reply->body);
}

}  // namespace planbot::adapters
