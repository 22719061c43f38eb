// Text rendering of fields the fidelity corpus cannot produce on the PostgreSQL 15 test server:
// output of other versions (13/14, 16, 17, 18), JIT timings, FDW properties. Expected lines
// follow src/backend/commands/explain.c of the version named in each case.
#include "analyzer/render_text.h"

#include <doctest/doctest.h>

#include <string>

#include "analyzer/plan_parse.h"
#include "tests/result_testing.h"

using planbot::analyzer::ParseExplainJson;
using planbot::analyzer::RenderOptions;
using planbot::analyzer::RenderText;

namespace {

std::string Render(const std::string& json, RenderOptions options = {}) {
  auto r = ParseExplainJson(json);
  REQUIRE_MESSAGE(r.ok(), planbot::testing::ErrorText(r));
  return RenderText(*r, options);
}

const char* kScanHead =
    R"("Node Type": "Seq Scan", "Parallel Aware": false, "Async Capable": false,
       "Relation Name": "t", "Alias": "t", "Startup Cost": 0.00, "Total Cost": 10.50,
       "Plan Rows": 50, "Plan Width": 4, "Actual Startup Time": 0.010,
       "Actual Total Time": 0.020, "Actual Rows": 50, "Actual Loops": 1)";

std::string Scan(const std::string& more) {
  return std::string("[{\"Plan\": {") + kScanHead + more + "}";
}

}  // namespace

TEST_CASE("I/O timings: PostgreSQL 13/14, 15, 16 and 17 label them differently") {
  std::string blocks = R"(, "Shared Hit Blocks": 1, "Shared Read Blocks": 2,
      "Shared Dirtied Blocks": 0, "Shared Written Blocks": 0, "Local Hit Blocks": 0,
      "Local Read Blocks": 0, "Local Dirtied Blocks": 0, "Local Written Blocks": 0,
      "Temp Read Blocks": 0, "Temp Written Blocks": 0)";
  std::string head =
      "Seq Scan on t  (cost=0.00..10.50 rows=50 width=4) "
      "(actual time=0.010..0.020 rows=50 loops=1)\n"
      "  Buffers: shared hit=1 read=2\n";
  std::string pg14 = Scan(blocks + R"(, "I/O Read Time": 0.123, "I/O Write Time": 0.000)") + "}]";
  CHECK(Render(pg14) == head + "  I/O Timings: read=0.123\n");

  std::string pg15 = Scan(blocks + R"(, "I/O Read Time": 0.123, "I/O Write Time": 0.000,
      "Temp I/O Read Time": 0.000, "Temp I/O Write Time": 0.050)") +
                     "}]";
  CHECK(Render(pg15) == head + "  I/O Timings: shared read=0.123, temp write=0.050\n");
  CHECK(Render(pg15, RenderOptions{160002}) ==
        head + "  I/O Timings: shared/local read=0.123, temp write=0.050\n");

  std::string pg17 = Scan(blocks + R"(, "Shared I/O Read Time": 0.123,
      "Shared I/O Write Time": 0.000, "Local I/O Read Time": 0.500,
      "Local I/O Write Time": 0.000, "Temp I/O Read Time": 0.000,
      "Temp I/O Write Time": 0.000)") +
                     "}]";
  CHECK(Render(pg17) == head + "  I/O Timings: shared read=0.123, local read=0.500\n");
}

TEST_CASE("PostgreSQL 17: planning memory and serialization") {
  std::string json = Scan("") + R"(, "Planning": {"Shared Hit Blocks": 3,
      "Shared Read Blocks": 0, "Shared Dirtied Blocks": 0, "Shared Written Blocks": 0,
      "Local Hit Blocks": 0, "Local Read Blocks": 0, "Local Dirtied Blocks": 0,
      "Local Written Blocks": 0, "Temp Read Blocks": 0, "Temp Written Blocks": 0,
      "Memory Used": 22, "Memory Allocated": 32},
      "Planning Time": 0.080,
      "Serialization": {"Time": 0.012, "Output Volume": 1, "Format": "text",
      "Shared Hit Blocks": 0, "Shared Read Blocks": 0, "Shared Dirtied Blocks": 0,
      "Shared Written Blocks": 0, "Local Hit Blocks": 0, "Local Read Blocks": 0,
      "Local Dirtied Blocks": 0, "Local Written Blocks": 0, "Temp Read Blocks": 0,
      "Temp Written Blocks": 0},
      "Execution Time": 0.100}])";
  CHECK(Render(json) ==
        "Seq Scan on t  (cost=0.00..10.50 rows=50 width=4) (actual time=0.010..0.020 rows=50 "
        "loops=1)\n"
        "Planning:\n"
        "  Buffers: shared hit=3\n"
        "  Memory: used=22kB  allocated=32kB\n"
        "Planning Time: 0.080 ms\n"
        "Serialization: time=0.012 ms  output=1kB  format=text\n"
        "Execution Time: 0.100 ms\n");
}

