// What a platform team runs planbot with (issue 16), end to end in process: GET /metrics scraped
// and checked against Prometheus' text format, the X-Request-Id of an answer found in its audit
// entry, /readyz failing while the service drains, and every error body with its top-level
// `message`.
#include <doctest/doctest.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/pg_test_env.h"
#include "tests/support/service_stack.h"

using nlohmann::json;
using namespace planbot;

namespace {

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct Exposition {
  std::vector<Sample> samples;
  std::map<std::string, std::string> types;  // family -> counter, gauge, histogram, ...
  std::set<std::string> helped;

  // The value of the sample with this name and exactly these labels; -1 when absent.
  double Value(const std::string& name, const std::map<std::string, std::string>& labels) const {
    for (const Sample& s : samples) {
      if (s.name == name && s.labels == labels) return s.value;
    }
    return -1;
  }
};

// The family a sample belongs to: a histogram's _bucket, _sum and _count are its own.
std::string Family(const std::string& name, const std::map<std::string, std::string>& types) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    const std::string s = suffix;
    if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
      const std::string base = name.substr(0, name.size() - s.size());
      auto it = types.find(base);
      if (it != types.end() && (it->second == "histogram" || it->second == "summary")) return base;
    }
  }
  return name;
}

// Parses the text format (version 0.0.4) strictly: every line is a HELP, a TYPE or a sample
// whose family has both, with valid names, label names, escaped label values and a number.
Exposition Parse(const std::string& text) {
  static const std::regex kHelp(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+))");
  static const std::regex kType(
      R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped))");
  static const std::regex kSample(
      R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? ([-+]?(?:[0-9.]+(?:e[-+]?[0-9]+)?|Inf|NaN))( [0-9]+)?)");
  static const std::regex kLabel(R"re(([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)",?)re");
  Exposition out;
  std::istringstream in(text);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    INFO("line " << number << ": " << line);
    if (line.empty()) continue;
    std::smatch m;
    if (std::regex_match(line, m, kHelp)) {
      out.helped.insert(m[1]);
      continue;
    }
    if (std::regex_match(line, m, kType)) {
      CHECK(out.types.count(m[1]) == 0);  // one TYPE per family
      CHECK(out.helped.count(m[1]) == 1);
      out.types[m[1]] = m[2];
      continue;
    }
    REQUIRE(line[0] != '#');
    REQUIRE(std::regex_match(line, m, kSample));
    Sample s;
    s.name = m[1];
    std::string labels = m[3];
    for (std::sregex_iterator it(labels.begin(), labels.end(), kLabel), end; it != end; ++it) {
      s.labels[(*it)[1]] = (*it)[2];
    }
    CHECK(std::regex_replace(labels, kLabel, "").empty());  // nothing but labels
    const std::string v = m[4];
    s.value = v == "+Inf" || v == "Inf" ? 1e300 : std::stod(v);
    const std::string family = Family(s.name, out.types);
    CHECK_MESSAGE(out.types.count(family) == 1, "no TYPE for " << family);
    CHECK_MESSAGE(out.helped.count(family) == 1, "no HELP for " << family);
    out.samples.push_back(std::move(s));
  }
  return out;
}

std::string Scrape(testing::ServiceStack& s, std::string* content_type = nullptr) {
  httplib::Client c("127.0.0.1", s.http->port());
  c.set_read_timeout(30, 0);
  auto res = c.Get("/metrics", {{"Accept-Encoding", "gzip, br"}});
  REQUIRE(res);
  REQUIRE(res->status == 200);
  CHECK(res->get_header_value("Content-Encoding").empty());
  if (content_type) *content_type = res->get_header_value("Content-Type");
  return res->body;
}

testing::StackOptions WithTokens() {
  testing::StackOptions options;
  options.tokens = {{"alice-the-user", "alice-token-0123456789abcdef", "user"},
                    {"ops", "ops-token-0123456789abcdef", "admin"}};
  return options;
}

