#include "slack/slack_bot.h"

#include <algorithm>
#include <cctype>

#include "common/json_text.h"
#include "core/command.h"
#include "slack/slack_format.h"
#include "slack/slack_text.h"

namespace planbot::slack {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

constexpr char kHourglass[] = "hourglass_flowing_sand";
constexpr char kSuccess[] = "white_check_mark";
constexpr char kFailure[] = "x";

// A slash command's text: Slack escapes it like a message's.
std::string CleanCommandText(const std::string& text) {
  std::string out = UnescapeSlack(text);
  const size_t begin = out.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  const size_t end = out.find_last_not_of(" \t\r\n");
  return out.substr(begin, end - begin + 1);
}

// A posted message's outcome without its ts.
Status Posted(const Result<std::string>& posted) {
  if (posted) return Ok{};
  return posted.error();
}

std::string FormValue(const std::map<std::string, std::string>& form, const std::string& key) {
  auto it = form.find(key);
  return it == form.end() ? std::string() : it->second;
}

}  // namespace

struct SlackBot::Running {
  Work work;
  std::string reply_ts;  // planbot's reply in the thread ("" for slash commands)
  std::string command;
  Clock::time_point started = Clock::now();
  Clock::time_point updated = Clock::now();
  std::mutex reply_mu;  // the reply is updated by the progress loop or, once, by Finish
  bool done = false;    // with reply_mu
};

json SlackBot::Work::ToJson() const {
  return {{"event_id", event_id},
          {"kind", kind},
          {"channel", channel},
          {"user", user},
          {"ts", ts},
          {"thread_ts", thread_ts},
          {"text", text},
          {"snippet_url", snippet_url},
          {"response_url", response_url}};
}

SlackBot::Work SlackBot::Work::FromJson(const json& j) {
  Work w;
  w.event_id = JsonString(j, "event_id");
  w.kind = JsonString(j, "kind");
  w.channel = JsonString(j, "channel");
  w.user = JsonString(j, "user");
  w.ts = JsonString(j, "ts");
  w.thread_ts = JsonString(j, "thread_ts");
  w.text = JsonString(j, "text");
  w.snippet_url = JsonString(j, "snippet_url");
  w.response_url = JsonString(j, "response_url");
  return w;
}

SlackBot::SlackBot(SlackBotOptions options, SlackApi* api, storage::ChatDeliveryStore* store,
                   core::Service* service, Logger log)
    : options_(std::move(options)),
      api_(api),
      store_(store),
      service_(service),
      log_(std::move(log)) {
  for (const core::CommandSpec& c : core::Commands()) command_words_.insert(std::string(c.name));
}

SlackBot::~SlackBot() { Shutdown(); }

void SlackBot::Start() {
  auto me = api_->AuthTest();
  if (me) {
    std::lock_guard<std::mutex> guard(mu_);
    bot_user_id_ = *me;
  } else {
    log_.Warn("slack auth.test failed: " + me.error().message +
              "; mentions are recognized from the events' authorizations");
  }
  auto pending = store_->PendingSlackEvents();
  if (!pending) {
    log_.Error("slack: reading unfinished events: " + pending.error().message);
  } else {
    for (const storage::SlackEventRecord& r : *pending) {
      json j = json::parse(r.work, nullptr, false);
      if (j.is_object()) Enqueue(Work::FromJson(j));
    }
    if (!pending->empty()) {
      log_.Info("slack: " + std::to_string(pending->size()) +
                " events received before a restart are queued again");
    }
  }
  std::lock_guard<std::mutex> guard(mu_);
  for (int i = 0; i < std::max(1, options_.io_threads); ++i) {
    threads_.emplace_back([this] { Loop(); });
  }
  progress_ = std::thread([this] { ProgressLoop(); });
}