TEST_CASE("JIT: PostgreSQL 15 timing line and PostgreSQL 17 deform time") {
  std::string pg15 = Scan("") + R"(, "JIT": {"Functions": 3, "Options": {"Inlining": false,
      "Optimization": false, "Expressions": true, "Deforming": true},
      "Timing": {"Generation": 0.321, "Inlining": 0.000, "Optimization": 0.250,
      "Emission": 3.100, "Total": 3.671}}, "Execution Time": 5.000}])";
  std::string tail =
      "JIT:\n"
      "  Functions: 3\n"
      "  Options: Inlining false, Optimization false, Expressions true, Deforming true\n";
  CHECK(Render(pg15).ends_with(tail +
                               "  Timing: Generation 0.321 ms, Inlining 0.000 ms, Optimization "
                               "0.250 ms, Emission 3.100 ms, Total 3.671 ms\n"
                               "Execution Time: 5.000 ms\n"));
  std::string pg17 = Scan("") + R"(, "JIT": {"Functions": 3, "Options": {"Inlining": false,
      "Optimization": false, "Expressions": true, "Deforming": true},
      "Timing": {"Generation": {"Deform": 0.045, "Total": 0.321}, "Inlining": 0.000,
      "Optimization": 0.250, "Emission": 3.100, "Total": 3.671}}}])";
  CHECK(Render(pg17).ends_with(tail +
                               "  Timing: Generation 0.321 ms (Deform 0.045 ms), Inlining 0.000 "
                               "ms, Optimization 0.250 ms, Emission 3.100 ms, Total 3.671 ms\n"));
}

TEST_CASE("FDW properties are printed as PostgreSQL prints ExplainPropertyText") {
  std::string json = R"([{"Plan": {"Node Type": "Foreign Scan", "Operation": "Select",
      "Parallel Aware": false, "Async Capable": true, "Relation Name": "remote_orders",
      "Schema": "public", "Alias": "r", "Startup Cost": 100.00, "Total Cost": 150.00,
      "Plan Rows": 10, "Plan Width": 8, "Output": ["id"],
      "Relations": "public.remote_orders r", "Remote SQL": "SELECT id FROM public.orders"}}])";
  CHECK(Render(json) ==
        "Async Foreign Scan on public.remote_orders r  (cost=100.00..150.00 rows=10 width=8)\n"
        "  Output: id\n"
        "  Relations: public.remote_orders r\n"
        "  Remote SQL: SELECT id FROM public.orders\n");
}

TEST_CASE("WAL buffers full (PostgreSQL 18) and never-executed nodes") {
  std::string json = R"([{"Plan": {"Node Type": "Result", "Parallel Aware": false,
      "Async Capable": false, "Startup Cost": 0.00, "Total Cost": 0.01, "Plan Rows": 1,
      "Plan Width": 0, "Actual Rows": 0, "Actual Loops": 0, "WAL Records": 2, "WAL FPI": 0,
      "WAL Bytes": 100, "WAL Buffers Full": 1}}])";
  CHECK(Render(json) ==
        "Result  (cost=0.00..0.01 rows=1 width=0) (never executed)\n"
        "  WAL: records=2 bytes=100 buffers full=1\n");
}

TEST_CASE("several statements (rules) are separated by a blank line") {
  std::string one = R"({"Plan": {"Node Type": "Result", "Startup Cost": 0.00,
      "Total Cost": 0.01, "Plan Rows": 1, "Plan Width": 4}})";
  CHECK(Render("[" + one + "," + one + "]") ==
        "Result  (cost=0.00..0.01 rows=1 width=4)\n\nResult  (cost=0.00..0.01 rows=1 width=4)\n");
}
