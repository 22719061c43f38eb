#include "analyzer/summary.h"

#include <doctest/doctest.h>

#include <limits>

#include "analyzer/plan_parse.h"
#include "tests/analyzer/plan_builders.h"

namespace planbot::analyzer {
using testing::N;
using testing::Node;
using testing::Query;

namespace {

ExplainQuery Executed() {
  ExplainQuery q = Query(Node("Aggregate")
                             .Est(1, 4856.31)
                             .Act(36.142, 1)
                             .Shared(2048, 158)
                             .Set([](PlanNode& n) {
                               n.buffers.shared_dirtied = 3;
                               n.buffers.temp_read = 10;
                               n.buffers.temp_written = 12;
                               n.buffers.io_read = N(3.216, 3);
                               n.buffers.io_write = N(0.12, 3);
                               n.wal = {true, 10, 2, 4608, std::nullopt};
                             })
                             .Child(Node("Seq Scan").Rel("orders").Act(30, 1147).Shared(2048, 158)),
                         /*execution_ms=*/36.18, /*planning_ms=*/0.204);
  q.planning_buffers.present = true;
  q.planning_buffers.shared_hit = 21;
  q.planning_buffers.shared_read = 1;
  q.jit.present = true;
  q.jit.functions = 12;
  q.jit.total = N(45.6, 3);
  q.has_triggers = true;
  q.triggers.push_back({"audit", "", "orders", N(1.5, 3), N(100)});
  q.triggers.push_back({"RI_ConstraintTrigger_c_1", "fk", "orders", N(2.0, 3), N(100)});
  return q;
}

// Found by tests/fuzz/fuzz_explain_json under UBSan: blocks × block size overflowed int64 for a
// pasted plan with an absurd count; the byte figure saturates.
TEST_CASE("byte figures saturate instead of overflowing") {
  auto explain = ParseExplainJson(
      R"([{"Plan": {"Node Type": "Result", "Shared Hit Blocks": 9223372036854775807,
          "Shared Read Blocks": 0, "Shared Dirtied Blocks": 0, "Shared Written Blocks": 0,
          "Local Hit Blocks": 0, "Local Read Blocks": 0, "Local Dirtied Blocks": 0,
          "Local Written Blocks": 0, "Temp Read Blocks": 0, "Temp Written Blocks": 0}}])");
  REQUIRE(explain.ok());
  const nlohmann::json j = SummaryToJson(ComputeSummary(explain->queries[0], 8192));
  CAPTURE(j.dump());
  CHECK(j["buffers"]["shared"]["hit"]["bytes"] == std::numeric_limits<int64_t>::max());
}

}  // namespace

TEST_CASE("The summary takes totals from the root and formats them with the server's block size") {
  const Summary s = ComputeSummary(Executed(), 8192);
  CHECK(*s.execution_ms == doctest::Approx(36.18));
  CHECK(*s.rows == 1);
  CHECK(s.buffers->shared_hit == 2048);
  CHECK(s.planning_buffers->shared_read == 1);
  CHECK(*s.io.read_ms == doctest::Approx(3.216));
  CHECK(s.trigger_count == 2);
  CHECK(*s.trigger_ms == doctest::Approx(3.5));

  const nlohmann::json j = SummaryToJson(s);
  CHECK(j["execution_time"]["ms"] == 36.18);
  CHECK(j["execution_time"]["human"] == "36.2 ms");
  CHECK(j["planning_time"]["human"] == "0.204 ms");
  CHECK(j["block_size"] == 8192);
  CHECK(j["buffers"]["shared"]["hit"]["blocks"] == 2048);
  CHECK(j["buffers"]["shared"]["hit"]["bytes"] == 2048 * 8192);
  CHECK(j["buffers"]["shared"]["hit"]["human"] == "16.0 MiB");
  CHECK(j["buffers"]["shared"]["read"]["human"] == "1.23 MiB");
  CHECK(j["buffers"]["temp"]["written"]["blocks"] == 12);
  CHECK_FALSE(j["buffers"]["temp"].contains("hit"));
  CHECK(j["planning_buffers"]["shared"]["hit"]["human"] == "168 KiB");
  CHECK(j["io_time"]["read"]["human"] == "3.22 ms");
  CHECK_FALSE(j["io_time"].contains("shared_read"));
  CHECK(j["wal"]["records"] == 10);
  CHECK(j["wal"]["bytes_human"] == "4.50 KiB");
  CHECK(j["jit"]["functions"] == 12);
  CHECK(j["jit"]["time"]["human"] == "45.6 ms");
  CHECK(j["rows"]["actual"] == 1);
  CHECK(j["triggers"]["time"]["human"] == "3.50 ms");
}