void SlackBot::Shutdown() {
  {
    std::lock_guard<std::mutex> guard(mu_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  tick_.notify_all();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  if (progress_.joinable()) progress_.join();
}

size_t SlackBot::pending() const {
  std::lock_guard<std::mutex> guard(mu_);
  return queue_.size() + busy_ + running_.size();
}

SlackAck SlackBot::OnEvent(const std::string& raw_body, int retry_num) {
  json envelope = json::parse(raw_body, nullptr, false);
  if (envelope.is_discarded() || !envelope.is_object()) {
    return {400, "text/plain", "malformed JSON"};
  }
  const std::string type = JsonString(envelope, "type");
  if (type == "url_verification") {
    return {200, "application/json",
            JsonText(json{{"challenge", JsonString(envelope, "challenge")}})};
  }
  if (type != "event_callback" || !envelope.contains("event")) return {};
  const std::string event_id = JsonString(envelope, "event_id");
  if (event_id.empty()) return {400, "text/plain", "event_callback without event_id"};
  auto message = ParseSlackMessageEvent(envelope["event"]);
  if (!message) return {};  // another kind of event: nothing to do
  SlackCommandText command = ExtractCommand(*message, BotUserId(envelope), command_words_);
  if (command.intent != SlackIntent::kCommand) return {};

  Work work;
  work.event_id = event_id;
  work.kind = "message";
  work.channel = message->channel;
  work.user = message->user;
  work.ts = message->ts;
  work.thread_ts = message->thread_ts.empty() ? message->ts : message->thread_ts;
  work.text = command.text;
  if (command.needs_snippet) work.snippet_url = command.snippet_url;
  // The message's own key as well: a mention arrives both as `message` and as `app_mention`.
  auto recorded =
      store_->RecordSlackEvent(event_id, JsonText(work.ToJson()), work.channel + ":" + work.ts);
  if (!recorded) {
    // Not recorded, not acknowledged: Slack delivers it again later.
    log_.Error("slack: recording event " + event_id + ": " + recorded.error().message);
    return {503, "text/plain", "store unavailable"};
  }
  if (!*recorded) {
    log_.Info("slack: event " + event_id + " delivered again (retry " + std::to_string(retry_num) +
              "); already recorded");
    return {};
  }
  Enqueue(std::move(work));
  return {};
}

SlackAck SlackBot::OnCommand(const std::map<std::string, std::string>& form) {
  if (FormValue(form, "ssl_check") == "1") return {};
  Work work;
  work.kind = "command";
  work.channel = FormValue(form, "channel_id");
  work.user = FormValue(form, "user_id");
  work.text = CleanCommandText(FormValue(form, "text"));
  work.response_url = FormValue(form, "response_url");
  if (work.channel.empty() || work.user.empty()) {
    return {400, "text/plain", "a slash command needs channel_id and user_id"};
  }
  Enqueue(work);
  std::string first = work.text.substr(0, work.text.find_first_of(" \n"));
  return {
      200, "application/json",
      JsonText(json{{"response_type", "ephemeral"},
                    {"text", first.empty() ? "working on it" : "working on `" + first + "` …"}})};
}

void SlackBot::Enqueue(Work work) {
  {
    std::lock_guard<std::mutex> guard(mu_);
    queue_.push_back(std::move(work));
  }
  wake_.notify_one();
}

void SlackBot::Loop() {
  while (true) {
    std::function<void()> delivery;
    Work work;
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty() || !deliveries_.empty(); });
      if (!deliveries_.empty()) {
        delivery = std::move(deliveries_.front());
        deliveries_.pop_front();
      } else if (stopping_) {
        // Answers still on their way are delivered; queued work stays recorded in the store
        // and runs after the next start.
        if (running_.empty()) return;
        wake_.wait_for(lock, std::chrono::milliseconds(50));
        continue;
      } else if (!queue_.empty()) {
        work = std::move(queue_.front());
        queue_.pop_front();
      } else {
        continue;
      }
      ++busy_;
    }
    if (delivery) {
      delivery();
    } else {
      Process(std::move(work));
    }
    std::lock_guard<std::mutex> guard(mu_);
    --busy_;
  }
}

