// Record, Audit, GetHistory and ListAudit: every field round-trips, optional fields stay absent
// or present, ids and timestamps are assigned.
#include <doctest/doctest.h>

#include <regex>

#include "storage/audit_chain.h"
#include "tests/storage/store_testing.h"

namespace planbot::storage {
namespace {

using testing::Count;
using testing::OpenStore;
using testing::RawDb;
using testing::SampleAudit;
using testing::SampleHistory;
using testing::TempDir;

bool IsRfc3339Millis(const std::string& s) {
  static const std::regex kFormat(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)");
  return std::regex_match(s, kFormat);
}

void CheckSameHistory(const HistoryEntry& got, const HistoryEntry& want) {
  CHECK(got.user == want.user);
  CHECK(got.channel == want.channel);
  CHECK(got.session == want.session);
  CHECK(got.database == want.database);
  CHECK(got.command == want.command);
  CHECK(got.query_text == want.query_text);
  CHECK(got.normalized == want.normalized);
  CHECK(got.fingerprint == want.fingerprint);
  CHECK(got.plan_json == want.plan_json);
  CHECK(got.plan_text == want.plan_text);
  CHECK(got.summary_json == want.summary_json);
  CHECK(got.tips_json == want.tips_json);
  CHECK(got.execution_ms == want.execution_ms);
  CHECK(got.duration_ms == want.duration_ms);
  CHECK(got.outcome == want.outcome);
  CHECK(got.sqlstate == want.sqlstate);
  CHECK(got.error_code == want.error_code);
  CHECK(got.error_message == want.error_message);
}

void CheckSameAudit(const AuditEntry& got, const AuditEntry& want) {
  CHECK(got.actor == want.actor);
  CHECK(got.action == want.action);
  CHECK(got.channel == want.channel);
  CHECK(got.session == want.session);
  CHECK(got.database == want.database);
  CHECK(got.command == want.command);
  CHECK(got.normalized == want.normalized);
  CHECK(got.fingerprint == want.fingerprint);
  CHECK(got.outcome == want.outcome);
  CHECK(got.sqlstate == want.sqlstate);
  CHECK(got.details == want.details);
}

TEST_CASE("Record writes both rows; every field round-trips") {
  TempDir dir;
  auto store = OpenStore(dir.File("planbot.db"));
  HistoryEntry full = SampleHistory(7);
  full.sqlstate = "57014";
  full.error_code = "timeout";
  full.error_message = "canceling statement due to statement timeout";
  static constexpr char kOdd[] = "line with 'quotes', \"dq\", unicode \xC3\xA9 and\nnewline\0x";
  full.plan_text = std::string(kOdd, sizeof kOdd - 1);  // with the NUL byte inside
  AuditEntry audit = SampleAudit(7);
  audit.sqlstate = "57014";
  audit.outcome = "timeout";
  auto id = store->Record(full, audit);
  REQUIRE(id.ok());
  CHECK(*id == 1);

  auto got = store->GetHistory(*id);
  REQUIRE(got.ok());
  REQUIRE(got->has_value());
  const HistoryEntry& h = **got;
  CHECK(h.id == 1);
  CHECK(IsRfc3339Millis(h.created_at));
  CheckSameHistory(h, full);

  auto audits = store->ListAudit(10, std::nullopt);
  REQUIRE(audits.ok());
  REQUIRE(audits->size() == 1);
  const AuditEntry& a = audits->front();
  CHECK(a.id == 1);
  CHECK(IsRfc3339Millis(a.created_at));
  AuditEntry want_audit = audit;
  want_audit.details = R"({"history_id":1,"n":7})";  // the store adds the history id
  CheckSameAudit(a, want_audit);
  CHECK(a.prev_hash == kGenesisHash);
  CHECK(a.hash == AuditEntryHash(a));
  CHECK(a.hash.size() == 64);
}

TEST_CASE("absent optional fields stay absent; given timestamps are kept") {
  TempDir dir;
  auto store = OpenStore(dir.File("planbot.db"));
  HistoryEntry minimal;
  minimal.user = "u";
  minimal.command = "plan";
  minimal.outcome = "refused";
  minimal.created_at = "2026-11-23T10:00:00.123Z";
  AuditEntry audit;
  audit.actor = "u";
  audit.action = "refusal";
  audit.created_at = "2026-11-23T10:00:00.124Z";
  auto id = store->Record(minimal, audit);
  REQUIRE(id.ok());
  auto got = store->GetHistory(*id);
  REQUIRE(got.ok());
  REQUIRE(got->has_value());
  CHECK((*got)->created_at == "2026-11-23T10:00:00.123Z");
  CHECK_FALSE((*got)->query_text.has_value());
  CHECK_FALSE((*got)->plan_json.has_value());
  CHECK_FALSE((*got)->plan_text.has_value());
  CHECK_FALSE((*got)->summary_json.has_value());
  CHECK_FALSE((*got)->tips_json.has_value());
  CHECK_FALSE((*got)->execution_ms.has_value());
  CheckSameHistory(**got, minimal);
  CHECK(store->ListAudit(1, std::nullopt)->front().created_at == "2026-11-23T10:00:00.124Z");

  HistoryEntry empty_strings = minimal;  // present but empty is not absent
  empty_strings.query_text = "";
  empty_strings.execution_ms = 0.0;
  auto id2 = store->Record(empty_strings, audit);
  REQUIRE(id2.ok());
  auto got2 = store->GetHistory(*id2);
  CHECK((*got2)->query_text == std::optional<std::string>(""));
  CHECK((*got2)->execution_ms == std::optional<double>(0.0));
}

TEST_CASE("Record without history writes the audit entry only and returns 0") {
  TempDir dir;
  std::string path = dir.File("planbot.db");
  auto store = OpenStore(path);
  auto id = store->Record(std::nullopt, SampleAudit(1));
  REQUIRE(id.ok());
  CHECK(*id == 0);
  REQUIRE(store->Audit(SampleAudit(2)).ok());
  SqliteDb raw = RawDb(path);
  CHECK(Count(raw, "SELECT count(*) FROM history") == 0);
  CHECK(Count(raw, "SELECT count(*) FROM audit") == 2);
}

TEST_CASE("GetHistory of a missing id is nullopt") {
  TempDir dir;
  auto store = OpenStore(dir.File("planbot.db"));
  REQUIRE(store->Record(SampleHistory(1), SampleAudit(1)).ok());
  auto got = store->GetHistory(42);
  REQUIRE(got.ok());
  CHECK_FALSE(got->has_value());
}

TEST_CASE("ListAudit: newest first, limit, before_id") {
  TempDir dir;
  auto store = OpenStore(dir.File("planbot.db"));
  for (int i = 1; i <= 12; ++i) REQUIRE(store->Audit(SampleAudit(i)).ok());
  auto all = store->ListAudit(100, std::nullopt);
  REQUIRE(all->size() == 12);
  CHECK(all->front().id == 12);
  CHECK(all->back().id == 1);
  CHECK(all->front().prev_hash == (*all)[1].hash);
  auto page = store->ListAudit(5, 8);
  REQUIRE(page->size() == 5);
  CHECK(page->front().id == 7);
  CHECK(page->back().id == 3);
  CHECK(store->ListAudit(0, std::nullopt)->size() == 1);  // clamped to at least 1
}

}  // namespace
}  // namespace planbot::storage
