#include "slack/slack_format.h"

#include <algorithm>

#include "analyzer/human_format.h"

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
// `files` as `name`.txt (and `json` as `name`.json when it is not null).
std::string Block(std::string_view raw, const std::string& name, const nlohmann::json& json,
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
  if (!json.is_null()) files.push_back({name + ".json", name + " (JSON)", json.dump(2)});
  return CodeBlock(preview);
}

std::string Head(const core::Answer& a, const std::string& fallback) {
  if (a.command.empty()) return fallback.empty() ? "" : "*" + EscapeSlack(fallback) + "*";
  std::string head = "*" + EscapeSlack(a.command) + "*";
  if (!a.database.empty()) head += " · " + EscapeSlack(a.database);
  if (!a.session.empty()) head += " · session " + EscapeSlack(a.session);
  if (a.id > 0) head += " · history #" + std::to_string(a.id);
  return head + " · " + analyzer::FormatMillis(a.duration_ms);
}

// The session notice ChatMessage puts first: "note: the clone of session ... was ...".
std::string Notice(const core::Answer& a) {
  if (a.message.rfind("note: ", 0) != 0) return {};
  return a.message.substr(0, a.message.find('\n'));
}

// The summary (and hypothetical index) lines ChatMessage puts between the plan and "Tips:";
// without a message, the times from the summary JSON.
std::string SummaryLines(const core::Answer& a) {
  size_t at = a.plan_text.empty() ? std::string::npos : a.message.find(a.plan_text + "\n");
  if (at != std::string::npos) {
    std::string rest = a.message.substr(at + a.plan_text.size() + 1);
    size_t tips = rest.rfind("Tips:\n", 0) == 0 ? 0 : rest.find("\nTips:\n");
    if (tips != std::string::npos) rest.erase(tips == 0 ? 0 : tips + 1);
    return rest;
  }
  std::string text;
  for (const char* key : {"execution_time", "planning_time"}) {
    if (a.summary.is_object() && a.summary.contains(key) && a.summary[key].is_object()) {
      text += std::string(key) == "execution_time" ? "Execution: " : "Planning: ";
      text += a.summary[key].value("human", "") + "\n";
    }
  }
  return text;
}

std::string Tip(const nlohmann::json& tip) {
  std::string line = "• [" + EscapeSlack(tip.value("severity", "")) + "] ";
  if (tip.contains("node_label") && tip["node_label"].is_string()) {
    std::string label = tip["node_label"].get<std::string>();
    if (!label.empty()) line += EscapeSlack(label) + ": ";
  }
  return line + EscapeSlack(tip.value("message", "")) + "\n";
}

// Tips that fit in `room` bytes, and a line counting the ones that did not.
std::string Tips(const nlohmann::json& tips, size_t room) {
  if (!tips.is_array() || tips.empty()) return {};
  std::string out = "*Tips*\n";
  size_t given = 0;
  for (const nlohmann::json& tip : tips) {
    if (!tip.is_object()) continue;
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
    // The caret under a syntax error, as ChatMessage adds it.
    size_t at = answer.message.find(line);
    if (at != std::string::npos && at + line.size() < answer.message.size()) {
      std::string caret = answer.message.substr(at + line.size());
      while (!caret.empty() && caret.front() == '\n') caret.erase(0, 1);
      if (!caret.empty()) text += CodeBlock(EscapeCode(caret));
    }
    reply.text = Limit(text);
    return reply;
  }
  std::string suffix = answer.id > 0 ? "-" + std::to_string(answer.id) : "";
  if (answer.command == "help") {
    reply.text = Limit(CodeBlock(EscapeCode(answer.text)));
    return reply;
  }
  std::string text = Join(Head(answer, command_line_head), notice);
  if (answer.plan_json.is_null()) {
    if (answer.text.find('\n') == std::string::npos) {
      text += EscapeSlack(answer.text);
    } else {
      text += Block(answer.text, "output" + suffix, nullptr, reply.files);
    }
    reply.text = Limit(text);
    return reply;
  }
  text += Block(answer.plan_text, "plan" + suffix, answer.plan_json, reply.files);
  text += EscapeSlack(SummaryLines(answer));
  if (!text.empty() && text.back() != '\n') text += "\n";
  size_t room = kSlackMaxText > text.size() ? kSlackMaxText - text.size() : 0;
  text += Tips(answer.tips, room);
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
