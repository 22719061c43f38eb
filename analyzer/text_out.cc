#include "analyzer/text_out.h"

#include <algorithm>

namespace planbot::analyzer {

std::string FormatNum(const Num& n) {
  char buf[64];
  int len = std::snprintf(buf, sizeof buf, "%.*f", n.decimals, n.value);
  if (len > 0 && static_cast<size_t>(len) < sizeof buf) return std::string(buf, len);
  // Huge values (e.g. a row estimate of 1e300) need more room.
  std::string big(static_cast<size_t>(len) + 1, '\0');
  std::snprintf(big.data(), big.size(), "%.*f", n.decimals, n.value);
  big.pop_back();
  return big;
}

void TextOut::PropertyList(std::string_view label, const std::vector<std::string>& items) {
  IndentText();
  str_->append(label).append(": ");
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) str_->append(", ");
    str_->append(items[i]);
  }
  str_->push_back('\n');
}

void TextOut::MaybeFlush(bool force) {
  constexpr size_t kFlushBytes = 64 * 1024;
  if (sink_ == nullptr || str_ != main_ || (!force && main_->size() < kFlushBytes)) return;
  if (!main_->empty() && main_->back() != '\n' && !force) return;
  sink_->write(main_->data(), static_cast<std::streamsize>(main_->size()));
  main_->clear();
}

void TextOut::BeginWorkers() {
  workers_active_ = true;
  workers_.clear();
}

void TextOut::OpenWorker(int64_t n) {
  auto it = std::find_if(workers_.begin(), workers_.end(),
                         [n](const WorkerBuf& w) { return w.number == n; });
  if (it == workers_.end()) {
    workers_.push_back(WorkerBuf{n, {}});
    it = workers_.end() - 1;
  }
  str_ = &it->text;
  if (str_->empty()) {
    IndentText();
    str_->append("Worker ").append(std::to_string(n)).append(":  ");
  }
  ++indent;
}

void TextOut::CloseWorker() {
  // Drop a partial line (e.g. only "Worker 0:  ") if nothing was printed after it.
  while (!str_->empty() && str_->back() != '\n') str_->pop_back();
  --indent;
  str_ = main_;
}

void TextOut::FlushWorkers() {
  std::stable_sort(workers_.begin(), workers_.end(),
                   [](const WorkerBuf& a, const WorkerBuf& b) { return a.number < b.number; });
  for (const WorkerBuf& w : workers_) main_->append(w.text);
  workers_.clear();
  workers_active_ = false;
}

}  // namespace planbot::analyzer
