// ListHistory: filters combined with AND, newest first, paging by before_id, limit clamping,
// time bounds, listings without plans, and index use for every "newest of one X" query.
#include <doctest/doctest.h>

#include "storage/history_query.h"
#include "tests/storage/store_testing.h"

namespace planbot::storage {
namespace {

using testing::OpenStore;
using testing::RawDb;
using testing::SampleAudit;
using testing::SampleHistory;
using testing::TempDir;

// 30 entries: user = user(i%3), session = s(i%4), database shop/big by parity, fp(i%5);
// created_at 2026-11-23T10:00:<i>.000Z.
std::unique_ptr<SqliteStore> Filled(const TempDir& dir) {
  auto store = OpenStore(dir.File("planbot.db"));
  for (int i = 1; i <= 30; ++i) {
    HistoryEntry h = SampleHistory(i);
    char ts[32];
    std::snprintf(ts, sizeof ts, "2026-11-23T10:00:%02d.000Z", i);
    h.created_at = ts;
    auto id = store->Record(h, SampleAudit(i));
    REQUIRE(id.ok());
    REQUIRE(*id == i);
  }
  return store;
}

std::vector<int64_t> Ids(SqliteStore& store, const HistoryQuery& q) {
  auto entries = store.ListHistory(q);
  REQUIRE(entries.ok());
  std::vector<int64_t> ids;
  for (const auto& e : *entries) ids.push_back(e.id);
  return ids;
}

TEST_CASE("ListHistory: newest first, filters combined with AND") {
  TempDir dir;
  auto store = Filled(dir);
  HistoryQuery q;
  CHECK(Ids(*store, q).size() == 30);
  CHECK(Ids(*store, q).front() == 30);

  q.user = "user1";  // i % 3 == 1
  CHECK(Ids(*store, q) == std::vector<int64_t>{28, 25, 22, 19, 16, 13, 10, 7, 4, 1});
  q.database = "shop";  // and even
  CHECK(Ids(*store, q) == std::vector<int64_t>{28, 22, 16, 10, 4});
  q.fingerprint = "fp2";  // and i % 5 == 2
  CHECK(Ids(*store, q) == std::vector<int64_t>{22});
  q.session = "s1";  // 22 % 4 == 2: nothing left
  CHECK(Ids(*store, q).empty());

  HistoryQuery by_session;
  by_session.session = "s3";
  CHECK(Ids(*store, by_session) == std::vector<int64_t>{27, 23, 19, 15, 11, 7, 3});
}

TEST_CASE("ListHistory: paging with before_id and limit") {
  TempDir dir;
  auto store = Filled(dir);
  HistoryQuery q;
  q.fingerprint = "fp0";  // 30, 25, 20, 15, 10, 5
  q.limit = 4;
  CHECK(Ids(*store, q) == std::vector<int64_t>{30, 25, 20, 15});
  q.before_id = 15;
  CHECK(Ids(*store, q) == std::vector<int64_t>{10, 5});
  q.before_id = 5;
  CHECK(Ids(*store, q).empty());

  HistoryQuery clamp;
  clamp.limit = 0;
  CHECK(Ids(*store, clamp).size() == 1);
  clamp.limit = -5;
  CHECK(Ids(*store, clamp).size() == 1);
  CHECK(ClampLimit(5000) == 1000);
  CHECK(ClampLimit(1000) == 1000);
  CHECK(ClampLimit(1) == 1);
}

TEST_CASE("ListHistory: created_at bounds, whole-second bounds compare correctly") {
  TempDir dir;
  auto store = Filled(dir);
  HistoryQuery q;
  q.after = "2026-11-23T10:00:10.000Z";
  q.before = "2026-11-23T10:00:13Z";  // before 10:00:13.000, so 13 itself is excluded
  CHECK(Ids(*store, q) == std::vector<int64_t>{12, 11, 10});
  q.after = "2026-11-23T10:00:29Z";
  q.before.reset();
  CHECK(Ids(*store, q) == std::vector<int64_t>{30, 29});
  q.after = "2026-11-24";
  CHECK(Ids(*store, q).empty());
}

TEST_CASE("ListHistory without plans leaves the plan fields absent") {
  TempDir dir;
  auto store = Filled(dir);
  HistoryQuery q;
  q.limit = 1;
  q.include_plans = false;
  auto entries = store->ListHistory(q);
  REQUIRE(entries.ok());
  REQUIRE(entries->size() == 1);
  const HistoryEntry& e = entries->front();
  CHECK(e.id == 30);
  CHECK(e.query_text == SampleHistory(30).query_text);
  CHECK(e.normalized == SampleHistory(30).normalized);
  CHECK(e.execution_ms == SampleHistory(30).execution_ms);
  CHECK_FALSE(e.plan_json.has_value());
  CHECK_FALSE(e.plan_text.has_value());
  CHECK_FALSE(e.summary_json.has_value());
  CHECK_FALSE(e.tips_json.has_value());
}

// The plan SQLite chooses for a query, as the lines of EXPLAIN QUERY PLAN.
std::string QueryPlan(SqliteDb& db, const SqlWithArgs& query) {
  auto stmt = db.Prepare("EXPLAIN QUERY PLAN " + query.sql);
  REQUIRE(stmt.ok());
  query.Bind(*stmt);
  std::string plan;
  while (*stmt->Step()) plan += stmt->ColumnText(3) + "\n";
  return plan;
}

TEST_CASE("the newest entries of one fingerprint, user, session or database come from an index") {
  TempDir dir;
  auto store = Filled(dir);
  SqliteDb raw = RawDb(store->path());
  struct Case {
    const char* index;
    HistoryQuery query;
  };
  std::vector<Case> cases(5);
  cases[0] = {"history_fingerprint_id", {}};
  cases[0].query.fingerprint = "fp1";
  cases[1] = {"history_user_id", {}};
  cases[1].query.user = "user1";
  cases[2] = {"history_session_id", {}};
  cases[2].query.session = "s1";
  cases[3] = {"history_database_id", {}};
  cases[3].query.database = "shop";
  cases[4] = {"history_fingerprint_id", {}};
  cases[4].query.fingerprint = "fp1";
  cases[4].query.before_id = 20;
  for (const Case& c : cases) {
    std::string plan = QueryPlan(raw, BuildHistoryList(c.query));
    CAPTURE(plan);
    CHECK(plan.find(c.index) != std::string::npos);
    CHECK(plan.find("TEMP B-TREE") == std::string::npos);  // no sort: the index gives the order
  }
}

}  // namespace
}  // namespace planbot::storage
