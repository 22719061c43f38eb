// Answers as Slack messages (mrkdwn, ../shared/contracts/slack.md): a bold head line, the plan
// in a ``` code block, the summary, tips as bullets; errors as one ":x: error: ..." line.
//
// Slack requires `&`, `<` and `>` escaped everywhere in message text, code blocks included;
// escaping also keeps text that came from users or plans from becoming a link or an
// `<!channel>` ping. Long plans are previewed in the message and attached whole as
// plan-<id>.txt and plan-<id>.json (files are raw bytes, not mrkdwn, so they are not escaped);
// long outputs of other commands are attached as output-<id>.txt.
//
// Everything comes from the answer's typed fields (its analysis, notice, error); only the caret
// under an error is taken from Answer::message, where the core puts it.
//
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/answer.h"
#include "slack/slack_api.h"

namespace planbot::slack {

// Slack keeps messages short; the text of a reply stays within this many bytes.
inline constexpr size_t kSlackMaxText = 3500;

struct SlackReply {
  std::string text;              // mrkdwn, at most kSlackMaxText bytes
  std::vector<SlackFile> files;  // to upload into the same thread; empty for short answers
};

// `&` → `&amp;`, `<` → `&lt;`, `>` → `&gt;`.
std::string EscapeSlack(std::string_view text);

// The reply for `answer`. `command_line_head` is the head shown when the answer names no
// command (it failed before one was parsed), e.g. "explain"; it may be empty.
SlackReply FormatForSlack(const core::Answer& answer, const std::string& command_line_head);

// Shown (chat.update of the working message) while a command runs: "*explain · shop* ·
// _still running, 20 s_ …".
std::string SlackProgressText(const std::string& command_head, int seconds);

// The first message for a command that will take a while: "*explain · shop* · _working on it_ …".
std::string SlackWorkingText(const std::string& command_head);

}  // namespace planbot::slack
