// PostgresSession's HypoPG operations against the real server (postgresql-15-hypopg): the
// hypothetical index is used by the next `plan` on the same connection only, list/drop/reset,
// errors for texts HypoPG cannot use, and hypo_unavailable without the extension.
#include <doctest/doctest.h>

#include "adapters/postgres/postgres_session.h"
#include "analyzer/plan_parse.h"
#include "analyzer/render_text.h"
#include "tests/result_testing.h"
#include "tests/support/pg_test_env.h"

namespace planbot::adapters {
namespace {

using core::ExplainMode;

constexpr char kQuery[] = "select * from orders where created = date '2024-02-01'";

std::string PlanOf(core::DatabaseSession& session, const std::string& sql) {
  auto json = session.Explain(sql, ExplainMode::kPlan, testing::Limits());
  REQUIRE_MESSAGE(json.ok(), planbot::testing::ErrorText(json));
  auto explain = analyzer::ParseExplainJson(*json);
  REQUIRE(explain.ok());
  return analyzer::RenderText(*explain);
}

std::vector<core::HypoIndex> List(core::DatabaseSession& session) {
  auto list = session.HypoList(testing::Limits());
  REQUIRE_MESSAGE(list.ok(), planbot::testing::ErrorText(list));
  return *list;
}

TEST_CASE("hypo create: the next plan on this connection uses it; list, drop, reset") {
  auto s = testing::OpenSessionOnClone();
  CHECK(PlanOf(*s.session, kQuery).find("Seq Scan on public.orders") != std::string::npos);
  auto index = s.session->HypoCreate("create index on orders (created)", testing::Limits());
  REQUIRE_MESSAGE(index.ok(), planbot::testing::ErrorText(index));
  MESSAGE("hypothetical index " << index->name << " on " << index->table << ": "
                                << index->definition << ", " << index->estimated_bytes << " bytes");
  CHECK(index->oid > 0);
  CHECK(index->name.rfind("<" + std::to_string(index->oid) + ">", 0) == 0);
  CHECK(index->table == "public.orders");
  CHECK(index->definition == "CREATE INDEX ON public.orders USING btree (created)");
  CHECK(index->estimated_bytes > 0);
  // Index Scan or Bitmap Index Scan, depending on the estimates: either names the index.
  const std::string used = PlanOf(*s.session, kQuery);
  CHECK(used.find("Index Scan") != std::string::npos);
  CHECK(used.find("\"" + index->name + "\"") != std::string::npos);

  auto list = List(*s.session);
  REQUIRE(list.size() == 1);
  CHECK(list[0].oid == index->oid);
  CHECK(list[0].name == index->name);
  CHECK(list[0].table == "public.orders");
  CHECK(list[0].definition == index->definition);
  CHECK(list[0].estimated_bytes == index->estimated_bytes);

  // Another session (another backend) on the same clone does not see it.
  auto other = s.factory->Open(s.lease.connection);
  REQUIRE(other.ok());
  CHECK(List(**other).empty());
  CHECK(PlanOf(**other, kQuery).find("Index Scan") == std::string::npos);
  // Nothing real was made in the clone.
  CHECK(testing::Scalar(s.lease.id,
                        "SELECT count(*) FROM pg_indexes WHERE tablename = "
                        "'orders'") == "1");

  auto dropped = s.session->HypoDrop(index->oid, testing::Limits());
  REQUIRE(dropped.ok());
  CHECK(*dropped);
  CHECK(List(*s.session).empty());
  CHECK(PlanOf(*s.session, kQuery).find("Index Scan") == std::string::npos);
  dropped = s.session->HypoDrop(index->oid, testing::Limits());
  REQUIRE(dropped.ok());
  CHECK_FALSE(*dropped);
  for (int64_t oid : {int64_t{-1}, int64_t{0}, int64_t{1} << 40}) {
    dropped = s.session->HypoDrop(oid, testing::Limits());
    REQUIRE(dropped.ok());
    CHECK_FALSE(*dropped);
  }

  REQUIRE(s.session->HypoCreate("create index on orders (amount)", testing::Limits()).ok());
  REQUIRE(s.session
              ->HypoCreate("create index on app.events (id) where payload is not null",
                           testing::Limits())
              .ok());
  list = List(*s.session);
  REQUIRE(list.size() == 2);
  CHECK(list[1].table == "app.events");
  CHECK(list[1].definition.find("WHERE (payload IS NOT NULL)") != std::string::npos);
  REQUIRE(s.session->HypoReset(testing::Limits()).ok());
  CHECK(List(*s.session).empty());
  CHECK(s.session->usable());
}

TEST_CASE("hypothetical indexes survive other commands of the session, also failed ones") {
  auto s = testing::OpenSessionOnClone();
  auto index = s.session->HypoCreate("create index on orders (created)", testing::Limits());
  REQUIRE(index.ok());
  CHECK_FALSE(s.session->Explain("select 1/0", ExplainMode::kAnalyze, testing::Limits()).ok());
  CHECK_FALSE(s.session
                  ->Exec("insert into customers (email) values ('bob@example.com')", true,
                         testing::Limits())
                  .ok());
  REQUIRE(s.session->Exec("analyze orders", true, testing::Limits()).ok());
  CHECK(List(*s.session).size() == 1);
  CHECK(PlanOf(*s.session, kQuery).find(index->name) != std::string::npos);
}

TEST_CASE("a hypothetical index whose table was dropped is listed, and the server stays up") {
  // HypoPG 1.3.1's hypopg_get_indexdef() crashes the server for such an index: the session must
  // not call it (a regression here restarts the test server).
  auto s = testing::OpenSessionOnClone();
  REQUIRE(s.session->Exec("create table scratch as select * from orders", true, testing::Limits())
              .ok());
  auto gone = s.session->HypoCreate("create index on scratch (amount)", testing::Limits());
  REQUIRE(gone.ok());
  CHECK(gone->table == "public.scratch");
  auto kept = s.session->HypoCreate("create index on orders (amount)", testing::Limits());
  REQUIRE(kept.ok());
  REQUIRE(s.session->Exec("drop table scratch", true, testing::Limits()).ok());
  auto list = List(*s.session);
  REQUIRE(list.size() == 2);
  CHECK(list[0].oid == gone->oid);
  CHECK(list[0].name == gone->name);
  CHECK(list[0].table.empty());
  CHECK(list[0].definition.empty());
  CHECK(list[0].estimated_bytes == 0);
  CHECK(list[1].table == "public.orders");
  CHECK(list[1].estimated_bytes > 0);
  CHECK(s.session->usable());
  CHECK(PlanOf(*s.session, "select * from orders where amount = 5").find(kept->name) !=
        std::string::npos);
  auto dropped = s.session->HypoDrop(gone->oid, testing::Limits());
  REQUIRE(dropped.ok());
  CHECK(*dropped);
  CHECK(List(*s.session).size() == 1);
}

TEST_CASE("hypo create of a text HypoPG cannot use is a database_error") {
  auto s = testing::OpenSessionOnClone();
  auto result = s.session->HypoCreate("create index on no_such_table (x)", testing::Limits());
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == "database_error");
  CHECK(result.error().sqlstate == "42P01");
  // Raised inside hypopg_create_index(), as it runs: the fixed message.
  CHECK(result.error().message == "the relation does not exist [SQLSTATE 42P01 undefined_table]");
  CHECK(result.error().position == 0);

