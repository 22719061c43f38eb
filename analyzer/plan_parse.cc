// Streaming (SAX) reader of EXPLAIN JSON into the plan model.
//
// nlohmann's SAX interface gives us the number lexemes (so `Num` keeps the decimals PostgreSQL
// printed), keeps key order (Settings, unknown keys), and avoids building a DOM for plans of many
// megabytes. The handler keeps a stack of frames; each frame knows what it is filling (a query, a
// plan node, a worker, a list of strings, ...). Field-by-field setters live in plan_fields.cc.
#include "analyzer/plan_parse.h"

#include <istream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analyzer/plan_fields.h"

namespace planbot::analyzer {
namespace {

using json = nlohmann::json;
using fields::Scalar;

enum class Frame {
  kRoot,           // top-level array of queries
  kQuery,          // {"Plan": ..., "Planning Time": ...}
  kNode,           // a plan node
  kChildren,       // "Plans": [...]
  kWorkers,        // "Workers": [...]
  kWorker,         // one worker
  kSettings,       // "Settings": {...}
  kPlanning,       // "Planning": {...}
  kTriggers,       // "Triggers": [...]
  kTrigger,        // one trigger
  kJit,            // "JIT": {...}
  kJitOptions,     // "Options": {...}
  kJitTiming,      // "Timing": {...}
  kJitGeneration,  // PG17: "Generation": {"Deform", "Total"}
  kSerialization,  // PG17: "Serialization": {...}
  kTargetTables,   // "Target Tables": [...]
  kTargetTable,    // one target table
  kGroupingSets,   // "Grouping Sets": [...]
  kGroupingSet,    // one grouping set
  kKeySets,        // "Group Keys": [[...], ...]
  kStrings,        // a list of strings ("Output", "Sort Key", ...)
  kIncSortGroup,   // "Full-sort Groups": {...}
  kIncSortSpace,   // "Sort Space Memory": {...}
  kCapture,        // an unknown object/array, captured as JSON text
  kSkip,           // a container we ignore (e.g. arrays in unexpected places)
};

struct State {
  Frame frame;
  void* target = nullptr;           // what this frame fills (type depends on `frame`)
  const PlanNode* owner = nullptr;  // for workers: the node they belong to
  std::string key;                  // the key whose value comes next (objects only)
};

class Handler : public nlohmann::json_sax<json> {
 public:
  explicit Handler(Explain* out) : out_(out) {}

  bool null() override { return OnScalar(Scalar::Null()); }
  bool boolean(bool v) override { return OnScalar(Scalar::Bool(v)); }
  bool number_integer(number_integer_t v) override { return OnScalar(Scalar::Int(v)); }
  bool number_unsigned(number_unsigned_t v) override { return OnScalar(Scalar::Uint(v)); }
  bool number_float(number_float_t v, const string_t& lexeme) override {
    return OnScalar(Scalar::Float(v, lexeme));
  }
  bool string(string_t& v) override { return OnScalar(Scalar::Str(&v)); }
  bool binary(binary_t&) override { return OnScalar(Scalar::Null()); }

  bool start_object(std::size_t) override { return OnStart(true); }
  bool end_object() override { return OnEnd(); }
  bool start_array(std::size_t) override { return OnStart(false); }
  bool end_array() override { return OnEnd(); }

  bool key(string_t& k) override {
    stack_.back().key = k;
    return true;
  }

  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& ex) override {
    error_ = MakeError(ErrorCode::kBadJson, ShortMessage(ex.what()), static_cast<int>(position));
    return false;
  }

  const std::optional<Error>& error() const { return error_; }

 private:
  static std::string ShortMessage(std::string what) {
    // "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error ..."
    auto pos = what.find("] ");
    if (pos != std::string::npos) what = what.substr(pos + 2);
    return "malformed JSON: " + what;
  }

  bool Fail(std::string message) {
    error_ = MakeError(ErrorCode::kNotExplain, std::move(message));
    return false;
  }

