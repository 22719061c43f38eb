// The service end to end: a real HTTP server on loopback, the bot core, a real SQLite store,
// the local clone provider and sessions on the PostgreSQL that scripts/test starts. Requests are
// what a script or `planbot ask` sends; assertions are what they get back.
#include <doctest/doctest.h>
#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "tests/support/pg_test_env.h"
#include "tests/support/process_helpers.h"
#include "tests/support/service_stack.h"

using nlohmann::json;
using namespace planbot;

namespace {

// A Stack with optional API tokens and statement timeout.
struct Stack : testing::ServiceStack {
  explicit Stack(std::vector<core::TokenConfig> tokens = {}, int statement_timeout_ms = 30000)
      : ServiceStack(Options(std::move(tokens), statement_timeout_ms)) {}
  static testing::StackOptions Options(std::vector<core::TokenConfig> tokens, int timeout_ms) {
    testing::StackOptions options;
    options.tokens = std::move(tokens);
    options.statement_timeout_ms = timeout_ms;
    return options;
  }
};

int CountRows(const std::string& db, const std::string& table) {
  return std::stoi(testing::Scalar(db, "select count(*) from " + table));
}

}  // namespace

TEST_CASE("healthz reports the store and the clone provider") {
  Stack s;
  auto res = s.client->Get("/healthz");
  REQUIRE(res);
  CHECK(res->status == 200);
  json body = json::parse(res->body);
  CHECK(body["status"] == "ok");
  CHECK(body["store"]["status"] == "ok");
  CHECK(body["databases"]["shop"]["provider"] == "local");
}

TEST_CASE("plan and explain of SELECT, INSERT, UPDATE and DELETE change no data") {
  Stack s;
  auto [status, plan] = s.Ask("plan select * from customers where id = 7");
  REQUIRE_MESSAGE(status == 200, plan.dump());
  CHECK(plan["command"] == "plan");
  CHECK(plan["plan"]["text"].get<std::string>().find("Index Scan using customers_pkey") !=
        std::string::npos);
  CHECK(plan["summary"]["estimated"]["rows"] == 1);
  CHECK(plan["id"].get<int>() > 0);
  CHECK(plan["fingerprint"].get<std::string>().size() == 16);
  CHECK(plan["normalized"] == "select * from customers where id = $1");
  std::string clone = s.SessionClone();
  int customers = CountRows(clone, "customers");
  int orders = CountRows(clone, "orders");
  for (const char* sql :
       {"explain insert into customers (email, age) values ('new@example.com', 5)",
        "explain update customers set note = 'x' where id < 10",
        "explain delete from orders where id < 20", "explain select count(*) from customers"}) {
    CAPTURE(sql);
    auto [st, body] = s.Ask(sql);
    REQUIRE_MESSAGE(st == 200, body.dump());
    CHECK(body["plan"]["text"].get<std::string>().find("actual") != std::string::npos);
    CHECK(body["summary"].contains("execution_time"));
    CHECK(body["message"].get<std::string>().find("explain · shop") == 0);
  }
  CHECK(CountRows(clone, "customers") == customers);
  CHECK(CountRows(clone, "orders") == orders);
  CHECK(CountRows(testing::SourceDatabase(), "customers") == customers);
}

