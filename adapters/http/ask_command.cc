#include "adapters/http/ask_command.h"

#include <httplib.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <istream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <regex>

#include "adapters/http/client_failure.h"
#include "common/json_text.h"
#include "common/result.h"

namespace planbot::adapters {
namespace {

constexpr int kCommandError = 1;
constexpr int kUsageError = 2;
// A bound on what is read from a file or stdin; planbot's own limit (413) is far below it.
constexpr size_t kMaxCommandBytes = size_t{64} << 20;

struct Url {
  std::string origin;  // scheme://host[:port]
  std::string prefix;  // path before /api, without a trailing slash
  RequestTarget target;
};

bool ParseUrl(const std::string& url, Url& out) {
  static const std::regex kUrl(
      R"(^(https?)://(\[[0-9A-Fa-f:.]+\]|[^/\s:@\[\]]+)(:[0-9]{1,5})?(/[^\s?#]*)?$)");
  std::smatch m;
  if (!std::regex_match(url, m, kUrl)) return false;
  out.target.tls = m[1] == "https";
  std::string host = m[2];
  out.target.host = host.front() == '[' ? host.substr(1, host.size() - 2) : host;
  out.target.port = m[3].matched ? std::stoi(m[3].str().substr(1)) : out.target.tls ? 443 : 80;
  if (out.target.port < 1 || out.target.port > 65535) return false;
  out.origin = m[1].str() + "://" + host + m[3].str();
  out.prefix = m[4];
  while (!out.prefix.empty() && out.prefix.back() == '/') out.prefix.pop_back();
  return true;
}

// All of `in`, up to kMaxCommandBytes; `what` names the source in errors.
Result<std::string> ReadAll(std::istream& in, const std::string& what) {
  std::string text;
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxCommandBytes) {
      return MakeError(ErrorCode::kUsage, what + " holds more than 64 MiB; that is not a command");
    }
  }
  if (in.bad()) return MakeError(ErrorCode::kUsage, "cannot read " + what);
  return text;
}

// The command from its one source: TEXT words, `-` (stdin) or --file.
Result<std::string> CommandText(const AskArgs& args, std::istream& in) {
  const bool from_stdin = args.words.size() == 1 && args.words[0] == "-";
  if (!args.file.empty() && !args.words.empty()) {
    return MakeError(ErrorCode::kUsage,
                     "give the command once: as TEXT, as - (stdin) or with --file, not two of "
                     "them");
  }
  std::string text;
  std::string source;
  if (!args.file.empty()) {
    source = args.file;
    std::ifstream file(args.file, std::ios::binary);
    if (!file) {
      return MakeError(ErrorCode::kUsage, "cannot read " + args.file + ": " + std::strerror(errno));
    }
    auto read = ReadAll(file, args.file);
    if (!read) return read.error();
    text = std::move(*read);
  } else if (from_stdin) {
    source = "stdin";
    auto read = ReadAll(in, "stdin");
    if (!read) return read.error();
    text = std::move(*read);
  } else {
    for (const std::string& w : args.words) text += (text.empty() ? "" : " ") + w;
  }
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    return MakeError(ErrorCode::kUsage,
                     (source.empty() ? "no command given" : "no command in " + source) +
                         "; e.g. planbot ask \"explain select 1\", planbot ask - < query.txt, "
                         "planbot ask --file query.txt");
  }
  return text;
}

}  // namespace

int RunAsk(const AskArgs& args, std::istream& in, std::ostream& out, std::ostream& err) {
  Url url;
  if (!ParseUrl(args.url, url)) {
    err << "planbot ask: --url must look like http://HOST:PORT, got " << args.url << "\n";
    return kUsageError;
  }
  auto text = CommandText(args, in);
  if (!text) {
    err << "planbot ask: " << text.error().message << "\n";
    return kUsageError;
  }
  nlohmann::json body = {{"text", *text}};
  if (!args.database.empty()) body["database"] = args.database;
  if (!args.session.empty()) body["session"] = args.session;

  url.target.read_timeout = std::chrono::seconds(args.timeout_seconds);
  httplib::Client client(url.origin);
  client.set_connection_timeout(url.target.connect_timeout);
  client.set_read_timeout(url.target.read_timeout);
  client.set_write_timeout(30, 0);
  if (!args.token.empty()) client.set_bearer_token_auth(args.token.c_str());
  const auto started = std::chrono::steady_clock::now();
  auto res = client.Post((url.prefix + "/api/v1/commands").c_str(),
                         body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                         "application/json");
  if (!res) {
    // Read and Write happen once connected: planbot was reached but did not answer.
    const bool connected =
        res.error() == httplib::Error::Read || res.error() == httplib::Error::Write;
    err << "planbot ask: " << (connected ? "" : "cannot reach ") << args.url << ": "
        << DescribeRequestFailure(res.error(), url.target,
                                  std::chrono::steady_clock::now() - started)
        << "\n";
    return kUsageError;
  }
  auto reply = nlohmann::json::parse(res->body, nullptr, /*allow_exceptions=*/false);
  if (reply.is_discarded() || !reply.is_object()) {
    err << "planbot ask: " << args.url << " answered HTTP " << res->status
        << " without planbot's JSON; is planbot serving there?\n";
    return kUsageError;
  }
  if (args.json) out << JsonText(reply, 2) << "\n";
  // Fields of another type than planbot writes are absent (value() would throw).
  auto text_of = [](const nlohmann::json& object, const char* key) {
    auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (res->status == 200) {
    if (!args.json) out << text_of(reply, "message") << "\n";
    return 0;
  }
  std::string message = text_of(reply, "message");
  if (message.empty() && reply.contains("error") && reply["error"].is_object()) {
    message = text_of(reply["error"], "message");
    message = "error: " + (message.empty() ? "HTTP " + std::to_string(res->status) : message);
  }
  if (!args.json) err << message << "\n";
  if (res->status == 401 && args.token.empty()) {
    err << "planbot ask: this planbot wants an API token: --token T, or export PLANBOT_TOKEN=T\n";
  }
  return res->status == 401 || res->status == 403 ? kUsageError : kCommandError;
}

}  // namespace planbot::adapters
