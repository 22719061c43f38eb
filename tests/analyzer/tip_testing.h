// Helpers for tip tests: compute the tips of a query and pick one by code. Test code only;
// plain values (FindTip returns a copy), no failure modes beyond doctest checks.
#pragma once

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

#include "analyzer/plan_metrics.h"
#include "analyzer/tips.h"
#include "tests/analyzer/plan_builders.h"

namespace planbot::analyzer::testing {

inline std::vector<Tip> TipsFor(const ExplainQuery& query) {
  return ComputeTips(query, ComputeMetrics(query));
}

// A copy of the only tip with `code`, or nothing (a second one fails the test).
inline std::optional<Tip> FindTip(const std::vector<Tip>& tips, const std::string& code) {
  std::optional<Tip> found;
  for (const Tip& tip : tips) {
    if (tip.code != code) continue;
    CHECK_MESSAGE(!found, "more than one tip " << code);
    found = tip;
  }
  return found;
}

inline bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A query whose EXPLAIN had SETTINGS, with the given work_mem ("" for the default).
inline ExplainQuery WithWorkMem(ExplainQuery q, const std::string& work_mem) {
  q.has_settings = true;
  if (!work_mem.empty()) q.settings.emplace_back("work_mem", work_mem);
  return q;
}

}  // namespace planbot::analyzer::testing