constexpr const char* kAlice = "alice-token-0123456789abcdef";

std::string ReadmeText() {
  std::ifstream in(std::filesystem::path(PLANBOT_TEST_DATA_DIR) / ".." / ".." / "README.md");
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("GET /metrics: Prometheus text format, commands by channel/command/outcome, no users") {
  testing::ServiceStack s(WithTokens());
  REQUIRE(s.Ask("plan select * from customers where id = 7", json::object(), kAlice).first == 200);
  REQUIRE(s.Ask("plan select 1", json::object(), kAlice).first == 200);
  REQUIRE(s.Ask("plan selec 1", json::object(), kAlice).first == 400);
  REQUIRE(s.Ask("plan select 1", json::object(), "wrong-token-0123456789").first == 401);

  std::string content_type;
  const std::string text = Scrape(s, &content_type);
  CHECK(content_type == "text/plain; version=0.0.4; charset=utf-8");
  Exposition e = Parse(text);

  // Prometheus naming: counters end in _total, durations are histograms in seconds.
  for (const auto& [family, type] : e.types) {
    INFO(family);
    CHECK(family.rfind("planbot_", 0) == 0);
    if (type == "counter") CHECK(family.size() > 6);
    if (type == "counter") CHECK(family.compare(family.size() - 6, 6, "_total") == 0);
    if (type == "histogram") CHECK(family.compare(family.size() - 8, 8, "_seconds") == 0);
  }
  CHECK(e.types["planbot_commands_total"] == "counter");
  CHECK(e.types["planbot_command_duration_seconds"] == "histogram");
  CHECK(e.types["planbot_explain_duration_seconds"] == "histogram");
  CHECK(e.types["planbot_store_write_duration_seconds"] == "histogram");
  CHECK(e.types["planbot_clone_acquire_duration_seconds"] == "histogram");
  CHECK(e.types["planbot_sessions"] == "gauge");
  CHECK(e.types["planbot_queued_commands"] == "gauge");
  CHECK(e.types["planbot_clones"] == "gauge");

  CHECK(e.Value("planbot_commands_total",
                {{"channel", "http"}, {"command", "plan"}, {"outcome", "ok"}}) == 2);
  CHECK(e.Value("planbot_commands_total",
                {{"channel", "http"}, {"command", "plan"}, {"outcome", "refused"}}) == 1);
  CHECK(e.Value("planbot_command_duration_seconds_count",
                {{"channel", "http"}, {"command", "plan"}}) == 3);
  CHECK(e.Value("planbot_command_duration_seconds_bucket",
                {{"channel", "http"}, {"command", "plan"}, {"le", "+Inf"}}) == 3);
  CHECK(e.Value("planbot_explain_duration_seconds_count",
                {{"database", "shop"}, {"command", "plan"}}) == 2);
  CHECK(e.Value("planbot_clone_acquire_duration_seconds_count",
                {{"database", "shop"}, {"outcome", "ok"}}) == 1);
  // Two commands and the syntax error's refusal, plus the auth failure's audit entry.
  CHECK(e.Value("planbot_store_write_duration_seconds_count", {}) >= 4);
  CHECK(e.Value("planbot_store_write_failures_total", {}) == 0);
  CHECK(e.Value("planbot_auth_failures_total", {{"channel", "http"}}) == 1);
  CHECK(e.Value("planbot_build_info", {{"version", "test"}}) == 1);
  CHECK(e.Value("planbot_ready", {}) == 1);
  CHECK(e.Value("planbot_sessions", {}) == 1);
  CHECK(e.Value("planbot_queued_commands", {}) == 0);
  CHECK(e.Value("planbot_clones", {{"database", "shop"}, {"state", "leased"}}) == 1);
  CHECK(e.Value("planbot_clones", {{"database", "shop"}, {"state", "warm"}}) >= 0);

  // Histogram buckets are cumulative.
  double previous = 0;
  for (const Sample& sample : e.samples) {
    if (sample.name != "planbot_command_duration_seconds_bucket" ||
        sample.labels.at("command") != "plan") {
      continue;
    }
    CHECK(sample.value >= previous);
    previous = sample.value;
  }
  // The README's table names every metric, and only metrics that exist.
  const std::string readme = ReadmeText();
  const size_t from = readme.find("## Operating planbot");
  REQUIRE(from != std::string::npos);
  const std::string section = readme.substr(from, readme.find("\n## ", from + 1) - from);
  std::set<std::string> documented;
  static const std::regex kName(R"(`(planbot_[a-z_]+)[`{])");
  for (std::sregex_iterator it(section.begin(), section.end(), kName), end; it != end; ++it) {
    documented.insert((*it)[1]);
  }
  for (const auto& [family, type] : e.types) CHECK_MESSAGE(documented.count(family), family);
  for (const std::string& name : documented) CHECK_MESSAGE(e.types.count(name), name);

  // No user, no session name, no SQL, no token.
  CHECK(text.find("alice") == std::string::npos);
  CHECK(text.find("customers") == std::string::npos);
  CHECK(text.find("token") == std::string::npos);
}

TEST_CASE("X-Request-Id: on every answer, the client's kept when well-formed, in the audit entry") {
  testing::ServiceStack s;
  httplib::Client c("127.0.0.1", s.http->port());
  auto plan = c.Post("/api/v1/commands", R"({"text": "plan select 1"})", "application/json");
  REQUIRE(plan);
  REQUIRE(plan->status == 200);
  const std::string id = plan->get_header_value("X-Request-Id");
  CHECK(std::regex_match(id, std::regex("[0-9a-f]{16}")));

  auto given = c.Post("/api/v1/commands", {{"X-Request-Id", "lb-7f3a.42:x_y"}},
                      R"({"text": "plan select 2"})", "application/json");
  REQUIRE(given);
  CHECK(given->get_header_value("X-Request-Id") == "lb-7f3a.42:x_y");
  auto forged = c.Post("/api/v1/commands", {{"X-Request-Id", "a b\"<script>"}},
                       R"({"text": "plan select 3"})", "application/json");
  REQUIRE(forged);
  CHECK(std::regex_match(forged->get_header_value("X-Request-Id"), std::regex("[0-9a-f]{16}")));
  auto health = c.Get("/healthz");
  REQUIRE(health);
  CHECK(health->get_header_value("X-Request-Id").size() == 16);
  auto missing = c.Get("/no/such/route");
  REQUIRE(missing);
  CHECK(missing->get_header_value("X-Request-Id").size() == 16);

  auto audit = s.store->ListAudit(20, std::nullopt);
  REQUIRE(audit.ok());
  std::set<std::string> ids;
  for (const auto& a : *audit) {
    if (a.action != "command") continue;
    json details = json::parse(a.details);
    ids.insert(details.value("request_id", ""));
  }
  CHECK(ids.count(id) == 1);
  CHECK(ids.count("lb-7f3a.42:x_y") == 1);
  CHECK(ids.count(forged->get_header_value("X-Request-Id")) == 1);
}

TEST_CASE("an auth failure's audit entry names its request id") {
  testing::ServiceStack s(WithTokens());
  httplib::Client c("127.0.0.1", s.http->port());
  auto res = c.Post("/api/v1/commands", {{"Authorization", "Bearer nope-0123456789abcdef"}},
                    R"({"text": "plan select 1"})", "application/json");
  REQUIRE(res);
  CHECK(res->status == 401);
  auto audit = s.store->ListAudit(5, std::nullopt);
  REQUIRE(audit.ok());
  REQUIRE_FALSE(audit->empty());
  CHECK(audit->front().action == "auth_failure");
  CHECK(json::parse(audit->front().details)["request_id"] == res->get_header_value("X-Request-Id"));
}

TEST_CASE(
    "/readyz: ready, then 503 while draining; the running command finishes, new ones get 503") {
  testing::ServiceStack s;
  auto [warm, first] = s.Ask("plan select 1");  // the session has its clone
  REQUIRE(warm == 200);
  auto ready = s.client->Get("/readyz");
  REQUIRE(ready);
  CHECK(ready->status == 200);
  CHECK(json::parse(ready->body)["status"] == "ready");

  auto running = std::async(std::launch::async, [&] {
    return s.Ask("explain select pg_sleep(1.5), count(*) from customers");
  });
  // Wait until the slow command runs, then drain.
  for (int i = 0; i < 200 && s.service->ReadGauges().queued == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(s.service->ReadGauges().queued == 1);
  auto drained =
      std::async(std::launch::async, [&] { s.service->Drain(std::chrono::milliseconds(10000)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));

  auto during = s.client->Get("/readyz");
  REQUIRE(during);
  CHECK(during->status == 503);
  CHECK(json::parse(during->body)["status"] == "draining");
  auto [refused, body] = s.Ask("plan select 1", {{"session", "other"}});
  CHECK(refused == 503);
  CHECK(body["error"]["code"] == "shutting_down");
  const std::string metrics = Scrape(s);
  CHECK(metrics.find("\nplanbot_ready 0") != std::string::npos);

  auto [status, answer] = running.get();
  CHECK_MESSAGE(status == 200, answer.dump());  // not cancelled: it was running
  CHECK(answer["command"] == "explain");
  drained.get();
  CHECK(s.service->ReadGauges().sessions == 0);  // the clones were dropped after the drain
}

TEST_CASE("every error body has the top-level message: 404, 413, bad JSON, missing text") {
  testing::ServiceStack s;
  httplib::Client c("127.0.0.1", s.http->port());
  // The chat text: "error: " and the error's message (a syntax error adds its caret lines).
  auto check = [](const httplib::Result& res, int status, const std::string& code) {
    REQUIRE(res);
    CHECK(res->status == status);
    json body = json::parse(res->body);
    CHECK(body["error"]["code"] == code);
    REQUIRE(body["message"].is_string());
    CHECK(body["message"].get<std::string>().rfind(
              "error: " + body["error"]["message"].get<std::string>(), 0) == 0);
  };
  check(c.Get("/api/v1/nothing"), 404, "not_found");
  check(c.Post("/api/v1/commands", std::string((1 << 20) + 1, 'x'), "application/json"), 413,
        "too_large");
  check(c.Post("/api/v1/commands", "{not json", "application/json"), 400, "bad_json");
  check(c.Post("/api/v1/commands", R"({"txt": "plan select 1"})", "application/json"), 400,
        "missing_text");
  check(c.Post("/api/v1/commands", R"({"text": "plan selec 1"})", "application/json"), 400,
        "syntax_error");
}

TEST_CASE("history in chat: refusals with their normalized text, exec with its duration, the cap") {
  testing::ServiceStack s;
  REQUIRE(s.Ask("plan select * from orders where id = 5; select 2").first == 400);
  REQUIRE(s.Ask("exec create index on orders (customer_id)").first == 200);
  auto [status, history] = s.Ask("history 1000");
  REQUIRE(status == 200);
  const std::string text = history["message"];
  INFO(text);
  CHECK(text.rfind("history shows at most 100 entries; these are the newest 100", 0) == 0);
  CHECK(text.find("plan (refused: multiple_statements)  —  select * from orders where id = $1; "
                  "select $2") != std::string::npos);
  CHECK(std::regex_search(text, std::regex(R"(exec  [0-9.,]+ (ms|s)  create index on orders)")));
  auto [ok, ten] = s.Ask("history");
  REQUIRE(ok == 200);
  CHECK(ten["message"].get<std::string>().find("at most") == std::string::npos);
}
