// Fuzz target: what Slack (or someone pretending to be Slack) sends. The first byte picks the
// entry point, the rest is the payload:
//   'e'  a raw Events API body → SlackBot::OnEvent (envelope, event, mention, text, snippet),
//        delivered twice: the second delivery must be acknowledged and dropped;
//   'c'  a slash command's form body → DecodeForm → SlackBot::OnCommand;
//   't'  message text → UnescapeSlack, StripCodeFormatting, ExtractCommand;
//   's'  a request body and a signature header (split at the first NUL) → VerifySlackRequest:
//        the signature Slack would compute is accepted, any other one refused.
// The bot is not started: accepted work is recorded (in memory here) and queued, not run.
#include <openssl/hmac.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "adapters/http/http_slack.h"
#include "adapters/slack/slack_verify.h"
#include "slack/slack_bot.h"
#include "slack/slack_text.h"
#include "tests/fuzz/fuzz_support.h"

using namespace planbot;

namespace {

// ChatDeliveryStore's contract in memory: an id or alias seen before is a duplicate.
class MemoryDeliveries : public storage::ChatDeliveryStore {
 public:
  Result<bool> RecordSlackEvent(const std::string& event_id, const std::string& work,
                                const std::string& alias) override {
    if (seen_.count(event_id) || (!alias.empty() && seen_.count("alias:" + alias))) return false;
    seen_.insert(event_id);
    if (!alias.empty()) seen_.insert("alias:" + alias);
    fuzz::Check(!work.empty(), "recorded work is not empty");
    ++recorded;
    return true;
  }
  Status FinishSlackEvent(const std::string&) override { return Ok{}; }
  Result<std::vector<storage::SlackEventRecord>> PendingSlackEvents() override {
    return std::vector<storage::SlackEventRecord>{};
  }
  int recorded = 0;

 private:
  std::set<std::string> seen_;
};

// Never called while the bot is not started; every method refuses.
class NoSlackApi : public slack::SlackApi {
 public:
  Result<std::string> AuthTest() override { return Refuse(); }
  Result<std::string> PostMessage(const std::string&, const std::string&,
                                  const std::string&) override {
    return Refuse();
  }
  Status UpdateMessage(const std::string&, const std::string&, const std::string&) override {
    return Refuse();
  }
  Status PostEphemeral(const std::string&, const std::string&, const std::string&) override {
    return Refuse();
  }
  Status AddReaction(const std::string&, const std::string&, const std::string&) override {
    return Refuse();
  }
  Status RemoveReaction(const std::string&, const std::string&, const std::string&) override {
    return Refuse();
  }
  Status UploadFiles(const std::string&, const std::string&,
                     const std::vector<slack::SlackFile>&) override {
    return Refuse();
  }
  Status Respond(const std::string&, const std::string&, bool) override { return Refuse(); }
  Result<std::string> DownloadFile(const std::string&, size_t) override { return Refuse(); }

 private:
  static Error Refuse() { fuzz::Fail("the Slack API is not called before Start", ""); }
};

slack::SlackBotOptions Options() {
  slack::SlackBotOptions options;
  options.config.enabled = true;
  options.io_threads = 1;
  return options;
}

void Events(const std::string& body) {
  MemoryDeliveries store;
  NoSlackApi api;
  slack::SlackBot bot(Options(), &api, &store, nullptr, Logger());
  const slack::SlackAck first = bot.OnEvent(body, 0);
  fuzz::Check(first.status == 200 || first.status == 400, "an event is answered 200 or 400",
              std::to_string(first.status));
  fuzz::Check(bot.pending() == static_cast<size_t>(store.recorded),
              "work is queued exactly when it is recorded");
  const slack::SlackAck again = bot.OnEvent(body, 1);
  fuzz::Check(again.status == first.status, "a redelivery is answered alike");
  fuzz::Check(bot.pending() == static_cast<size_t>(store.recorded) && store.recorded <= 1,
              "a redelivered event runs once");
}

void Command(const std::string& body) {
  MemoryDeliveries store;
  NoSlackApi api;
  slack::SlackBot bot(Options(), &api, &store, nullptr, Logger());
  const std::map<std::string, std::string> form = adapters::DecodeForm(body);
  const slack::SlackAck ack = bot.OnCommand(form);
  fuzz::Check(ack.status == 200 || ack.status == 400, "a command is answered 200 or 400");
  if (ack.status == 200 && ack.content_type == "application/json") {
    fuzz::Check(!nlohmann::json::parse(ack.body, nullptr, false).is_discarded(),
                "the acknowledgement is JSON", ack.body);
  }
}

void Text(const std::string& text) {
  (void)slack::UnescapeSlack(text);
  (void)slack::StripCodeFormatting(text);
  slack::SlackMessageIn m;
  m.type = "message";
  m.channel = "C1";
  m.user = "U1";
  m.ts = "1700000000.000100";
  m.text = text;
  static const std::set<std::string> words = {"plan", "explain", "help", "history", "\\d"};
  const slack::SlackCommandText command = slack::ExtractCommand(m, "U0BOT", words);
  if (command.intent == slack::SlackIntent::kCommand && text.rfind("<@U0BOT>", 0) == 0) {
    // The leading mention is not part of the command (an empty one is answered
    // "missing_text"; a second mention stays, and is answered "unknown_command").
    fuzz::Check(command.text.size() < text.size(), "the mention is cut off the command",
                command.text);
  }
}

std::string Hex(const unsigned char* bytes, unsigned int n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < n; ++i) {
    out += digits[bytes[i] >> 4];
    out += digits[bytes[i] & 15];
  }
  return out;
}

void Signature(const std::string& input) {
  const auto f = fuzz::Fields(input, 2);
  const std::string& body = f[0];
  const std::string& header = f[1];
  const std::string secret = "8f742231b10e8888abcd99yyyzzz85a5";
  const auto now = std::chrono::system_clock::now();
  const std::string ts = std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
  const std::string base = "v0:" + ts + ":" + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(base.data()), base.size(), mac, &mac_len);
  const std::string good = "v0=" + Hex(mac, mac_len);

  fuzz::Check(adapters::VerifySlackRequest(secret, ts, good, body, now).ok(),
              "Slack's own signature is accepted", body);
  fuzz::Check(adapters::VerifySlackRequest(secret, ts, header, body, now).ok() == (header == good),
              "any other signature is refused", header);
  std::string flipped = good;
  flipped[3 + (body.size() % 64)] ^= 1;
  fuzz::Check(!adapters::VerifySlackRequest(secret, ts, flipped, body, now).ok(),
              "a signature one bit off is refused", flipped);
  fuzz::Check(!adapters::VerifySlackRequest(secret, ts, good, body + "x", now).ok(),
              "a changed body is refused", body);
  const std::string stale = std::to_string(std::stoll(ts) - 301);
  fuzz::Check(!adapters::VerifySlackRequest(secret, stale, good, body, now).ok(),
              "a stale timestamp is refused", stale);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string rest(fuzz::AsText(data + 1, size - 1));
  switch (data[0]) {
    case 'e':
      Events(rest);
      break;
    case 'c':
      Command(rest);
      break;
    case 't':
      Text(rest);
      break;
    case 's':
      Signature(rest);
      break;
    default:
      break;
  }
  return 0;
}
