// Issue 4 end to end through the HTTP API: a session's own clone and connection (exec, reset,
// hypo, \d, activity, terminate), quotas, the faults a user can cause or meet (a refused exec,
// a foreign PID, a clone whose backend dies mid-command), and the same commands on Database Lab
// Engine clones served by a FakeDle. Assertions are on what the user gets back.
#include <doctest/doctest.h>

#include <chrono>
#include <future>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "tests/support/fake_dle.h"
#include "tests/support/pg_test_env.h"
#include "tests/support/service_stack.h"

using nlohmann::json;
using namespace planbot;
using testing::ServiceStack;

namespace {

constexpr char kByDate[] = "select * from orders where created = date '2024-02-01'";

bool Has(const json& body, const char* key, const std::string& needle) {
  return body.contains(key) && body[key].is_string() &&
         body[key].get<std::string>().find(needle) != std::string::npos;
}
bool PlanHas(const json& body, const std::string& needle) {
  return body.contains("plan") && Has(body["plan"], "text", needle);
}
std::string BodyErrorCode(const json& body) {
  return body.contains("error") ? body["error"].value("code", "") : "";
}
std::string ErrorMessage(const json& body) {
  return body.contains("error") ? body["error"].value("message", "") : "";
}

// The PID of the active backend on one of the stack's clones whose query contains `needle`,
// waiting up to 10 s for it. (By prefix: the newest clone may be a warm spare.)
int WaitBackend(const ServiceStack& s, const std::string& needle) {
  for (int i = 0; i < 200; ++i) {
    std::string pid = testing::Scalar(
        "", "select coalesce(min(pid), 0) from pg_stat_activity where datname like '" +
                s.provider_prefix() + "\\_%' and state = 'active' and query like '%" + needle +
                "%' and pid <> pg_backend_pid()");
    if (pid != "0") return std::stoi(pid);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return 0;
}

}  // namespace

TEST_CASE("exec create index persists: explain uses it, \\d+ shows it, reset takes it away") {
  ServiceStack s;
  auto [st0, before] = s.Ask(std::string("explain ") + kByDate);
  REQUIRE_MESSAGE(st0 == 200, before.dump());
  CHECK(PlanHas(before, "Seq Scan on public.orders"));

  auto [st1, made] = s.Ask("exec create index orders_created_idx on orders (created)");
  REQUIRE_MESSAGE(st1 == 200, made.dump());
  CHECK(made["command"] == "exec");
  CHECK(made["result"]["tag"] == "CREATE INDEX");
  CHECK(made["result"]["duration_ms"].get<double>() >= 0);
  CHECK(Has(made, "message", "CREATE INDEX"));
  CHECK(made["id"].get<int>() > 0);

  auto [st2, after] = s.Ask(std::string("explain ") + kByDate);
  REQUIRE(st2 == 200);
  CHECK(PlanHas(after, "orders_created_idx"));
  CHECK(after["session"] == made["session"]);

  // exec of DML: affected rows, never the rows themselves (RETURNING is read and dropped).
  auto [st3, updated] = s.Ask(
      "exec update customers set note = 'secret-note' where id = 1 "
      "returning email");
  REQUIRE_MESSAGE(st3 == 200, updated.dump());
  CHECK(updated["result"]["tag"] == "UPDATE 1");
  CHECK(updated["result"]["rows"] == 1);
  CHECK(updated.dump().find("@example") == std::string::npos);
  CHECK(!updated.contains("plan"));

  // Another session of the same user has its own clone: no index there.
  auto [st4, other] = s.Ask(std::string("plan ") + kByDate, {{"session", "other"}});
  REQUIRE(st4 == 200);
  CHECK(!PlanHas(other, "orders_created_idx"));
  CHECK(other["session"] != made["session"]);

  auto [st5, described] = s.Ask("\\d+ orders");
  REQUIRE_MESSAGE(st5 == 200, described.dump());
  const std::string table = described["result"]["output"].get<std::string>();
  CHECK(table.find("Table \"public.orders\"") != std::string::npos);
  CHECK(table.find("customer_id") != std::string::npos);
  CHECK(table.find("\"orders_created_idx\" btree (created)") != std::string::npos);
  CHECK(table.find("Storage") != std::string::npos);  // the + form

  auto [st6, reset] = s.Ask("reset");
  REQUIRE_MESSAGE(st6 == 200, reset.dump());
  CHECK(Has(reset, "message", "back to the source's state"));
  auto [st7, gone] = s.Ask(std::string("explain ") + kByDate);
  REQUIRE(st7 == 200);
  CHECK(!PlanHas(gone, "orders_created_idx"));
  CHECK(PlanHas(gone, "Seq Scan on public.orders"));
  auto [st8, desc] = s.Ask("\\d orders");
  REQUIRE(st8 == 200);
  CHECK(desc["result"]["output"].get<std::string>().find("orders_created_idx") ==
        std::string::npos);
  CHECK(testing::Scalar(testing::SourceDatabase(),
                        "select count(*) from pg_indexes where indexname = 'orders_created_idx'") ==
        "0");
}

TEST_CASE("exec settings stay in the session; CONCURRENTLY and VACUUM run outside a transaction") {
  ServiceStack s;
  auto [st1, set] = s.Ask("exec set enable_seqscan = off");
  REQUIRE_MESSAGE(st1 == 200, set.dump());
  CHECK(set["result"]["tag"] == "SET");
  auto [st2, plan] = s.Ask("plan select * from orders where id > 0");
  REQUIRE(st2 == 200);
  CHECK(!PlanHas(plan, "Seq Scan"));
  auto [st3, conc] = s.Ask("exec create index concurrently orders_amount_idx on orders (amount)");
  REQUIRE_MESSAGE(st3 == 200, conc.dump());
  CHECK(conc["result"]["tag"] == "CREATE INDEX");
  auto [st4, vac] = s.Ask("exec vacuum analyze orders");
  REQUIRE_MESSAGE(st4 == 200, vac.dump());
  CHECK(vac["result"]["tag"] == "VACUUM");
  auto [st5, reset] = s.Ask("exec reset enable_seqscan");
  REQUIRE(st5 == 200);
  auto [st6, again] = s.Ask("plan select * from orders where id > 0");
  REQUIRE(st6 == 200);
  CHECK(PlanHas(again, "Seq Scan on public.orders"));
}

TEST_CASE("exec refuses what does not shape a database for an experiment, with a reason") {
  ServiceStack s;
  struct Case {
    const char* text;
    const char* why;
  };
  for (const Case& c : {
           Case{"exec do $$ begin perform 1; end $$", "DO"},
           Case{"exec create function f() returns int language sql as 'select 1'", "functions"},
           Case{"exec call p()", "procedures"},
           Case{"exec copy customers to stdout", "COPY"},
           Case{"exec grant select on customers to public", "privileges"},
           Case{"exec create role r", "roles"},
           Case{"exec listen x", "LISTEN"},
           Case{"exec begin", "commits on its own"},
           Case{"exec comment on table customers is 'x'", "comments"},
           Case{"exec create database x", "other databases"},
           Case{"exec select * from customers", "plan"},
           Case{"exec create index a on orders (id); drop table orders", "one"},
       }) {
    CAPTURE(std::string(c.text));
    auto [status, body] = s.Ask(c.text);
    CHECK(status == 400);
    CHECK(!BodyErrorCode(body).empty());
    CHECK_MESSAGE(ErrorMessage(body).find(c.why) != std::string::npos, ErrorMessage(body));
  }
  // Nothing of that reached a clone: the orders table is intact.
  auto [st, plan] = s.Ask("plan select count(*) from orders");
  CHECK(st == 200);
}

TEST_CASE("hypo create index: plan uses the hypothetical index; desc, drop, reset") {
  ServiceStack s;
  auto [st1, made] = s.Ask("hypo create index on orders (created)");
  REQUIRE_MESSAGE(st1 == 200, made.dump());
  const json index = made["result"]["index"];
  const int64_t oid = index["oid"].get<int64_t>();
  const std::string name = index["name"].get<std::string>();
  CHECK(name == "<" + std::to_string(oid) + ">btree_orders_created");
  CHECK(index["estimated_bytes"].get<int64_t>() > 0);
  CHECK(Has(made, "message", std::to_string(oid)));

  auto [st2, plan] = s.Ask(std::string("plan ") + kByDate);
  REQUIRE(st2 == 200);
  CHECK(PlanHas(plan, "\"" + name + "\""));
  REQUIRE(plan.contains("hypothetical_indexes"));
  CHECK(plan["hypothetical_indexes"].dump().find(name) != std::string::npos);
  CHECK(Has(plan, "message", "hypothetical"));

  auto [st3, desc] = s.Ask("hypo desc");
  REQUIRE(st3 == 200);
  REQUIRE(desc["result"]["indexes"].size() == 1);
  CHECK(desc["result"]["indexes"][0]["oid"] == oid);

  auto [st4, bad] = s.Ask("hypo drop 12x");
  CHECK(st4 == 400);
  auto [st5, missing] = s.Ask("hypo drop 1");
  CHECK(st5 == 404);
  auto [st6, dropped] = s.Ask("hypo drop " + std::to_string(oid));
  REQUIRE(st6 == 200);
  auto [st7, plain] = s.Ask(std::string("plan ") + kByDate);
  REQUIRE(st7 == 200);
  CHECK(!PlanHas(plain, name));

  REQUIRE(s.Ask("hypo create index on orders (amount)").first == 200);
  REQUIRE(s.Ask("hypo reset").first == 200);
  auto [st8, none] = s.Ask("hypo desc");
  REQUIRE(st8 == 200);
  CHECK(none["result"]["indexes"].empty());
  CHECK(s.Ask("hypo create table t (a int)").first == 400);
}

TEST_CASE("\\d family: quoted names allowed, ; and newlines refused before psql runs") {
  ServiceStack s;
  auto [st1, tables] = s.Ask("\\dt");
  REQUIRE_MESSAGE(st1 == 200, tables.dump());
  CHECK(tables["result"]["output"].get<std::string>().find("customers") != std::string::npos);
  auto [st2, quoted] = s.Ask("\\d \"Order Items\"");
  CHECK(st2 != 200);  // no such relation: psql's failure is an error, not an empty success
  CHECK(ErrorMessage(quoted).find("Order Items") != std::string::npos);
  for (const char* bad :
       {"\\d orders; select 1", "\\d orders\nselect 1", "\\! ls", "\\d orders `id`", "\\d :foo"}) {
    CAPTURE(bad);
    auto [status, body] = s.Ask(bad);
    CHECK(status == 400);
    CHECK(!ErrorMessage(body).empty());
  }
}

TEST_CASE("activity shows the session's running statement normalized; terminate ends it") {
  ServiceStack s;
  REQUIRE(s.Ask("plan select 1").first == 200);  // the session and its clone exist
  auto sleeping = std::async(
      std::launch::async, [&] { return s.Ask("explain select pg_sleep(30), 'literal-canary'"); });
  const int pid = WaitBackend(s, "pg_sleep");
  REQUIRE(pid > 0);

  // activity runs beside the busy session, not after it.
  auto [st1, activity] = s.Ask("activity");
  REQUIRE_MESSAGE(st1 == 200, activity.dump());
  bool found = false;
  for (const json& b : activity["result"]["backends"]) {
    if (b["pid"] == pid) {
      found = true;
      CHECK(b["state"] == "active");
      CHECK(b["query"].get<std::string>().find("pg_sleep") != std::string::npos);
    }
  }
  CHECK_MESSAGE(found, activity.dump());
  CHECK(activity.dump().find("literal-canary") == std::string::npos);
  CHECK(activity.dump().find("pg_sleep(30)") == std::string::npos);

  auto [st2, term] = s.Ask("terminate " + std::to_string(pid));
  REQUIRE_MESSAGE(st2 == 200, term.dump());
  CHECK(term["result"]["terminated"] == true);
  // Whichever ends first (the killed command or terminate's answer), the answer says whose it was.
  CHECK(term["message"].get<std::string>().find(
            "(it was this session's own connection: the next command reconnects)") !=
        std::string::npos);
  auto [st3, lost] = sleeping.get();
  CHECK_MESSAGE(st3 == 503, lost.dump());
  CHECK(BodyErrorCode(lost) == "clone_unavailable");
  CHECK(ErrorMessage(lost).find('\n') == std::string::npos);
  // The session recovers on the next command.
  auto [st4, next] = s.Ask("plan select 1");
  CHECK_MESSAGE(st4 == 200, next.dump());
}

TEST_CASE("terminate refuses non-numeric PIDs and backends that are not on the caller's clone") {
  ServiceStack s;
  REQUIRE(s.Ask("plan select 1").first == 200);
  for (const char* bad :
       {"terminate", "terminate abc", "terminate 12 13", "terminate -5", "terminate 99999999999"}) {
    CAPTURE(bad);
    auto [status, body] = s.Ask(bad);
    CHECK(status == 400);
    CHECK(!ErrorMessage(body).empty());
  }
  // A backend on another database (the test's own connection to the source).
  const std::string foreign = testing::Scalar(testing::SourceDatabase(), "select pg_backend_pid()");
  auto [st, body] = s.Ask("terminate " + foreign);
  CHECK(st == 404);
  CHECK(ErrorMessage(body).find("your clone") != std::string::npos);
}

TEST_CASE("a backend killed from outside mid-command: one line, recorded, the session recovers") {
  ServiceStack s;
  REQUIRE(s.Ask("exec create index orders_created_idx on orders (created)").first == 200);
  auto sleeping = std::async(std::launch::async,
                             [&] { return s.Ask("explain select pg_sleep(30) from customers"); });
  const int pid = WaitBackend(s, "pg_sleep");
  REQUIRE(pid > 0);
  testing::Execute("", "select pg_terminate_backend(" + std::to_string(pid) + ")");
  auto [status, body] = sleeping.get();
  CHECK(status == 503);
  CHECK(BodyErrorCode(body) == "clone_unavailable");
  CHECK(ErrorMessage(body).find('\n') == std::string::npos);

  // The clone survived, so the session keeps it: the index is still there.
  auto [st, after] = s.Ask(std::string("explain ") + kByDate);
  REQUIRE_MESSAGE(st == 200, after.dump());
  CHECK(PlanHas(after, "orders_created_idx"));

  storage::HistoryQuery q;
  auto history = s.store->ListHistory(q);
  REQUIRE(history.ok());
  bool recorded = false;
  for (const auto& entry : *history) {
    if (entry.command == "explain" && entry.outcome == "clone_unavailable") recorded = true;
  }
  CHECK(recorded);
}

TEST_CASE("a session whose clone was dropped says so in one line and starts anew") {
  ServiceStack s;
  REQUIRE(s.Ask("exec create index orders_created_idx on orders (created)").first == 200);
  const std::string clone = s.SessionClone();
  testing::Execute("", "drop database " + clone + " with (force)");
  auto [st1, first] = s.Ask(std::string("plan ") + kByDate);
  CHECK(st1 == 503);
  CHECK(BodyErrorCode(first) == "clone_unavailable");
  CHECK(ErrorMessage(first).find('\n') == std::string::npos);
  auto [st2, second] = s.Ask(std::string("plan ") + kByDate);
  REQUIRE_MESSAGE(st2 == 200, second.dump());
  CHECK(!PlanHas(second, "orders_created_idx"));
}

TEST_CASE("quota: the command past the limit gets 429 and when to retry") {
  testing::StackOptions options;
  options.quota = core::QuotaConfig{3, core::Seconds{60}};
  ServiceStack s(options);
  for (int i = 0; i < 3; ++i) REQUIRE(s.Ask("plan select 1").first == 200);
  auto res = s.client->Post("/api/v1/commands", R"({"text":"plan select 1"})", "application/json");
  REQUIRE(res);
  CHECK(res->status == 429);
  json body = json::parse(res->body);
  CHECK(BodyErrorCode(body) == "quota");
  CHECK(body["retry_after"].get<int>() >= 1);
  CHECK(body["retry_after"].get<int>() <= 60);
  CHECK(std::stoi(res->get_header_value("Retry-After")) == body["retry_after"].get<int>());
  CHECK_MESSAGE(ErrorMessage(body).find("try again in") != std::string::npos, ErrorMessage(body));
}

TEST_CASE("help lists every command with an example") {
  ServiceStack s;
  auto [status, body] = s.Ask("help");
  REQUIRE(status == 200);
  const std::string text = body["message"].get<std::string>();
  for (const char* command :
       {"plan ", "explain ", "exec ", "reset", "hypo create index", "hypo desc", "hypo drop",
        "hypo reset", "activity", "terminate ", "\\d", "help"}) {
    CAPTURE(std::string(command));
    CHECK(text.find(command) != std::string::npos);
  }
}

TEST_CASE("a busy session answers the commands that queue behind it in order, not with errors") {
  ServiceStack s;
  REQUIRE(s.Ask("plan select 1").first == 200);
  auto slow = std::async(std::launch::async, [&] { return s.Ask("explain select pg_sleep(1)"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto made = std::async(std::launch::async, [&] {
    return s.Ask("exec create index orders_created_idx on orders (created)");
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto [st3, plan] = s.Ask(std::string("plan ") + kByDate);
  CHECK(slow.get().first == 200);
  CHECK(made.get().first == 200);
  CHECK(st3 == 200);
  CHECK(PlanHas(plan, "orders_created_idx"));  // ran after the exec that arrived before it
}

TEST_CASE("dblab: plan, exec, reset and \\d on Database Lab Engine clones") {
  testing::FakeDleOptions fake_options;
  fake_options.source_db = testing::SourceDatabase();
  testing::FakeDle dle(fake_options);
  testing::StackOptions options;
  options.dle = &dle;
  options.dblab.poll_interval = std::chrono::milliseconds(50);
  ServiceStack s(options);

  REQUIRE(s.Ask("exec create index orders_created_idx on orders (created)").first == 200);
  auto [st1, plan] = s.Ask(std::string("explain ") + kByDate);
  REQUIRE_MESSAGE(st1 == 200, plan.dump());
  CHECK(PlanHas(plan, "orders_created_idx"));
  auto [st2, described] = s.Ask("\\d orders");
  REQUIRE_MESSAGE(st2 == 200, described.dump());
  CHECK(described["result"]["output"].get<std::string>().find("orders_created_idx") !=
        std::string::npos);
  REQUIRE(s.Ask("reset").first == 200);
  CHECK(dle.CountRequests("POST", "/clone/" + dle.clone_ids().at(0) + "/reset") == 1);
  auto [st3, gone] = s.Ask(std::string("explain ") + kByDate);
  REQUIRE(st3 == 200);
  CHECK(!PlanHas(gone, "orders_created_idx"));
  // The source has no hypopg extension and the engine's users may not create one: the user is
  // told how to enable it.
  auto [st4, hypo] = s.Ask("hypo create index on orders (created)");
  CHECK(st4 == 400);
  CHECK(BodyErrorCode(hypo) == "hypo_unavailable");
  CHECK(ErrorMessage(hypo).find("CREATE EXTENSION hypopg") != std::string::npos);
}

TEST_CASE("dblab: an engine that never answers gets 503 within the configured limit") {
  testing::FakeDleOptions fake_options;
  fake_options.source_db = testing::SourceDatabase();
  testing::FakeDle dle(fake_options);
  testing::StackOptions options;
  options.dle = &dle;
  options.dblab.poll_interval = std::chrono::milliseconds(50);
  options.dblab.read_timeout = std::chrono::milliseconds(1000);
  options.dblab_create_timeout_s = 2;
  ServiceStack s(options);
  dle.set_hang(true);
  const auto start = std::chrono::steady_clock::now();
  auto [status, body] = s.Ask("plan select 1");
  const auto took = std::chrono::steady_clock::now() - start;
  CHECK(status == 503);
  CHECK(BodyErrorCode(body) == "clone_unavailable");
  CHECK(ErrorMessage(body).find("fake-dle-token") == std::string::npos);
  CHECK(took < std::chrono::seconds(5));
  dle.set_hang(false);
  auto [again, ok] = s.Ask("plan select 1");
  CHECK_MESSAGE(again == 200, ok.dump());
}
