// The issue-4 commands through the core with fake ports: exec, hypo, reset, activity,
// terminate, the \\d family, quotas, sessions across a restart.
#include <doctest/doctest.h>

#include <chrono>
#include <set>
#include <string_view>

#include "core/command.h"
#include "core/service.h"
#include "tests/core/fakes.h"

using planbot::core::Answer;
using planbot::core::CommandRequest;
using planbot::core::Service;
using namespace planbot::testing;

namespace {

struct Rig {
  Rig() {
    planbot::core::DatabaseConfig db;
    db.name = "shop";
    options.databases.push_back(db);
    options.limits.quota = {0, std::chrono::seconds(60)};
    Restart();
  }
  void Restart() {
    service.reset();
    planbot::core::ServicePorts ports;
    ports.UseStore(&store);
    ports.providers = {{"shop", &provider}};
    ports.sessions = &factory;
    service = std::make_unique<Service>(options, ports, planbot::Logger());
  }
  Answer Ask(const std::string& text, const std::string& user = "ana") {
    CommandRequest req;
    req.text = text;
    req.caller = {user, planbot::core::Role::kUser, "http", ""};
    return service->Run(req);
  }

  planbot::core::ServiceOptions options;
  FakeDb db;
  FakeFactory factory{&db};
  FakeProvider provider;
  MemoryStore store;
  std::unique_ptr<Service> service;
};

}  // namespace

TEST_CASE("exec runs the statements that shape a clone, with or without a transaction") {
  Rig rig;
  Answer idx = rig.Ask("exec create index on orders (customer_id)");
  REQUIRE_MESSAGE(idx.ok(), idx.message);
  CHECK(idx.result["tag"] == "CREATE INDEX");
  CHECK(idx.message.find("exec · shop · session ana · history #1") == 0);
  CHECK(idx.message.find("CREATE INDEX in ") != std::string::npos);
  REQUIRE(rig.Ask("exec create index concurrently on orders (created_at)").ok());
  REQUIRE(rig.Ask("exec vacuum analyze orders").ok());
  REQUIRE(rig.Ask("exec set work_mem = '256MB'").ok());
  REQUIRE(rig.Ask("exec drop index concurrently orders_created_at_idx").ok());
  REQUIRE(rig.db.sql_seen.size() == 5);
  CHECK(rig.db.sql_seen[0] == "exec: create index on orders (customer_id)");
  CHECK(rig.db.sql_seen[1] ==
        "exec (no transaction): create index concurrently on orders (created_at)");
  CHECK(rig.db.sql_seen[2] == "exec (no transaction): vacuum analyze orders");
  CHECK(rig.db.sql_seen[3] == "exec (no transaction): set work_mem = '256MB'");
  CHECK(rig.db.sql_seen[4] ==
        "exec (no transaction): drop index concurrently orders_created_at_idx");
  CHECK(rig.store.histories[0].normalized == "create index on orders (customer_id)");
}

TEST_CASE("exec refuses what could move data out or weaken planbot, and says why") {
  Rig rig;
  struct Case {
    const char* sql;
    const char* says;
  };
  const Case cases[] = {
      {"exec do $$ begin raise notice '%', 1; end $$", "code you create or call"},
      {"exec create function f() returns int as $$ select 1 $$ language sql", "code you create"},
      {"exec call p()", "code you create or call"},
      {"exec comment on table orders is 'x'", "comments and labels"},
      {"exec copy orders to '/tmp/x'", "COPY reads and writes files"},
      {"exec grant select on orders to public", "roles and privileges"},
      {"exec create role r", "roles and privileges"},
      {"exec listen ch", "LISTEN/NOTIFY"},
      {"exec notify ch, 'x'", "LISTEN/NOTIFY"},
      {"exec begin", "commits on its own"},
      {"exec drop database shop", "your clone only"},
      {"exec set statement_timeout = 0", "statement_timeout is set by planbot"},
      {"exec set role postgres", "role is set by planbot"},
      {"exec reset all", "RESET ALL"},
      {"exec create extension dblink", "only the hypopg extension"},
      {"exec drop view v", "not views"},
      {"exec select * from orders", "use `plan` or `explain`"},
      {"exec create view v as select 1", "CREATE VIEW is not one of them"},
      {"exec set names 'latin1'", "client_encoding is set by planbot"},
      {"exec set standard_conforming_strings = off", "standard_conforming_strings is set by"},
      {"exec set session characteristics as transaction read only", "SET SESSION CHARACTERISTICS"},
      {"exec create table p1 partition of p for values in (current_setting('x.y'))",
       "partition bound must be made of constants"},
      {"exec create table p2 partition of p for values from ((select 1)) to (maxvalue)",
       "partition bound must be made of constants"},
      {"exec alter table p attach partition p3 for values from (minvalue) to (length('x'))",
       "partition bound must be made of constants"},
      {"exec create table x as select hypopg_get_indexdef(13556)", "HypoPG's functions"},
      {"exec insert into t select public.hypopg_reset()", "HypoPG's functions"},
  };
  for (const Case& c : cases) {
    const std::string sql = c.sql;
    CAPTURE(sql);
    Answer a = rig.Ask(sql);
    REQUIRE_FALSE(a.ok());
    CHECK(a.error->code == "refused");
    CHECK(a.message.find(c.says) != std::string::npos);
  }
  CHECK(rig.db.sql_seen.empty());
  CHECK(rig.provider.acquired == 0);
}

