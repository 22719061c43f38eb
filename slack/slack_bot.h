// SlackBot: planbot's Slack front door (issue 5). The HTTP adapter verifies a request's signature
// and hands the raw body here; SlackBot acknowledges at once and works from a queue:
//
//   OnEvent (Events API)      url_verification → the challenge; event_callback with a message or
//                             app_mention that is a command → recorded in the store under its
//                             event_id (a duplicate delivery is acknowledged and dropped, even
//                             after a restart), queued, 200.
//   OnCommand (slash command) ssl_check → 200; otherwise queued, 200 with an ephemeral "working".
//
// A queued item runs on one of `io_threads` threads: access checks (the channel must map to a
// database, the user must be in `users` when that list is not empty, purge/redact need an
// admin: refusals are polite, ephemeral and audited), an hourglass reaction on the message, a
// reply in its thread ("working on it"), then the command goes to the Service (the session's
// lane). When the answer comes, the thread reply is updated with it (chat.update), long plans
// are attached as files, and the hourglass gives way to a success or failure reaction. Every
// `progress_interval` a running command's reply says "still running, N s". Slash commands
// answer through response_url (errors ephemeral).
//
// Slack failing while replying never loses the result: the Service has recorded it in history
// and audit before the answer reaches SlackBot; the failure is logged. Work recorded but not
// finished before a crash is queued again by Start().
//
// Thread-safety: OnEvent/OnCommand from any thread (HTTP workers); Start and Shutdown once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/log.h"
#include "common/telemetry.h"
#include "core/config.h"
#include "core/service.h"
#include "slack/slack_api.h"
#include "storage/store.h"

namespace planbot::slack {

struct SlackBotOptions {
  core::SlackConfig config;
  std::chrono::milliseconds progress_interval{10000};
  int io_threads = 4;
  size_t max_snippet_bytes = 256 * 1024;
  Telemetry* telemetry = nullptr;  // counts deliveries of answers; may be null
};

// What the HTTP adapter sends back to Slack.
struct SlackAck {
  int status = 200;
  std::string content_type = "text/plain";
  std::string body;
};

class SlackBot {
 public:
  SlackBot(SlackBotOptions options, SlackApi* api, storage::ChatDeliveryStore* store,
           core::Service* service, Logger log);
  ~SlackBot();
  SlackBot(const SlackBot&) = delete;
  SlackBot& operator=(const SlackBot&) = delete;

  // Starts the worker threads and queues work recorded but never finished (a crash).
  void Start();
  // Finishes queued items whose command already runs; drops the rest from memory (they stay
  // pending in the store and run after the next start).
  void Shutdown();

  // The raw body of a verified POST /slack/events; `retry_num` from X-Slack-Retry-Num (0 none).
  SlackAck OnEvent(const std::string& raw_body, int retry_num);
  // The decoded form of a verified POST /slack/commands.
  SlackAck OnCommand(const std::map<std::string, std::string>& form);

  // For tests and /healthz: items waiting or running.
  size_t pending() const;

 private:
  struct Work {
    std::string event_id;  // "" for slash commands
    std::string kind;      // "message" or "command"
    std::string channel, user, ts, thread_ts, text, snippet_url, response_url;
    nlohmann::json ToJson() const;
    static Work FromJson(const nlohmann::json& j);
  };
  struct Running;  // a command in flight, for progress updates

  void Enqueue(Work work);
  void Loop();
  void Process(Work work);
  void Finish(const std::shared_ptr<Running>& running, core::Answer answer);
  void ProgressLoop();
  // Refuses politely (ephemeral or response_url), audits, and marks the event done.
  void Refuse(const Work& work, const std::string& command, const std::string& reason);
  void Reply(const Work& work, const std::string& text, bool ephemeral);
  std::string BotUserId(const nlohmann::json& envelope);
  const core::SlackChannelConfig* ChannelOf(const std::string& id) const;
  bool IsAdmin(const std::string& user) const;
  // The user of `work` as the core sees them: role from slack.admins, channel "slack".
  core::Caller CallerOf(const Work& work) const;
  bool Allowed(const std::string& user) const;

  SlackBotOptions options_;
  SlackApi* api_;
  storage::ChatDeliveryStore* store_;
  core::Service* service_;
  Logger log_;
  std::set<std::string> command_words_;

  mutable std::mutex mu_;
  std::condition_variable wake_;  // io threads only: notify_one must reach one of them
  std::condition_variable tick_;  // the progress loop
  std::deque<Work> queue_;
  std::deque<std::function<void()>> deliveries_;  // answers to send, before new work
  std::vector<std::shared_ptr<Running>> running_;
  size_t busy_ = 0;
  bool stopping_ = false;
  std::string bot_user_id_;
  std::vector<std::thread> threads_;
  std::thread progress_;
};

}  // namespace planbot::slack
