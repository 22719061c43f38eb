#include "tests/support/fake_dle.h"

#include <doctest/doctest.h>
#include <openssl/rand.h>

#include <cstdlib>

#include "adapters/clones/random_hex.h"

namespace planbot::testing {
namespace {

constexpr char kVersion[] = "v4.1.0-fake";

}  // namespace

FakeDle::FakeDle(FakeDleOptions options)
    : options_(std::move(options)), instance_(adapters::RandomHex(4)) {
  REQUIRE_MESSAGE(!options_.source_db.empty(), "FakeDle needs a source database");
  server_.new_task_queue = [] { return new httplib::ThreadPool(32); };
  Routes();
  port_ = server_.bind_to_any_port("127.0.0.1");
  REQUIRE_MESSAGE(port_ > 0, "FakeDle: cannot listen on 127.0.0.1");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  for (int i = 0; i < 500 && !server_.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

FakeDle::~FakeDle() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    hang_ = false;
  }
  unhang_.notify_all();
  server_.stop();
  if (thread_.joinable()) thread_.join();
  DropAll();
}

std::string FakeDle::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void FakeDle::set_token(std::string token) {
  std::lock_guard<std::mutex> lock(mu_);
  options_.token = std::move(token);
}

void FakeDle::set_create_delay(std::chrono::milliseconds delay) {
  std::lock_guard<std::mutex> lock(mu_);
  options_.create_delay = delay;
}

void FakeDle::set_reset_delay(std::chrono::milliseconds delay) {
  std::lock_guard<std::mutex> lock(mu_);
  options_.reset_delay = delay;
}

void FakeDle::set_delete_delay(std::chrono::milliseconds delay) {
  std::lock_guard<std::mutex> lock(mu_);
  options_.delete_delay = delay;
}

void FakeDle::set_clone_host(std::string host) {
  std::lock_guard<std::mutex> lock(mu_);
  clone_host_ = std::move(host);
}

void FakeDle::FailNextClone(std::string message) {
  std::lock_guard<std::mutex> lock(mu_);
  next_fatal_ = std::move(message);
}

void FakeDle::FailNextRequests(int count) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_next_ = count;
}

void FakeDle::set_hang(bool hang) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    hang_ = hang;
  }
  unhang_.notify_all();
}

std::optional<FakeDle::CloneView> FakeDle::Find(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  Clone* clone = Current(id);
  if (clone == nullptr) return std::nullopt;
  return CloneView{clone->id, clone->status, clone->username, clone->database, clone->resets};
}

std::vector<std::string> FakeDle::clone_ids() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> ids;
  for (const auto& [id, clone] : clones_) ids.push_back(id);
  std::vector<std::string> live;
  for (const std::string& id : ids) {
    if (Current(id) != nullptr) live.push_back(id);
  }
  return live;
}

std::vector<FakeDle::Request> FakeDle::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

int FakeDle::CountRequests(const std::string& method, const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  int count = 0;
  for (const Request& r : requests_) count += r.method == method && r.path == path;
  return count;
}

FakeDle::Clone* FakeDle::Current(const std::string& id) {
  auto it = clones_.find(id);
  if (it == clones_.end()) return nullptr;
  Clone& clone = *it->second;
  const bool moving =
      clone.status == "CREATING" || clone.status == "RESETTING" || clone.status == "DELETING";
  if (moving && Clock::now() >= clone.until) {
    if (clone.status == "DELETING") {
      clones_.erase(it);
      return nullptr;
    }
    clone.status = clone.next_status;
    clone.message = clone.next_message;
  }
  return &clone;
}

nlohmann::json FakeDle::CloneJson(const Clone& clone) const {
  const bool placed = clone.status != "CREATING" && !(clone.status == "FATAL" && clone.resets == 0);
  const std::string port = std::getenv("PGPORT") != nullptr ? std::getenv("PGPORT") : "5432";
  return {
      {"id", clone.id},
      {"snapshot",
       {{"id", "fake_pool/dataset@snapshot_20240101000000"},
        {"createdAt", clone.created_at},
        {"dataStateAt", clone.created_at},
        {"numClones", clones_.size()}}},
      {"protected", false},
      {"deleteAt", ""},
      {"createdAt", clone.created_at},
      {"status", {{"code", clone.status}, {"message", clone.message}}},
      {"db",
       {{"connStr", placed ? "host=" + clone_host_ + " port=" + port + " user=" + clone.username +
                                 " dbname=" + clone.database
                           : ""},
        {"host", placed ? clone_host_ : ""},
        {"port", placed ? port : ""},
        {"username", clone.username},
        {"password", ""},
        {"dbName", clone.database}}},
      {"metadata",
       {{"cloneDiffSize", 0}, {"logicalSize", 0}, {"cloningTime", 0.1}, {"maxIdleMinutes", 120}}}};
}

void FakeDle::Routes() {
  server_.set_pre_routing_handler(
      [this](const httplib::Request& req, httplib::Response& res) { return PreRoute(req, res); });
  // Before the answer is written (a logger runs after: a test could look too early).
  server_.set_post_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(
        {req.method, req.path, req.body, res.status, req.has_header("Verification-Token")});
  });
  server_.Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
    Reply(res, 200, {{"version", kVersion}, {"edition", "community"}, {"instanceID", instance_}});
  });
  server_.Get("/status", [this](const httplib::Request&, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mu_);
    nlohmann::json clones = nlohmann::json::array();
    std::vector<std::string> ids;
    for (const auto& [id, clone] : clones_) ids.push_back(id);
    for (const std::string& id : ids) {
      if (Clone* clone = Current(id)) clones.push_back(CloneJson(*clone));
    }
    Reply(res, 200,
          {{"status", {{"code", "OK"}, {"message", "Instance is ready"}}},
           {"engine", {{"version", kVersion}, {"edition", "community"}, {"instanceID", instance_}}},
           {"pools", nlohmann::json::array()},
           {"cloning",
            {{"expectedCloningTime", 0.1}, {"numClones", clones.size()}, {"clones", clones}}}});
  });
  server_.Post("/clone", [this](const httplib::Request& req, httplib::Response& res) {
    HandleCreate(req, res);
  });
  server_.Get(R"(/clone/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    HandleGet(req.matches[1], res);
  });
  server_.Post(R"(/clone/([^/]+)/reset)",
               [this](const httplib::Request& req, httplib::Response& res) {
                 HandleReset(req.matches[1], res);
               });
  server_.Delete(R"(/clone/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    HandleDelete(req.matches[1], res);
  });
}

httplib::Server::HandlerResponse FakeDle::PreRoute(const httplib::Request& req,
                                                   httplib::Response& res) {
  std::unique_lock<std::mutex> lock(mu_);
  unhang_.wait(lock, [&] { return !hang_ || stopping_; });
  if (fail_next_ > 0) {
    --fail_next_;
    ReplyError(res, 500, "INTERNAL_ERROR", "injected failure");
    return httplib::Server::HandlerResponse::Handled;
  }
  if (req.path != "/healthz" && req.get_header_value("Verification-Token") != options_.token) {
    ReplyError(res, 401, "UNAUTHORIZED", "Check your verification token.");
    return httplib::Server::HandlerResponse::Handled;
  }
  return httplib::Server::HandlerResponse::Unhandled;
}

}  // namespace planbot::testing
