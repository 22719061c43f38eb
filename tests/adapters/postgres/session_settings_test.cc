// Settings and session state (SECURITY.md: "EXPLAIN's Settings: line and session state"): values
// computed from data never reach a plan's Settings, and never outlive the `exec` that set them;
// literal SETs are shown and kept.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "tests/result_testing.h"
#include "tests/support/pg_test_env.h"

namespace planbot::adapters {
namespace {

using core::ExplainMode;

constexpr char kCanary[] = "sekrit_canary_5e0c";

struct Session {
  testing::SessionOnClone s = testing::OpenSessionOnClone();

  Session() {
    Exec(std::string("create table vault as select '") + kCanary + "'::text as secret, 12 as num");
  }
  void Exec(const std::string& sql, bool transactional = true) {
    auto r = s.session->Exec(sql, transactional, testing::Limits());
    REQUIRE_MESSAGE(r.ok(), sql << ": " << testing::ErrorText(r));
  }
  std::string Explain(const std::string& sql) {
    auto r = s.session->Explain(sql, ExplainMode::kAnalyze, testing::Limits());
    REQUIRE_MESSAGE(r.ok(), sql << ": " << testing::ErrorText(r));
    return *r;
  }
  nlohmann::json Settings(const std::string& sql) {
    nlohmann::json plan = nlohmann::json::parse(Explain(sql));
    return plan[0].value("Settings", nlohmann::json::object());
  }
  // Actual rows of the plan's root: 1 when `condition` holds in the session, 0 otherwise.
  int Holds(const std::string& condition) {
    nlohmann::json plan = nlohmann::json::parse(Explain("select 1 where " + condition));
    return plan[0]["Plan"]["Actual Rows"].get<int>();
  }
};

TEST_CASE("a setting computed inside the explained statement is withheld from Settings") {
  Session t;
  for (const char* sql : {
           "select set_config('search_path', (select secret from vault), true)",
           "select set_config('search_path', secret, false) from vault",
           "select set_config('work_mem', (num * 64)::text || 'kB', true) from vault",
           "select 1 from vault where set_config('search_path', secret || ', public', true) <> ''",
       }) {
    const std::string text = sql;
    CAPTURE(text);
    const std::string json = t.Explain(sql);
    CHECK(json.find(kCanary) == std::string::npos);
    CHECK(json.find("768kB") == std::string::npos);
    nlohmann::json settings = nlohmann::json::parse(json)[0]["Settings"];
    for (const auto& [name, value] : settings.items()) {
      if (name == "search_path" || name == "work_mem") CHECK(value == "(withheld)");
    }
  }
  // Rolled back with the EXPLAIN's transaction: the next command sees the session as it was.
  CHECK(t.Settings("select 1").empty());
}

TEST_CASE("literal SETs are shown, and survive exec statements that try to change them") {
  Session t;
  t.Exec("set work_mem = '12MB'", false);
  t.Exec("set search_path = public, pg_catalog", false);
  nlohmann::json settings = t.Settings("select 1");
  CHECK(settings["work_mem"] == "12MB");
  CHECK(settings["search_path"] == "public, pg_catalog");

  t.Exec(
      "create table t2 as select set_config('work_mem', (num * 64)::text || 'kB', false) a, "
      "set_config('search_path', secret, false) b from vault");
  t.Exec("update vault set num = length(set_config('search_path', secret, false))");
  t.Exec("insert into vault select set_config('search_path', secret, false), 1 from vault");
  settings = t.Settings("select 1");
  CHECK(settings["work_mem"] == "12MB");
  CHECK(settings["search_path"] == "public, pg_catalog");
  CHECK(t.Holds("current_setting('search_path') = 'public, pg_catalog'") == 1);

  t.Exec("reset work_mem", false);
  CHECK_FALSE(t.Settings("select 1").contains("work_mem"));
}

TEST_CASE("custom settings set from data do not outlive the exec") {
  Session t;
  t.Exec("create table t3 as select set_config('my.leak', secret, false) as x from vault");
  CHECK(t.Holds(std::string("current_setting('my.leak', true) = '") + kCanary + "'") == 0);
  CHECK(t.Holds("coalesce(current_setting('my.leak', true), '') = ''") == 1);
  // A literal SET of a custom setting is the user's own value and stays.
  t.Exec("set my.flag = 'on'", false);
  t.Exec("create table t4 as select set_config('my.flag', secret, false) as x from vault");
  CHECK(t.Holds("current_setting('my.flag') = 'on'") == 1);
}

TEST_CASE("a failing exec leaves no setting behind either") {
  Session t;
  auto r = t.s.session->Exec(
      "insert into vault select set_config('search_path', secret, false), 1/0 from vault", true,
      testing::Limits());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find(kCanary) == std::string::npos);
  CHECK(t.Holds(std::string("current_setting('search_path') <> '") + kCanary + "'") == 1);
  CHECK(t.s.session->usable());
}

}  // namespace
}  // namespace planbot::adapters
