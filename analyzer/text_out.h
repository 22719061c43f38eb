// TextOut: the text-format half of PostgreSQL's ExplainState, so that render_text*.cc can follow
// explain.c call for call. It owns the output buffer, the indent level, and the per-worker
// side buffers that explain.c uses to group "Worker N:" details under a node.
//
// Internal to the analyzer. Not thread-safe (one instance per rendering).
#pragma once

#include <cstdint>
#include <cstdio>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/plan_model.h"

namespace planbot::analyzer {

// "%.*f" of a number with the decimals it had in the JSON.
std::string FormatNum(const Num& n);

class TextOut {
 public:
  // Text accumulates in `out`; with a `sink`, whole lines are moved there from time to time so
  // that a large plan is never held in memory as a whole.
  explicit TextOut(std::string* out, std::ostream* sink = nullptr)
      : str_(out), main_(out), sink_(sink) {}

  // Moves the accumulated text to the sink once it is large (or always, with `force`). Only at a
  // line boundary and when no worker buffer is being written.
  void MaybeFlush(bool force = false);

  int indent = 0;

  std::string& str() { return *str_; }
  void Append(std::string_view s) { str_->append(s); }
  void AppendChar(char c) { str_->push_back(c); }

  // ExplainIndentText: indent only at the start of a line.
  void IndentText() {
    if (str_->empty() || str_->back() == '\n') str_->append(static_cast<size_t>(indent) * 2, ' ');
  }
  // appendStringInfoSpaces(es->str, es->indent * 2): unconditional.
  void Spaces() { str_->append(static_cast<size_t>(indent) * 2, ' '); }

  // ExplainProperty in text format: "label: value[ unit]\n".
  void Property(std::string_view label, std::string_view value, std::string_view unit = {}) {
    IndentText();
    str_->append(label).append(": ").append(value);
    if (!unit.empty()) str_->append(" ").append(unit);
    str_->push_back('\n');
  }
  void Property(std::string_view label, int64_t value, std::string_view unit = {}) {
    Property(label, std::to_string(value), unit);
  }
  void Property(std::string_view label, const Num& value, std::string_view unit = {}) {
    Property(label, FormatNum(value), unit);
  }
  void PropertyList(std::string_view label, const std::vector<std::string>& items);

  // Per-node worker side buffers (ExplainCreateWorkersState, ExplainOpenWorker,
  // ExplainCloseWorker, ExplainFlushWorkersState). A node begins them after its first line and
  // flushes them before its children, so one set at a time is enough.
  void BeginWorkers();
  void OpenWorker(int64_t n);
  void CloseWorker();
  void FlushWorkers();
  bool workers_active() const { return workers_active_; }

 private:
  struct WorkerBuf {
    int64_t number;
    std::string text;
  };

  std::string* str_;
  std::string* main_;
  std::ostream* sink_;
  bool workers_active_ = false;
  std::vector<WorkerBuf> workers_;  // in order of first use; flushed in worker-number order
};

}  // namespace planbot::analyzer
