#include "adapters/http/ask_command.h"

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <ostream>
#include <regex>

namespace planbot::adapters {
namespace {

constexpr int kCommandError = 1;
constexpr int kUsageError = 2;

struct Url {
  std::string origin;  // scheme://host[:port]
  std::string prefix;  // path before /api, without a trailing slash
};

bool ParseUrl(const std::string& url, Url& out) {
  static const std::regex kUrl(R"(^(https?://[^/\s]+)(/[^\s?#]*)?$)");
  std::smatch m;
  if (!std::regex_match(url, m, kUrl)) return false;
  out.origin = m[1];
  out.prefix = m[2];
  while (!out.prefix.empty() && out.prefix.back() == '/') out.prefix.pop_back();
  return true;
}

}  // namespace

int RunAsk(const AskArgs& args, std::ostream& out, std::ostream& err) {
  Url url;
  if (!ParseUrl(args.url, url)) {
    err << "planbot ask: --url must look like http://HOST:PORT, got " << args.url << "\n";
    return kUsageError;
  }
  if (args.text.find_first_not_of(" \t\r\n") == std::string::npos) {
    err << "planbot ask: no command given; e.g. planbot ask \"explain select 1\"\n";
    return kUsageError;
  }
  nlohmann::json body = {{"text", args.text}};
  if (!args.database.empty()) body["database"] = args.database;
  if (!args.session.empty()) body["session"] = args.session;

  httplib::Client client(url.origin);
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(args.timeout_seconds, 0);
  client.set_write_timeout(30, 0);
  if (!args.token.empty()) client.set_bearer_token_auth(args.token.c_str());
  auto res =
      client.Post((url.prefix + "/api/v1/commands").c_str(), body.dump(), "application/json");
  if (!res) {
    err << "planbot ask: cannot reach " << args.url << ": " << httplib::to_string(res.error())
        << "\n";
    return kUsageError;
  }
  auto reply = nlohmann::json::parse(res->body, nullptr, /*allow_exceptions=*/false);
  if (reply.is_discarded() || !reply.is_object()) {
    err << "planbot ask: " << args.url << " answered HTTP " << res->status
        << " without planbot's JSON; is planbot serving there?\n";
    return kUsageError;
  }
  if (args.json) out << reply.dump(2) << "\n";
  if (res->status == 200) {
    if (!args.json) out << reply.value("message", "") << "\n";
    return 0;
  }
  std::string message = reply.value("message", "");
  if (message.empty() && reply.contains("error")) {
    message = "error: " + reply["error"].value("message", "HTTP " + std::to_string(res->status));
  }
  if (!args.json) err << message << "\n";
  return res->status == 401 || res->status == 403 ? kUsageError : kCommandError;
}

}  // namespace planbot::adapters
