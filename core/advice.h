// Advice proven on the clone before it is given (docs/tips.md, "Verification"). After `plan` or
// `explain` has analysed the statement, on the session's own connection:
//   1. the catalog facts of the relations the plan reads are read (collations, statistics,
//      indexes; DatabaseSession::ReadCatalog) when a rule could use them, and the tips are
//      derived again with them;
//   2. every tip's fix is verified by re-planning the statement, never executing it: an index
//      fix is created as a HypoPG hypothetical index (dropped again at once); when the planner
//      would not use it the fix's alternatives are tried in order, and when none is used the
//      tip is not given. A setting fix (work_mem) is made with SET LOCAL in a rolled-back
//      transaction; when the plan then changes to a hash-based node that the measured rows would
//      not fit, the value is raised (doubling) until it fits, or the fix goes unverified.
//      Maintenance fixes (ANALYZE, VACUUM, CREATE STATISTICS) change the clone and are not tried.
// Bounded: at most AdviceBounds::max_replans re-plans per command, none after the deadline; each
// statement under the command's statement limits. Its time counts in the command's duration.
//
// Failures: none reported to the user — a failed step leaves the tips as they were (unverified,
// `verified: null`), and analysis.advice.note says why. Not thread-safe: runs on the thread that
// holds the session.
#pragma once

#include <chrono>
#include <string>

#include "analyzer/analysis.h"
#include "core/ports.h"

namespace planbot::core {

struct AdviceBounds {
  int max_replans = 8;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

// What it took is kept in analysis.advice (verified, replans, ms, note).
void AdviseOnClone(DatabaseSession& db, const std::string& sql, analyzer::Analysis& analysis,
                   const StatementLimits& limits, const AdviceBounds& bounds);

}  // namespace planbot::core
