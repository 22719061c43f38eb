// The bot core with fake ports: what a user gets back, what is recorded, and how sessions
// behave. The same flows run against PostgreSQL, SQLite and a real HTTP server in
// tests/adapters/http_e2e_test.cc.
#include "core/service.h"

#include <doctest/doctest.h>

#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include "core/command.h"
#include "tests/core/fakes.h"

using planbot::core::Answer;
using planbot::core::CommandRequest;
using planbot::core::DatabaseConfig;
using planbot::core::Service;
using planbot::core::ServiceOptions;
using namespace planbot::testing;

namespace {

struct Rig {
  explicit Rig(std::string history = "normalized") {
    DatabaseConfig db;
    db.name = "shop";
    db.history = history;
    options.databases.push_back(db);
    options.limits.idle_timeout = std::chrono::seconds(3600);
    Restart();
  }
  Answer Ask(const std::string& text, const std::string& session = "", std::string user = "ana") {
    CommandRequest req;
    req.text = text;
    req.session = session;
    req.caller = {std::move(user), planbot::core::Role::kUser, "http", ""};
    return service->Run(req);
  }

  // A new service over the same store and provider (what a restart of planbot sees).
  void Restart() {
    service.reset();
    planbot::core::ServicePorts ports;
    ports.UseStore(&store);
    ports.providers = {{"shop", &provider}};
    ports.sessions = &factory;
    service = std::make_unique<Service>(options, ports, planbot::Logger());
  }

  ServiceOptions options;
  FakeDb db;
  FakeFactory factory{&db};
  FakeProvider provider;
  MemoryStore store;
  std::unique_ptr<Service> service;
};

}  // namespace

TEST_CASE("explain answers with the plan as PostgreSQL prints it, a summary and tips") {
  Rig rig;
  Answer a = rig.Ask("explain select * from customers where email = 'bob@example.com'");
  REQUIRE_MESSAGE(a.ok(), a.message);
  CHECK(a.command == "explain");
  CHECK(a.database == "shop");
  CHECK(a.session == "ana");
  CHECK(a.id == 1);
  CHECK(a.normalized == "select * from customers where email = $1");
  CHECK(a.fingerprint.size() == 16);
  REQUIRE(a.analysis != nullptr);
  CHECK(a.analysis->text.find("Seq Scan on public.customers  (cost=0.00..2041.00 rows=1 width=64) "
                              "(actual time=0.015..12.500 rows=1 loops=1)") == 0);
  CHECK(*a.analysis->summary.execution_ms == doctest::Approx(12.6));
  REQUIRE(a.analysis->tips.size() >= 1);
  CHECK(a.analysis->tips[0].code == "seq_scan_filter");
  CHECK(a.message.find("explain · shop · session ana · history #1") == 0);
  CHECK(a.message.find("Tips:") != std::string::npos);
  auto json = a.ToJson();
  CHECK(json["plan"]["text"] == a.analysis->text);
  CHECK(json["plan"]["json"].is_array());
  CHECK(json["summary"]["execution_time"]["ms"] == doctest::Approx(12.6));
  CHECK(json["tips"][0]["code"] == "seq_scan_filter");
  CHECK(json["id"] == 1);
  // On the wire, plan.json is the server's text, byte for byte.
  CHECK(a.ToJsonText().find(rig.db.plan) != std::string::npos);
  CHECK(nlohmann::json::parse(a.ToJsonText()) == json);
}

TEST_CASE("the user's statement reaches the database once, without EXPLAIN or a semicolon") {
  Rig rig;
  Answer a = rig.Ask("plan   select 1 ;  ");
  REQUIRE(a.ok());
  REQUIRE(rig.db.sql_seen.size() == 1);
  CHECK(rig.db.sql_seen[0] == "select 1");
}

TEST_CASE("history keeps normalized SQL and a masked plan by default; the audit never raw SQL") {
  Rig rig;
  REQUIRE(rig.Ask("explain select * from customers where email = 'bob@example.com'").ok());
  REQUIRE(rig.store.histories.size() == 1);
  const auto& h = rig.store.histories[0];
  CHECK_FALSE(h.query_text.has_value());
  REQUIRE(h.plan_json.has_value());
  CHECK(h.plan_json->find("bob@example.com") == std::string::npos);
  CHECK(h.plan_text->find("bob@example.com") == std::string::npos);
  CHECK(h.plan_text->find("Filter: ((email)::text = $1::text)") != std::string::npos);
  CHECK(h.tips_json->find("bob@example.com") == std::string::npos);
  CHECK(h.outcome == "ok");
  CHECK(h.execution_ms == doctest::Approx(12.6));
  REQUIRE(rig.store.audits.size() == 1);
  const auto& a = rig.store.audits[0];
  CHECK(a.actor == "ana");
  CHECK(a.action == "command");
  CHECK(a.command == "explain");
  CHECK(a.normalized == "select * from customers where email = $1");
  CHECK(a.details.find("bob") == std::string::npos);
}