TEST_CASE("bad input gets SPEC §4 errors and the service keeps serving") {
  Stack s;
  auto [bad_json, e1] = s.Post("{not json");
  CHECK(bad_json == 400);
  CHECK(e1["error"]["code"] == "bad_json");
  auto [no_text, e2] = s.Post(R"({"database": "shop"})");
  CHECK(no_text == 400);
  CHECK(e2["error"]["code"] == "missing_text");
  auto [not_object, e3] = s.Post(R"(["explain select 1"])");
  CHECK(not_object == 400);
  std::string huge = json{{"text", "plan select '" + std::string(1100000, 'x') + "'"}}.dump();
  auto res = s.client->Post("/api/v1/commands", huge, "application/json");
  REQUIRE(res);
  CHECK(res->status == 413);
  CHECK(json::parse(res->body)["error"]["code"] == "too_large");
  auto [unknown, e4] = s.Ask("frobnicate select 1");
  CHECK(unknown == 400);
  CHECK(e4["error"]["code"] == "unknown_command");
  auto [syntax, e5] = s.Ask("explain select * frm customers");
  CHECK(syntax == 400);
  CHECK(e5["error"]["code"] == "syntax_error");
  CHECK(e5["error"]["position"] == 10);
  auto [refused, e6] = s.Ask("plan drop table customers");
  CHECK(refused == 400);
  CHECK(e6["error"]["code"] == "refused");
  CHECK(e6["message"].get<std::string>().find("exec") != std::string::npos);
  size_t sessions = s.service->sessions().size();
  auto [multi, e7] = s.Ask("explain select 1; select email from customers", {{"session", "fresh"}});
  CHECK(multi == 400);
  CHECK(e7["error"]["code"] == "multiple_statements");
  CHECK(s.service->sessions().size() == sessions);  // refused before any session or clone
  auto nf = s.client->Get("/api/v1/nothing");
  REQUIRE(nf);
  CHECK(nf->status == 404);
  CHECK(json::parse(nf->body)["error"]["code"] == "not_found");
  auto [ok, body] = s.Ask("plan select 1");
  CHECK(ok == 200);
}

TEST_CASE("a database error quotes no value from the data; notices never arrive") {
  Stack s;
  auto [status, body] = s.Ask("explain select email::int from customers");
  CHECK(status == 400);
  CHECK(body["error"]["sqlstate"] == "22P02");
  std::string text = body.dump();
  CHECK(text.find("@example.com") == std::string::npos);
  auto [st2, notice] = s.Ask("explain select leak_notice(email) from customers limit 3");
  REQUIRE_MESSAGE(st2 == 200, notice.dump());
  CHECK(notice.dump().find("@example.com") == std::string::npos);
  CHECK(notice.dump().find("NOTICE") == std::string::npos);
}

TEST_CASE("a long statement is stopped by the statement timeout and answered with 408") {
  Stack s({}, 1000);
  auto start = std::chrono::steady_clock::now();
  auto [status, body] = s.Ask("explain select pg_sleep(10)");
  auto took = std::chrono::steady_clock::now() - start;
  CHECK(status == 408);
  CHECK(body["error"]["code"] == "timeout");
  CHECK(took < std::chrono::seconds(3));
  auto [again, next] = s.Ask("plan select 1");
  CHECK(again == 200);
}

TEST_CASE("with tokens: 401 without or with a wrong token, audited; the token names the user") {
  Stack s({{"ci", "ci-token-0123456789abcdef", "user"}});
  auto [missing, e1] = s.Ask("plan select 1");
  CHECK(missing == 401);
  CHECK(e1["error"]["code"] == "unauthorized");
  auto [wrong, e2] = s.Ask("plan select 1", json::object(), "not-the-token-0123456789");
  CHECK(wrong == 401);
  auto [ok, body] = s.Ask("plan select 1", json::object(), "ci-token-0123456789abcdef");
  REQUIRE(ok == 200);
  CHECK(body["session"] == "ci");
  auto audit = s.store->ListAudit(20, std::nullopt);
  REQUIRE(audit.ok());
  int failures = 0;
  for (const auto& a : *audit) {
    if (a.action == "auth_failure") ++failures;
    CHECK(a.details.find("ci-token") == std::string::npos);
    CHECK(a.details.find("not-the-token") == std::string::npos);
  }
  CHECK(failures == 2);
}

