// PostgresSession's reads for advice verification against the real server: the catalog facts of
// the fixture's relations (and nothing of their data), and a re-plan with SET LOCAL settings that
// changes the plan but not the session.
#include <doctest/doctest.h>

#include <algorithm>

#include "adapters/postgres/postgres_session.h"
#include "analyzer/plan_parse.h"
#include "tests/result_testing.h"
#include "tests/support/pg_test_env.h"

namespace planbot::adapters {

TEST_CASE("ReadCatalog: sizes, indexes, columns with collation and statistics figures") {
  auto s = testing::OpenSessionOnClone();
  auto facts = s.session->ReadCatalog({"orders", "customers", "app.events", "nosuch", "x'); --"},
                                      testing::Limits());
  REQUIRE_MESSAGE(facts.ok(), planbot::testing::ErrorText(facts));
  CHECK_FALSE(facts->datcollate.empty());
  // Unknown names, and text that is no name, are left out.
  REQUIRE(facts->relations.size() == 3);
  const analyzer::RelationFacts* orders = facts->Relation("orders");
  REQUIRE(orders != nullptr);
  CHECK(orders->current_pages >= 1);
  CHECK(orders->relpages >= 0);
  REQUIRE(orders->indexes.size() == 1);
  CHECK(orders->indexes[0] == "CREATE UNIQUE INDEX orders_pkey ON public.orders USING btree (id)");
  REQUIRE(orders->columns.size() == 4);
  CHECK(orders->columns[1].name == "customer_id");
  CHECK(orders->columns[1].type == "integer");
  CHECK_FALSE(orders->columns[1].collatable);
  const analyzer::RelationFacts* customers = facts->Relation("customers");
  REQUIRE(customers != nullptr);
  const analyzer::ColumnFacts* email = customers->Column("email");
  REQUIRE(email != nullptr);
  CHECK(email->collatable);
  CHECK(email->collation.empty());  // the database default
  CHECK(facts->EffectiveCollation(*email) == facts->datcollate);
  const analyzer::ColumnFacts* code = customers->Column("code");
  REQUIRE(code != nullptr);
  CHECK(code->type == "character varying(4)");
  CHECK(facts->Relation("app.events") != nullptr);
}

TEST_CASE("Replan: SET LOCAL settings change the plan for one re-plan only") {
  auto s = testing::OpenSessionOnClone();
  const std::string sql = "select * from orders where id = 5";
  auto plain = s.session->Replan(sql, {}, testing::Limits());
  REQUIRE_MESSAGE(plain.ok(), planbot::testing::ErrorText(plain));
  CHECK(plain->find("\"Index Scan\"") != std::string::npos);
  auto off = s.session->Replan(sql, {{"enable_indexscan", "off"}, {"enable_bitmapscan", "off"}},
                               testing::Limits());
  REQUIRE_MESSAGE(off.ok(), planbot::testing::ErrorText(off));
  CHECK(off->find("\"Seq Scan\"") != std::string::npos);
  // Nothing persists: the next plan on the connection is the index scan again.
  auto again = s.session->Explain(sql, core::ExplainMode::kPlan, testing::Limits());
  REQUIRE(again.ok());
  CHECK(again->find("\"Index Scan\"") != std::string::npos);
  // Only names planbot chose pass; a value cannot break out of its quotes.
  auto bad = s.session->Replan(sql, {{"work_mem; drop table orders", "1MB"}}, testing::Limits());
  CHECK_FALSE(bad.ok());
  auto quoted = s.session->Replan(sql, {{"application_name", "x'; drop table orders; --"}},
                                  testing::Limits());
  CHECK(quoted.ok());
  CHECK(s.session->usable());
  auto still = s.session->Replan("select count(*) from orders", {}, testing::Limits());
  CHECK(still.ok());
}

}  // namespace planbot::adapters