TEST_CASE("history policy full keeps the raw SQL and plan; off keeps only the audit entry") {
  Rig full("full");
  REQUIRE(full.Ask("explain select * from customers where email = 'bob@example.com'").ok());
  REQUIRE(full.store.histories.size() == 1);
  CHECK(*full.store.histories[0].query_text ==
        "select * from customers where email = 'bob@example.com'");
  CHECK(full.store.histories[0].plan_json->find("bob@example.com") != std::string::npos);

  Rig off("off");
  Answer a = off.Ask("explain select 1");
  REQUIRE(a.ok());
  CHECK(a.id == 0);
  CHECK(off.store.histories.empty());
  CHECK(off.store.audits.size() == 1);
}

TEST_CASE("session names: 1 to 64 of letters, digits and _.:@-, anything else is refused") {
  Rig rig;
  for (std::string name : {std::string("ci-job_7.a:b@c"), std::string(64, 'x')}) {
    CAPTURE(name);
    Answer a = rig.Ask("plan select 1", name);
    REQUIRE_MESSAGE(a.ok(), a.message);
    CHECK(a.session == name);
  }
  for (std::string name :
       {std::string(65, 'x'), std::string("two words"), std::string("semi;colon"),
        std::string("n\xc3\xa4me"), std::string("nul\0byte", 8)}) {
    CAPTURE(name);
    Answer a = rig.Ask("plan select 1", name);
    REQUIRE_FALSE(a.ok());
    CHECK(a.error->code == "bad_request");
    CHECK(a.error->message == "a session name is 1 to 64 letters, digits and the characters _.:@-");
  }
  CHECK(rig.provider.acquired == 2);
}

TEST_CASE("several statements are refused before anything reaches the database") {
  Rig rig;
  for (const char* text : {"explain select 1; select 2", "plan select 1;select ssn from people",
                           "explain select 1; drop table customers"}) {
    CAPTURE(text);
    Answer a = rig.Ask(text);
    REQUIRE_FALSE(a.ok());
    CHECK(a.error->code == "multiple_statements");
    CHECK(planbot::core::HttpStatusFor(*a.error) == 400);
  }
  CHECK(rig.db.explains == 0);
  CHECK(rig.provider.acquired == 0);
  CHECK(rig.store.audits.size() == 3);
  CHECK(rig.store.audits[0].action == "refusal");
}

TEST_CASE("a statement of the wrong kind is refused with the command to use") {
  Rig rig;
  Answer drop = rig.Ask("plan drop table customers");
  REQUIRE_FALSE(drop.ok());
  CHECK(drop.error->code == "refused");
  CHECK(drop.message.find("use `exec` for DROP") != std::string::npos);
  Answer vac = rig.Ask("explain vacuum customers");
  CHECK(vac.message.find("use `exec` for VACUUM") != std::string::npos);
  Answer nested = rig.Ask("explain explain analyze select 1");
  CHECK(nested.message.find("without EXPLAIN") != std::string::npos);
  Answer begin = rig.Ask("explain begin");
  CHECK(begin.message.find("rolls back") != std::string::npos);
  Answer into = rig.Ask("explain select * into t2 from customers");
  CHECK(into.message.find("SELECT ... INTO creates a table") != std::string::npos);
  CHECK(rig.db.explains == 0);
  REQUIRE(rig.store.histories.size() == 5);
  CHECK(rig.store.histories[0].outcome == "refused");
  CHECK(rig.store.histories[0].normalized == "drop table customers");
}

TEST_CASE("SQL that does not parse: the message, the position and a caret") {
  Rig rig;
  Answer a = rig.Ask("explain select * frm customers");
  REQUIRE_FALSE(a.ok());
  CHECK(a.error->code == "syntax_error");
  CHECK(a.error->position == 10);
  CHECK(a.message.find("error: syntax error at or near \"frm\" (at byte 10)") == 0);
  CHECK(a.message.find("\n    select * frm customers\n             ^") != std::string::npos);
  CHECK(a.caret == "    select * frm customers\n             ^");
  auto json = a.ToJson();
  CHECK(json["error"]["code"] == "syntax_error");
  CHECK(json["error"]["position"] == 10);
  // The history of a syntax error does not keep the user's text under the default policy.
  REQUIRE(rig.store.histories.size() == 1);
  CHECK(rig.store.histories[0].error_message == "syntax error at byte 10");
}

