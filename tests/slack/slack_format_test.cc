// Answers as Slack mrkdwn: code blocks, previews with attached files, escaping, the size limit.
#include "slack/slack_format.h"

#include <doctest/doctest.h>

using planbot::Error;
using planbot::core::Answer;
using planbot::slack::FormatForSlack;
using planbot::slack::kSlackMaxText;
using planbot::slack::SlackProgressText;
using planbot::slack::SlackReply;
using planbot::slack::SlackWorkingText;

namespace {

const std::string kShortPlan =
    "Seq Scan on public.orders  (cost=0.00..35.50 rows=10 width=4) (actual time=0.010..0.200 "
    "rows=4 loops=1)\n"
    "  Output: id\n"
    "  Filter: ((orders.a < 5) AND (orders.b > 2) AND (orders.c <> 'x & y'))\n"
    "  Rows Removed by Filter: 2546\n";

using planbot::analyzer::Severity;

planbot::analyzer::Tip Tip(Severity severity, const std::string& label,
                           const std::string& message) {
  planbot::analyzer::Tip tip;
  tip.code = "seq_scan_filter";
  tip.severity = severity;
  tip.node = 0;
  tip.node_label = label;
  tip.message = message;
  tip.saving_ms = 1.5;
  return tip;
}

// PostgreSQL's JSON of the plan, as it prints it (the attachment carries it as it is).
const std::string kPlanJson =
    "[\n  {\n    \"Plan\": {\n      \"Node Type\": \"Seq Scan\"\n    }\n  }\n]";

// An explain answer shaped as Service::Finish builds it, with `message` as ChatMessage does.
Answer Explain(const std::string& plan, std::vector<planbot::analyzer::Tip> tips = {}) {
  Answer a;
  a.command = "explain";
  a.database = "shop";
  a.session = "U123";
  a.id = 42;
  a.duration_ms = 15;
  auto analysis = std::make_shared<planbot::analyzer::Analysis>();
  analysis->text = plan;
  analysis->json = kPlanJson;
  analysis->summary.execution_ms = 0.2;
  analysis->summary.planning_ms = 0.05;
  analysis->summary.rows = 4;
  analysis->tips = std::move(tips);
  a.analysis = analysis;
  a.message = "explain · shop · session U123 · history #42 · 15.0 ms\n\n" + plan + "\n" +
              planbot::analyzer::SummaryToText(analysis->summary);
  return a;
}

std::string LongPlan(int lines) {
  std::string plan;
  for (int i = 0; i < lines; ++i) {
    plan += "  ->  Index Scan using t" + std::to_string(i) + "_pkey on t" + std::to_string(i) +
            "  (cost=0.29..8.31 rows=1 width=8) (actual rows=1 loops=1)\n";
  }
  return plan;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("slack_format: a short plan is a code block with no files") {
  SlackReply r = FormatForSlack(Explain(kShortPlan), "explain");
  CAPTURE(r.text);
  CHECK(r.files.empty());
  CHECK(r.text.rfind("*explain* · shop · session U123 · history #42 · 15.0 ms\n```\n", 0) == 0);
  CHECK(Count(r.text, "```") == 2);
  CHECK(Contains(r.text, "Rows Removed by Filter: 2546\n```\n"));
  CHECK(Contains(r.text, "Time: execution 0.200 ms, planning 0.050 ms\nRows: 4"));
  CHECK_FALSE(Contains(r.text, "Tips"));
}

TEST_CASE("slack_format: < > & are escaped in the plan and around it") {
  SlackReply r = FormatForSlack(Explain(kShortPlan), "");
  CHECK(Contains(r.text,
                 "Filter: ((orders.a &lt; 5) AND (orders.b &gt; 2) AND "
                 "(orders.c &lt;&gt; 'x &amp; y'))"));
  CHECK_FALSE(Contains(r.text, "a < 5"));
  CHECK_FALSE(Contains(r.text, "<>"));

  Answer odd = Explain(kShortPlan);
  odd.database = "<!channel>";
  SlackReply pinged = FormatForSlack(odd, "");
  CHECK(Contains(pinged.text, "&lt;!channel&gt;"));
  CHECK_FALSE(Contains(pinged.text, "<!channel>"));

  Answer fence = Explain("Result\n  Output: '```'\n");
  CHECK(Count(FormatForSlack(fence, "").text, "```") == 2);
}

TEST_CASE("slack_format: a long plan is previewed and attached as text and JSON") {
  std::string plan = LongPlan(60);
  Answer a = Explain(plan);
  SlackReply r = FormatForSlack(a, "explain");
  CAPTURE(r.text);
  REQUIRE(r.files.size() == 2);
  CHECK(r.files[0].filename == "plan-42.txt");
  CHECK(r.files[0].content == plan);
  CHECK(r.files[1].filename == "plan-42.json");
  CHECK(r.files[1].content == kPlanJson);  // as PostgreSQL printed it
  CHECK(Contains(r.text, "t0_pkey"));
  CHECK_FALSE(Contains(r.text, "t59_pkey"));
  size_t shown = Count(r.text, "Index Scan");
  CHECK(shown >= 15);
  CHECK(shown <= 25);
  CHECK(Contains(r.text, "\xE2\x80\xA6 " + std::to_string(60 - shown) +
                             " more lines in the attached plan-42.txt\n```"));
  CHECK(Count(r.text, "```") == 2);
  CHECK(Contains(r.text, "Rows: 4"));
  CHECK(r.text.size() <= kSlackMaxText);

  // Long by size alone: few lines, many bytes (escaping counts).
  std::string wide = "Filter: " + std::string(1000, '<') + "\n" + std::string(1000, 'x') + "\n";
  SlackReply w = FormatForSlack(Explain(wide), "");
  CHECK(w.files.size() == 2);
  CHECK(w.text.size() <= kSlackMaxText);

  // 40 lines is not long yet.
  std::string lines;
  for (int i = 0; i < 40; ++i) lines += "  ->  Result  (cost=0.00..0.01 rows=1 width=4)\n";
  CHECK(FormatForSlack(Explain(lines), "").files.empty());
  lines += "Result\n";
  CHECK(FormatForSlack(Explain(lines), "").files.size() == 2);
}

TEST_CASE("slack_format: tips are bullets, escaped, within the limit") {
  std::vector<planbot::analyzer::Tip> tips = {
      Tip(Severity::kHigh, "Seq Scan on orders",
          "Rows Removed by Filter is 99%; try an index on (a) where a < 5"),
      Tip(Severity::kLow, "", "planning took longer than execution")};
  SlackReply r = FormatForSlack(Explain(kShortPlan, tips), "");
  CAPTURE(r.text);
  CHECK(Contains(r.text,
                 "*Tips*\n• [high] Seq Scan on orders: Rows Removed by Filter is 99%; "
                 "try an index on (a) where a &lt; 5\n"
                 "• [low] planning took longer than execution"));
  CHECK_FALSE(Contains(r.text, "- [high]"));  // the plain-text tips of the message are not reused

  std::vector<planbot::analyzer::Tip> many;
  for (int i = 0; i < 100; ++i) {
    many.push_back(Tip(Severity::kMedium, "Sort", std::string(200, 'z')));
  }
  SlackReply capped = FormatForSlack(Explain(kShortPlan, many), "");
  CHECK(capped.text.size() <= kSlackMaxText);
  CHECK(Contains(capped.text, " more tips"));
  CHECK(Count(capped.text, "```") == 2);
}

TEST_CASE("slack_format: errors are one line") {
  Answer a;
  a.command = "explain";
  a.error = Error{planbot::ErrorCode::kTimeout, "canceling statement due to statement timeout", 0,
                  "57014", 0};
  a.message = "error: canceling statement due to statement timeout (SQLSTATE 57014)";
  SlackReply r = FormatForSlack(a, "explain");
  CHECK(r.text == ":x: error: canceling statement due to statement timeout (SQLSTATE 57014)");
  CHECK(r.files.empty());

  Answer syntax;
  syntax.error =
      Error{planbot::ErrorCode::kSyntaxError, "syntax error at or near \"<\"", 10, "42601", 0};
  syntax.notice = "session U123 was restored";
  // As Finish builds it: the caret under the error's byte is a field of its own.
  syntax.caret = "    select 1 < < 2\n             ^";
  syntax.message = "note: session U123 was restored\n" + planbot::core::ErrorToChat(*syntax.error) +
                   "\n" + syntax.caret;
  SlackReply s = FormatForSlack(syntax, "");
  CAPTURE(s.text);
  CHECK(s.text.rfind("_note: session U123 was restored_\n:x: error: syntax error at or near "
                     "\"&lt;\" (at byte 10) (SQLSTATE 42601)\n```\n",
                     0) == 0);
  CHECK(Contains(s.text, "select 1 &lt; &lt; 2\n             ^\n```"));
}

TEST_CASE("slack_format: answers without a plan") {
  Answer exec;
  exec.command = "exec";
  exec.database = "shop";
  exec.session = "U123";
  exec.id = 7;
  exec.duration_ms = 1234;
  exec.text = "CREATE INDEX";
  SlackReply r = FormatForSlack(exec, "");
  CHECK(r.text == "*exec* · shop · session U123 · history #7 · 1.23 s\nCREATE INDEX");
  CHECK(r.files.empty());

  Answer activity = exec;
  activity.command = "activity";
  activity.id = 0;
  activity.text = "pid | state\n123 | active\n";
  SlackReply act = FormatForSlack(activity, "");
  CHECK(act.text ==
        "*activity* · shop · session U123 · 1.23 s\n```\npid | state\n123 | active\n```");

  Answer describe = activity;
  describe.command = "\\dt";
  describe.text = LongPlan(300);
  SlackReply d = FormatForSlack(describe, "");
  CHECK(d.text.size() <= kSlackMaxText);
  REQUIRE(d.files.size() == 1);
  CHECK(d.files[0].filename == "output.txt");
  CHECK(d.files[0].content == describe.text);

  Answer help;
  help.command = "help";
  help.text = "plan SQL\n    shows the plan";
  CHECK(FormatForSlack(help, "").text == "```\nplan SQL\n    shows the plan\n```");
}

TEST_CASE("slack_format: working and progress lines") {
  CHECK(SlackWorkingText("explain · shop") == "*explain · shop* · _working on it_ \xE2\x80\xA6");
  CHECK(SlackProgressText("explain · shop", 20) ==
        "*explain · shop* · _still running, 20 s_ \xE2\x80\xA6");
  CHECK(SlackProgressText("", 125) == "_still running, 2 min 5 s_ \xE2\x80\xA6");
  CHECK(SlackProgressText("a<b", 1) == "*a&lt;b* · _still running, 1 s_ \xE2\x80\xA6");
}
