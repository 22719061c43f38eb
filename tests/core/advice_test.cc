// core/advice.h: the tips' fixes verified on the session (a fake DatabaseSession that follows
// the port's contract; tests/e2e and tests/bench/advice_scenarios.sh do it on PostgreSQL).
#include "core/advice.h"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "analyzer/analysis.h"
#include "tests/core/fakes.h"
#include "tests/result_testing.h"

namespace planbot::core {
namespace {

using planbot::testing::FakeDb;
using planbot::testing::FakeSession;

constexpr char kSql[] = "select id, email from customers where email = 'bob@example.com'";

analyzer::Analysis Analysed(const std::string& json) {
  auto analysis = analyzer::Analyze(json, {150000, 8192});
  REQUIRE(analysis.ok());
  return std::move(*analysis);
}

const analyzer::Tip* Find(const analyzer::Analysis& a, const std::string& code) {
  for (const analyzer::Tip& tip : a.tips) {
    if (tip.code == code) return &tip;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("An index the planner uses on the clone is advised with what it measured") {
  FakeDb db;
  FakeSession session(&db);
  analyzer::Analysis a = Analysed(db.plan);
  REQUIRE(Find(a, "seq_scan_filter") != nullptr);
  CHECK_FALSE(Find(a, "seq_scan_filter")->fix->verified.has_value());

  AdviseOnClone(session, kSql, a, StatementLimits{}, AdviceBounds{});

  const analyzer::Tip* tip = Find(a, "seq_scan_filter");
  REQUIRE(tip != nullptr);
  REQUIRE(tip->fix.has_value());
  CHECK(tip->fix->statements == std::vector<std::string>{"CREATE INDEX ON customers (email)"});
  CHECK(tip->fix->alternatives.empty());
  REQUIRE(tip->fix->verified.has_value());
  const analyzer::Verification& v = *tip->fix->verified;
  CHECK(v.method == "hypothetical_index");
  CHECK(v.used);
  CHECK(v.cost_before == doctest::Approx(2041.0));
  CHECK(v.cost_after == doctest::Approx(8.44));
  CHECK(v.plan_change == "plan: Seq Scan on customers → Index Scan on customers");
  CHECK(a.advice.verified);
  CHECK(a.advice.replans == 1);
  CHECK(a.advice.catalog != nullptr);
  // The hypothetical index is gone again, the user's SQL was planned, not run.
  CHECK(db.hypo.empty());
  CHECK(db.explains == 0);
  REQUIRE(db.advice_seen.size() == 2);
  CHECK(db.advice_seen[0] == "catalog: customers");
  CHECK(db.advice_seen[1] == std::string("replan: ") + kSql);
  const std::string text = analyzer::TipsToText(a.tips);
  CHECK(text.find("verified on your clone: estimated cost 2,041 → 8.44 (242x cheaper)") !=
        std::string::npos);
  // The node is named once.
  CHECK(text.find("Seq Scan on customers: Seq Scan on customers") == std::string::npos);
  // Under the normalized history policy the masked copy carries the same verification.
  auto masked = analyzer::Masked(a);
  REQUIRE(masked.ok());
  const analyzer::Tip* masked_tip = Find(*masked, "seq_scan_filter");
  REQUIRE(masked_tip != nullptr);
  REQUIRE(masked_tip->fix.has_value());
  CHECK(masked_tip->fix->verified.has_value());
  CHECK(masked_tip->message.find("bob@example.com") == std::string::npos);
}

TEST_CASE("An index the planner would not use is not advised") {
  FakeDb db;
  db.replan = db.plan;  // the re-plan is the same sequential scan
  FakeSession session(&db);
  analyzer::Analysis a = Analysed(db.plan);
  AdviseOnClone(session, kSql, a, StatementLimits{}, AdviceBounds{});
  CHECK(Find(a, "seq_scan_filter") == nullptr);
  CHECK(db.hypo.empty());
  // Every candidate was tried: the statement and its alternatives (here: none beyond it).
  CHECK(a.advice.replans >= 1);
}

TEST_CASE("Without HypoPG, or with no re-plan left, the fix is given unverified") {
  FakeDb db;
  FakeSession session(&db);
  SUBCASE("HypoPG missing") {
    db.hypo_unavailable = true;
    analyzer::Analysis a = Analysed(db.plan);
    AdviseOnClone(session, kSql, a, StatementLimits{}, AdviceBounds{});
    const analyzer::Tip* tip = Find(a, "seq_scan_filter");
    REQUIRE(tip != nullptr);
    CHECK_FALSE(tip->fix->verified.has_value());
    CHECK(a.advice.note.find("HypoPG is not installed") != std::string::npos);
  }
  SUBCASE("budget used up") {
    analyzer::Analysis a = Analysed(db.plan);
    AdviceBounds bounds;
    bounds.max_replans = 0;
    AdviseOnClone(session, kSql, a, StatementLimits{}, bounds);
    const analyzer::Tip* tip = Find(a, "seq_scan_filter");
    REQUIRE(tip != nullptr);
    CHECK_FALSE(tip->fix->verified.has_value());
    CHECK(a.advice.note == "re-plan budget used up");
    CHECK(db.advice_seen.size() == 1);  // the catalog only
  }
}

TEST_CASE("A well-planned statement costs no catalog read and no re-plan") {
  FakeDb db;
  db.plan = testing::kCannedIndexPlan;
  FakeSession session(&db);
  analyzer::Analysis a = Analysed(db.plan);
  AdviseOnClone(session, kSql, a, StatementLimits{}, AdviceBounds{});
  CHECK(db.advice_seen.empty());
  CHECK(a.tips.empty());
}

}  // namespace planbot::core

namespace planbot::core {

TEST_CASE("A work_mem fix is re-planned with SET LOCAL and keeps its value when the plan fits") {
  std::ifstream in(std::string(PLANBOT_TEST_DATA_DIR) + "/tips/hashagg_spill.json");
  REQUIRE(in);
  std::stringstream json;
  json << in.rdbuf();
  FakeDb db;
  db.plan = json.str();
  db.replan = json.str();  // the same shape: the aggregate stays, now in memory
  FakeSession session(&db);
  auto analysis = analyzer::Analyze(db.plan, {150000, 8192});
  REQUIRE(analysis.ok());
  const analyzer::Tip* before = nullptr;
  for (const analyzer::Tip& tip : analysis->tips) {
    if (tip.code == "hashagg_spill") before = &tip;
  }
  REQUIRE(before != nullptr);
  REQUIRE(before->fix.has_value());
  REQUIRE(before->fix->kind == analyzer::FixKind::kSetting);
  const std::string statement = before->fix->statements.at(0);
  const std::string value =
      statement.substr(statement.find('\'') + 1, statement.rfind('\'') - statement.find('\'') - 1);

  AdviseOnClone(session, "select 1", *analysis, StatementLimits{}, AdviceBounds{});

  const analyzer::Tip* tip = nullptr;
  for (const analyzer::Tip& t : analysis->tips) {
    if (t.code == "hashagg_spill") tip = &t;
  }
  REQUIRE(tip != nullptr);
  CHECK(tip->fix->statements.at(0) == statement);
  REQUIRE(tip->fix->verified.has_value());
  CHECK(tip->fix->verified->method == "setting");
  CHECK(tip->fix->verified->used);
  CHECK(tip->fix->verified->plan_change.empty());
  bool replanned = false;
  for (const std::string& seen : db.advice_seen) {
    replanned = replanned || seen == "replan: work_mem=" + value + ": select 1";
  }
  CHECK(replanned);
}

}  // namespace planbot::core