TEST_CASE("unknown commands, empty text and missing SQL") {
  Rig rig;
  Answer unknown = rig.Ask("frobnicate select 1");
  CHECK(unknown.error->code == "unknown_command");
  CHECK(unknown.message.find(
            "commands: plan, explain, exec, reset, hypo, activity, terminate, \\d, history, purge, "
            "redact, help") != std::string::npos);
  CHECK(rig.Ask("   ").error->code == "missing_text");
  Answer bare = rig.Ask("explain");
  CHECK(bare.error->code == "missing_sql");
  CHECK(bare.message.find("usage: explain SQL") != std::string::npos);
  Answer help = rig.Ask("HELP");
  REQUIRE(help.ok());
  CHECK(help.message.find("explain SQL") != std::string::npos);
  CHECK(help.message.find("e.g. plan select") != std::string::npos);
}

TEST_CASE("database errors carry their SQLSTATE; timeouts are 408") {
  Rig rig;
  rig.db.fail_next = planbot::Error{planbot::ErrorCode::kDatabaseError,
                                    "invalid input syntax for a type", 0, "22P02", 0};
  Answer a = rig.Ask("explain select email::int from customers");
  REQUIRE_FALSE(a.ok());
  CHECK(a.error->sqlstate == "22P02");
  CHECK(planbot::core::HttpStatusFor(*a.error) == 400);
  CHECK(a.message == "error: invalid input syntax for a type (SQLSTATE 22P02)");
  REQUIRE(rig.store.histories.size() == 1);
  CHECK(rig.store.histories[0].outcome == "error");
  CHECK(rig.store.histories[0].sqlstate == "22P02");

  rig.db.fail_next = planbot::Error{planbot::ErrorCode::kTimeout,
                                    "statement exceeded statement_timeout", 0, "57014", 0};
  Answer t = rig.Ask("explain select pg_sleep(100)");
  CHECK(planbot::core::HttpStatusFor(*t.error) == 408);
  CHECK(rig.store.histories[1].outcome == "timeout");
}

TEST_CASE("a lost connection to a clone that still exists: the next command reconnects") {
  Rig rig;
  REQUIRE(rig.Ask("explain select 1").ok());
  rig.db.fail_next = planbot::Error{planbot::ErrorCode::kCloneUnavailable,
                                    "the connection to the clone was lost", 0, "57P01", 0};
  Answer lost = rig.Ask("explain select 1");
  REQUIRE_FALSE(lost.ok());
  CHECK(planbot::core::HttpStatusFor(*lost.error) == 503);
  CHECK(lost.message.find("the next command reconnects to the same clone") != std::string::npos);
  CHECK(rig.store.histories.back().outcome == "clone_unavailable");
  REQUIRE(rig.Ask("explain select 1").ok());
  CHECK(rig.provider.acquired == 1);
  CHECK(rig.provider.released == 0);
  CHECK(rig.factory.opens == 2);
}

TEST_CASE("a clone that went away ends the session; the next command starts a new one") {
  Rig rig;
  REQUIRE(rig.Ask("explain select 1").ok());
  rig.provider.live.clear();  // dropped behind planbot's back
  rig.db.fail_next = planbot::Error{planbot::ErrorCode::kCloneUnavailable,
                                    "the connection to the clone was lost", 0, "57P01", 0};
  Answer lost = rig.Ask("explain select 1");
  REQUIRE_FALSE(lost.ok());
  CHECK(lost.message.find("your clone is gone; the next command of session ana starts a new one") !=
        std::string::npos);
  REQUIRE(rig.Ask("explain select 1").ok());
  CHECK(rig.provider.acquired == 2);
}

TEST_CASE("a store that cannot record: no command runs, no answer is given unrecorded") {
  Rig rig;
  rig.store.unhealthy = true;
  Answer a = rig.Ask("explain select 1");
  REQUIRE_FALSE(a.ok());
  CHECK(a.error->code == "store_unavailable");
  CHECK(planbot::core::HttpStatusFor(*a.error) == 503);
  CHECK(rig.db.explains == 0);

  rig.store.unhealthy = false;
  rig.store.fail = true;  // the write itself fails after the statement ran
  Answer b = rig.Ask("explain select 1");
  REQUIRE_FALSE(b.ok());
  CHECK(b.error->code == "store_unavailable");
  CHECK(b.analysis == nullptr);
  CHECK(b.ToJson().contains("plan") == false);
}

