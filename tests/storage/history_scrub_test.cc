// The scrub of stored history (storage/history_scrub.h): rows written before issue 12 held server
// error texts that quoted values, Settings values computed from data, and comments of the SQL.
// Migration 6 rebuilds them from what is safe, and leaves no copy in the store's files.
#include "storage/history_scrub.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "storage/migrations.h"
#include "tests/storage/store_testing.h"

namespace planbot::storage {
namespace {

using testing::OpenStore;
using testing::RawDb;
using testing::SampleAudit;
using testing::SampleHistory;
using testing::StoreFilesHold;
using testing::TempDir;

constexpr char kCanary[] = "CANARY-scrub-9d2e71";

// An explain whose Settings held a value computed from data, as planbot stored it before.
HistoryEntry LeakySettings() {
  HistoryEntry h = SampleHistory(1);
  h.query_text.reset();  // the "normalized" policy
  h.plan_json = std::string(R"([{"Plan": {"Node Type": "Result", "Startup Cost": 0.00, )") +
                R"("Total Cost": 0.01, "Plan Rows": 1, "Plan Width": 32}, "Settings": )" +
                R"({"search_path": ")" + kCanary + R"(", "work_mem": "64kB"}, )" +
                R"("Planning Time": 0.015}])";
  h.plan_text =
      std::string("Result  (cost=0.00..0.01 rows=1 width=32)\nSettings: search_path = '") +
      kCanary + "', work_mem = '64kB'\nPlanning Time: 0.015 ms\n";
  h.tips_json = std::string(R"([{"message": "(work_mem is )") + kCanary + ")\"}]";
  return h;
}

// A run-time error whose text quoted a value (the old rules let class 42 through).
HistoryEntry LeakyError() {
  HistoryEntry h = SampleHistory(2);
  h.plan_json.reset();
  h.plan_text.reset();
  h.outcome = "error";
  h.error_code = "database_error";
  h.sqlstate = "42P01";
  h.error_message = std::string("relation \"") + kCanary + "\" does not exist [SQLSTATE 42P01]";
  return h;
}

HistoryEntry CommentedSql() {
  HistoryEntry h = SampleHistory(3);
  h.normalized = std::string("select * from t /* ") + kCanary + " */ where id = $1 -- tail\n";
  return h;
}

TEST_CASE("ScrubHistoryEntry: error text from the SQLSTATE, Settings withheld, no comments") {
  HistoryEntry settings = LeakySettings();
  CHECK(ScrubHistoryEntry(settings));
  CHECK(settings.plan_json->find(kCanary) == std::string::npos);
  CHECK(settings.plan_json->find(R"j("search_path": "(withheld)")j") != std::string::npos);
  CHECK(settings.plan_json->find(R"("Startup Cost": 0.00)") != std::string::npos);  // as printed
  CHECK(settings.plan_text->find(kCanary) == std::string::npos);
  CHECK(settings.plan_text->find("Settings: search_path = '(withheld)', work_mem = '(withheld)'") !=
        std::string::npos);
  CHECK(settings.tips_json->find(kCanary) == std::string::npos);
  CHECK(settings.summary_json == SampleHistory(1).summary_json);  // figures kept

  HistoryEntry error = LeakyError();
  CHECK(ScrubHistoryEntry(error));
  CHECK(error.error_message == "the relation does not exist [SQLSTATE 42P01 undefined_table]");

  HistoryEntry comment = CommentedSql();
  CHECK(ScrubHistoryEntry(comment));
  CHECK(comment.normalized == "select * from t where id = $1");

  // Idempotent; an entry with nothing to scrub is left as it is.
  HistoryEntry again = settings;
  CHECK_FALSE(ScrubHistoryEntry(again));
  CHECK(again.plan_text == settings.plan_text);
  HistoryEntry plain = SampleHistory(4);
  CHECK_FALSE(ScrubHistoryEntry(plain));
  // Other errors keep their (planbot-made) message.
  HistoryEntry refused = SampleHistory(5);
  refused.error_code = "refused";
  refused.error_message = "use `exec` for CREATE INDEX";
  CHECK_FALSE(ScrubHistoryEntry(refused));
}

TEST_CASE("migration 6 scrubs a store written by an earlier planbot, and leaves no trace") {
  TempDir dir;
  const std::string path = dir.File("planbot.db");
  {
    auto store = OpenStore(path);
    REQUIRE(store->Record(LeakySettings(), SampleAudit(1)).ok());
    REQUIRE(store->Record(LeakyError(), SampleAudit(2)).ok());
    REQUIRE(store->Record(CommentedSql(), SampleAudit(3)).ok());
    REQUIRE(store->Record(SampleHistory(4), SampleAudit(4)).ok());
  }
  {  // as if the file came from before migration 6
    auto raw = RawDb(path);
    REQUIRE(raw.Exec("DELETE FROM schema_migrations WHERE version = 6").ok());
    REQUIRE(raw.QueryText("PRAGMA wal_checkpoint(TRUNCATE)").ok());
  }
  REQUIRE(StoreFilesHold(path, kCanary));  // the control
  auto store = OpenStore(path);
  CHECK(store->migrations_applied() == 1);
  auto one = store->GetHistory(1);
  REQUIRE(one.ok());
  REQUIRE(one->has_value());
  CHECK((*one)->plan_text->find("search_path = '(withheld)'") != std::string::npos);
  auto two = store->GetHistory(2);
  CHECK((*two)->error_message == "the relation does not exist [SQLSTATE 42P01 undefined_table]");
  auto three = store->GetHistory(3);
  CHECK((*three)->normalized == "select * from t where id = $1");
  auto four = store->GetHistory(4);
  CHECK((*four)->plan_text == SampleHistory(4).plan_text);
  CHECK((*four)->query_text == SampleHistory(4).query_text);
  CHECK_FALSE(StoreFilesHold(path, kCanary));
  CHECK(store->VerifyAuditChain()->intact);
}

}  // namespace
}  // namespace planbot::storage
