// The web view over HTTP (docs/web.md), as a browser would meet it: pages and files with their
// security headers, the loopback rules without tokens (Origin, Host), login with a token into a
// session cookie, CSRF on the cookie's POSTs, logout, other users' entries, the comparison of
// two runs before and after an index, pasted plans analysed without a trace in the history, and
// links to the entry's page in answers. The pages' behaviour in a real browser is tested by
// tests/web/web_test.py.
#include <doctest/doctest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/pg_test_env.h"
#include "tests/support/service_stack.h"

using nlohmann::json;
using namespace planbot;

namespace {

testing::StackOptions WithTokens() {
  testing::StackOptions options;
  options.tokens = {{"alice", "alice-token-0123456789", "user"},
                    {"bob", "bob-token-0123456789", "user"},
                    {"ops", "ops-token-0123456789", "admin"}};
  return options;
}

// The value of the planbot_session cookie a login answer sets ("" when none).
std::string SessionFrom(const httplib::Result& res) {
  const std::string cookie = res->get_header_value("Set-Cookie");
  const std::string prefix = "planbot_session=";
  if (cookie.rfind(prefix, 0) != 0) return "";
  return cookie.substr(prefix.size(), cookie.find(';') - prefix.size());
}

// Logs in with `token`: the session cookie and its CSRF token.
std::pair<std::string, std::string> Login(testing::ServiceStack& s, const std::string& token) {
  auto res = s.client->Post("/login", "token=" + token, "application/x-www-form-urlencoded");
  REQUIRE(res);
  REQUIRE(res->status == 303);
  REQUIRE(res->get_header_value("Location") == "/");
  const std::string cookie = SessionFrom(res);
  REQUIRE(cookie.size() == 64);
  auto me = s.client->Get("/api/v1/session", {{"Cookie", "planbot_session=" + cookie}});
  REQUIRE(me);
  REQUIRE(me->status == 200);
  return {cookie, json::parse(me->body)["csrf"].get<std::string>()};
}

int HistoryRows(testing::ServiceStack& s) {
  return static_cast<int>(s.store->ListHistory(storage::HistoryQuery{})->size());
}

}  // namespace

TEST_CASE("web view without tokens: pages and files with their security headers, loopback only") {
  testing::ServiceStack s;
  for (const char* page : {"/", "/plans/1", "/compare/1/2", "/analyze"}) {
    auto res = s.client->Get(page);
    REQUIRE(res);
    CHECK_MESSAGE(res->status == 200, page);
    CHECK(res->get_header_value("Content-Type") == "text/html; charset=utf-8");
    CHECK(res->get_header_value("Content-Security-Policy").rfind("default-src 'self'", 0) == 0);
    CHECK(res->get_header_value("X-Frame-Options") == "DENY");
    CHECK(res->get_header_value("X-Content-Type-Options") == "nosniff");
    CHECK(res->body.find("/assets/app.js") != std::string::npos);
  }
  auto app = s.client->Get("/assets/app.js");
  REQUIRE(app);
  CHECK(app->status == 200);
  CHECK(app->get_header_value("Content-Type") == "text/javascript; charset=utf-8");
  auto pev2 = s.client->Get("/assets/vendor/pev2.umd.js");
  REQUIRE(pev2);
  CHECK(pev2->status == 200);
  CHECK(pev2->body.size() > 100000);
  // No way out of the compiled-in files.
  for (const char* path : {"/assets/../CMakeLists.txt", "/assets/%2e%2e/README.md",
                           "/assets/.hidden", "/assets/vendor/nothing.js"}) {
    auto res = s.client->Get(path);
    REQUIRE(res);
    CHECK_MESSAGE(res->status == 404, path);
  }
  // Without tokens there is nothing to log in to.
  auto login = s.client->Get("/login");
  REQUIRE(login);
  CHECK(login->status == 303);
  auto me = s.Get("/api/v1/session");
  CHECK(me.first == 200);
  CHECK(me.second["auth"] == "loopback");
  CHECK(me.second["csrf"].is_null());

  // A page on another site cannot drive the loopback service: its POST carries its Origin.
  const std::string body = R"({"text": "plan select 1"})";
  auto cross = s.client->Post("/api/v1/commands", {{"Origin", "https://evil.example"}}, body,
                              "application/json");
  REQUIRE(cross);
  CHECK(cross->status == 403);
  CHECK(json::parse(cross->body)["error"]["code"] == "forbidden");
  auto own = s.client->Post("/api/v1/commands",
                            {{"Origin", "http://127.0.0.1:" + std::to_string(s.http->port())}},
                            body, "application/json");
  REQUIRE(own);
  CHECK(own->status == 200);
  // DNS rebinding: a name that resolves to 127.0.0.1 but is not a loopback name.
  auto rebound = s.client->Get("/api/v1/history", {{"Host", "attacker.example:8080"}});
  REQUIRE(rebound);
  CHECK(rebound->status == 403);
  auto audit = s.store->ListAudit(50, std::nullopt);
  REQUIRE(audit);
  int refused = 0;
  for (const auto& e : *audit) {
    if (e.action == "auth_failure" && (e.details.find("cross-site") != std::string::npos ||
                                       e.details.find("Host header") != std::string::npos)) {
      ++refused;
    }
  }
  CHECK(refused == 2);
}