TEST_CASE("constant partition bounds are fine") {
  Rig rig;
  for (const char* sql : {
           "exec create table p1 partition of p for values in (1, -2, 'a', 'x'::text)",
           "exec create table p2 partition of p for values from (minvalue) to (date '2024-01-01')",
           "exec alter table p attach partition p3 for values from (0) to (maxvalue)",
           "exec create table p4 partition of p default",
           "exec create table p5 partition of p for values with (modulus 4, remainder 1)",
       }) {
    const std::string text = sql;
    CAPTURE(text);
    Answer a = rig.Ask(text);
    CHECK_MESSAGE(a.ok(), a.message);
  }
}

TEST_CASE("HypoPG's functions are refused in every command's SQL; hypo is the way to them") {
  Rig rig;
  for (const char* text : {
           "plan select hypopg_get_indexdef(13556)",
           "explain select * from hypopg()",
           "explain select public.HYPOPG_relation_size(1)",
           "plan select 1 where exists (select hypopg_create_index('create index on t (a)'))",
           "hypo create index on orders ((hypopg_get_indexdef(1)))",
       }) {
    const std::string sql = text;
    CAPTURE(sql);
    Answer a = rig.Ask(sql);
    REQUIRE_FALSE(a.ok());
    CHECK(a.error->code == "refused");
    CHECK(a.message.find("use `hypo create index") != std::string::npos);
  }
  CHECK(rig.db.sql_seen.empty());
}

TEST_CASE("hypo: create, desc, drop, reset; plan says when it uses a hypothetical index") {
  Rig rig;
  Answer made = rig.Ask("hypo create index on orders (customer_id)");
  REQUIRE_MESSAGE(made.ok(), made.message);
  CHECK(made.result["index"]["name"] == "<16390>btree_orders_customer_id");
  CHECK(made.message.find("estimated size 2.00 MiB (id 16390)") != std::string::npos);
  Answer desc = rig.Ask("hypo desc");
  CHECK(desc.result["indexes"].size() == 1);
  CHECK(desc.message.find("16390  <16390>btree_orders_customer_id on public.orders") !=
        std::string::npos);
  {  // an index whose table was dropped (the adapter reports no table for it)
    rig.db.hypo.push_back({17001, "<17001>btree_gone_a", "", "", 0});
    Answer gone = rig.Ask("hypo desc");
    CHECK(gone.message.find("17001  <17001>btree_gone_a: its table no longer exists (drop it "
                            "with `hypo drop 17001`)") != std::string::npos);
    rig.db.hypo.pop_back();
  }
  rig.db.plan = R"json([{"Plan": {"Node Type": "Index Scan", "Index Name":
      "<16390>btree_orders_customer_id", "Relation Name": "orders", "Alias": "orders",
      "Startup Cost": 0.04, "Total Cost": 8.06, "Plan Rows": 1, "Plan Width": 8,
      "Index Cond": "(customer_id = 42)"}}])json";
  Answer plan = rig.Ask("plan select * from orders where customer_id = 42");
  REQUIRE(plan.ok());
  REQUIRE(plan.analysis != nullptr);
  REQUIRE(plan.analysis->hypothetical_indexes.size() == 1);
  CHECK(plan.message.find("Uses hypothetical index <16390>btree_orders_customer_id") !=
        std::string::npos);
  CHECK(plan.ToJson()["hypothetical_indexes"][0] == "<16390>btree_orders_customer_id");
  CHECK(rig.Ask("hypo drop 99999").error->code == "not_found");
  CHECK(rig.Ask("hypo drop x1").error->code == "bad_request");
  CHECK(rig.Ask("hypo drop 16390").ok());
  CHECK(rig.Ask("hypo desc").message.find("no hypothetical indexes") != std::string::npos);
  CHECK(rig.Ask("hypo create table t (a int)").error->code == "refused");
  CHECK(rig.Ask("hypo frobnicate").error->code == "bad_request");
  CHECK(rig.Ask("hypo reset").ok());
}

