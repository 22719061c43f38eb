// Slack deliveries in the store: a duplicate event id is recognized, also after a re-open; work
// recorded but not finished is listed as pending after a restart; the work (it carries SQL) is
// sealed on disk and gone once finished.
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "tests/storage/store_testing.h"

using namespace planbot::storage;

namespace {

std::string Slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("slack events: recorded once, duplicates recognized across a re-open, pending listed") {
  testing::TempDir dir;
  const std::string path = dir.File("planbot.db");
  const std::string work = R"({"text":"explain select * from t where email = 'canary-4711@x.io'"})";
  {
    auto store = Store::Open(path);
    REQUIRE(store.ok());
    auto first = (*store)->RecordSlackEvent("Ev01", work);
    REQUIRE(first.ok());
    CHECK(*first);
    auto again = (*store)->RecordSlackEvent("Ev01", "other");
    REQUIRE(again.ok());
    CHECK_FALSE(*again);
    REQUIRE((*store)->RecordSlackEvent("Ev02", "second").ok());
    REQUIRE((*store)->FinishSlackEvent("Ev02").ok());
  }
  // The work is sealed at rest: not in the file, nor its WAL.
  CHECK(Slurp(path).find("canary-4711") == std::string::npos);
  CHECK(Slurp(path + "-wal").find("canary-4711") == std::string::npos);

  auto store = Store::Open(path);
  REQUIRE(store.ok());
  auto dup = (*store)->RecordSlackEvent("Ev02", "x");
  REQUIRE(dup.ok());
  CHECK_FALSE(*dup);  // finished events are still recognized
  auto pending = (*store)->PendingSlackEvents();
  REQUIRE(pending.ok());
  REQUIRE(pending->size() == 1);
  CHECK((*pending)[0].event_id == "Ev01");
  CHECK((*pending)[0].work == work);
  CHECK(!(*pending)[0].received_at.empty());
  REQUIRE((*store)->FinishSlackEvent("Ev01").ok());
  pending = (*store)->PendingSlackEvents();
  REQUIRE(pending.ok());
  CHECK(pending->empty());
}

TEST_CASE("slack events: the same message under a second event id is a duplicate") {
  testing::TempDir dir;
  auto store = Store::Open(dir.File("planbot.db"));
  REQUIRE(store.ok());
  auto as_message = (*store)->RecordSlackEvent("EvMsg", "work", "C1:1700000000.000100");
  REQUIRE(as_message.ok());
  CHECK(*as_message);
  auto as_mention = (*store)->RecordSlackEvent("EvMention", "work", "C1:1700000000.000100");
  REQUIRE(as_mention.ok());
  CHECK_FALSE(*as_mention);
  auto retry = (*store)->RecordSlackEvent("EvMention", "work", "C1:1700000000.000100");
  REQUIRE(retry.ok());
  CHECK_FALSE(*retry);
  auto pending = (*store)->PendingSlackEvents();
  REQUIRE(pending.ok());
  REQUIRE(pending->size() == 1);
  CHECK((*pending)[0].event_id == "EvMsg");
}