TEST_CASE("web view with tokens: login into a session cookie, CSRF on its POSTs, logout") {
  testing::ServiceStack s(WithTokens());
  auto page = s.client->Get("/");
  REQUIRE(page);
  CHECK(page->status == 303);
  CHECK(page->get_header_value("Location") == "/login");
  auto form = s.client->Get("/login");
  REQUIRE(form);
  CHECK(form->status == 200);
  CHECK(form->body.find("name=\"token\"") != std::string::npos);

  auto bad = s.client->Post("/login", "token=wrong", "application/x-www-form-urlencoded");
  REQUIRE(bad);
  CHECK(bad->status == 303);
  CHECK(bad->get_header_value("Location") == "/login?error=1");
  CHECK(SessionFrom(bad).empty());

  auto res =
      s.client->Post("/login", "token=alice-token-0123456789", "application/x-www-form-urlencoded");
  REQUIRE(res);
  const std::string set_cookie = res->get_header_value("Set-Cookie");
  CHECK(set_cookie.find("HttpOnly") != std::string::npos);
  CHECK(set_cookie.find("SameSite=Strict") != std::string::npos);
  CHECK(set_cookie.find("Path=/") != std::string::npos);
  CHECK(set_cookie.find("Max-Age=43200") != std::string::npos);
  CHECK(set_cookie.find("Secure") == std::string::npos);  // plain HTTP here
  const std::string cookie = "planbot_session=" + SessionFrom(res);

  auto me = s.client->Get("/api/v1/session", {{"Cookie", cookie}});
  REQUIRE(me);
  json who = json::parse(me->body);
  CHECK(who["user"] == "alice");
  CHECK(who["role"] == "user");
  CHECK(who["auth"] == "cookie");
  const std::string csrf = who["csrf"];
  CHECK(csrf.size() == 64);
  auto home = s.client->Get("/", {{"Cookie", cookie}});
  REQUIRE(home);
  CHECK(home->status == 200);

  const std::string body = R"({"text": "plan select 1"})";
  auto no_csrf = s.client->Post("/api/v1/commands", {{"Cookie", cookie}}, body, "application/json");
  REQUIRE(no_csrf);
  CHECK(no_csrf->status == 403);
  CHECK(json::parse(no_csrf->body)["error"]["message"] == "missing or wrong CSRF token");
  auto wrong = s.client->Post("/api/v1/commands",
                              {{"Cookie", cookie}, {"X-CSRF-Token", "0" + csrf.substr(1)}}, body,
                              "application/json");
  REQUIRE(wrong);
  CHECK(wrong->status == 403);
  auto ok = s.client->Post("/api/v1/commands", {{"Cookie", cookie}, {"X-CSRF-Token", csrf}}, body,
                           "application/json");
  REQUIRE(ok);
  CHECK(ok->status == 200);
  auto entry = s.store->GetHistory(json::parse(ok->body)["id"].get<int64_t>());
  REQUIRE(entry);
  REQUIRE(*entry);
  CHECK((*entry)->user == "alice");  // the session acts as its token's name

  auto logout = s.client->Post("/logout", {{"Cookie", cookie}}, "csrf=" + csrf,
                               "application/x-www-form-urlencoded");
  REQUIRE(logout);
  CHECK(logout->status == 303);
  CHECK(logout->get_header_value("Location") == "/login");
  CHECK(logout->get_header_value("Set-Cookie").find("Max-Age=0") != std::string::npos);
  auto after = s.client->Get("/api/v1/session", {{"Cookie", cookie}});
  REQUIRE(after);
  CHECK(after->status == 401);
  auto page_after = s.client->Get("/", {{"Cookie", cookie}});
  REQUIRE(page_after);
  CHECK(page_after->status == 303);

  auto audit = s.store->ListAudit(100, std::nullopt);
  REQUIRE(audit);
  int logins = 0, logouts = 0, failures = 0;
  for (const auto& e : *audit) {
    logins += e.action == "login" && e.actor == "alice";
    logouts += e.action == "logout" && e.actor == "alice";
    failures += e.action == "auth_failure";
  }
  CHECK(logins == 1);
  CHECK(logouts == 1);
  CHECK(failures >= 3);  // the bad login, the POST without CSRF, the wrong CSRF
}