const core::SlackChannelConfig* SlackBot::ChannelOf(const std::string& id) const {
  for (const core::SlackChannelConfig& c : options_.config.channels) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

bool SlackBot::IsAdmin(const std::string& user) const {
  const auto& admins = options_.config.admins;
  return std::find(admins.begin(), admins.end(), user) != admins.end();
}

bool SlackBot::Allowed(const std::string& user) const {
  const auto& users = options_.config.users;
  return users.empty() || IsAdmin(user) ||
         std::find(users.begin(), users.end(), user) != users.end();
}

std::string SlackBot::BotUserId(const json& envelope) {
  {
    std::lock_guard<std::mutex> guard(mu_);
    if (!bot_user_id_.empty()) return bot_user_id_;
  }
  auto it = envelope.find("authorizations");
  if (it != envelope.end() && it->is_array()) {
    for (const json& a : *it) {
      // `is_bot` of another type than boolean is not true (value() would throw).
      if (a.is_object() && a.contains("is_bot") && a["is_bot"] == true) {
        return JsonString(a, "user_id");
      }
    }
  }
  return "";
}

void SlackBot::Reply(const Work& work, const std::string& text, bool ephemeral) {
  Status sent = Ok{};
  if (work.kind == "command") {
    sent = api_->Respond(work.response_url, text, ephemeral);
  } else if (ephemeral) {
    sent = api_->PostEphemeral(work.channel, work.user, text);
  } else {
    sent = Posted(api_->PostMessage(work.channel, work.thread_ts, text));
  }
  if (options_.telemetry) options_.telemetry->SlackDelivery(static_cast<bool>(sent));
  if (!sent) log_.Warn("slack: replying in " + work.channel + ": " + sent.error().message);
}

core::Caller SlackBot::CallerOf(const Work& work) const {
  // The event id names the request in audit entries and logs (slash commands have none).
  return core::Caller{work.user, IsAdmin(work.user) ? core::Role::kAdmin : core::Role::kUser,
                      "slack", work.event_id};
}

void SlackBot::Refuse(const Work& work, const std::string& command, const std::string& reason) {
  service_->recorder().Refusal(CallerOf(work), command, reason);
  Reply(work, ":no_entry: " + reason, true);
  if (!work.event_id.empty()) {
    if (Status done = store_->FinishSlackEvent(work.event_id); !done) {
      log_.Error("slack: finishing event " + work.event_id + ": " + done.error().message);
    }
  }
}

void SlackBot::Process(Work work) {
  // The first word, as ParseCommand takes it (with a snippet, the text is only that word): an
  // admin-only command is refused here, before a snippet is fetched, and again by the core.
  std::string command = work.text.substr(0, work.text.find_first_of(" \t\r\n"));
  std::transform(command.begin(), command.end(), command.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const core::SlackChannelConfig* channel = ChannelOf(work.channel);
  if (channel == nullptr) {
    Refuse(work, command,
           "planbot is not connected to a database in this channel; an admin can map the "
           "channel in planbot's configuration (slack.channels)");
    return;
  }
  if (!Allowed(work.user)) {
    Refuse(work, command, "you are not on planbot's list of users here; ask a planbot admin");
    return;
  }
  if (const core::CommandSpec* spec = core::FindCommand(command);
      spec != nullptr && spec->admin_only && !IsAdmin(work.user)) {
    Refuse(work, command, "`" + command + "` is for planbot admins only");
    return;
  }
  // Only now, for a permitted command, is an attached snippet fetched.
  if (!work.snippet_url.empty()) {
    auto snippet = api_->DownloadFile(work.snippet_url, options_.max_snippet_bytes);
    if (!snippet) {
      Refuse(work, command, "the attached snippet could not be read: " + snippet.error().message);
      return;
    }
    work.text += " " + *snippet;
  }

  auto running = std::make_shared<Running>();
  running->work = work;
  running->command = command.empty() ? "command" : command;
  if (work.kind == "message") {
    if (Status r = api_->AddReaction(work.channel, work.ts, kHourglass); !r) {
      log_.Warn("slack: reaction on " + work.channel + ": " + r.error().message);
    }
    auto posted =
        api_->PostMessage(work.channel, work.thread_ts, SlackWorkingText(running->command));
    if (posted) {
      running->reply_ts = *posted;
    } else {
      log_.Warn("slack: posting in " + work.channel + ": " + posted.error().message);
    }
  }
  {
    std::lock_guard<std::mutex> guard(mu_);
    running_.push_back(running);
  }
  core::CommandRequest request;
  request.text = work.text;
  request.database = channel->database;
  request.caller = CallerOf(work);
  service_->Submit(request, [this, running](core::Answer answer) {
    // On a worker of the service: hand the answer to an io thread, never block the session.
    {
      std::lock_guard<std::mutex> guard(mu_);
      deliveries_.push_back([this, running, answer = std::move(answer)]() mutable {
        Finish(running, std::move(answer));
      });
    }
    wake_.notify_one();
  });
}

void SlackBot::Finish(const std::shared_ptr<Running>& running, core::Answer answer) {
  {
    std::lock_guard<std::mutex> guard(mu_);
    running_.erase(std::remove(running_.begin(), running_.end(), running), running_.end());
  }
  std::lock_guard<std::mutex> replying(running->reply_mu);
  running->done = true;
  const Work& work = running->work;
  const bool restarting = answer.error && answer.error->code == ErrorCode::kShuttingDown;
  if (!work.event_id.empty() && !restarting) {
    if (Status done = store_->FinishSlackEvent(work.event_id); !done) {
      log_.Error("slack: finishing event " + work.event_id + ": " + done.error().message);
    }
  }
  if (restarting) {
    answer.message = "planbot is restarting; your command runs when it is back";
  }
  SlackReply reply = FormatForSlack(answer, answer.message);
  auto warn = [&](const char* what, const Status& st) {
    if (!st)
      log_.Warn(std::string("slack: ") + what + " in " + work.channel + ": " + st.error().message);
  };
  // The answer itself counts as a delivery; its file and reaction do not.
  auto deliver = [&](const char* what, const Status& st) {
    if (options_.telemetry) options_.telemetry->SlackDelivery(static_cast<bool>(st));
    warn(what, st);
  };
  if (work.kind == "command") {
    deliver("responding", api_->Respond(work.response_url, reply.text, !answer.ok()));
    return;
  }
  if (!running->reply_ts.empty()) {
    deliver("updating the reply", api_->UpdateMessage(work.channel, running->reply_ts, reply.text));
  } else {
    deliver("posting the answer",
            Posted(api_->PostMessage(work.channel, work.thread_ts, reply.text)));
  }
  if (!reply.files.empty()) {
    warn("uploading the plan", api_->UploadFiles(work.channel, work.thread_ts, reply.files));
  }
  warn("removing the reaction", api_->RemoveReaction(work.channel, work.ts, kHourglass));
  warn("reacting", api_->AddReaction(work.channel, work.ts, answer.ok() ? kSuccess : kFailure));
}

void SlackBot::ProgressLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_ || !running_.empty()) {
    tick_.wait_for(lock, std::chrono::milliseconds(200));
    if (stopping_ && running_.empty()) return;
    const auto now = Clock::now();
    std::vector<std::shared_ptr<Running>> due;
    for (const auto& r : running_) {
      if (!r->reply_ts.empty() && now - r->updated >= options_.progress_interval) {
        r->updated = now;
        due.push_back(r);
      }
    }
    lock.unlock();
    for (const auto& r : due) {
      std::lock_guard<std::mutex> replying(r->reply_mu);
      if (r->done) continue;  // the answer is there; never overwrite it
      const auto seconds =
          std::chrono::duration_cast<std::chrono::seconds>(now - r->started).count();
      Status st = api_->UpdateMessage(r->work.channel, r->reply_ts,
                                      SlackProgressText(r->command, static_cast<int>(seconds)));
      if (!st)
        log_.Warn("slack: progress update in " + r->work.channel + ": " + st.error().message);
    }
    lock.lock();
  }
}

}  // namespace planbot::slack
