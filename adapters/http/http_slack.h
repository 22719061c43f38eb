// The Slack routes of the HTTP server (SPEC §4): `POST /slack/events` and `POST /slack/commands`.
// Every request is verified before anything else is parsed (adapters/slack/slack_verify.h): the raw
// body is read through a content reader (so that httplib's 8 KiB limit on form bodies does not
// apply and nothing is decoded first), up to the server's max_body. A failed verification gets an
// empty 401 and an audit entry (reason only; never the signature or the computed digest). A
// verified request goes to slack::SlackBot, which answers at once and works from a queue.
#pragma once

#include <map>
#include <string>

#include "adapters/http/http_server.h"
#include "slack/slack_bot.h"

namespace planbot::adapters {

struct SlackRoutesOptions {
  std::string signing_secret;  // secret
  size_t max_body = 1 << 20;
  Telemetry* telemetry = nullptr;  // acknowledgement latency; may be null
};

// Installs the two routes on `http` (before it serves). `bot` and `service` must outlive it.
void InstallSlackRoutes(HttpServer& http, slack::SlackBot* bot, core::Service* service,
                        SlackRoutesOptions options);

// application/x-www-form-urlencoded → name/value (percent-decoding, '+' as space). The last
// value of a repeated name wins. Malformed escapes are kept as they are.
std::map<std::string, std::string> DecodeForm(const std::string& body);

}  // namespace planbot::adapters
