#include "adapters/http/http_slack.h"

#include <chrono>
#include <cstdlib>
#include <memory>

#include "adapters/slack/slack_verify.h"

namespace planbot::adapters {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(const std::string& in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out += ' ';
    } else if (in[i] == '%' && i + 2 < in.size() && HexValue(in[i + 1]) >= 0 &&
               HexValue(in[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(in[i + 1]) * 16 + HexValue(in[i + 2]));
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

int RetryNum(const httplib::Request& req) {
  const std::string v = req.get_header_value("X-Slack-Retry-Num");
  if (v.empty() || v.size() > 3 || v.find_first_not_of("0123456789") != std::string::npos) return 0;
  return std::atoi(v.c_str());
}

void Send(httplib::Response& res, const slack::SlackAck& ack) {
  res.status = ack.status;
  res.set_content(ack.body, ack.content_type.c_str());
}

// Reads the raw body (up to max_body), verifies it, then calls `next` with it.
httplib::Server::HandlerWithContentReader Verified(
    core::Service* service, SlackRoutesOptions options, std::string endpoint,
    std::function<slack::SlackAck(const httplib::Request&, const std::string&)> next) {
  return [service, options, next, endpoint](const httplib::Request& req, httplib::Response& res,
                                            const httplib::ContentReader& reader) {
    const auto start = std::chrono::steady_clock::now();
    std::string body;
    bool too_large = false;
    reader([&](const char* data, size_t length) {
      if (body.size() + length > options.max_body) {
        too_large = true;
        return false;
      }
      body.append(data, length);
      return true;
    });
    if (too_large) {
      res.status = 413;
      return;
    }
    Status verified = VerifySlackRequest(
        options.signing_secret, req.get_header_value("X-Slack-Request-Timestamp"),
        req.get_header_value("X-Slack-Signature"), body, std::chrono::system_clock::now());
    if (!verified) {
      service->recorder().AuthFailure("slack", req.remote_addr, verified.error().message,
                                      CurrentRequestId());
      res.status = 401;
      res.set_content("", "text/plain");
      return;
    }
    Send(res, next(req, body));
    if (options.telemetry) {
      options.telemetry->SlackAck(
          endpoint,
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
  };
}

}  // namespace

std::map<std::string, std::string> DecodeForm(const std::string& body) {
  std::map<std::string, std::string> out;
  size_t start = 0;
  while (start <= body.size()) {
    size_t end = body.find('&', start);
    if (end == std::string::npos) end = body.size();
    const std::string pair = body.substr(start, end - start);
    if (!pair.empty()) {
      const size_t eq = pair.find('=');
      const std::string name = PercentDecode(pair.substr(0, eq));
      out[name] = eq == std::string::npos ? "" : PercentDecode(pair.substr(eq + 1));
    }
    start = end + 1;
  }
  return out;
}

void InstallSlackRoutes(HttpServer& http, slack::SlackBot* bot, core::Service* service,
                        SlackRoutesOptions options) {
  http.server().Post("/slack/events",
                     Verified(service, options, "events",
                              [bot](const httplib::Request& req, const std::string& body) {
                                return bot->OnEvent(body, RetryNum(req));
                              }));
  http.server().Post("/slack/commands",
                     Verified(service, options, "commands",
                              [bot](const httplib::Request&, const std::string& body) {
                                return bot->OnCommand(DecodeForm(body));
                              }));
}

}  // namespace planbot::adapters