  bool OnScalar(const Scalar& v);
  bool OnStart(bool is_object);
  bool OnEnd();
  bool StartInObject(State& top, bool is_object);
  bool StartInArray(State& top, bool is_object);
  void Push(Frame f, void* target, const PlanNode* owner = nullptr) {
    stack_.push_back(State{f, target, owner, {}});
  }
  // Appends an element to `items` and makes it the target of a new frame.
  template <typename T>
  bool PushNew(Frame f, std::vector<T>& items, const PlanNode* owner = nullptr) {
    items.emplace_back();
    Push(f, &items.back(), owner);
    return true;
  }

  // Unknown containers are captured as JSON and kept, compact, in `extra`.
  void StartCapture(std::vector<ExtraProperty>* extras, const std::string& key, bool is_object);
  void AddCaptured(json value);

  Explain* out_;
  std::vector<State> stack_;
  std::optional<Error> error_;
  std::vector<json> captured_;  // open containers of the capture, outermost first
  std::vector<ExtraProperty>* capture_dest_ = nullptr;
  std::string capture_key_;
};

bool Handler::OnScalar(const Scalar& v) {
  if (stack_.empty()) return Fail("expected EXPLAIN (FORMAT JSON) output, got a single value");
  State& top = stack_.back();
  switch (top.frame) {
    case Frame::kCapture:
      AddCaptured(v.AsJson());
      return true;
    case Frame::kSkip:
    case Frame::kRoot:
    case Frame::kChildren:
    case Frame::kWorkers:
    case Frame::kTriggers:
    case Frame::kTargetTables:
    case Frame::kGroupingSets:
    case Frame::kKeySets:
      return true;  // stray scalars in arrays of objects: ignore
    case Frame::kStrings:
      static_cast<std::vector<std::string>*>(top.target)->push_back(v.AsText());
      return true;
    case Frame::kQuery:
      fields::SetQueryField(*static_cast<ExplainQuery*>(top.target), top.key, v);
      return true;
    case Frame::kNode:
      fields::SetNodeField(*static_cast<PlanNode*>(top.target), top.key, v);
      return true;
    case Frame::kWorker:
      fields::SetWorkerField(*static_cast<Worker*>(top.target), *top.owner, top.key, v);
      return true;
    case Frame::kSettings:
      static_cast<ExplainQuery*>(top.target)->settings.emplace_back(top.key, v.AsText());
      return true;
    case Frame::kPlanning:
      fields::SetPlanningField(*static_cast<ExplainQuery*>(top.target), top.key, v);
      return true;
    case Frame::kTrigger:
      fields::SetTriggerField(*static_cast<Trigger*>(top.target), top.key, v);
      return true;
    case Frame::kJit:
    case Frame::kJitOptions:
    case Frame::kJitTiming:
    case Frame::kJitGeneration: {
      auto* jit = static_cast<Jit*>(top.target);
      if (top.frame == Frame::kJit) fields::SetJitField(*jit, top.key, v);
      if (top.frame == Frame::kJitOptions) fields::SetJitOption(*jit, top.key, v);
      if (top.frame == Frame::kJitTiming) fields::SetJitTiming(*jit, top.key, v);
      if (top.frame == Frame::kJitGeneration) fields::SetJitGeneration(*jit, top.key, v);
      return true;
    }
    case Frame::kSerialization:
      fields::SetSerializationField(*static_cast<Serialization*>(top.target), top.key, v);
      return true;
    case Frame::kTargetTable:
      fields::SetTargetTableField(*static_cast<TargetTable*>(top.target), top.key, v);
      return true;
    case Frame::kGroupingSet:
      return true;
    case Frame::kIncSortGroup:
      fields::SetIncSortGroupField(*static_cast<IncrementalSortGroups*>(top.target), top.key, v);
      return true;
    case Frame::kIncSortSpace:
      fields::SetIncSortSpaceField(*static_cast<std::pair<int64_t, int64_t>*>(top.target), top.key,
                                   v);
      return true;
  }
  return true;
}

bool Handler::OnStart(bool is_object) {
  if (stack_.empty()) {
    if (is_object) {
      out_->queries.emplace_back();
      Push(Frame::kQuery, &out_->queries.back());
    } else {
      Push(Frame::kRoot, out_);
    }
    return true;
  }
  State& top = stack_.back();
  if (top.frame == Frame::kCapture) {
    captured_.push_back(is_object ? json::object() : json::array());
    Push(Frame::kCapture, nullptr);
    return true;
  }
  if (top.frame == Frame::kSkip) {
    Push(Frame::kSkip, nullptr);
    return true;
  }
  switch (top.frame) {
    case Frame::kRoot:
    case Frame::kChildren:
    case Frame::kWorkers:
    case Frame::kTriggers:
    case Frame::kTargetTables:
    case Frame::kGroupingSets:
    case Frame::kKeySets:
    case Frame::kStrings:
      return StartInArray(top, is_object);
    default:
      return StartInObject(top, is_object);
  }
}

bool Handler::StartInArray(State& top, bool is_object) {
  if (top.frame == Frame::kKeySets && !is_object) {
    auto* sets = static_cast<std::vector<std::vector<std::string>>*>(top.target);
    sets->emplace_back();
    Push(Frame::kStrings, &sets->back());
    return true;
  }
  if (!is_object || top.frame == Frame::kKeySets || top.frame == Frame::kStrings) {
    Push(Frame::kSkip, nullptr);
    return true;
  }
  auto* node = static_cast<PlanNode*>(top.target);
  switch (top.frame) {
    case Frame::kRoot:
      return PushNew(Frame::kQuery, out_->queries);
    case Frame::kChildren:
      return PushNew(Frame::kNode, node->children);
    case Frame::kWorkers:
      return PushNew(Frame::kWorker, node->workers, node);
    case Frame::kTriggers:
      return PushNew(Frame::kTrigger, static_cast<ExplainQuery*>(top.target)->triggers);
    case Frame::kTargetTables:
      return PushNew(Frame::kTargetTable, node->target_tables);
    case Frame::kGroupingSets:
      return PushNew(Frame::kGroupingSet, node->grouping_sets);
    default:
      Push(Frame::kSkip, nullptr);
      return true;
  }
}

// A container opened as the value of `top.key` inside an object frame.
bool Handler::StartInObject(State& top, bool is_object) {
  const std::string& k = top.key;
  std::vector<std::string>* list = nullptr;
  switch (top.frame) {
    case Frame::kQuery: {
      auto* q = static_cast<ExplainQuery*>(top.target);
      if (is_object && k == "Plan") return Push(Frame::kNode, &q->plan), true;
      if (is_object && k == "Settings") {
        q->has_settings = true;
        return Push(Frame::kSettings, q), true;
      }
      if (is_object && k == "Planning") {
        q->has_planning = true;
        return Push(Frame::kPlanning, q), true;
      }
      if (!is_object && k == "Triggers") {
        q->has_triggers = true;
        return Push(Frame::kTriggers, q), true;
      }
      if (is_object && k == "JIT") {
        q->jit.present = true;
        return Push(Frame::kJit, &q->jit), true;
      }
      if (is_object && k == "Serialization") {
        q->serialization.present = true;
        return Push(Frame::kSerialization, &q->serialization), true;
      }
      StartCapture(&q->extra, k, is_object);
      return true;
    }
    case Frame::kNode: {
      auto* node = static_cast<PlanNode*>(top.target);
      if (!is_object && k == "Plans") return Push(Frame::kChildren, node), true;
      if (!is_object && k == "Workers") {
        node->has_workers = true;
        return Push(Frame::kWorkers, node), true;
      }
      if (!is_object && k == "Target Tables") return Push(Frame::kTargetTables, node), true;
      if (!is_object && k == "Grouping Sets") {
        node->has_grouping_sets = true;
        return Push(Frame::kGroupingSets, node), true;
      }
      if (is_object && k.ends_with(" Groups")) {
        node->incremental_sort.push_back({k.substr(0, k.size() - 7), 0, {}, {}, {}});
        return Push(Frame::kIncSortGroup, &node->incremental_sort.back()), true;
      }
      if (!is_object && k == "Params Evaluated") node->has_params_evaluated = true;
      if (!is_object && (list = fields::NodeList(*node, k)))
        return Push(Frame::kStrings, list), true;
      StartCapture(&node->extra, k, is_object);
      return true;
    }
    case Frame::kWorker: {
      auto* w = static_cast<Worker*>(top.target);
      if (is_object && k == "JIT") {
        w->jit.present = true;
        return Push(Frame::kJit, &w->jit), true;
      }
      if (is_object && k.ends_with(" Groups")) {
        w->incremental_sort.push_back({k.substr(0, k.size() - 7), 0, {}, {}, {}});
        return Push(Frame::kIncSortGroup, &w->incremental_sort.back()), true;
      }
      break;
    }
    case Frame::kJit:
      if (is_object && k == "Options") return Push(Frame::kJitOptions, top.target), true;
      if (is_object && k == "Timing") {
        static_cast<Jit*>(top.target)->has_timing = true;
        return Push(Frame::kJitTiming, top.target), true;
      }
      break;
    case Frame::kJitTiming:
      if (is_object && k == "Generation") return Push(Frame::kJitGeneration, top.target), true;
      break;
    case Frame::kGroupingSet: {
      auto* gs = static_cast<GroupingSet*>(top.target);
      if (!is_object && k == "Sort Key") return Push(Frame::kStrings, &gs->sort_key), true;
      if (!is_object && (k == "Group Keys" || k == "Hash Keys")) {
        gs->key_label = k;
        return Push(Frame::kKeySets, &gs->keys), true;
      }
      break;
    }
    case Frame::kIncSortGroup: {
      auto* g = static_cast<IncrementalSortGroups*>(top.target);
      if (!is_object && k == "Sort Methods Used") return Push(Frame::kStrings, &g->methods), true;
      if (is_object && k == "Sort Space Memory") {
        g->memory_avg_peak_kb.emplace(0, 0);
        return Push(Frame::kIncSortSpace, &*g->memory_avg_peak_kb), true;
      }
      if (is_object && k == "Sort Space Disk") {
        g->disk_avg_peak_kb.emplace(0, 0);
        return Push(Frame::kIncSortSpace, &*g->disk_avg_peak_kb), true;
      }
      break;
    }
    default:
      break;
  }
  Push(Frame::kSkip, nullptr);
  return true;
}

bool Handler::OnEnd() {
  if (stack_.empty()) return true;
  Frame f = stack_.back().frame;
  stack_.pop_back();
  if (f != Frame::kCapture) return true;
  json done = std::move(captured_.back());
  captured_.pop_back();
  if (captured_.empty()) {
    capture_dest_->push_back(ExtraProperty{capture_key_, done.dump(), false, false});
    return true;
  }
  AddCaptured(std::move(done));
  return true;
}

void Handler::StartCapture(std::vector<ExtraProperty>* extras, const std::string& key,
                           bool is_object) {
  capture_dest_ = extras;
  capture_key_ = key;
  captured_.assign(1, is_object ? json::object() : json::array());
  Push(Frame::kCapture, nullptr);
}

void Handler::AddCaptured(json value) {
  json& parent = captured_.back();
  if (parent.is_object()) {
    parent[stack_.back().key] = std::move(value);
  } else {
    parent.push_back(std::move(value));
  }
}

// Parses from any input nlohmann accepts (a range or a stream) and checks the result is EXPLAIN.
template <typename Input>
Result<Explain> Parse(Input&& input) {
  Explain out;
  Handler handler(&out);
  bool ok = json::sax_parse(std::forward<Input>(input), &handler, json::input_format_t::json, true);
  if (handler.error()) return *handler.error();
  if (!ok) return MakeError(ErrorCode::kBadJson, "malformed JSON");
  if (out.queries.empty()) {
    return MakeError(ErrorCode::kNotExplain,
                     "not EXPLAIN (FORMAT JSON) output: no query object found");
  }
  for (const ExplainQuery& q : out.queries) {
    if (q.plan.node_type.empty()) {
      return MakeError(ErrorCode::kNotExplain,
                       "not EXPLAIN (FORMAT JSON) output: a query has no \"Plan\" with a "
                       "\"Node Type\"");
    }
  }
  return out;
}

}  // namespace

Result<Explain> ParseExplainJson(std::string_view text) { return Parse(text); }

Result<Explain> ParseExplainJson(std::istream& in) { return Parse(in); }

}  // namespace planbot::analyzer
