#include "history/audit_export.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/json_text.h"
#include "history/history_view.h"

namespace planbot::history {
namespace {

constexpr int kBatch = 500;
constexpr off_t kTail = 1 << 20;  // the last line is looked for in the file's last MiB

bool WriteAll(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

int64_t LastExportedId(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  off_t size = ::lseek(fd, 0, SEEK_END);
  off_t from = size > kTail ? size - kTail : 0;
  std::string tail(static_cast<size_t>(size - from), '\0');
  ssize_t got = ::pread(fd, tail.data(), tail.size(), from);
  ::close(fd);
  if (got <= 0) return 0;
  tail.resize(static_cast<size_t>(got));
  // From the end: the first line that is a whole JSON object with an id (a line cut short by
  // a crash is skipped; its entry is exported again).
  size_t end = tail.size();
  while (end > 0) {
    size_t start = tail.rfind('\n', end - 1);
    start = start == std::string::npos ? 0 : start + 1;
    nlohmann::json line = nlohmann::json::parse(tail.substr(start, end - start), nullptr, false);
    if (line.is_object() && line.contains("id") && line["id"].is_number_integer()) {
      return line["id"].get<int64_t>();
    }
    if (start == 0) break;
    end = start - 1;
  }
  return 0;
}

Result<std::unique_ptr<AuditExporter>> AuditExporter::Start(storage::AuditLog* store,
                                                            const std::string& target, Logger log,
                                                            std::chrono::milliseconds poll) {
  int fd = STDOUT_FILENO;
  bool owns = false;
  int64_t after = 0;
  if (target == "-") {
    auto newest = store->ListAudit(1, std::nullopt);
    if (!newest) return newest.error();
    after = newest->empty() ? 0 : newest->front().id;
  } else {
    after = LastExportedId(target);
    fd = ::open(target.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
      return MakeError(ErrorCode::kBadConfig,
                       "audit.export: cannot open " + target + ": " + std::strerror(errno));
    }
    owns = true;
    // A line cut short by a crash would glue onto the next one.
    off_t size = ::lseek(fd, 0, SEEK_END);
    char last = '\n';
    int rfd = ::open(target.c_str(), O_RDONLY | O_CLOEXEC);
    if (rfd >= 0) {
      if (size > 0) (void)::pread(rfd, &last, 1, size - 1);
      ::close(rfd);
    }
    if (last != '\n' && !WriteAll(fd, "\n")) {
      ::close(fd);
      return MakeError(ErrorCode::kBadConfig, "audit.export: cannot write " + target);
    }
  }
  return std::unique_ptr<AuditExporter>(new AuditExporter(store, fd, owns, after, log, poll));
}

AuditExporter::AuditExporter(storage::AuditLog* store, int fd, bool owns_fd, int64_t after_id,
                             Logger log, std::chrono::milliseconds poll)
    : store_(store), fd_(fd), owns_fd_(owns_fd), last_id_(after_id), log_(log), poll_(poll) {
  thread_ = std::thread([this] { Loop(); });
}

AuditExporter::~AuditExporter() {
  Stop();
  if (owns_fd_) ::close(fd_);
}

void AuditExporter::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  ExportPending();
}

void AuditExporter::Loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    ExportPending();
    lock.lock();
    wake_.wait_for(lock, poll_, [this] { return stopping_; });
  }
}

bool AuditExporter::ExportPending() {
  while (true) {
    auto entries = store_->ListAuditAfter(last_id_, kBatch);
    if (!entries) {
      log_.Warn("audit export: " + entries.error().message);
      return false;
    }
    if (entries->empty()) return true;
    std::string lines;
    for (const storage::AuditEntry& e : *entries) lines += JsonText(AuditEntryToJson(e)) + "\n";
    if (!WriteAll(fd_, lines)) {
      log_.Warn(std::string("audit export: write failed: ") + std::strerror(errno));
      return false;
    }
    last_id_ = entries->back().id;
    if (entries->size() < static_cast<size_t>(kBatch)) return true;
  }
}

}  // namespace planbot::history
