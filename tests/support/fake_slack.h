// FakeSlack: Slack's Web API for tests, on cpp-httplib at http://127.0.0.1:<free port>, following
// /work/shared/contracts/slack.md: errors are HTTP 200 {"ok": false, "error": ...}, a rate limit
// is HTTP 429 with Retry-After, the response_url answers a plain "ok".
//
// Routes (use url() as the client's api_url, host() as an extra allowed host):
//   POST /<method>        auth.test, chat.postMessage (fresh ts "1700000000.000100", ...),
//                         chat.update, chat.postEphemeral, reactions.add / reactions.remove
//                         (already_reacted / no_reaction), files.getUploadURLExternal (upload_url
//                         http://127.0.0.1:PORT/upload/<file_id>, file_id "F..."),
//                         files.completeUploadExternal; anything else: unknown_method. Arguments
//                         are read as JSON or form-encoded, per Content-Type, as Slack does. The
//                         Bearer token is checked (absent: not_authed; wrong: invalid_auth).
//   POST /upload/<id>     stores the raw bytes (answers "OK - <length>")
//   POST /response/<any>  a slash command's response_url: answers "ok"
//   GET  /files/<name>    a file set by ServeFile(), with the Bearer token (else 403)
// Every request is recorded as a Call: Web API calls under their method name, the others as
// "upload", "response" and "download".
//
// Knobs (any thread, any time): FailNext (ok:false), RateLimitNext (429 with Retry-After; also for
// "upload", "response", "download"), set_hang (requests are read and never answered until
// set_hang(false) or the fake stops), set_down (503 to everything).
//
// The destructor releases hung requests, then stops the server.
//
// Thread-safety: every member may be called from any thread.
#pragma once

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

namespace planbot::testing {

struct FakeSlackOptions {
  std::string token = "xoxb-fake-0000-secret";
  std::string bot_user_id = "U0BOT";
};

class FakeSlack {
 public:
  // Starts listening; FAILs the calling test when it cannot.
  explicit FakeSlack(FakeSlackOptions options = {});
  ~FakeSlack();
  FakeSlack(const FakeSlack&) = delete;
  FakeSlack& operator=(const FakeSlack&) = delete;

  std::string url() const;   // http://127.0.0.1:PORT
  std::string host() const;  // 127.0.0.1:PORT
  int port() const { return port_; }
  const std::string& token() const { return options_.token; }

  struct Call {
    std::string method;         // "chat.postMessage", ..., or "upload", "response", "download"
    nlohmann::json args;        // the arguments as parsed; {"path": ...} for the other routes
    std::string body;           // as sent
    std::string authorization;  // the Authorization header as sent
    std::string content_type;
  };
  std::vector<Call> calls() const;
  std::vector<Call> Calls(const std::string& method) const;
  // True once `method` was called at least `count` times.
  bool WaitFor(const std::string& method, size_t count, std::chrono::milliseconds timeout);

  // The next `count` calls of `method` answer {"ok": false, "error": error}.
  void FailNext(const std::string& method, std::string error, int count = 1);
  // The next `count` requests of `method` answer HTTP 429 with Retry-After.
  void RateLimitNext(const std::string& method, int retry_after_seconds, int count = 1);
  void set_hang(bool hang);
  void set_down(bool down);
  // GET /files/<name> serves `content`; returns the file's URL.
  std::string ServeFile(const std::string& name, std::string content);

  struct UploadedFile {
    std::string filename;
    size_t length = 0;  // as announced to files.getUploadURLExternal
    std::string bytes;  // as POSTed to the upload URL
    bool completed = false;
    std::string title;  // from files.completeUploadExternal
    std::string channel_id;
    std::string thread_ts;
  };
  std::optional<UploadedFile> Uploaded(const std::string& file_id) const;

  struct Message {
    std::string channel;
    std::string thread_ts;
    std::string text;  // the latest, after chat.update
  };
  // Posted messages by ts.
  std::map<std::string, Message> messages() const;

 private:
  using Json = nlohmann::json;
  struct Knob {
    std::string error;
    int retry_after = 0;
    int count = 0;
  };

  void Routes();
  void Record(const std::string& method, Json args, const httplib::Request& req);
  // Applies RateLimitNext to `method`; true when it answered. With mu_ held.
  bool RateLimited(const std::string& method, httplib::Response& res);
  void HandleApi(const std::string& method, const httplib::Request& req, httplib::Response& res);
  // The Web API methods; with mu_ held.
  Json Dispatch(const std::string& method, const Json& args);
  Json PostMessage(const Json& args);
  Json Update(const Json& args);
  Json React(const Json& args, bool add);
  Json GetUploadUrl(const Json& args);
  Json CompleteUpload(const Json& args);
  std::string NextTs();

  const FakeSlackOptions options_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;

  mutable std::mutex mu_;
  std::condition_variable changed_;  // a call recorded, or hang_ lifted
  std::vector<Call> calls_;
  std::map<std::string, Knob> fail_next_;
  std::map<std::string, Knob> rate_limit_next_;
  std::map<std::string, Message> messages_;
  std::set<std::tuple<std::string, std::string, std::string>> reactions_;
  std::map<std::string, UploadedFile> files_;
  std::map<std::string, std::string> served_;
  int next_ts_ = 0;
  int next_file_ = 0;
  bool hang_ = false;
  bool down_ = false;
  bool stopping_ = false;
};

}  // namespace planbot::testing
