// The audit export (config `audit.export`): every new audit entry as one JSON line
// (AuditEntryToJson, with its hashes) to a file or to stdout, for a log collector.
//
// It follows the store's audit log by id, so entries written by other processes (`planbot
// admin`) are exported too, in chain order. A file is appended to (created 0600) and resumed
// after the last id it holds, so a restart neither repeats nor skips entries; stdout ("-")
// starts with the entries written after Start().
//
// Thread-safety: one background thread polls the store; Stop() (and the destructor) exports
// what is left and joins it. Failures: Start() fails when the file cannot be opened; later
// write errors are logged and retried at the next poll.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/log.h"
#include "common/result.h"
#include "storage/store.h"

namespace planbot::history {

class AuditExporter {
 public:
  static Result<std::unique_ptr<AuditExporter>> Start(
      storage::AuditLog* store, const std::string& target, Logger log,
      std::chrono::milliseconds poll = std::chrono::milliseconds(200));
  ~AuditExporter();

  // Exports everything committed so far, then stops the thread.
  void Stop();

  int64_t last_exported_id() const { return last_id_; }

 private:
  AuditExporter(storage::AuditLog* store, int fd, bool owns_fd, int64_t after_id, Logger log,
                std::chrono::milliseconds poll);
  void Loop();
  // Exports what is there now; false on an error (logged).
  bool ExportPending();

  storage::AuditLog* store_;
  int fd_;
  bool owns_fd_;
  std::atomic<int64_t> last_id_;
  Logger log_;
  std::chrono::milliseconds poll_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

// The id of the last complete JSON line in `path` that has one (0 when none, or no file).
int64_t LastExportedId(const std::string& path);

}  // namespace planbot::history