TEST_CASE("Bytes follow the block size the server reports") {
  const nlohmann::json j = SummaryToJson(ComputeSummary(Executed(), 32768));
  CHECK(j["buffers"]["shared"]["hit"]["bytes"] == 2048LL * 32768);
  CHECK(j["buffers"]["shared"]["hit"]["human"] == "64.0 MiB");
}

TEST_CASE("The chat text lists the non-zero figures, one topic per line") {
  const std::string text = SummaryToText(ComputeSummary(Executed(), 8192));
  CHECK(text ==
        "Time: execution 36.2 ms, planning 0.204 ms\n"
        "Rows: 1\n"
        "Buffers: shared hit 2,048 (16.0 MiB), read 158 (1.23 MiB), dirtied 3 (24.0 KiB); temp "
        "read 10 (80.0 KiB), written 12 (96.0 KiB)\n"
        "Planning buffers: shared hit 21 (168 KiB), read 1 (8.00 KiB)\n"
        "I/O time: read 3.22 ms, write 0.120 ms\n"
        "WAL: 10 records, 2 full-page images, 4.50 KiB\n"
        "JIT: 12 functions, 45.6 ms\n"
        "Triggers: 2, 200 calls, 3.50 ms\n");
}

TEST_CASE("PostgreSQL 17 I/O timing is split into shared, local and temp") {
  ExplainQuery q = Query(Node("Seq Scan").Rel("t").Act(5, 10).Shared(1, 2).Set([](PlanNode& n) {
    n.buffers.shared_io_read = N(1.5, 3);
    n.buffers.shared_io_write = N(0, 3);
    n.buffers.temp_io_read = N(0.25, 3);
  }),
                         5.1);
  const nlohmann::json j = SummaryToJson(ComputeSummary(q, 8192));
  CHECK(j["io_time"]["shared_read"]["ms"] == 1.5);
  CHECK(j["io_time"]["temp_read"]["human"] == "0.250 ms");
  CHECK_FALSE(j["io_time"].contains("read"));
  CHECK(SummaryToText(ComputeSummary(q, 8192))
            .find("I/O time: shared read 1.50 ms, shared write "
                  "0 ms, temp read 0.250 ms") != std::string::npos);
}

TEST_CASE("A plan-only summary has estimates and no executed figures") {
  const Summary s = ComputeSummary(Query(Node("Seq Scan").Rel("t").Est(1234, 155.5)), 8192);
  const nlohmann::json j = SummaryToJson(s);
  CHECK_FALSE(j.contains("execution_time"));
  CHECK_FALSE(j.contains("buffers"));
  CHECK_FALSE(j.contains("rows"));
  CHECK(j["estimated"]["total_cost"] == 155.5);
  CHECK(j["estimated"]["rows"] == 1234);
  CHECK(SummaryToText(s) == "Estimated: cost 155.50, rows 1,234\n");
}

TEST_CASE("Root rows count every loop") {
  const Summary s = ComputeSummary(Query(Node("Result").Act(1, 2.5, 4), 1), 8192);
  CHECK(*s.rows == 10);
  CHECK(SummaryToJson(s)["rows"]["loops"] == 4);
}

}  // namespace planbot::analyzer
