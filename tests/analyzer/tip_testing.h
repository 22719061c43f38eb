// Helpers for tip tests: compute the tips of a query and pick one by code. Test code only;
// plain values (FindTip returns a copy), no failure modes beyond doctest checks.
#pragma once

#include <doctest/doctest.h>

#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "analyzer/plan_metrics.h"
#include "analyzer/plan_parse.h"
#include "analyzer/tips.h"
#include "tests/analyzer/plan_builders.h"
#include "tests/result_testing.h"

namespace planbot::analyzer::testing {

// Real PostgreSQL 15 output from tests/data/tips/NAME.json (its README.md says how it was made):
// the one statement in it.
inline ExplainQuery Fixture(const std::string& name) {
  std::ifstream in(std::string(PLANBOT_TEST_DATA_DIR) + "/tips/" + name + ".json");
  REQUIRE_MESSAGE(in, "missing fixture " << name);
  std::stringstream text;
  text << in.rdbuf();
  Result<Explain> explain = ParseExplainJson(text.str());
  REQUIRE_MESSAGE(explain.ok(), name << ": " << planbot::testing::ErrorText(explain));
  REQUIRE(explain->queries.size() == 1);
  return explain->queries[0];
}

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
