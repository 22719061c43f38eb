// Field setters for the EXPLAIN JSON reader (plan_parse.cc): one place that knows which JSON key
// goes into which member of the plan model. Internal to the analyzer.
//
// Unknown keys never fail: node- and query-level ones are kept in `extra`, others are ignored.
// Thread-safe (the dispatch tables are immutable after first use).
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analyzer/plan_model.h"

namespace planbot::analyzer::fields {

// One JSON scalar as the SAX reader saw it.
struct Scalar {
  enum class Kind { kNull, kBool, kInt, kUint, kFloat, kString };
  Kind kind = Kind::kNull;
  bool b = false;
  int64_t i = 0;
  uint64_t u = 0;
  double d = 0;
  const std::string* text = nullptr;  // kString: the value; kFloat: the lexeme

  static Scalar Null() { return {}; }
  static Scalar Bool(bool v) { return {Kind::kBool, v, 0, 0, 0, nullptr}; }
  static Scalar Int(int64_t v) { return {Kind::kInt, false, v, 0, 0, nullptr}; }
  static Scalar Uint(uint64_t v) { return {Kind::kUint, false, 0, v, 0, nullptr}; }
  static Scalar Float(double v, const std::string& lexeme) {
    return {Kind::kFloat, false, 0, 0, v, &lexeme};
  }
  static Scalar Str(const std::string* v) { return {Kind::kString, false, 0, 0, 0, v}; }

  Num AsNum() const;
  int64_t AsInt() const;
  uint64_t AsUint() const;
  bool AsBool() const;
  std::string AsText() const;  // strings as they are, numbers as printed, true/false, null
  nlohmann::json AsJson() const;
};

void SetQueryField(ExplainQuery& q, const std::string& key, const Scalar& v);
void SetPlanningField(ExplainQuery& q, const std::string& key, const Scalar& v);
void SetNodeField(PlanNode& node, const std::string& key, const Scalar& v);
void SetWorkerField(Worker& w, const PlanNode& owner, const std::string& key, const Scalar& v);
void SetTriggerField(Trigger& t, const std::string& key, const Scalar& v);
void SetJitField(Jit& jit, const std::string& key, const Scalar& v);
void SetJitOption(Jit& jit, const std::string& key, const Scalar& v);
void SetJitTiming(Jit& jit, const std::string& key, const Scalar& v);
void SetJitGeneration(Jit& jit, const std::string& key, const Scalar& v);
void SetSerializationField(Serialization& s, const std::string& key, const Scalar& v);
void SetTargetTableField(TargetTable& t, const std::string& key, const Scalar& v);
void SetIncSortGroupField(IncrementalSortGroups& g, const std::string& key, const Scalar& v);
void SetIncSortSpaceField(std::pair<int64_t, int64_t>& avg_peak, const std::string& key,
                          const Scalar& v);

// The string list a node key names ("Output", "Sort Key", ...), or nullptr.
std::vector<std::string>* NodeList(PlanNode& node, const std::string& key);

// Replaces every string `node` itself holds under a JSON key — the single strings and each
// element of the string lists, not those of grouping sets, target tables or `extra` — with
// `map(key, value)`.
void MapNodeStrings(
    PlanNode& node,
    const std::function<std::string(std::string_view key, const std::string&)>& map);

}  // namespace planbot::analyzer::fields
