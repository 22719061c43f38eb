#include "storage/group_commit.h"

#include <exception>
#include <system_error>
#include <utility>

namespace planbot::storage {
namespace {

// The writer's own statements, prepared once (SqliteDb::ExecCached).
constexpr const char* kBegin = "BEGIN IMMEDIATE";
constexpr const char* kCommit = "COMMIT";
constexpr const char* kRollback = "ROLLBACK";
constexpr const char* kSavepoint = "SAVEPOINT op";
constexpr const char* kRelease = "RELEASE op";
constexpr const char* kRollbackTo = "ROLLBACK TO op";

Result<int64_t> CallOp(const WriteOp& op, WriteTxn& txn) {
  try {
    return op(txn);
  } catch (const std::exception& e) {
    return StoreError(std::string("write operation failed: ") + e.what());
  } catch (...) {
    return StoreError("write operation failed");
  }
}

}  // namespace

Result<std::unique_ptr<GroupCommitter>> GroupCommitter::Start(SqliteDb db, Logger logger) {
  std::unique_ptr<GroupCommitter> committer(new GroupCommitter(std::move(db), std::move(logger)));
  try {
    committer->thread_ = std::thread([c = committer.get()] { c->Run(); });
  } catch (const std::system_error& e) {
    return StoreError(std::string("cannot start the writer thread: ") + e.what());
  }
  return committer;
}

GroupCommitter::~GroupCommitter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

Result<int64_t> GroupCommitter::Submit(WriteOp op) {
  try {
    std::future<Result<int64_t>> done;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return StoreError("the store is closing");
      queue_.push_back(Pending{std::move(op), {}});
      done = queue_.back().done.get_future();
    }
    wake_.notify_one();
    return done.get();
  } catch (const std::exception& e) {
    return StoreError(std::string("cannot queue the write: ") + e.what());
  }
}

Status GroupCommitter::LastWriteStatus() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_write_;
}

void GroupCommitter::Run() {
  while (true) {
    std::vector<Pending> batch;
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) break;  // stopping, and everything queued has been committed
      batch.swap(queue_);
    }
    CommitBatch(batch);
  }
  (void)db_.Exec("PRAGMA optimize");  // refreshes planner statistics where useful; cheap
}

void GroupCommitter::CommitBatch(std::vector<Pending>& batch) {
  Results results;
  results.reserve(batch.size());
  Status txn = RunTransaction(batch, results);
  Status outcome = txn;
  if (txn.ok()) {
    commits_.fetch_add(1);
    for (const auto& r : results) {
      if (!r.ok() && r.error().code == ErrorCode::kStoreError) outcome = r.error();
    }
  }
  NoteOutcome(outcome);
  for (size_t i = 0; i < batch.size(); ++i) {
    batch[i].done.set_value(txn.ok() ? std::move(results[i]) : Result<int64_t>(txn.error()));
  }
}

Status GroupCommitter::RunTransaction(std::vector<Pending>& batch, Results& results) {
  if (auto s = db_.ExecCached(kBegin); !s) return s;
  Status s = RunOps(batch, results);
  if (s.ok()) s = db_.ExecCached(kCommit);
  if (!s.ok() && db_.InTransaction()) (void)db_.ExecCached(kRollback);
  return s;
}

Status GroupCommitter::RunOps(std::vector<Pending>& batch, Results& results) {
  auto txn = WriteTxn::Start(db_);
  if (!txn) return txn.error();
  for (Pending& pending : batch) {
    if (auto s = RunOne(*txn, pending, results); !s) return s;
  }
  return Ok{};
}

// Runs one operation in a savepoint. An error of the operation goes to its caller only, unless
// SQLite rolled back the whole transaction (disk full, I/O error): then it is the batch's error.
Status GroupCommitter::RunOne(WriteTxn& txn, Pending& pending, Results& results) {
  if (auto s = db_.ExecCached(kSavepoint); !s) return s;
  WriteTxn::Head saved = txn.head();
  Result<int64_t> result = CallOp(pending.op, txn);
  ops_.fetch_add(1);
  if (result.ok()) {
    results.push_back(std::move(result));
    return db_.ExecCached(kRelease);
  }
  Error error = result.error();
  results.push_back(std::move(result));
  if (!db_.InTransaction()) return error;
  txn.set_head(std::move(saved));
  if (auto s = db_.ExecCached(kRollbackTo); !s) return s;
  return db_.ExecCached(kRelease);
}

void GroupCommitter::NoteOutcome(const Status& outcome) {
  bool was_ok;
  {
    std::lock_guard<std::mutex> lock(mu_);
    was_ok = last_write_.ok();
    last_write_ = outcome;
  }
  if (!outcome.ok()) {
    logger_.Error("write failed: " + outcome.error().message);
  } else if (!was_ok) {
    logger_.Info("writes succeed again");
  }
}

}  // namespace planbot::storage
