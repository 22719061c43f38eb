// How long each PostgresSession operation takes against the local test server (median of 20),
// printed for the record: three round trips each (BEGIN + SET LOCALs, the statement, COMMIT or
// ROLLBACK), so the figures are mostly latency. Only success is checked: timings vary by machine.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <vector>

#include "adapters/postgres/postgres_session.h"
#include "tests/support/pg_test_env.h"

namespace planbot::adapters {
namespace {

double MedianMillis(const std::function<bool()>& op) {
  std::vector<double> ms;
  for (int i = 0; i < 20; ++i) {
    auto start = std::chrono::steady_clock::now();
    REQUIRE(op());
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                     .count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

TEST_CASE("median time of each session operation") {
  auto s = testing::OpenSessionOnClone();
  core::DatabaseSession& db = *s.session;
  const core::StatementLimits limits = testing::Limits();
  auto hypo = db.HypoCreate("create index on orders (amount)", limits);
  REQUIRE(hypo.ok());
  struct Op {
    const char* name;
    std::function<bool()> run;
  };
  const Op ops[] = {
      {"plan select 1",
       [&] { return db.Explain("select 1", core::ExplainMode::kPlan, limits).ok(); }},
      {"exec update 1 row",
       [&] { return db.Exec("update customers set age = age where id = 1", true, limits).ok(); }},
      {"exec set (session level)",
       [&] { return db.Exec("set work_mem = '64MB'", false, limits).ok(); }},
      {"hypo create + drop",
       [&] {
         auto h = db.HypoCreate("create index on orders (created)", limits);
         return h.ok() && db.HypoDrop(h->oid, limits).ok();
       }},
      {"hypo list (1 index)", [&] { return db.HypoList(limits).ok(); }},
      {"activity", [&] { return db.Activity(limits).ok(); }},
      {"terminate (not_found)",
       [&] { return db.Terminate(1, limits).error().code == "not_found"; }},
  };
  for (const Op& op : ops) MESSAGE(std::string(op.name) << ": " << MedianMillis(op.run) << " ms");
}

}  // namespace
}  // namespace planbot::adapters