TEST_CASE("every command leaves a history row and an audit row") {
  Stack s;
  REQUIRE(s.Ask("explain select * from customers where email = 'a@example.com'").first == 200);
  REQUIRE(s.Ask("plan select 1; select 2").first == 400);
  storage::HistoryQuery q;
  auto history = s.store->ListHistory(q);
  REQUIRE(history.ok());
  REQUIRE(history->size() == 2);
  const auto& refused = (*history)[0];
  const auto& ran = (*history)[1];
  CHECK(ran.command == "explain");
  CHECK(ran.outcome == "ok");
  CHECK(ran.normalized == "select * from customers where email = $1");
  CHECK(ran.user.rfind("loopback:127.0.0.1", 0) == 0);
  REQUIRE(ran.plan_json.has_value());
  CHECK(ran.plan_json->find("a@example.com") == std::string::npos);
  CHECK_FALSE(ran.query_text.has_value());
  CHECK(refused.outcome == "refused");
  CHECK(refused.error_code == "multiple_statements");
  auto verify = s.store->VerifyAuditChain();
  REQUIRE(verify.ok());
  CHECK(verify->intact);
  CHECK(verify->entries >= 2);
}

TEST_CASE("without tokens: only loopback clients, and only a loopback address to listen on") {
  Stack s;
  httplib::Request remote;
  remote.remote_addr = "10.1.2.3";
  auto caller = s.http->Authenticate(remote);
  REQUIRE_FALSE(caller.ok());
  CHECK(caller.error().code == "forbidden");
  CHECK(core::HttpStatusFor(caller.error()) == 403);
  httplib::Request local;
  local.remote_addr = "127.0.0.1";
  auto me = s.http->Authenticate(local);
  REQUIRE(me.ok());
  CHECK(me->user == "loopback:127.0.0.1");

  adapters::HttpServerOptions open;
  open.listen = "0.0.0.0:0";
  auto refused = adapters::HttpServer::Create(open, s.service.get());
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message.find("without API tokens") != std::string::npos);
  open.tokens.push_back({"ops", "ops-token-0123456789abcdef", "admin"});
  CHECK(adapters::HttpServer::Create(open, s.service.get()).ok());
}

namespace {

// The value of "json" inside "plan" as the body holds it: the bytes between `"json":` and the
// end of that value, strings and nesting honoured.
std::string RawPlanJson(const std::string& body) {
  const std::string marker = "\"plan\":{\"json\":";
  size_t at = body.find(marker);
  REQUIRE(at != std::string::npos);
  at += marker.size();
  int depth = 0;
  bool in_string = false;
  for (size_t i = at; i < body.size(); ++i) {
    const char c = body[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if (c == ']' || c == '}') {
      if (--depth == 0) return body.substr(at, i + 1 - at);
    }
  }
  FAIL("plan.json does not end");
  return {};
}

}  // namespace

TEST_CASE("plan.json is PostgreSQL's JSON as it printed it: `planbot render` of it is plan.text") {
  Stack s;
  for (const char* text : {"explain select * from customers where email = 'bob@example.com'",
                           "plan select o.id, sum(o.amount) from orders o join customers c on "
                           "c.id = o.customer_id group by o.id order by 2 desc limit 5"}) {
    CAPTURE(std::string(text));
    httplib::Client client("127.0.0.1", s.http->port());
    client.set_read_timeout(60, 0);
    auto res = client.Post("/api/v1/commands", json{{"text", text}}.dump(), "application/json");
    REQUIRE(res);
    REQUIRE(res->status == 200);
    const std::string raw = RawPlanJson(res->body);
    CHECK(raw.find("\n    \"Plan\": {") != std::string::npos);  // PostgreSQL's own layout
    // Its digits: costs with two decimals, whatever their value ("0.00" a DOM would make "0.0").
    CHECK(std::regex_search(raw, std::regex(R"("Total Cost": [0-9]+\.[0-9]{2}[,\n])")));
    const std::string plan_text = json::parse(res->body)["plan"]["text"];
    const std::filesystem::path file = s.dir_ / "plan.json";
    {
      std::FILE* f = std::fopen(file.c_str(), "w");
      REQUIRE(f != nullptr);
      std::fwrite(raw.data(), 1, raw.size(), f);
      std::fclose(f);
    }
    testing::Run rendered =
        testing::Shell(std::string(PLANBOT_BINARY) + " render " + file.string());
    CHECK(rendered.code == 0);
    CHECK(rendered.out == plan_text);
  }
}
