#include "slack/slack_format.h"

#include <algorithm>

#include "analyzer/human_format.h"
#include "core/command.h"

namespace planbot::slack {
namespace {

constexpr size_t kLongLines = 40;       // a plan longer than this is attached
constexpr size_t kLongChars = 2500;     // ... or one whose escaped text is longer than this
constexpr size_t kPreviewLines = 25;    // what the message shows of a long plan
constexpr size_t kPreviewChars = 2200;  // (escaped bytes)
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  if (text.empty()) return lines;
  size_t start = 0;
  for (size_t nl = text.find('\n'); nl != std::string_view::npos; nl = text.find('\n', start)) {
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  lines.push_back(text.substr(start));
  return lines;
}

// Escaped for a code block, which a "```" inside would end early.
std::string EscapeCode(std::string_view text) {
  std::string out = EscapeSlack(text);
  for (size_t at = out.find("```"); at != std::string::npos; at = out.find("```", at)) {
    out.insert(at + 2, "\xE2\x80\x8B");  // zero-width space
  }
  return out;
}

std::string CodeBlock(std::string escaped) {
  while (!escaped.empty() && escaped.back() == '\n') escaped.pop_back();
  return "```\n" + escaped + "\n```\n";
}

// `raw` in a code block, or a preview of it when it is long; the whole of it then goes into
// `files` as `name`.txt (and `json`, PostgreSQL's JSON as it printed it, as `name`.json when it
// is not empty).
std::string Block(std::string_view raw, const std::string& name, std::string_view json,
                  std::vector<SlackFile>& files) {
  std::vector<std::string_view> lines = Lines(raw);
  std::string whole = EscapeCode(raw);
  if (lines.size() <= kLongLines && whole.size() <= kLongChars) return CodeBlock(whole);
  std::string preview;
  size_t shown = 0;
  for (; shown < lines.size() && shown < kPreviewLines; ++shown) {
    std::string line = EscapeCode(lines[shown]);
    if (preview.size() + line.size() + 1 > kPreviewChars) break;
    preview += line + "\n";
  }
  preview += std::string(kEllipsis) + " " + std::to_string(lines.size() - shown) +
             " more lines in the attached " + EscapeSlack(name) + ".txt";
  files.push_back({name + ".txt", name + " (text)", std::string(raw)});
  if (!json.empty()) files.push_back({name + ".json", name + " (JSON)", std::string(json)});
  return CodeBlock(preview);
}

std::string Head(const core::Answer& a, const std::string& fallback) {
  if (a.command.empty()) return fallback.empty() ? "" : "*" + EscapeSlack(fallback) + "*";
  std::string head = "*" + EscapeSlack(a.command) + "*";
  if (!a.database.empty()) head += " · " + EscapeSlack(a.database);
  if (!a.session.empty()) head += " · session " + EscapeSlack(a.session);
  if (a.id > 0) {
    // With web.public_url, the entry's number links to its page (a URL the config validated:
    // no space, quote, angle bracket or bar to break Slack's <url|text>).
    head += a.url.empty() ? " · history #" + std::to_string(a.id)
                          : " · <" + a.url + "|history #" + std::to_string(a.id) + ">";
  }
  return head + " · " + analyzer::FormatMillis(a.duration_ms);
}

// The session notice the chat message opens with: "note: the clone of session ... was ...".
std::string Notice(const core::Answer& a) { return a.notice.empty() ? "" : "note: " + a.notice; }

// The summary and the hypothetical indexes the plan uses, as the chat message shows them.
std::string SummaryLines(const analyzer::Analysis& a) {
  std::string text = analyzer::SummaryToText(a.summary);
  for (const std::string& name : a.hypothetical_indexes) {
    text +=
        "Uses hypothetical index " + name + "; build it for real with `exec create index ...`\n";
  }
  return text;
}

std::string Tip(const analyzer::Tip& tip) {
  std::string line = "• [" + EscapeSlack(analyzer::SeverityName(tip.severity)) + "] ";
  if (tip.estimate_based) line += "(estimated) ";
  if (!tip.node_label.empty() && !tip.message.starts_with(tip.node_label)) {
    line += EscapeSlack(tip.node_label) + ": ";
  }
  line += EscapeSlack(tip.message) + "\n";
  if (tip.fix && tip.fix->verified) {
    line += "    _" + EscapeSlack(analyzer::VerificationLine(*tip.fix->verified)) + "_\n";
  }
  return line;
}

// Tips that fit in `room` bytes, and a line counting the ones that did not.
std::string Tips(const std::vector<analyzer::Tip>& tips, size_t room) {
  if (tips.empty()) return {};
  std::string out = "*Tips*\n";
  size_t given = 0;
  for (const analyzer::Tip& tip : tips) {
    std::string line = Tip(tip);
    if (out.size() + line.size() + 40 > room) break;
    out += line;
    ++given;
  }
  if (given < tips.size()) {
    out += std::string(kEllipsis) + " " + std::to_string(tips.size() - given) + " more tips\n";
  }
  return given == 0 ? std::string() : out;
}

// Cut to kSlackMaxText at a character boundary, closing a code block left open.
std::string Limit(std::string text) {
  while (!text.empty() && text.back() == '\n') text.pop_back();
  if (text.size() <= kSlackMaxText) return text;
  size_t cut = kSlackMaxText - 16;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  // An entity cut in half would show as text.
  size_t amp = text.rfind('&');
  if (amp != std::string::npos && text.find(';', amp) == std::string::npos) text.resize(amp);
  text += kEllipsis;
  size_t fences = 0;
  for (size_t at = text.find("```"); at != std::string::npos; at = text.find("```", at + 3)) {
    ++fences;
  }
  if (fences % 2 == 1) text += "\n```";
  return text;
}

std::string Join(const std::string& head, const std::string& notice) {
  std::string out = head.empty() ? "" : head + "\n";
  if (!notice.empty()) out += "_" + EscapeSlack(notice) + "_\n";
  return out;
}

}  // namespace

std::string EscapeSlack(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

SlackReply FormatForSlack(const core::Answer& answer, const std::string& command_line_head) {
  SlackReply reply;
  std::string notice = Notice(answer);
  if (answer.error) {
    std::string line = core::ErrorToChat(*answer.error);
    std::string text = Join("", notice) + ":x: " + EscapeSlack(line) + "\n";
    if (!answer.caret.empty()) text += CodeBlock(EscapeCode(answer.caret));
    reply.text = Limit(text);
    return reply;
  }
  std::string suffix = answer.id > 0 ? "-" + std::to_string(answer.id) : "";
  if (const core::CommandSpec* spec = core::FindCommand(answer.command);
      spec != nullptr && spec->id == core::CommandId::kHelp) {
    reply.text = Limit(CodeBlock(EscapeCode(answer.text)));
    return reply;
  }
  std::string text = Join(Head(answer, command_line_head), notice);
  if (!answer.analysis) {
    if (answer.text.find('\n') == std::string::npos) {
      text += EscapeSlack(answer.text);
    } else {
      text += Block(answer.text, "output" + suffix, "", reply.files);
    }
    reply.text = Limit(text);
    return reply;
  }
  const analyzer::Analysis& a = *answer.analysis;
  text += Block(a.text, "plan" + suffix, a.json, reply.files);
  text += EscapeSlack(SummaryLines(a));
  if (!text.empty() && text.back() != '\n') text += "\n";
  size_t room = kSlackMaxText > text.size() ? kSlackMaxText - text.size() : 0;
  text += Tips(a.tips, room);
  reply.text = Limit(text);
  return reply;
}

std::string SlackProgressText(const std::string& command_head, int seconds) {
  std::string elapsed =
      seconds >= 120 ? std::to_string(seconds / 60) + " min " + std::to_string(seconds % 60) + " s"
                     : std::to_string(std::max(seconds, 0)) + " s";
  std::string head = command_head.empty() ? "" : "*" + EscapeSlack(command_head) + "* · ";
  return head + "_still running, " + elapsed + "_ " + std::string(kEllipsis);
}

std::string SlackWorkingText(const std::string& command_head) {
  std::string head = command_head.empty() ? "" : "*" + EscapeSlack(command_head) + "* · ";
  return head + "_working on it_ " + std::string(kEllipsis);
}

}  // namespace planbot::slack
