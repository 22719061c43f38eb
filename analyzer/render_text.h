// Renders the plan model as PostgreSQL's own `EXPLAIN (FORMAT TEXT)` output, byte for byte:
// the lines PostgreSQL returns as rows of "QUERY PLAN", each followed by '\n'.
//
// The renderer follows src/backend/commands/explain.c: what a text EXPLAIN would have printed is
// derived from the JSON fields present (e.g. zero counters are suppressed, Buffers/I/O Timings/WAL
// lines are built from their counters, worker details are grouped under "Worker N:"). Where the
// JSON does not carry enough to decide (see README, "Rendering limits"), it chooses what
// PostgreSQL 15 prints. Pure function; thread-safe.
#pragma once

#include <ostream>
#include <string>

#include "analyzer/plan_model.h"

namespace planbot::analyzer {

struct RenderOptions {
  // PostgreSQL's server_version_num when known (e.g. 150004), 0 if not. Only needed where the
  // JSON is the same but the text differs: PostgreSQL 16 labels I/O timings "shared/local".
  int server_version_num = 0;
};

std::string RenderText(const Explain& explain, const RenderOptions& options = {});

// Same, written to `sink` as it is produced (for plans too large to hold twice).
void RenderText(const Explain& explain, std::ostream& sink, const RenderOptions& options = {});

}  // namespace planbot::analyzer
