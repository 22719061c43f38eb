// The purge/redact filters from chat words and JSON bodies, resolved against a fixed "now";
// the redactor and the history table of `history [N]`.
#include "history/history_filter.h"

#include <doctest/doctest.h>

#include <chrono>

#include "history/history_admin.h"
#include "history/history_view.h"
#include "tests/result_testing.h"

using namespace planbot;
using history::FilterSpec;

namespace {

// 2026-11-23T10:00:00Z
const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1795428000));

storage::HistoryFilter Resolve(const std::string& words) {
  auto spec = history::ParseFilterWords(words);
  REQUIRE_MESSAGE(spec.ok(), planbot::testing::ErrorText(spec));
  auto f = history::ResolveFilter(*spec, kNow);
  REQUIRE_MESSAGE(f.ok(), planbot::testing::ErrorText(f));
  return *f;
}

std::string Refusal(const std::string& words) {
  auto spec = history::ParseFilterWords(words);
  if (!spec) return spec.error().message;
  auto f = history::ResolveFilter(*spec, kNow);
  REQUIRE_FALSE(f.ok());
  CHECK(f.error().code == "bad_request");
  return f.error().message;
}

}  // namespace

TEST_CASE("filters from chat words: values, --flag=value, ids, durations and times") {
  auto f = Resolve("--user alice --session s1 --fingerprint abc --database shop");
  CHECK(f.user == "alice");
  CHECK(f.session == "s1");
  CHECK(f.fingerprint == "abc");
  CHECK(f.database == "shop");
  CHECK_FALSE(f.all);

  CHECK(Resolve("--before 30d").before == "2026-10-24T10:00:00.000Z");
  CHECK(Resolve("--before=12h").before == "2026-11-22T22:00:00.000Z");
  CHECK(Resolve("--before 2026-11-01").before == "2026-11-01");
  CHECK(Resolve("--before 2026-11-01T12:30:00Z").before == "2026-11-01T12:30:00Z");
  CHECK(Resolve("--before 2026-11-01T12:30:00").before == "2026-11-01T12:30:00Z");
  CHECK(Resolve("--id 3,4 --id 9").ids == std::vector<int64_t>{3, 4, 9});
  CHECK(Resolve("--all").all);
}

TEST_CASE("filters refused: none, --all with others, bad values, unknown words") {
  CHECK(Refusal("").find("--all") != std::string::npos);
  CHECK(Refusal("--all --user bob").find("cannot be combined") != std::string::npos);
  CHECK(Refusal("--id 0").find("positive") != std::string::npos);
  CHECK(Refusal("--id 3,x").find("\"x\"") != std::string::npos);
  CHECK(Refusal("--id 3,").find("positive") != std::string::npos);
  CHECK(Refusal("--before soon").find("duration") != std::string::npos);
  CHECK(Refusal("--colour red").find("unknown filter --colour") != std::string::npos);
  CHECK(Refusal("alice").find("unexpected \"alice\"") != std::string::npos);
  CHECK(Refusal("--user").find("--user needs a value") != std::string::npos);
  CHECK(Refusal("--user a --user b").find("twice") != std::string::npos);
}

TEST_CASE("filters from a JSON body") {
  auto spec = history::FilterSpecFromJson(
      nlohmann::json{{"user", "alice"}, {"id", {1, "2,3"}}, {"before", "1d"}});
  REQUIRE(spec.ok());
  auto f = history::ResolveFilter(*spec, kNow);
  REQUIRE(f.ok());
  CHECK(f->user == "alice");
  CHECK(f->ids == std::vector<int64_t>{1, 2, 3});
  CHECK(f->before == "2026-11-22T10:00:00.000Z");
  CHECK(history::FilterToJson(*f) == nlohmann::json{{"user", "alice"},
                                                    {"id", {1, 2, 3}},
                                                    {"before", "2026-11-22T10:00:00.000Z"}});
  CHECK(history::FilterSpecFromJson(nlohmann::json{{"id", 5}})->ids ==
        std::vector<std::string>{"5"});
  CHECK_FALSE(history::FilterSpecFromJson(nlohmann::json::array()).ok());
  CHECK_FALSE(history::FilterSpecFromJson(nlohmann::json{{"all", "yes"}}).ok());
  CHECK_FALSE(history::FilterSpecFromJson(nlohmann::json{{"user", 7}}).ok());
  auto unknown = history::FilterSpecFromJson(nlohmann::json{{"users", "x"}});
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().message.find("\"users\"") != std::string::npos);
}

