// SlackWebClient: slack::SlackApi over Slack's Web API (../shared/contracts/slack.md), on
// cpp-httplib with nlohmann JSON, against a configurable base URL (https://slack.com/api in
// production, a fake on loopback in tests).
//
// Every Web API call is a POST with `Authorization: Bearer <token>` to <api_url>/<method>, JSON
// (application/json; charset=utf-8), except files.getUploadURLExternal, which is form-encoded
// (Slack documents both content types; live Slack has been seen rejecting JSON on that method).
// The answer's `ok` is always checked: {"ok": false, "error": E} is Error{ErrorCode::kSlackError,
// E}.
//
// Retries (at most max_retries after the first attempt, then "slack_unavailable"):
//   - HTTP 429: after Retry-After seconds (1 when absent), capped at max_retry_after;
//   - HTTP 5xx, no connection, a timeout, and ok:false with ratelimited / internal_error /
//     fatal_error / service_unavailable / request_timeout: after a short exponential backoff.
// A timed-out request may have been carried out by Slack: a retried post can then appear twice,
// which is preferred over losing an answer.
//
// Pacing: Slack allows about one message per second per channel. chat.postMessage, chat.update,
// chat.postEphemeral and files.completeUploadExternal to one channel are spaced channel_interval
// apart: the caller sleeps until its slot (slots are handed out in call order); different
// channels never wait for each other.
//
// Off-API URLs: Respond() posts only to https://hooks.slack.com/..., DownloadFile() fetches only
// from https://files.slack.com/..., and upload URLs must be on files.slack.com; hosts listed in
// extra_allowed_hosts ("HOST[:PORT]", http or https) are accepted for all three. Anything else is
// Error "refused" before a byte is sent. The token is sent to the API and to DownloadFile's host
// only, never to a response_url or an upload URL.
//
// Secrets: the token is never logged nor part of an Error; response_url and upload/download URLs
// (capabilities themselves) appear in messages by host only. Each failed call logs one warning
// line with the method and the error.
//
// Thread-safety: every member may be called from any thread at once. Each request uses a
// connection of its own; the only shared state is the pacing table, behind a mutex.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/log.h"
#include "common/result.h"
#include "common/telemetry.h"
#include "slack/slack_api.h"

namespace planbot::adapters {

struct SlackClientOptions {
  std::string api_url = "https://slack.com/api";
  std::string bot_token;  // secret: xoxb-...
  Logger logger;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds read_timeout{10000};
  // At most one message (postMessage/update/postEphemeral/upload completion) per channel per
  // interval.
  std::chrono::milliseconds channel_interval{1000};
  int max_retries = 3;
  Telemetry* telemetry = nullptr;  // counts retries; may be null
  std::chrono::seconds max_retry_after{60};
  // The first wait after a 5xx, a timeout or a transient ok:false; doubled per retry (max 5 s).
  std::chrono::milliseconds retry_backoff{250};
  // Hosts besides hooks.slack.com / files.slack.com allowed for Respond/DownloadFile/uploads,
  // as HOST[:PORT] (e.g. a fake's "127.0.0.1:PORT").
  std::vector<std::string> extra_allowed_hosts;
};

// An absolute http(s) URL, split. No user info; the host is lower-cased.
struct SlackUrl {
  std::string scheme;     // "http" or "https"
  std::string authority;  // host[:port] as written, e.g. "hooks.slack.com", "127.0.0.1:8080"
  std::string host;       // without the port
  std::string origin;     // scheme://authority
  std::string path;       // from the first '/' (query included), "/" when absent
};

class SlackWebClient : public slack::SlackApi {
 public:
  explicit SlackWebClient(SlackClientOptions options);

  Result<std::string> AuthTest() override;
  Result<std::string> PostMessage(const std::string& channel, const std::string& thread_ts,
                                  const std::string& text) override;
  Status UpdateMessage(const std::string& channel, const std::string& ts,
                       const std::string& text) override;
  Status PostEphemeral(const std::string& channel, const std::string& user,
                       const std::string& text) override;
  Status AddReaction(const std::string& channel, const std::string& ts,
                     const std::string& name) override;
  Status RemoveReaction(const std::string& channel, const std::string& ts,
                        const std::string& name) override;
  Status UploadFiles(const std::string& channel, const std::string& thread_ts,
                     const std::vector<slack::SlackFile>& files) override;
  Status Respond(const std::string& response_url, const std::string& text, bool ephemeral) override;
  Result<std::string> DownloadFile(const std::string& url, size_t max_bytes) override;

  // std::nullopt for anything but http(s)://HOST[:PORT][/PATH] without user info or spaces.
  static std::optional<SlackUrl> SplitUrl(const std::string& url);

 private:
  struct HttpRequest {
    std::string what;  // for messages: a Web API method, or "response_url (HOST)"
    std::string method = "POST";
    std::string origin;
    std::string path;
    std::string content_type;
    std::string body;
    bool with_token = false;
    size_t max_bytes = SIZE_MAX;  // GET: a longer body is Error "too_large"
  };
  struct HttpReply {
    int status = 0;
    std::string body;
    int retry_after = 0;  // seconds, from a 429's Retry-After; 0 when absent
  };
  // Why a reply should be retried (empty: it is final).
  using Transient = std::function<std::string(const HttpReply&)>;

  // A Web API call: `args` is sent as JSON, or form-encoded when `form`. Paced on
  // `paced_channel` unless it is empty. The parsed answer when ok:true, or ok:false with the
  // error `benign` (e.g. "already_reacted").
  Result<nlohmann::json> Call(const std::string& method, const nlohmann::json& args,
                              const std::string& paced_channel, bool form = false,
                              const char* benign = nullptr);
  Status React(const std::string& method, const std::string& channel, const std::string& ts,
               const std::string& name, const char* benign);
  Status UploadBytes(const std::string& upload_url, const slack::SlackFile& file);

  // Sends `request`, retrying as the header says. Errors: slack_unavailable, too_large.
  Result<HttpReply> Exchange(const HttpRequest& request, const Transient& transient);
  Result<HttpReply> SendOnce(const HttpRequest& request) const;
  std::chrono::milliseconds Backoff(int attempt) const;
  // Sleeps until the channel's next slot.
  void WaitForSlot(const std::string& channel);
  // https://<slack_host> or any scheme on an extra allowed host.
  bool Allowed(const SlackUrl& url, const std::string& slack_host) const;
  // `text` with the token blotted out, for anything that reaches a message or a log line.
  std::string Scrub(std::string text) const;
  Error Fail(ErrorCode code, const std::string& what, const std::string& reason) const;

  const SlackClientOptions options_;
  std::optional<SlackUrl> api_;  // nullopt: api_url is malformed, every call fails

  std::mutex pacing_mu_;
  std::map<std::string, std::chrono::steady_clock::time_point> next_slot_;
};

}  // namespace planbot::adapters
