// SlackWebClient's HTTP side: URL splitting, one request, retries, per-channel pacing.
#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <regex>
#include <thread>

#include "adapters/slack/slack_client.h"

namespace planbot::adapters {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr size_t kMaxReason = 200;       // of a body quoted in a message
constexpr size_t kPacingPruneAt = 1024;  // channels remembered before forgetting idle ones
constexpr milliseconds kMaxBackoff{5000};

void SetTimeout(milliseconds ms, const std::function<void(time_t, time_t)>& set) {
  ms = std::max(ms, milliseconds(1));
  set(static_cast<time_t>(ms.count() / 1000), static_cast<time_t>((ms.count() % 1000) * 1000));
}

std::string Seconds(milliseconds ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms.count()) / 1000.0);
  return buf;
}

int ParseRetryAfter(const std::string& value) {
  if (value.empty() || value.size() > 9 ||
      !std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); })) {
    return 0;
  }
  return std::stoi(value);
}

}  // namespace

std::optional<SlackUrl> SlackWebClient::SplitUrl(const std::string& url) {
  static const std::regex kUrl(
      R"(^([Hh][Tt][Tt][Pp][Ss]?)://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(:[0-9]{1,5})?([/?][^\s#]*)?$)");
  std::smatch m;
  if (!std::regex_match(url, m, kUrl)) return std::nullopt;
  SlackUrl out;
  out.scheme = m[1];
  std::transform(out.scheme.begin(), out.scheme.end(), out.scheme.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  out.host = m[2];
  std::transform(out.host.begin(), out.host.end(), out.host.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  out.authority = out.host + std::string(m[3]);
  out.origin = out.scheme + "://" + out.authority;
  out.path = m[4];
  if (out.path.empty() || out.path.front() != '/') out.path = "/" + out.path;
  return out;
}

bool SlackWebClient::Allowed(const SlackUrl& url, const std::string& slack_host) const {
  if (url.scheme == "https" &&
      (url.authority == slack_host || url.authority == slack_host + ":443")) {
    return true;
  }
  for (std::string extra : options_.extra_allowed_hosts) {
    std::transform(extra.begin(), extra.end(), extra.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (!extra.empty() && url.authority == extra) return true;
  }
  return false;
}

std::string SlackWebClient::Scrub(std::string text) const {
  const std::string& token = options_.bot_token;
  if (token.empty()) return text;
  for (size_t at = text.find(token); at != std::string::npos; at = text.find(token, at)) {
    text.replace(at, token.size(), "[token]");
  }
  return text;
}

Error SlackWebClient::Fail(ErrorCode code, const std::string& what,
                           const std::string& reason) const {
  Error error = MakeError(code, Scrub("slack " + what + ": " + reason));
  options_.logger.Warn(
      Scrub(what + " failed: " + std::string(ErrorCodeName(code)) + ": " + reason));
  return error;
}

milliseconds SlackWebClient::Backoff(int attempt) const {
  milliseconds wait = options_.retry_backoff;
  for (int i = 0; i < attempt && wait < kMaxBackoff; ++i) wait *= 2;
  return std::min(wait, kMaxBackoff);
}

void SlackWebClient::WaitForSlot(const std::string& channel) {
  if (channel.empty() || options_.channel_interval <= milliseconds(0)) return;
  Clock::time_point slot;
  {
    std::lock_guard<std::mutex> lock(pacing_mu_);
    const Clock::time_point now = Clock::now();
    if (next_slot_.size() >= kPacingPruneAt) {
      std::erase_if(next_slot_, [&](const auto& entry) { return entry.second <= now; });
    }
    auto it = next_slot_.try_emplace(channel, now).first;
    slot = std::max(now, it->second);
    it->second = slot + options_.channel_interval;
  }
  std::this_thread::sleep_until(slot);
}

Result<SlackWebClient::HttpReply> SlackWebClient::SendOnce(const HttpRequest& request) const {
  try {
    httplib::Client client(request.origin);
    SetTimeout(options_.connect_timeout,
               [&](time_t s, time_t us) { client.set_connection_timeout(s, us); });
    SetTimeout(options_.read_timeout, [&](time_t s, time_t us) { client.set_read_timeout(s, us); });
    SetTimeout(options_.read_timeout,
               [&](time_t s, time_t us) { client.set_write_timeout(s, us); });
    client.set_follow_location(false);  // never carry the token to another host
    httplib::Headers headers;
    if (request.with_token) headers.emplace("Authorization", "Bearer " + options_.bot_token);
    HttpReply reply;
    bool too_large = false;
    httplib::Result res =
        request.method == "GET"
            ? client.Get(request.path, headers,
                         [&](const char* data, size_t length) {
                           if (length > request.max_bytes - reply.body.size()) {
                             too_large = true;
                             return false;
                           }
                           reply.body.append(data, length);
                           return true;
                         })
            : client.Post(request.path, headers, request.body, request.content_type.c_str());
    if (too_large) {
      return MakeError(ErrorCode::kTooLarge,
                       "more than " + std::to_string(request.max_bytes) + " bytes");
    }
    if (!res) {
      const httplib::Error error = res.error();
      std::string reason = httplib::to_string(error);
      if (error == httplib::Error::Connection || error == httplib::Error::ConnectionTimeout) {
        reason = "cannot connect within " + Seconds(options_.connect_timeout) + " (" + reason + ")";
      } else if (error == httplib::Error::Read) {
        reason = "no answer within " + Seconds(options_.read_timeout) + " (" + reason + ")";
      }
      return MakeError(ErrorCode::kSlackUnavailable, reason);
    }
    reply.status = res->status;
    if (request.method != "GET") reply.body = res->body;
    if (res->status == 429)
      reply.retry_after = ParseRetryAfter(res->get_header_value("Retry-After"));
    return reply;
  } catch (const std::exception& e) {
    return MakeError(ErrorCode::kSlackUnavailable, e.what());
  }
}

Result<SlackWebClient::HttpReply> SlackWebClient::Exchange(const HttpRequest& request,
                                                           const Transient& transient) {
  for (int attempt = 0;; ++attempt) {
    Result<HttpReply> reply = SendOnce(request);
    std::string reason;
    milliseconds wait = Backoff(attempt);
    int retry_after = 0;
    if (!reply) {
      if (reply.error().code == ErrorCode::kTooLarge)
        return Fail(ErrorCode::kTooLarge, request.what, reply.error().message);
      reason = reply.error().message;
    } else if (reply->status == 429) {
      retry_after = std::max(reply->retry_after, 1);
      reason = "rate limited (HTTP 429, Retry-After " + std::to_string(retry_after) + ")";
      wait = std::min<milliseconds>(std::chrono::seconds(retry_after), options_.max_retry_after);
    } else if (reply->status >= 500) {
      std::string body = reply->body.substr(0, kMaxReason);
      reason = "HTTP " + std::to_string(reply->status) + (body.empty() ? "" : " " + body);
    } else if (transient) {
      reason = transient(*reply);
    }
    if (reason.empty()) return reply;
    if (attempt >= options_.max_retries) {
      Error error = Fail(ErrorCode::kSlackUnavailable, request.what,
                         reason + " (" + std::to_string(attempt + 1) + " attempts)");
      error.retry_after = retry_after;
      return error;
    }
    if (options_.telemetry) options_.telemetry->SlackRetry();
    options_.logger.Debug(Scrub(request.what + ": " + reason + "; retrying in " +
                                std::to_string(wait.count()) + " ms"));
    std::this_thread::sleep_for(wait);
  }
}

}  // namespace planbot::adapters
