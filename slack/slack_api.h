// SlackApi: the part of Slack's Web API the bot core uses (../shared/contracts/slack.md), as a
// port. adapters/slack/slack_client.h implements it over cpp-httplib against a configurable base
// URL (https://slack.com/api in production, a fake on loopback in tests).
//
// Failures are values:
//   "slack_error"        Slack answered {"ok": false, "error": E}; the message holds E
//                        (e.g. "channel_not_found"), never the token
//   "slack_unavailable"  no answer, a timeout, HTTP 5xx, or 429 past the retry budget
//   "refused"            a URL planbot will not send to (response_url / file URL off Slack's hosts)
//
// Thread-safety: implementations are called from several threads at once.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"

namespace planbot::slack {

struct SlackFile {
  std::string filename;  // e.g. "plan-42.txt"
  std::string title;     // shown in Slack
  std::string content;   // the bytes
};

class SlackApi {
 public:
  virtual ~SlackApi() = default;

  // auth.test: the bot's own user id (e.g. "U0BOT"), to recognize mentions and its own messages.
  virtual Result<std::string> AuthTest() = 0;
  // chat.postMessage (mrkdwn text), in the thread of `thread_ts` unless it is empty: the new ts.
  virtual Result<std::string> PostMessage(const std::string& channel, const std::string& thread_ts,
                                          const std::string& text) = 0;
  // chat.update of the message `ts`.
  virtual Status UpdateMessage(const std::string& channel, const std::string& ts,
                               const std::string& text) = 0;
  // chat.postEphemeral: visible to `user` only.
  virtual Status PostEphemeral(const std::string& channel, const std::string& user,
                               const std::string& text) = 0;
  // reactions.add / reactions.remove (`name` without colons, e.g. "hourglass_flowing_sand").
  // "already_reacted" and "no_reaction" count as success.
  virtual Status AddReaction(const std::string& channel, const std::string& ts,
                             const std::string& name) = 0;
  virtual Status RemoveReaction(const std::string& channel, const std::string& ts,
                                const std::string& name) = 0;
  // The current upload flow, per file: files.getUploadURLExternal (filename, length) → upload_url
  // and file_id; POST the bytes to upload_url; then one files.completeUploadExternal with every
  // file_id and title, channel_id and thread_ts.
  virtual Status UploadFiles(const std::string& channel, const std::string& thread_ts,
                             const std::vector<SlackFile>& files) = 0;
  // POST {"response_type": "ephemeral"|"in_channel", "text": ...} to a slash command's
  // response_url (only https://hooks.slack.com/... or an extra host allowed in the
  // adapter's options, e.g. a test's fake). The bot token is never sent there.
  virtual Status Respond(const std::string& response_url, const std::string& text,
                         bool ephemeral) = 0;
  // GET a file's url_private_download with the bot token (only files.slack.com or an extra
  // allowed host), at most `max_bytes`: a snippet attached to a message.
  virtual Result<std::string> DownloadFile(const std::string& url, size_t max_bytes) = 0;
};

}  // namespace planbot::slack