TEST_CASE(
    "history::RedactEntry: raw SQL gone, literals masked in text, JSON and tips; figures kept") {
  storage::HistoryEntry e;
  e.query_text = "select * from t where note = 'secret-77'";
  e.plan_json = R"j([{"Plan": {"Node Type": "Seq Scan", "Relation Name": "t", "Alias": "t",
      "Startup Cost": 0.00, "Total Cost": 35.50, "Plan Rows": 7, "Plan Width": 36,
      "Filter": "(note = 'secret-77'::text)"}}])j";
  e.plan_text =
      "Seq Scan on t  (cost=0.00..35.50 rows=7 width=36)\n  Filter: (note = 'secret-77'::text)\n";
  e.summary_json = R"({"planning_time":{"ms":0.1}})";
  e.tips_json = R"([{"message": "Filter (note = 'secret-77'::text) removes ..."}])";
  e.execution_ms = 1.25;
  e.error_code = "";
  REQUIRE(history::RedactEntry(e).ok());
  CHECK_FALSE(e.query_text.has_value());
  CHECK(e.plan_json->find("secret-77") == std::string::npos);
  CHECK(e.plan_text ==
        "Seq Scan on t  (cost=0.00..35.50 rows=7 width=36)\n  Filter: (note = $1::text)\n");
  CHECK(e.tips_json->find("secret-77") == std::string::npos);
  CHECK(e.summary_json == R"({"planning_time":{"ms":0.1}})");
  CHECK(e.execution_ms == 1.25);

  storage::HistoryEntry broken;
  broken.query_text = "selec 'secret'";
  broken.plan_json = "not json 'secret'";
  broken.plan_text = "'secret'";
  broken.error_code = "syntax_error";
  broken.error_message = "syntax error at or near \"'secret'\"";
  REQUIRE(history::RedactEntry(broken).ok());
  CHECK_FALSE(broken.plan_json.has_value());  // dropped rather than kept unmasked
  CHECK_FALSE(broken.plan_text.has_value());
  CHECK(broken.error_message == "syntax error");
}

TEST_CASE("history table: one line per entry, query on one line and shortened") {
  storage::HistoryEntry a;
  a.id = 12;
  a.created_at = "2026-11-23T10:01:02.345Z";
  a.command = "explain";
  a.execution_ms = 4.2;
  a.outcome = "ok";
  a.normalized = "select *\n  from orders\n where id = $1";
  storage::HistoryEntry b = a;
  b.id = 11;
  b.command = "plan";
  b.execution_ms.reset();
  b.outcome = "timeout";
  b.normalized = "select " + std::string(200, 'x');
  std::string table = history::HistoryTable({a, b});
  CHECK(table.find(
            "#12  2026-11-23 10:01:02  explain  4.20 ms  select * from orders where id = $1\n") ==
        0);
  CHECK(table.find("#11  2026-11-23 10:01:02  plan (timeout)  —  select xxx") != std::string::npos);
  CHECK(table.find(std::string(150, 'x')) == std::string::npos);
  CHECK(history::HistoryTable({}) == "no history entries yet");
}

TEST_CASE("history table: exec with its duration, refusals with their code and normalized text") {
  storage::HistoryEntry exec;
  exec.id = 7;
  exec.created_at = "2026-11-23T10:01:02.345Z";
  exec.command = "exec";
  exec.outcome = "ok";
  exec.duration_ms = 92.3;
  exec.normalized = "create index on orders (customer_id)";
  storage::HistoryEntry several = exec;
  several.id = 8;
  several.command = "plan";
  several.outcome = "refused";
  several.error_code = "multiple_statements";
  several.normalized = "select $1; select $2";
  storage::HistoryEntry broken = several;
  broken.id = 9;
  broken.error_code = "syntax_error";
  broken.normalized.clear();
  const std::string table = history::HistoryTable({broken, several, exec});
  CHECK(table ==
        "#9  2026-11-23 10:01:02  plan (refused: syntax_error)  —  (did not parse)\n"
        "#8  2026-11-23 10:01:02  plan (refused: multiple_statements)  —  select $1; select $2\n"
        "#7  2026-11-23 10:01:02  exec  92.3 ms  create index on orders (customer_id)\n");
}