TEST_CASE("activity shows normalized queries only; terminate checks its PID") {
  Rig rig;
  REQUIRE(rig.Ask("plan select 1").ok());  // the session gets its clone
  rig.db.backends = {
      {4242, "active", 1500.0, "", "", "client backend", "explain select 1"},
      {777, "active", 12000.0, "Timeout", "PgSleep", "client backend",
       "select pg_sleep(100) from customers where email = 'bob@example.com'"},
      {778, "idle in transaction", std::nullopt, "Client", "ClientRead", "client backend",
       "update accounts set note = 'secret that was cut off"},
  };
  Answer a = rig.Ask("activity");
  REQUIRE_MESSAGE(a.ok(), a.message);
  CHECK(a.message.find("bob@example.com") == std::string::npos);
  CHECK(a.message.find("secret") == std::string::npos);
  CHECK(a.message.find("select pg_sleep($1) from customers where email = $2") != std::string::npos);
  CHECK(a.message.find("(this session)") != std::string::npos);
  CHECK(a.result["backends"].size() == 3);
  CHECK(a.result["backends"][1]["wait_event"] == "Timeout:PgSleep");
  CHECK(rig.Ask("terminate 777").result["terminated"] == true);
  CHECK(rig.Ask("terminate 999").error->code == "not_found");
  CHECK(rig.Ask("terminate abc").error->code == "bad_request");
  CHECK(rig.Ask("terminate -1").error->code == "bad_request");
  CHECK(rig.Ask("terminate 1; select 1").error->code == "bad_request");
  Answer none = Rig().Ask("activity");
  CHECK(none.message.find("has no clone yet") != std::string::npos);
}

TEST_CASE("reset gives the session a clone in the source's state") {
  Rig rig;
  REQUIRE(rig.Ask("exec create index on orders (customer_id)").ok());
  Answer r = rig.Ask("reset");
  REQUIRE_MESSAGE(r.ok(), r.message);
  CHECK(r.message.find("back to the source's state") != std::string::npos);
  CHECK(rig.provider.released == 1);
  CHECK(rig.provider.acquired == 2);
  CHECK(rig.factory.opens == 2);
}

TEST_CASE("the quota answers 429 with the time to wait") {
  Rig rig;
  rig.options.limits.quota = {2, std::chrono::seconds(60)};
  rig.Restart();
  CHECK(rig.Ask("plan select 1").ok());
  CHECK(rig.Ask("plan select 1").ok());
  Answer third = rig.Ask("plan select 1");
  REQUIRE_FALSE(third.ok());
  CHECK(third.error->code == "quota");
  CHECK(planbot::core::HttpStatusFor(*third.error) == 429);
  CHECK(third.ToJson()["retry_after"].get<int>() > 0);
  CHECK(third.message.find("try again in") != std::string::npos);
  CHECK(rig.store.audits.back().action == "refusal");
  CHECK(rig.store.audits.back().outcome == "quota");
  CHECK(rig.Ask("plan select 1", "ben").ok());  // per user
  CHECK(rig.Ask("help").ok());                  // help is not counted
}

TEST_CASE("a database's own quota replaces limits.quota for it, counted per user and database") {
  Rig rig;
  planbot::core::DatabaseConfig big;
  big.name = "big";
  rig.options.databases.push_back(big);
  rig.options.databases[0].quota = planbot::core::QuotaConfig{1, std::chrono::seconds(3600)};
  rig.options.limits.quota = {3, std::chrono::seconds(60)};
  rig.Restart();
  auto ask = [&](const std::string& database) {
    CommandRequest req;
    req.text = "plan select 1";
    req.database = database;
    req.caller = {"ana", planbot::core::Role::kUser, "http", ""};
    return rig.service->Run(req);
  };
  CHECK(ask("shop").ok());
  Answer second = ask("shop");
  REQUIRE_FALSE(second.ok());
  CHECK(second.error->code == "quota");
  CHECK(second.message.find("1 commands per 3600 s on database shop") != std::string::npos);
  // "big" has limits.quota, and its own window.
  CHECK(ask("big").error->code != "quota");
  CHECK(ask("big").error->code != "quota");
  CHECK(ask("big").error->code != "quota");
  CHECK(ask("big").error->code == "quota");
}

TEST_CASE("sessions are saved while they live and dropped when they end") {
  Rig rig;
  REQUIRE(rig.Ask("exec create index on orders (customer_id)").ok());
  REQUIRE(rig.store.sessions.size() == 1);
  const auto& saved = rig.store.sessions.begin()->second;
  CHECK(saved.user == "ana");
  CHECK(saved.clone_id == "clone_1");
  CHECK(saved.password == "secret-password");
  rig.Restart();  // a graceful stop drops the clone and forgets the session
  CHECK(rig.store.sessions.empty());
  CHECK(rig.provider.live.empty());
}