TEST_CASE("one session runs its commands one at a time; sessions run in parallel") {
  Rig rig;
  rig.db.delay = std::chrono::milliseconds(150);
  std::vector<std::future<Answer>> same;
  for (int i = 0; i < 3; ++i) {
    same.push_back(std::async(std::launch::async, [&] { return rig.Ask("plan select 1", "s1"); }));
  }
  for (auto& f : same) CHECK(f.get().ok());
  CHECK(rig.db.max_running == 1);
  CHECK(rig.provider.acquired == 1);

  rig.db.max_running = 0;
  std::vector<std::future<Answer>> different;
  for (int i = 0; i < 3; ++i) {
    std::string name = "p" + std::to_string(i);
    different.push_back(
        std::async(std::launch::async, [&rig, name] { return rig.Ask("plan select 1", name); }));
  }
  for (auto& f : different) CHECK(f.get().ok());
  CHECK(rig.db.max_running == 3);
  CHECK(rig.provider.acquired == 4);
}

TEST_CASE("sessions belong to their user: the same name for two users is two sessions") {
  Rig rig;
  REQUIRE(rig.Ask("plan select 1", "work", "ana").ok());
  REQUIRE(rig.Ask("plan select 1", "work", "ben").ok());
  CHECK(rig.provider.acquired == 2);
  CHECK(rig.Ask("plan select 1", "bad name!").error->code == "bad_request");
}

TEST_CASE("idle sessions end and release their clone; shutdown releases the rest") {
  Rig rig;
  rig.options.limits.idle_timeout = std::chrono::seconds(0);
  rig.Restart();
  REQUIRE(rig.Ask("plan select 1", "a").ok());
  CHECK(rig.service->sessions().ReapIdle() == 1);
  CHECK(rig.provider.live.empty());

  REQUIRE(rig.Ask("plan select 1", "b").ok());
  rig.db.delay = std::chrono::milliseconds(5000);
  auto running = std::async(std::launch::async, [&] { return rig.Ask("explain select 1", "b"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto start = std::chrono::steady_clock::now();
  rig.service->Shutdown();
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
  CHECK(rig.db.cancels == 1);
  CHECK_FALSE(running.get().ok());
  CHECK(rig.provider.live.empty());
  Answer after = rig.Ask("plan select 1", "c");
  CHECK(after.error->code == "shutting_down");
}

TEST_CASE("an unknown database is refused with the configured names") {
  Rig rig;
  CommandRequest req;
  req.text = "plan select 1";
  req.database = "nope";
  req.caller = {"ana", planbot::core::Role::kUser, "http", ""};
  Answer a = rig.service->Run(req);
  CHECK(a.error->code == "unknown_database");
  CHECK(a.message.find("configured: shop") != std::string::npos);
}

TEST_CASE("admin-only commands: a user's purge is refused at intake, audited once, nothing run") {
  Rig rig;
  REQUIRE(rig.Ask("plan select 1").ok());
  for (const char* text : {"purge --all", "REDACT --user ana"}) {
    CAPTURE(text);
    const size_t audits = rig.store.audits.size();
    Answer a = rig.Ask(text);
    REQUIRE_FALSE(a.ok());
    CHECK(a.error->code == "forbidden");
    CHECK(planbot::core::HttpStatusFor(*a.error) == 403);
    CHECK(a.message.find("is for admins only") != std::string::npos);
    REQUIRE(rig.store.audits.size() == audits + 1);
    CHECK(rig.store.audits.back().action == "refusal");
    CHECK(rig.store.audits.back().outcome == "refused");
  }
  CHECK(rig.store.histories.size() == 1);  // the plan's entry is still there
}

TEST_CASE("inline commands answer without a database header; session commands with one") {
  Rig rig;
  Answer history = rig.Ask("history");
  REQUIRE(history.ok());
  CHECK(history.message.find(" · session ") == std::string::npos);
  CHECK(history.database.empty());
  Answer plan = rig.Ask("plan select 1");
  REQUIRE(plan.ok());
  CHECK(plan.message.rfind("plan · shop · session ana", 0) == 0);
}