TEST_CASE("web view: another user's entry is not found; an admin sees it") {
  testing::ServiceStack s(WithTokens());
  auto [status, answer] =
      s.Ask("plan select * from orders where amount > 10", {}, "alice-token-0123456789");
  REQUIRE(status == 200);
  const std::string id = std::to_string(answer["id"].get<int64_t>());
  auto [bob, bob_csrf] = Login(s, "bob-token-0123456789");
  auto entry = s.client->Get("/api/v1/history/" + id, {{"Cookie", "planbot_session=" + bob}});
  REQUIRE(entry);
  CHECK(entry->status == 404);
  auto compare =
      s.client->Get("/api/v1/compare?a=" + id + "&b=" + id, {{"Cookie", "planbot_session=" + bob}});
  REQUIRE(compare);
  CHECK(compare->status == 404);
  auto [ops, ops_csrf] = Login(s, "ops-token-0123456789");
  auto seen = s.client->Get("/api/v1/history/" + id, {{"Cookie", "planbot_session=" + ops}});
  REQUIRE(seen);
  CHECK(seen->status == 200);
  CHECK(json::parse(seen->body)["user"] == "alice");
}

TEST_CASE("compare: explain, create an index, explain again — the index and the speedup show") {
  testing::ServiceStack s;
  const std::string query = "explain select * from orders where created = '2024-06-01'";
  auto [s1, before] = s.Ask(query);
  REQUIRE_MESSAGE(s1 == 200, before.dump());
  auto [s2, made] = s.Ask("exec create index orders_created_idx on orders (created)");
  REQUIRE_MESSAGE(s2 == 200, made.dump());
  auto [s3, after] = s.Ask(query);
  REQUIRE_MESSAGE(s3 == 200, after.dump());
  CHECK(after["plan"]["text"].get<std::string>().find("orders_created_idx") != std::string::npos);

  const std::string a = std::to_string(before["id"].get<int64_t>());
  const std::string b = std::to_string(after["id"].get<int64_t>());
  auto [status, cmp] = s.Get("/api/v1/compare?a=" + a + "&b=" + b);
  REQUIRE_MESSAGE(status == 200, cmp.dump());
  CHECK(cmp["a"]["id"] == before["id"]);
  CHECK(cmp["b"]["id"] == after["id"]);
  CHECK(cmp["measure"] == "time");
  CHECK(cmp["verdict"]["better"] == "b");
  CHECK(cmp["verdict"]["text"].get<std::string>().find("faster") != std::string::npos);
  bool index_named = false;
  for (const json& change : cmp["changes"]) {
    index_named = index_named ||
                  change["text"].get<std::string>().find("orders_created_idx") != std::string::npos;
  }
  CHECK_MESSAGE(index_named, cmp["changes"].dump());
  CHECK(!cmp["nodes"].empty());
  CHECK(!cmp["totals"].empty());

  // Bad requests get SPEC §4 errors.
  CHECK(s.Get("/api/v1/compare?a=" + a).first == 400);
  CHECK(s.Get("/api/v1/compare?a=x&b=" + b).first == 400);
  CHECK(s.Get("/api/v1/compare?a=" + a + "&b=999999").first == 404);
  auto [s5, no_plan] = s.Ask("exec select 1");  // refused, but recorded: an entry without a plan
  CHECK(s5 == 400);
  REQUIRE(no_plan.contains("id"));
  auto [st, err] =
      s.Get("/api/v1/compare?a=" + a + "&b=" + std::to_string(no_plan["id"].get<int64_t>()));
  CHECK(st == 400);
  CHECK(err["error"]["code"] == "no_plan");
}

