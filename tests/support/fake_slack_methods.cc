// FakeSlack, the Web API methods (see tests/support/fake_slack.h). All run with mu_ held.
#include <cstdio>

#include "tests/support/fake_slack.h"

namespace planbot::testing {
namespace {

using Json = nlohmann::json;

Json Error(const std::string& error) { return {{"ok", false}, {"error", error}}; }

std::string Str(const Json& args, const char* key) {
  auto it = args.find(key);
  return it != args.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A form field holds a number as text, a JSON body as a number; -1 when neither.
long long Number(const Json& args, const char* key) {
  auto it = args.find(key);
  if (it == args.end()) return -1;
  if (it->is_number_integer()) return it->get<long long>();
  if (it->is_string()) {
    try {
      size_t used = 0;
      long long n = std::stoll(it->get<std::string>(), &used);
      return used == it->get<std::string>().size() ? n : -1;
    } catch (const std::exception&) {
      return -1;
    }
  }
  return -1;
}

}  // namespace

std::string FakeSlack::NextTs() {
  const long long micros = 100LL * ++next_ts_;
  char ts[32];
  std::snprintf(ts, sizeof ts, "%lld.%06lld", 1700000000LL + micros / 1000000, micros % 1000000);
  return ts;
}

nlohmann::json FakeSlack::Dispatch(const std::string& method, const Json& args) {
  if (method == "auth.test") {
    return {{"ok", true},          {"url", "https://fake.slack.com/"},
            {"team", "Fake"},      {"user", "planbot"},
            {"team_id", "T0FAKE"}, {"user_id", options_.bot_user_id},
            {"bot_id", "B0BOT"}};
  }
  if (method == "chat.postMessage") return PostMessage(args);
  if (method == "chat.update") return Update(args);
  if (method == "chat.postEphemeral") {
    if (Str(args, "channel").empty()) return Error("channel_not_found");
    if (Str(args, "user").empty()) return Error("user_not_in_channel");
    if (Str(args, "text").empty()) return Error("no_text");
    return {{"ok", true}, {"message_ts", NextTs()}};
  }
  if (method == "reactions.add") return React(args, /*add=*/true);
  if (method == "reactions.remove") return React(args, /*add=*/false);
  if (method == "files.getUploadURLExternal") return GetUploadUrl(args);
  if (method == "files.completeUploadExternal") return CompleteUpload(args);
  return Error("unknown_method");
}

nlohmann::json FakeSlack::PostMessage(const Json& args) {
  const std::string channel = Str(args, "channel");
  if (channel.empty()) return Error("channel_not_found");
  if (Str(args, "text").empty() && !args.contains("blocks")) return Error("no_text");
  const std::string thread_ts = Str(args, "thread_ts");
  const std::string ts = NextTs();
  messages_[ts] = Message{channel, thread_ts, Str(args, "text")};
  return {{"ok", true},
          {"channel", channel},
          {"ts", ts},
          {"message", {{"type", "message"}, {"text", Str(args, "text")}, {"ts", ts}}}};
}

nlohmann::json FakeSlack::Update(const Json& args) {
  const std::string channel = Str(args, "channel");
  auto it = messages_.find(Str(args, "ts"));
  if (channel.empty()) return Error("channel_not_found");
  if (it == messages_.end() || it->second.channel != channel) return Error("message_not_found");
  it->second.text = Str(args, "text");
  return {{"ok", true}, {"channel", channel}, {"ts", it->first}, {"text", it->second.text}};
}

nlohmann::json FakeSlack::React(const Json& args, bool add) {
  const std::string channel = Str(args, "channel");
  const std::string ts = Str(args, "timestamp");
  const std::string name = Str(args, "name");
  if (channel.empty()) return Error("channel_not_found");
  auto message = messages_.find(ts);
  if (message == messages_.end() || message->second.channel != channel) {
    return Error("message_not_found");
  }
  if (name.empty() || name.front() == ':') return Error("invalid_name");
  auto key = std::make_tuple(channel, ts, name);
  if (add && !reactions_.insert(key).second) return Error("already_reacted");
  if (!add && reactions_.erase(key) == 0) return Error("no_reaction");
  return {{"ok", true}};
}

nlohmann::json FakeSlack::GetUploadUrl(const Json& args) {
  const std::string filename = Str(args, "filename");
  const long long length = Number(args, "length");
  if (filename.empty() || length < 0) return Error("invalid_arguments");
  char id[16];
  std::snprintf(id, sizeof id, "F%010d", ++next_file_);
  UploadedFile file;
  file.filename = filename;
  file.length = static_cast<size_t>(length);
  files_[id] = file;
  return {{"ok", true}, {"upload_url", url() + "/upload/" + id}, {"file_id", id}};
}

nlohmann::json FakeSlack::CompleteUpload(const Json& args) {
  Json files = args.contains("files") ? args["files"] : Json();
  if (files.is_string()) files = Json::parse(files.get<std::string>(), nullptr, false);
  if (!files.is_array() || files.empty()) return Error("invalid_arguments");
  const std::string channel = Str(args, "channel_id");
  const std::string thread_ts = Str(args, "thread_ts");
  Json done = Json::array();
  for (const Json& entry : files) {
    const std::string id = entry.is_object() ? Str(entry, "id") : std::string();
    auto it = files_.find(id);
    if (it == files_.end() || it->second.bytes.size() != it->second.length) {
      return Error("file_not_found");
    }
    it->second.completed = true;
    it->second.title = Str(entry, "title");
    it->second.channel_id = channel;
    it->second.thread_ts = thread_ts;
    done.push_back({{"id", id}, {"title", it->second.title}});
  }
  return {{"ok", true}, {"files", done}};
}

}  // namespace planbot::testing