TEST_CASE("sessions survive a restart of planbot where the clone still exists") {
  Rig rig;
  // What a crashed planbot left: a saved session whose clone still exists.
  planbot::storage::SessionRecord r;
  r.key = planbot::core::SessionKey("ana", "shop", "ana");
  r.user = "ana";
  r.database = "shop";
  r.name = "ana";
  r.clone_id = "clone_9";
  r.password = "old-password";
  rig.store.sessions[r.key] = r;
  rig.provider.live.push_back("clone_9");
  rig.Restart();
  Answer after = rig.Ask("plan select 1");
  REQUIRE_MESSAGE(after.ok(), after.message);
  CHECK(rig.provider.reattached == 1);
  CHECK(rig.provider.acquired == 0);
  CHECK(after.message.find("note: session ana restored after a restart of planbot") == 0);
  CHECK(rig.store.sessions[r.key].password == "new-password");
  Answer again = rig.Ask("plan select 1");
  CHECK(again.message.find("note:") == std::string::npos);  // said once

  // A saved session whose clone is gone: a new clone, and the answer says so.
  planbot::storage::SessionRecord gone = r;
  gone.key = planbot::core::SessionKey("ben", "shop", "ben");
  gone.user = "ben";
  gone.name = "ben";
  gone.clone_id = "clone_vanished";
  rig.store.sessions[gone.key] = gone;
  rig.Restart();
  Answer fresh = rig.Ask("plan select 1", "ben");
  REQUIRE(fresh.ok());
  CHECK(fresh.message.find("did not survive a restart") != std::string::npos);
  CHECK(rig.provider.acquired == 1);
}

TEST_CASE("help lists every command with an example; \\d without psql says so") {
  Rig rig;
  Answer help = rig.Ask("help");
  for (const auto& info : planbot::core::Commands()) {
    CAPTURE(info.name);
    CHECK(help.message.find(info.usage) != std::string::npos);
    CHECK(help.message.find("e.g. " + std::string(info.example)) != std::string::npos);
  }
  Answer d = rig.Ask("\\d+ orders");
  REQUIRE_FALSE(d.ok());
  CHECK(d.message.find("not available") != std::string::npos);
}

TEST_CASE("psql's meta-commands keep their case: \\dT+ is not \\dt+") {
  auto types = planbot::core::ParseCommand("\\dT+");
  REQUIRE_FALSE(types.ok());
  CHECK(types.error().code == "unknown_command");
  CHECK(types.error().message.find("\"\\dT+\" is not one of planbot's describe commands") == 0);
  auto tables = planbot::core::ParseCommand("  \\dt+   orders ");
  REQUIRE(tables.ok());
  CHECK(tables->name == "\\dt+");
  CHECK(tables->argument == "orders");
  CHECK_FALSE(planbot::core::ParseCommand("\\DT").ok());
  auto plan = planbot::core::ParseCommand("PLAN select 1");
  REQUIRE(plan.ok());
  CHECK(plan->name == "plan");
  CHECK(plan->spec->id == planbot::core::CommandId::kPlan);
  CHECK(tables->spec->id == planbot::core::CommandId::kDescribe);
}

TEST_CASE("the command table: one row per command, each found by its name") {
  using planbot::core::CommandId;
  using planbot::core::Lane;
  std::set<std::string_view> names;
  for (const auto& spec : planbot::core::Commands()) {
    CAPTURE(spec.name);
    CHECK(names.insert(spec.name).second);
    CHECK(spec.handler != nullptr);
    CHECK(&planbot::core::Spec(spec.id) == &spec);
    if (spec.id != CommandId::kDescribe) CHECK(planbot::core::FindCommand(spec.name) == &spec);
  }
  CHECK(names.size() == static_cast<size_t>(CommandId::kHelp) + 1);  // every id has its row
  for (const char* word : {"\\d", "\\d+", "\\dt+", "\\l"}) {
    CHECK(planbot::core::FindCommand(word) == &planbot::core::Spec(CommandId::kDescribe));
  }
  CHECK(planbot::core::FindCommand("PLAN") == nullptr);  // callers lower-case chat words
  CHECK(planbot::core::FindCommand("\\dT") == nullptr);
  CHECK(planbot::core::Spec(CommandId::kPurge).admin_only);
  CHECK(planbot::core::Spec(CommandId::kActivity).lane == Lane::kBeside);
  CHECK(planbot::core::Spec(CommandId::kHistory).lane == Lane::kInline);
  CHECK(planbot::core::Spec(CommandId::kExplain).needs_sql);
  CHECK_FALSE(planbot::core::Spec(CommandId::kHypo).needs_sql);
}
