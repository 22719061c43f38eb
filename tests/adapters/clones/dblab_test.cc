// DblabCloneProvider against FakeDle (tests/support/fake_dle.h), whose clones are real databases
// on the test PostgreSQL: leases that connect, polling, FATAL, 401, 500, an engine that never
// answers, Release/Reset/Exists/Reattach, Shutdown, and no token in any log line or message.
#include <doctest/doctest.h>

#include <chrono>
#include <regex>
#include <thread>

#include "adapters/clones/dblab_provider.h"
#include "tests/result_testing.h"
#include "tests/support/fake_dle.h"
#include "tests/support/pg_test_env.h"

namespace planbot::adapters {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using testing::FakeDle;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

template <typename F>
bool WaitFor(F done, std::chrono::milliseconds timeout = 5s) {
  const auto until = Clock::now() + timeout;
  while (!done()) {
    if (Clock::now() > until) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

std::unique_ptr<pqxx::connection> ConnectAs(const core::ConnectionInfo& c) {
  return std::make_unique<pqxx::connection>("host=" + c.host + " port=" + std::to_string(c.port) +
                                            " dbname=" + c.dbname + " user=" + c.user +
                                            " password=" + c.password + " sslmode=" + c.sslmode);
}

std::string ScalarAs(const core::ConnectionInfo& c, const std::string& sql) {
  auto conn = ConnectAs(c);
  pqxx::nontransaction txn(*conn);
  return txn.exec1(sql)[0].as<std::string>();
}

// A fake engine, a provider's config and options, and the log lines of both.
struct Rig {
  std::string token = testing::UniqueName("Tok3n-secret");
  testing::LogCapture logs;
  std::unique_ptr<FakeDle> fake;
  core::DblabProviderConfig config;
  DblabOptions options;

  Rig() {
    testing::FakeDleOptions fake_options;
    fake_options.source_db = testing::SourceDatabase();  // FAILs when PostgreSQL is unreachable
    fake_options.token = token;
    fake = std::make_unique<FakeDle>(fake_options);
    config.url = fake->url();
    config.token = token;
    config.db_name = "shop";
    config.sslmode = "disable";
    config.create_timeout = 10s;
    options.logger = logs.logger();
    options.poll_interval = 100ms;
    options.retry_delay = 100ms;
  }

  std::unique_ptr<DblabCloneProvider> Make() {
    auto provider = DblabCloneProvider::Create(config, options);
    REQUIRE_MESSAGE(provider.ok(), planbot::testing::ErrorText(provider));
    return std::move(provider).value();
  }

  // Checked by each test at its end: the token is in no log line.
  void CheckLogs() const {
    CHECK_MESSAGE(logs.Text().find(token) == std::string::npos, logs.Text());
  }
};

int CountGets(const FakeDle& fake, const std::string& id) {
  return fake.CountRequests("GET", "/clone/" + id);
}

TEST_CASE("dblab: Acquire gives a restricted clone that really connects, on the API's host") {
  Rig rig;
  auto provider = rig.Make();
  CHECK(provider->kind() == "dblab");
  auto lease = provider->Acquire();
  REQUIRE_MESSAGE(lease.ok(), planbot::testing::ErrorText(lease));
  const core::ConnectionInfo& c = lease->connection;
  CHECK(std::regex_match(lease->id, std::regex("planbot-[0-9a-f]{12}")));
  CHECK(c.user == "planbot_" + lease->id.substr(8));
  CHECK(std::regex_match(c.password, std::regex("[A-Za-z0-9]{32}")));
  CHECK(c.host == "127.0.0.1");  // the fake says "localhost"
  CHECK(c.port == std::stoi(std::getenv("PGPORT")));
  CHECK(c.sslmode == "disable");
  auto view = rig.fake->Find(lease->id);
  REQUIRE(view.has_value());
  CHECK(view->status == "OK");
  CHECK(c.dbname == view->database);
  CHECK(ScalarAs(c, "select count(*) from customers") == "2");
  CHECK(ScalarAs(c, "select current_user") == c.user);
  CHECK(ScalarAs(c, "select rolsuper from pg_roles where rolname = current_user") == "f");
  CHECK(provider->held() == std::vector<std::string>{lease->id});
  CHECK(provider->Exists(lease->id));
  CHECK(provider->Health().ok());

  // What went over the wire: the token on every route but /healthz, the request's fields.
  for (const FakeDle::Request& r : rig.fake->requests()) {
    CHECK_MESSAGE(r.token_sent == (r.path != "/healthz"), r.method << " " << r.path);
  }
  for (const FakeDle::Request& r : rig.fake->requests()) {
    if (r.method != "POST" || r.path != "/clone") continue;
    auto body = nlohmann::json::parse(r.body);
    CHECK(body["id"] == lease->id);
    CHECK(body["protected"] == false);
    CHECK(body["db"]["username"] == c.user);
    CHECK(body["db"]["password"] == c.password);
    CHECK(body["db"]["restricted"] == true);
    CHECK(body["db"]["db_name"] == "shop");
  }
  CHECK(rig.logs.Text().find(c.password) == std::string::npos);
  rig.CheckLogs();
}

TEST_CASE("dblab: a clone on another host is reached there; one on localhost at the API's host") {
  Rig rig;
  auto provider = rig.Make();
  rig.fake->set_clone_host("clone-17.dle.internal");
  auto lease = provider->Acquire();
  REQUIRE_MESSAGE(lease.ok(), planbot::testing::ErrorText(lease));
  CHECK(lease->connection.host == "clone-17.dle.internal");

  rig.config.url = "http://localhost:" + std::to_string(rig.fake->port());
  auto by_name = rig.Make();
  rig.fake->set_clone_host("127.0.0.1");
  auto local = by_name->Acquire();
  REQUIRE_MESSAGE(local.ok(), planbot::testing::ErrorText(local));
  CHECK(local->connection.host == "localhost");
  rig.CheckLogs();
}

TEST_CASE("dblab: a slow creation is polled until OK") {
  Rig rig;
  rig.fake->set_create_delay(250ms);  // CREATING for two polls at 100 ms
  auto provider = rig.Make();
  const auto start = Clock::now();
  auto lease = provider->Acquire();
  REQUIRE_MESSAGE(lease.ok(), planbot::testing::ErrorText(lease));
  CHECK(SecondsSince(start) >= 0.25);
  CHECK(CountGets(*rig.fake, lease->id) >= 3);
  CHECK(ScalarAs(lease->connection, "select count(*) from orders") == "1000");
  rig.CheckLogs();
}

TEST_CASE("dblab: a FATAL clone is a clear error, and it is deleted") {
  Rig rig;
  auto provider = rig.Make();
  rig.fake->FailNextClone("no available ports");
  auto lease = provider->Acquire();
  REQUIRE_FALSE(lease.ok());
  CHECK(lease.error().code == "clone_unavailable");
  CHECK(lease.error().message.find("could not make a clone: no available ports") !=
        std::string::npos);
  CHECK(lease.error().message.find(rig.fake->url()) != std::string::npos);
  CHECK(WaitFor([&] { return rig.fake->clone_ids().empty(); }));
  std::string id;
  for (const FakeDle::Request& r : rig.fake->requests()) {
    if (r.method == "POST" && r.path == "/clone") id = nlohmann::json::parse(r.body)["id"];
  }
  CHECK(WaitFor([&] { return rig.fake->CountRequests("DELETE", "/clone/" + id) == 1; }));
  CHECK(WaitFor([&] { return provider->pending_deletions() == 0; }));
  CHECK(provider->held().empty());
  rig.CheckLogs();
}

TEST_CASE("dblab: a rejected token is a clear error that does not hold the token") {
  Rig rig;
  rig.config.token = "wrong-" + rig.token;
  auto refused = DblabCloneProvider::Create(rig.config, rig.options);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == "clone_unavailable");
  CHECK(refused.error().message.find("rejected the verification token") != std::string::npos);
  CHECK(refused.error().message.find(rig.token) == std::string::npos);

  rig.config.token = rig.token;
  auto provider = rig.Make();
  rig.fake->set_token("rotated-" + rig.token);  // the engine's token changed under us
  auto lease = provider->Acquire();
  REQUIRE_FALSE(lease.ok());
  CHECK(lease.error().message.find("rejected the verification token") != std::string::npos);
  CHECK(lease.error().message.find(rig.token) == std::string::npos);
  Status health = provider->Health();
  REQUIRE_FALSE(health.ok());
  CHECK(health.error().message.find("verification token") != std::string::npos);
  CHECK(provider->pending_deletions() == 0);  // a 401 made nothing
  rig.CheckLogs();
}

TEST_CASE("dblab: a 500 from POST /clone is an error; the next Acquire works") {
  Rig rig;
  auto provider = rig.Make();
  rig.fake->FailNextRequests(1);
  auto lease = provider->Acquire();
  REQUIRE_FALSE(lease.ok());
  CHECK(lease.error().code == "clone_unavailable");
  CHECK(lease.error().message.find("HTTP 500") != std::string::npos);
  CHECK(lease.error().message.find("POST /clone") != std::string::npos);
  // The provider makes sure no clone was left (500 "clone not found" to its DELETE).
  CHECK(WaitFor([&] { return provider->pending_deletions() == 0; }));
  auto again = provider->Acquire();
  CHECK_MESSAGE(again.ok(), planbot::testing::ErrorText(again));
  rig.CheckLogs();
}

TEST_CASE("dblab: an engine that never answers fails callers within their limits") {
  Rig rig;
  rig.config.create_timeout = 3s;
  rig.options.health_timeout = 1s;
  auto provider = rig.Make();  // connect 5 s and read 30 s per request: the deadline cuts in
  rig.options.read_timeout = 1s;
  auto quick = rig.Make();
  rig.fake->set_hang(true);

  auto start = Clock::now();
  auto lease = provider->Acquire();
  double took = SecondsSince(start);
  REQUIRE_FALSE(lease.ok());
  CHECK(lease.error().code == "clone_unavailable");
  CHECK(lease.error().message.find(rig.fake->url()) != std::string::npos);
  CHECK(took >= 2.9);
  CHECK(took < 5.0);
  MESSAGE("Acquire against a hung engine failed after " << took << " s");

  start = Clock::now();
  CHECK_FALSE(provider->Health().ok());
  CHECK(SecondsSince(start) < 2.0);
  start = Clock::now();
  CHECK_FALSE(quick->Exists("planbot-000000000000"));
  CHECK(SecondsSince(start) < 2.0);
  rig.fake->set_hang(false);
  rig.CheckLogs();
}

TEST_CASE("dblab: the creation deadline holds while polling, too") {
  Rig rig;
  rig.config.create_timeout = 2s;
  rig.fake->set_create_delay(60s);
  auto provider = rig.Make();
  auto start = Clock::now();
  auto lease = provider->Acquire();  // CREATING until the deadline
  REQUIRE_FALSE(lease.ok());
  CHECK(lease.error().message.find("not ready after") != std::string::npos);
  CHECK(lease.error().message.find("CREATING") != std::string::npos);
  CHECK(SecondsSince(start) < 3.0);
  CHECK(WaitFor([&] { return rig.fake->clone_ids().empty(); }));  // deleted in the background

  // The engine stops answering while the clone is being made.
  start = Clock::now();
  std::thread hang([&] {
    std::this_thread::sleep_for(300ms);
    rig.fake->set_hang(true);
  });
  lease = provider->Acquire();
  hang.join();
  REQUIRE_FALSE(lease.ok());
  CHECK(SecondsSince(start) < 3.0);
  // The poll that hangs into the deadline is named, and does not hide the status seen before.
  CHECK(lease.error().message.find("last status CREATING") != std::string::npos);
  CHECK(lease.error().message.find("last poll:") != std::string::npos);
  MESSAGE(lease.error().message);
  rig.fake->set_hang(false);
  rig.CheckLogs();
}

TEST_CASE("dblab: an engine that is down fails Create, naming its URL") {
  Rig rig;
  rig.config.url = "http://127.0.0.1:1";
  auto provider = DblabCloneProvider::Create(rig.config, rig.options);
  REQUIRE_FALSE(provider.ok());
  CHECK(provider.error().code == "clone_unavailable");
  CHECK(provider.error().message.find("http://127.0.0.1:1") != std::string::npos);

  rig.config.url = "ftp://dle";
  provider = DblabCloneProvider::Create(rig.config, rig.options);
  REQUIRE_FALSE(provider.ok());
  CHECK(provider.error().code == "bad_config");
}

TEST_CASE("dblab: Release polls until 404; releasing again is fine") {
  Rig rig;
  rig.fake->set_delete_delay(300ms);
  auto provider = rig.Make();
  auto lease = provider->Acquire();
  REQUIRE_MESSAGE(lease.ok(), planbot::testing::ErrorText(lease));
  const std::string database = rig.fake->Find(lease->id)->database;
  const int gets_before = CountGets(*rig.fake, lease->id);
  auto start = Clock::now();
  Status released = provider->Release(lease->id);
  CHECK_MESSAGE(released.ok(), planbot::testing::ErrorText(released));
  CHECK(SecondsSince(start) >= 0.3);
  CHECK(CountGets(*rig.fake, lease->id) - gets_before >= 2);  // DELETING, then 404
  CHECK_FALSE(rig.fake->Find(lease->id).has_value());
  CHECK(testing::Scalar(
            "", "select count(*) from pg_database where datname = '" + database + "'") == "0");
  CHECK(testing::Scalar("", "select count(*) from pg_roles where rolname = '" +
                                lease->connection.user + "'") == "0");
  CHECK(provider->held().empty());
  CHECK_FALSE(provider->Exists(lease->id));

  // The engine answers 500 "clone not found" to the second DELETE: gone already.
  released = provider->Release(lease->id);
  CHECK_MESSAGE(released.ok(), planbot::testing::ErrorText(released));
  CHECK(rig.fake->CountRequests("DELETE", "/clone/" + lease->id) == 2);
  CHECK(provider->Release("not-a-planbot-clone").ok());
  CHECK(rig.fake->CountRequests("DELETE", "/clone/not-a-planbot-clone") == 0);
  rig.CheckLogs();
}

TEST_CASE("dblab: Reset keeps the connection and the password, and brings the data back") {
  Rig rig;
  rig.fake->set_reset_delay(250ms);
  auto provider = rig.Make();
  auto lease = provider->Acquire();
  REQUIRE_MESSAGE(lease.ok(), planbot::testing::ErrorText(lease));
  {
    auto conn = ConnectAs(lease->connection);
    pqxx::work txn(*conn);
    txn.exec0("insert into customers (email, age) values ('carol@example.net', 50)");
    txn.exec0("create index on orders (amount)");  // the clone's owner may
    txn.commit();
  }
  CHECK(ScalarAs(lease->connection, "select count(*) from customers") == "3");
  const int gets_before = CountGets(*rig.fake, lease->id);
  auto reset = provider->Reset(lease->id);
  REQUIRE_MESSAGE(reset.ok(), planbot::testing::ErrorText(reset));
  CHECK(CountGets(*rig.fake, lease->id) - gets_before >= 3);  // RESETTING twice, then OK
  CHECK(reset->id == lease->id);
  CHECK(reset->connection.Describe() == lease->connection.Describe());
  CHECK(reset->connection.password == lease->connection.password);
  CHECK(ScalarAs(reset->connection, "select count(*) from customers") == "2");
  CHECK(ScalarAs(reset->connection, "select count(*) from pg_indexes where tablename = 'orders'") ==
        "1");
  CHECK(rig.fake->Find(lease->id)->resets == 1);

  auto unknown = provider->Reset("planbot-000000000000");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code == "clone_unavailable");
  rig.CheckLogs();
}

TEST_CASE("dblab: Reattach after a restart, with the saved password") {
  Rig rig;
  auto before = rig.Make();
  auto kept = before->Acquire();
  auto vanished = before->Acquire();
  REQUIRE_MESSAGE(kept.ok(), planbot::testing::ErrorText(kept));
  REQUIRE_MESSAGE(vanished.ok(), planbot::testing::ErrorText(vanished));

  auto after = rig.Make();  // a new planbot: it knows the ids and passwords from its store
  auto lease = after->Reattach(kept->id, kept->connection.password);
  REQUIRE_MESSAGE(lease.ok(), planbot::testing::ErrorText(lease));
  CHECK(lease->connection.Describe() == kept->connection.Describe());
  CHECK(ScalarAs(lease->connection, "select count(*) from customers") == "2");
  CHECK(after->held() == std::vector<std::string>{kept->id});
  // Reset works on a reattached clone: the password came from the store.
  auto reset = after->Reset(kept->id);
  CHECK_MESSAGE(reset.ok(), planbot::testing::ErrorText(reset));

  REQUIRE(rig.fake->Vanish(vanished->id));
  auto gone = after->Reattach(vanished->id, vanished->connection.password);
  REQUIRE_FALSE(gone.ok());
  CHECK(gone.error().code == "not_found");
  CHECK(after->Reattach("someone-elses-clone", "pw").error().code == "not_found");

  // A clone that went FATAL while planbot was down counts as gone, and is deleted.
  rig.fake->FailNextClone("postgres start timeout");
  httplib::Client client(rig.fake->url());
  const std::string fatal_id = "planbot-fa7a1fa7a1fa";
  auto made = client.Post("/clone", {{"Verification-Token", rig.token}},
                          R"({"id":")" + fatal_id + R"(","db":{"username":"u","password":"p"}})",
                          "application/json");
  REQUIRE(made);
  REQUIRE(made->status == 201);
  auto fatal = after->Reattach(fatal_id, "p");
  REQUIRE_FALSE(fatal.ok());
  CHECK(fatal.error().code == "not_found");
  CHECK(fatal.error().message.find("postgres start timeout") != std::string::npos);
  CHECK(WaitFor([&] { return !rig.fake->Find(fatal_id).has_value(); }));
  rig.CheckLogs();
}

TEST_CASE("dblab: Exists") {
  Rig rig;
  auto provider = rig.Make();
  auto lease = provider->Acquire();
  REQUIRE_MESSAGE(lease.ok(), planbot::testing::ErrorText(lease));
  CHECK(provider->Exists(lease->id));
  CHECK_FALSE(provider->Exists("planbot-000000000000"));
  CHECK_FALSE(provider->Exists("../status"));
  REQUIRE(rig.fake->Vanish(lease->id));
  CHECK_FALSE(provider->Exists(lease->id));
  CHECK(provider->Release(lease->id).ok());  // gone already: fine
  rig.CheckLogs();
}

TEST_CASE("dblab: Shutdown deletes every clone it holds; concurrent Acquires") {
  Rig rig;
  rig.fake->set_create_delay(200ms);
  rig.fake->set_delete_delay(200ms);
  auto provider = rig.Make();
  std::vector<Result<core::CloneLease>> leases(4, MakeError(ErrorCode::kInternal, "not run"));
  std::vector<std::thread> threads;
  for (size_t i = 0; i < leases.size(); ++i) {
    threads.emplace_back([&, i] { leases[i] = provider->Acquire(); });
  }
  for (std::thread& t : threads) t.join();
  for (const auto& lease : leases) REQUIRE_MESSAGE(lease.ok(), planbot::testing::ErrorText(lease));
  CHECK(rig.fake->clone_ids().size() == 4);
  CHECK(provider->held().size() == 4);

  const auto start = Clock::now();
  provider->Shutdown();
  MESSAGE("Shutdown deleted 4 clones in " << SecondsSince(start) << " s");
  CHECK(SecondsSince(start) < 2.0);  // in parallel: about one delete_delay
  CHECK(rig.fake->clone_ids().empty());
  for (const auto& lease : leases) {
    CHECK(testing::Scalar("", "select count(*) from pg_roles where rolname = '" +
                                  lease->connection.user + "'") == "0");
  }
  auto late = provider->Acquire();
  REQUIRE_FALSE(late.ok());
  CHECK(late.error().code == "clone_unavailable");
  provider->Shutdown();  // twice is fine
  rig.CheckLogs();
}

}  // namespace
}  // namespace planbot::adapters
