// The summary of one EXPLAIN statement (SPEC §3 `summary`): planning and execution time, buffer
// blocks as counts and bytes, I/O timing, WAL, JIT, triggers, serialization and the root's row
// count, plus the root's estimates so a plan-only EXPLAIN has a summary too.
//
// Totals come from the root node, whose counters include every node below it (and InitPlans and
// CTEs); planning buffers are reported separately as PostgreSQL does. Bytes are blocks × the
// server's block size, which the caller passes in (SHOW block_size on the server; only the
// offline CLI may assume 8192). Figures PostgreSQL did not print stay absent: "absent" and "zero"
// are different answers.
//
// Pure functions, no failure modes; thread-safe. The JSON shape is documented in
// docs/analysis-json.md.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "analyzer/plan_metrics.h"
#include "analyzer/plan_model.h"

namespace planbot::analyzer {

struct IoTimes {
  std::optional<double> read_ms, write_ms;                // PostgreSQL 13-16
  std::optional<double> shared_read_ms, shared_write_ms;  // 17+
  std::optional<double> local_read_ms, local_write_ms;    // 17+
  std::optional<double> temp_read_ms, temp_write_ms;      // 15+
  bool any() const {
    return read_ms || write_ms || shared_read_ms || shared_write_ms || local_read_ms ||
           local_write_ms || temp_read_ms || temp_write_ms;
  }
};

struct Summary {
  int64_t block_size = 0;
  std::optional<double> planning_ms, execution_ms;
  std::optional<double> total_cost, estimated_rows;  // the root's estimates
  std::optional<double> rows, loops;                 // root actual rows × loops, and loops

  std::optional<BufferCounts> buffers;           // the whole plan (root node)
  std::optional<BufferCounts> planning_buffers;  // PostgreSQL 13+
  IoTimes io, planning_io;

  std::optional<Wal> wal;  // when PostgreSQL printed WAL figures for the root
  std::optional<int64_t> jit_functions;
  std::optional<double> jit_ms;

  int trigger_count = 0;
  double trigger_calls = 0;
  std::optional<double> trigger_ms;  // sum over triggers; absent without triggers or timing

  std::optional<double> serialization_ms;  // PostgreSQL 17+ SERIALIZE
  std::optional<uint64_t> serialization_bytes;
};

Summary ComputeSummary(const ExplainQuery& query, int64_t block_size);

nlohmann::json SummaryToJson(const Summary& summary);

// A few lines for chat answers: "Time: execution 36.2 ms, planning 0.204 ms", "Rows: 1,234",
// "Buffers: shared hit 2,048 (16.0 MiB), read 158 (1.23 MiB)", ... Zero counters are left out.
std::string SummaryToText(const Summary& summary);

}  // namespace planbot::analyzer