TEST_CASE("analyze: a pasted EXPLAIN is analysed, nothing is run or stored, the read is audited") {
  testing::ServiceStack s;
  // What an engineer pastes: PostgreSQL's own text of EXPLAIN (FORMAT JSON).
  const std::string pasted =
      testing::Scalar(testing::SourceDatabase(),
                      "explain (analyze, buffers, verbose, format json) "
                      "select * from orders where amount > 900 order by created");
  const int rows = HistoryRows(s);
  json body = {{"plan", pasted}, {"query", "select 1 -- mine"}};
  auto [st, analysed] = s.PostTo("/api/v1/analyze", body.dump());
  REQUIRE_MESSAGE(st == 200, analysed.dump());
  const std::string text = analysed["plan"]["text"];
  CHECK(text.rfind("Sort  (cost=", 0) == 0);
  CHECK(text.find("->  Seq Scan on public.orders  (cost=0.00..") != std::string::npos);
  CHECK(text.find("Rows Removed by Filter: 900") != std::string::npos);
  CHECK(analysed["plan"]["json"] == json::parse(pasted));
  CHECK(analysed["summary"]["execution_time"]["ms"].get<double>() > 0);
  CHECK(analysed["node_count"] == 2);
  CHECK(analysed["query"] == "select 1 -- mine");
  CHECK(HistoryRows(s) == rows);  // nothing stored

  // The plan as JSON rather than a string works too (its numbers as JSON prints them).
  json as_json = {{"plan", json::parse(pasted)}};
  auto [st2, again] = s.PostTo("/api/v1/analyze", as_json.dump());
  CHECK(st2 == 200);
  CHECK(again["node_count"] == 2);

  auto [e1, not_json] = s.PostTo("/api/v1/analyze", "{");
  CHECK(e1 == 400);
  CHECK(not_json["error"]["code"] == "bad_json");
  auto [e2, not_plan] =
      s.PostTo("/api/v1/analyze", R"json({"plan": "Seq Scan on t  (cost=0.00..1.01)"})json");
  CHECK(e2 == 400);
  CHECK(not_plan["error"]["code"] != "internal");
  auto [e3, missing] = s.PostTo("/api/v1/analyze", R"({"query": "select 1"})");
  CHECK(e3 == 400);
  CHECK(missing["error"]["code"] == "bad_request");

  auto audit = s.store->ListAudit(20, std::nullopt);
  REQUIRE(audit);
  int reads = 0;
  for (const auto& e : *audit) reads += e.action == "read" && e.command == "analyze";
  CHECK(reads == 2);
}

TEST_CASE("behind a proxy that ends TLS, the public URL's origin counts as the server's own") {
  testing::StackOptions options = WithTokens();
  options.web.public_url = "https://planbot.internal";
  testing::ServiceStack s(options);
  // The browser's page is https://planbot.internal/..., the request reaches planbot as plain HTTP.
  auto login = s.client->Post("/login", {{"Origin", "https://planbot.internal"}},
                              "token=alice-token-0123456789", "application/x-www-form-urlencoded");
  REQUIRE(login);
  CHECK(login->status == 303);
  CHECK(login->get_header_value("Location") == "/");
  const std::string cookie = "planbot_session=" + SessionFrom(login);
  auto me = s.client->Get("/api/v1/session", {{"Cookie", cookie}});
  REQUIRE(me);
  const std::string csrf = json::parse(me->body)["csrf"];
  const std::string body = R"({"text": "plan select 1"})";
  auto ok = s.client->Post(
      "/api/v1/commands",
      {{"Cookie", cookie}, {"X-CSRF-Token", csrf}, {"Origin", "https://planbot.internal"}}, body,
      "application/json");
  REQUIRE(ok);
  CHECK(ok->status == 200);
  // Another site, or the same host without TLS, is still another origin.
  for (const char* other : {"https://evil.example", "http://planbot.internal"}) {
    auto refused = s.client->Post("/api/v1/commands",
                                  {{"Cookie", cookie}, {"X-CSRF-Token", csrf}, {"Origin", other}},
                                  body, "application/json");
    REQUIRE(refused);
    CHECK_MESSAGE(refused->status == 403, other);
    auto login_refused =
        s.client->Post("/login", {{"Origin", other}}, "token=alice-token-0123456789",
                       "application/x-www-form-urlencoded");
    REQUIRE(login_refused);
    CHECK_MESSAGE(login_refused->status == 403, other);
  }
}

TEST_CASE("web.public_url: answers link to the entry's page") {
  testing::StackOptions options;
  options.web.public_url = "https://planbot.internal";
  testing::ServiceStack s(options);
  auto [status, answer] = s.Ask("plan select * from customers where id = 1");
  REQUIRE(status == 200);
  const std::string url =
      "https://planbot.internal/plans/" + std::to_string(answer["id"].get<int64_t>());
  CHECK(answer["url"] == url);
  CHECK(answer["message"].get<std::string>().find("Web view: " + url) != std::string::npos);
  auto me = s.Get("/api/v1/session");
  CHECK(me.second["public_url"] == "https://planbot.internal");
}