  // HypoPG reports this one as an internal error (XX000): the fixed message for that SQLSTATE.
  result = s.session->HypoCreate("create index on orders (no_such_column)", testing::Limits());
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == "database_error");
  CHECK_FALSE(result.error().sqlstate.empty());
  MESSAGE("hypo create index on a missing column: " << result.error().message);

  result = s.session->HypoCreate("create index on orders (created", testing::Limits());
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().sqlstate == "42601");

  result = s.session->HypoCreate("select 1", testing::Limits());
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == "database_error");
  CHECK(result.error().message.find("no hypothetical index") != std::string::npos);

  // The text is a parameter: quotes in it cannot end the call.
  result = s.session->HypoCreate("create index on orders (created)'); delete from orders; --",
                                 testing::Limits());
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().code == "database_error");
  CHECK(testing::Scalar(s.lease.id, "SELECT count(*) FROM orders") == "1000");
  CHECK(List(*s.session).empty());
  CHECK(s.session->usable());
}

TEST_CASE("without the hypopg extension in the clone: hypo_unavailable, saying how to enable it") {
  auto s = testing::OpenSessionOnClone();
  testing::Execute(s.lease.id, "DROP EXTENSION hypopg");
  auto created = s.session->HypoCreate("create index on orders (created)", testing::Limits());
  REQUIRE_FALSE(created.ok());
  CHECK(created.error().code == "hypo_unavailable");
  CHECK(created.error().message.find("postgresql-15-hypopg") != std::string::npos);
  CHECK(created.error().message.find("CREATE EXTENSION hypopg") != std::string::npos);
  CHECK(created.error().message.find("exec create extension hypopg") != std::string::npos);
  auto list = s.session->HypoList(testing::Limits());
  REQUIRE_FALSE(list.ok());
  CHECK(list.error().code == "hypo_unavailable");
  auto dropped = s.session->HypoDrop(1, testing::Limits());
  REQUIRE_FALSE(dropped.ok());
  CHECK(dropped.error().code == "hypo_unavailable");
  auto reset = s.session->HypoReset(testing::Limits());
  REQUIRE_FALSE(reset.ok());
  CHECK(reset.error().code == "hypo_unavailable");
  CHECK(s.session->usable());
  CHECK(s.session->Explain("select 1", ExplainMode::kPlan, testing::Limits()).ok());
  // The session role may not create it (not a trusted extension): a database error.
  auto exec = s.session->Exec("create extension hypopg", true, testing::Limits());
  REQUIRE_FALSE(exec.ok());
  CHECK(exec.error().sqlstate == "42501");
}

TEST_CASE("hypo and activity name their catalogs and functions, whatever the search path holds") {
  auto s = testing::OpenSessionOnClone();
  // What a user can do with exec: tables named like catalogs, put before pg_catalog.
  for (const char* sql : {"create table pg_class (oid oid, relname text, relnamespace oid)",
                          "create table pg_namespace (oid oid, nspname text)",
                          "create table pg_stat_activity (pid int, datname text)"}) {
    REQUIRE(s.session->Exec(sql, true, testing::Limits()).ok());
  }
  REQUIRE(s.session->Exec("set search_path = public, pg_catalog", false, testing::Limits()).ok());
  auto index = s.session->HypoCreate("create index on orders (created)", testing::Limits());
  REQUIRE_MESSAGE(index.ok(), planbot::testing::ErrorText(index));
  CHECK(index->table == "public.orders");
  auto list = List(*s.session);
  REQUIRE(list.size() == 1);
  CHECK(list[0].table == "public.orders");
  auto other = s.factory->Open(s.lease.connection);
  REQUIRE(other.ok());
  auto terminated = s.session->Terminate((*other)->backend_pid(), testing::Limits());
  REQUIRE_MESSAGE(terminated.ok(), planbot::testing::ErrorText(terminated));
  CHECK(*terminated);
}

}  // namespace
}  // namespace planbot::adapters
