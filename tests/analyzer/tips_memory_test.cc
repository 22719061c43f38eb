// sort_spill, hash_spill, hashagg_spill: operations that outgrew work_mem.
#include <doctest/doctest.h>

#include "tests/analyzer/tip_testing.h"

namespace planbot::analyzer {
using namespace testing;  // NOLINT: test helpers

namespace {

SortStats Stats(const char* method, int64_t kb, const char* type) { return {method, kb, type}; }

ExplainQuery SortPlan(SortStats stats, const std::string& work_mem) {
  return WithWorkMem(Query(Node("Sort")
                               .Est(300000)
                               .Act(400, 300000)
                               .Set([&](PlanNode& n) {
                                 n.sort = stats;
                                 n.sort_key = {"created_at DESC"};
                               })
                               .Child(Node("Seq Scan").Rel("orders").Act(100, 300000)),
                           450),
                     work_mem);
}

}  // namespace

TEST_CASE("sort_spill suggests work_mem from the disk space used") {
  const std::optional<Tip> tip =
      FindTip(TipsFor(SortPlan(Stats("external merge", 45000, "Disk"), "4MB")), "sort_spill");
  REQUIRE(tip);
  CHECK(tip->message ==
        "Sort spilled 43.9 MiB to disk (external merge) because it did not fit in memory "
        "(work_mem is 4MB). Give this query more sort memory: SET work_mem = '256MB'; (per sort "
        "and per process, so prefer SET LOCAL or a role setting over a server-wide change). An "
        "index that returns rows in this order would avoid the sort: CREATE INDEX ON orders "
        "(created_at DESC);");
  CHECK(tip->saving_ms == doctest::Approx(150));
  CHECK(tip->severity == Severity::kHigh);
}

TEST_CASE("sort_spill never suggests less than twice the current work_mem") {
  const std::optional<Tip> tip =
      FindTip(TipsFor(SortPlan(Stats("external merge", 900, "Disk"), "64MB")), "sort_spill");
  REQUIRE(tip);
  CHECK(Contains(tip->message, "SET work_mem = '128MB'"));
}

TEST_CASE("sort_spill uses the largest spill of any parallel worker") {
  ExplainQuery q = SortPlan(Stats("quicksort", 3000, "Memory"), "");
  Worker w;
  w.sort = Stats("external merge", 600000, "Disk");
  q.plan.workers.push_back(w);
  const std::optional<Tip> tip = FindTip(TipsFor(q), "sort_spill");
  REQUIRE(tip);
  CHECK(Contains(tip->message, "spilled 586 MiB to disk"));
  CHECK(Contains(tip->message, "SET work_mem = '4GB'"));
}

TEST_CASE("sort_spill names the sort key when it is not a plain column") {
  ExplainQuery q = SortPlan(Stats("external merge", 45000, "Disk"), "");
  q.plan.sort_key = {"(lower(o.name))", "o.id"};
  const std::optional<Tip> tip = FindTip(TipsFor(q), "sort_spill");
  REQUIRE(tip);
  CHECK(Contains(tip->message,
                 "An index that returns rows already ordered by (lower(o.name)), "
                 "o.id would avoid the sort."));
  q.plan.sort_key = {"o.created_at DESC NULLS LAST", "o.\"Id\""};
  CHECK(Contains(FindTip(TipsFor(q), "sort_spill")->message,
                 "CREATE INDEX ON orders (created_at DESC NULLS LAST, \"Id\");"));
}

TEST_CASE("sort_spill stays quiet for in-memory sorts") {
  CHECK_FALSE(FindTip(TipsFor(SortPlan(Stats("quicksort", 3900, "Memory"), "")), "sort_spill"));
  CHECK_FALSE(FindTip(TipsFor(SortPlan(Stats("top-N heapsort", 25, "Memory"), "")), "sort_spill"));
}

namespace {

ExplainQuery HashJoin(int64_t batches, int64_t peak_kb) {
  return WithWorkMem(
      Query(Node("Hash Join")
                .Act(900, 100000)
                .Set([](PlanNode& n) { n.hash_cond = "(o.customer_id = c.id)"; })
                .Child(Node("Seq Scan").Rel("orders", "o").Act(200, 100000))
                .Child(Node("Hash")
                           .Act(300, 500000)
                           .Set([&](PlanNode& n) {
                             n.hash_batches = batches;
                             n.original_hash_batches = 1;
                             n.hash_peak_memory_kb = peak_kb;
                           })
                           .Child(Node("Seq Scan").Rel("customers", "c").Act(150, 500000))),
            1000),
      "");
}

}  // namespace

TEST_CASE("hash_spill sizes work_mem for the whole hash table and names the relation") {
  const std::optional<Tip> tip = FindTip(TipsFor(HashJoin(8, 4100)), "hash_spill");
  REQUIRE(tip);
  CHECK(tip->message ==
        "Hash of customers was split into 8 batches (planned 1): the hash table (about 32.0 MiB) "
        "did not fit in work_mem * hash_mem_multiplier, so both join inputs went through "
        "temporary files (work_mem is 4MB). SET work_mem = '32MB'; or raise hash_mem_multiplier "
        "so that work_mem * hash_mem_multiplier holds it.");
  CHECK(tip->node == 2);
  CHECK(tip->saving_ms == doctest::Approx(0.5 * (150 + 400)));
  CHECK_FALSE(FindTip(TipsFor(HashJoin(1, 4100)), "hash_spill"));
}

namespace {

ExplainQuery HashAgg(int64_t batches, int64_t disk_kb) {
  return WithWorkMem(Query(Node("Aggregate")
                               .Act(700, 200000)
                               .Set([&](PlanNode& n) {
                                 n.strategy = "Hashed";
                                 n.group_key = {"customer_id"};
                                 n.hash_agg.planned_partitions = 4;
                                 n.hash_agg.batches = batches;
                                 n.hash_agg.peak_memory_kb = 4200;
                                 n.hash_agg.disk_usage_kb = disk_kb;
                               })
                               .Child(Node("Seq Scan").Rel("orders").Act(200, 3000000)),
                           720),
                     "");
}

}  // namespace

TEST_CASE("hashagg_spill derives work_mem from disk usage and memory peak") {
  const std::optional<Tip> tip = FindTip(TipsFor(HashAgg(5, 45000)), "hashagg_spill");
  REQUIRE(tip);
  CHECK(tip->message ==
        "HashAggregate spilled 43.9 MiB to disk in 5 batches after using 4.10 MiB of memory "
        "(work_mem is 4MB). SET work_mem = '128MB'; or raise hash_mem_multiplier so all groups "
        "stay in memory.");
  CHECK(tip->saving_ms == doctest::Approx(250));
  CHECK_FALSE(FindTip(TipsFor(HashAgg(1, 0)), "hashagg_spill"));
  CHECK(FindTip(TipsFor(HashAgg(1, 10)), "hashagg_spill").has_value());  // disk without batches
}

}  // namespace planbot::analyzer
