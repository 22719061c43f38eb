#include "analyzer/plan_mask.h"

#include <nlohmann/json.hpp>
#include <string>
#include <unordered_set>
#include <vector>

#include "analyzer/literal_mask.h"
#include "analyzer/plan_fields.h"

namespace planbot::analyzer {
namespace {

// Keys whose string values are names, labels or enumerations, never query constants.
bool KeepsText(const std::string& key) {
  static const std::unordered_set<std::string> kNames = {
      "Node Type",
      "Strategy",
      "Partial Mode",
      "Operation",
      "Parent Relationship",
      "Subplan Name",
      "Custom Plan Provider",
      "Join Type",
      "Command",
      "Scan Direction",
      "Index Name",
      "Relation Name",
      "Function Name",
      "CTE Name",
      "Tuplestore Name",
      "Table Function Name",
      "Schema",
      "Alias",
      "Sort Method",
      "Sort Space Type",
      "Sort Methods Used",
      "Cache Mode",
      "Sampling Method",
      "Conflict Resolution",
      "Conflict Arbiter Indexes",
      "Params Evaluated",
      "Trigger Name",
      "Constraint Name",
      "Relation",
      "Format",
      "Storage",
      "Worker Number",
  };
  return kNames.count(key) > 0;
}

// Re-emits the document as it is read (SAX), masking strings on the way. Numbers are written
// with their original text ("0.00" stays "0.00"; the renderer prints what the server printed),
// and key order is kept.
// MaskLiterals(text), through `memo` when there is one.
std::string MaskOnce(const std::string& text, MaskMemo* memo) {
  if (memo == nullptr) return MaskLiterals(text);
  auto it = memo->find(text);
  if (it != memo->end()) return it->second;
  std::string masked = MaskLiterals(text);
  memo->emplace(text, masked);
  return masked;
}

class MaskingWriter : public nlohmann::json_sax<nlohmann::json> {
 public:
  MaskingWriter(std::string& out, MaskMemo* memo) : out_(out), memo_(memo) {}

  bool null() override { return Scalar("null"); }
  bool boolean(bool v) override { return Scalar(v ? "true" : "false"); }
  bool number_integer(number_integer_t v) override { return Scalar(std::to_string(v)); }
  bool number_unsigned(number_unsigned_t v) override { return Scalar(std::to_string(v)); }
  bool number_float(number_float_t, const string_t& text) override { return Scalar(text); }
  bool string(string_t& v) override {
    bool keep = KeepHere();
    return Scalar(nlohmann::json(keep ? v : MaskOnce(v, memo_)).dump());
  }
  bool binary(binary_t&) override { return false; }
  bool start_object(std::size_t) override { return Open('{', false); }
  bool end_object() override { return Close('}'); }
  bool start_array(std::size_t) override { return Open('[', true); }
  bool end_array() override { return Close(']'); }
  bool key(string_t& k) override {
    Separate();
    out_ += nlohmann::json(k).dump();
    out_ += ':';
    key_ = k;
    after_key_ = true;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  struct Level {
    bool array;
    bool keep;  // strings below are names or settings, not constants
    bool first = true;
  };

  // Whether a value at this point keeps its text: inside a kept container, or under a key
  // that holds names (in an object). GUC values in "Settings" are configuration.
  bool KeepHere() const {
    bool keep = !stack_.empty() && stack_.back().keep;
    if (!stack_.empty() && !stack_.back().array) {
      keep = keep || KeepsText(key_) || key_ == "Settings";
    }
    return keep;
  }
  void Separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (stack_.empty()) return;
    if (!stack_.back().first) out_ += ',';
    stack_.back().first = false;
  }
  bool Scalar(const std::string& text) {
    Separate();
    out_ += text;
    return true;
  }
  bool Open(char bracket, bool array) {
    bool keep = KeepHere();
    Separate();
    out_ += bracket;
    stack_.push_back(Level{array, keep});
    return true;
  }
  bool Close(char bracket) {
    out_ += bracket;
    stack_.pop_back();
    return true;
  }

  std::string& out_;
  MaskMemo* memo_;
  std::vector<Level> stack_;
  std::string key_;
  bool after_key_ = false;
};

}  // namespace

Result<std::string> MaskPlanJson(std::string_view explain_json, MaskMemo* memo) {
  std::string out;
  out.reserve(explain_json.size());
  MaskingWriter writer(out, memo);
  if (!nlohmann::json::sax_parse(explain_json, &writer)) {
    return MakeError(ErrorCode::kBadJson, "the plan is not valid JSON");
  }
  return out;
}

namespace {

void MaskExtras(std::vector<ExtraProperty>& extras, MaskMemo* memo) {
  for (ExtraProperty& e : extras) {
    if (KeepsText(e.key) || e.key == "Settings") continue;
    if (e.scalar) {
      if (e.string) e.value = MaskOnce(e.value, memo);
    } else if (auto masked = MaskPlanJson(e.value, memo)) {
      e.value = std::move(*masked);
    }
  }
}

void MaskNode(PlanNode& node, MaskMemo* memo) {
  fields::MapNodeStrings(node, [memo](std::string_view key, const std::string& value) {
    return KeepsText(std::string(key)) ? value : MaskOnce(value, memo);
  });
  for (GroupingSet& set : node.grouping_sets) {
    for (std::string& key : set.sort_key) key = MaskOnce(key, memo);
    for (auto& keys : set.keys) {
      for (std::string& key : keys) key = MaskOnce(key, memo);
    }
  }
  MaskExtras(node.extra, memo);
  for (PlanNode& child : node.children) MaskNode(child, memo);
}

}  // namespace

void MaskPlanModel(Explain& explain, MaskMemo* memo) {
  for (ExplainQuery& q : explain.queries) {
    MaskNode(q.plan, memo);
    MaskExtras(q.extra, memo);
  }
}

}  // namespace planbot::analyzer
