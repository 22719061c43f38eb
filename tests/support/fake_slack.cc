#include "tests/support/fake_slack.h"

#include <doctest/doctest.h>

namespace planbot::testing {
namespace {

void ReplyJson(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json; charset=utf-8");
}

// The arguments as Slack reads them: a JSON body, or form fields (httplib parsed them).
nlohmann::json ParseArgs(const httplib::Request& req) {
  const std::string type = req.get_header_value("Content-Type");
  if (type.rfind("application/json", 0) == 0) {
    nlohmann::json args = nlohmann::json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    return args.is_object() ? args : nlohmann::json::object();
  }
  nlohmann::json args = nlohmann::json::object();
  if (type.rfind("application/x-www-form-urlencoded", 0) == 0) {
    for (const auto& [key, value] : req.params) args[key] = value;
  }
  return args;
}

}  // namespace

FakeSlack::FakeSlack(FakeSlackOptions options) : options_(std::move(options)) {
  server_.new_task_queue = [] { return new httplib::ThreadPool(16); };
  Routes();
  port_ = server_.bind_to_any_port("127.0.0.1");
  REQUIRE_MESSAGE(port_ > 0, "FakeSlack: cannot listen on 127.0.0.1");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  for (int i = 0; i < 500 && !server_.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

FakeSlack::~FakeSlack() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    hang_ = false;
  }
  changed_.notify_all();
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

std::string FakeSlack::url() const { return "http://" + host(); }
std::string FakeSlack::host() const { return "127.0.0.1:" + std::to_string(port_); }

std::vector<FakeSlack::Call> FakeSlack::calls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return calls_;
}

std::vector<FakeSlack::Call> FakeSlack::Calls(const std::string& method) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Call> out;
  for (const Call& call : calls_) {
    if (call.method == method) out.push_back(call);
  }
  return out;
}

bool FakeSlack::WaitFor(const std::string& method, size_t count,
                        std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return changed_.wait_for(lock, timeout, [&] {
    size_t seen = 0;
    for (const Call& call : calls_) seen += call.method == method;
    return seen >= count;
  });
}

void FakeSlack::FailNext(const std::string& method, std::string error, int count) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_next_[method] = Knob{std::move(error), 0, count};
}

void FakeSlack::RateLimitNext(const std::string& method, int retry_after_seconds, int count) {
  std::lock_guard<std::mutex> lock(mu_);
  rate_limit_next_[method] = Knob{"ratelimited", retry_after_seconds, count};
}

void FakeSlack::set_hang(bool hang) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    hang_ = hang;
  }
  changed_.notify_all();
}

void FakeSlack::set_down(bool down) {
  std::lock_guard<std::mutex> lock(mu_);
  down_ = down;
}

std::string FakeSlack::ServeFile(const std::string& name, std::string content) {
  std::lock_guard<std::mutex> lock(mu_);
  served_[name] = std::move(content);
  return url() + "/files/" + name;
}

std::optional<FakeSlack::UploadedFile> FakeSlack::Uploaded(const std::string& file_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(file_id);
  if (it == files_.end()) return std::nullopt;
  return it->second;
}

std::map<std::string, FakeSlack::Message> FakeSlack::messages() const {
  std::lock_guard<std::mutex> lock(mu_);
  return messages_;
}

void FakeSlack::Record(const std::string& method, Json args, const httplib::Request& req) {
  calls_.push_back(Call{method, std::move(args), req.body, req.get_header_value("Authorization"),
                        req.get_header_value("Content-Type")});
  changed_.notify_all();
}

bool FakeSlack::RateLimited(const std::string& method, httplib::Response& res) {
  auto it = rate_limit_next_.find(method);
  if (it == rate_limit_next_.end() || it->second.count <= 0) return false;
  --it->second.count;
  res.set_header("Retry-After", std::to_string(it->second.retry_after));
  ReplyJson(res, 429, {{"ok", false}, {"error", "ratelimited"}});
  return true;
}

void FakeSlack::Routes() {
  // Before any route: hanging and being down apply to every request.
  server_.set_pre_routing_handler([this](const httplib::Request&, httplib::Response& res) {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [&] { return !hang_ || stopping_; });
    if (!down_) return httplib::Server::HandlerResponse::Unhandled;
    res.status = 503;
    res.set_content("service unavailable", "text/plain");
    return httplib::Server::HandlerResponse::Handled;
  });
  server_.Post(R"(/([A-Za-z]+\.[A-Za-z.]+))",
               [this](const httplib::Request& req, httplib::Response& res) {
                 HandleApi(req.matches[1], req, res);
               });
  server_.Post(R"(/upload/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string id = req.matches[1];
    Record("upload", {{"path", req.path}, {"file_id", id}}, req);
    if (RateLimited("upload", res)) return;
    auto it = files_.find(id);
    if (it == files_.end()) {
      res.status = 404;
      res.set_content("not found", "text/plain");
      return;
    }
    it->second.bytes = req.body;
    res.set_content("OK - " + std::to_string(req.body.size()), "text/plain");
  });
  server_.Post(R"(/response/(.+))", [this](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mu_);
    Record("response", ParseArgs(req), req);
    if (RateLimited("response", res)) return;
    res.set_content("ok", "text/plain");
  });
  server_.Get(R"(/files/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mu_);
    Record("download", {{"path", req.path}}, req);
    if (RateLimited("download", res)) return;
    auto it = served_.find(req.matches[1]);
    if (req.get_header_value("Authorization") != "Bearer " + options_.token) {
      res.status = 403;
      res.set_content("forbidden", "text/plain");
    } else if (it == served_.end()) {
      res.status = 404;
      res.set_content("not found", "text/plain");
    } else {
      res.set_content(it->second, "application/octet-stream");
    }
  });
}

void FakeSlack::HandleApi(const std::string& method, const httplib::Request& req,
                          httplib::Response& res) {
  std::lock_guard<std::mutex> lock(mu_);
  Json args = ParseArgs(req);
  Record(method, args, req);
  const std::string auth = req.get_header_value("Authorization");
  if (auth.empty()) return ReplyJson(res, 200, {{"ok", false}, {"error", "not_authed"}});
  if (auth != "Bearer " + options_.token) {
    return ReplyJson(res, 200, {{"ok", false}, {"error", "invalid_auth"}});
  }
  if (RateLimited(method, res)) return;
  auto fail = fail_next_.find(method);
  if (fail != fail_next_.end() && fail->second.count > 0) {
    --fail->second.count;
    return ReplyJson(res, 200, {{"ok", false}, {"error", fail->second.error}});
  }
  ReplyJson(res, 200, Dispatch(method, args));
}

}  // namespace planbot::testing
