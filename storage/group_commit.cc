#include "storage/group_commit.h"

#include <exception>
#include <utility>

namespace planbot::storage {
namespace {

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
  return std::unique_ptr<GroupCommitter>(new GroupCommitter(std::move(db), std::move(logger)));
}

GroupCommitter::~GroupCommitter() {
  std::unique_lock<std::mutex> lock(mu_);
  stopping_ = true;
  // Every queued operation has a caller waiting in Submit(), and one of them leads its batch.
  done_.wait(lock, [this] { return !writing_ && queue_.empty(); });
  lock.unlock();
  (void)db_.Exec("PRAGMA optimize");  // refreshes planner statistics where useful; cheap
}

Result<int64_t> GroupCommitter::Submit(WriteOp op) {
  try {
    Pending pending{std::move(op), std::nullopt};
    std::unique_lock<std::mutex> lock(mu_);
    if (stopping_) return StoreError("the store is closing");
    queue_.push_back(&pending);
    while (!pending.result) {
      if (writing_) {
        done_.wait(lock);
        continue;
      }
      // Lead: this thread commits everything queued, its own operation included.
      writing_ = true;
      std::vector<Pending*> batch;
      batch.swap(queue_);
      lock.unlock();
      Results results;
      try {
        results = CommitBatch(batch);
      } catch (const std::exception& e) {  // out of memory: nobody may be left waiting
        results.assign(batch.size(),
                       Result<int64_t>(StoreError(std::string("write failed: ") + e.what())));
      }
      lock.lock();
      for (size_t i = 0; i < batch.size(); ++i) batch[i]->result = std::move(results[i]);
      writing_ = false;
      done_.notify_all();
    }
    return std::move(*pending.result);
  } catch (const std::exception& e) {
    return StoreError(std::string("cannot queue the write: ") + e.what());
  }
}

Status GroupCommitter::LastWriteStatus() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_write_;
}

// Results in the batch's order: each operation's own, or the transaction's error for all.
GroupCommitter::Results GroupCommitter::CommitBatch(std::vector<Pending*>& batch) {
  Results results;
  results.reserve(batch.size());
  Status txn = RunTransaction(batch, results);
  Status outcome = txn;
  if (txn.ok()) {
    commits_.fetch_add(1);
    for (const auto& r : results) {
      if (!r.ok() && r.error().code == "store_error") outcome = r.error();
    }
  }
  NoteOutcome(outcome);
  if (!txn.ok()) results.assign(batch.size(), Result<int64_t>(txn.error()));
  return results;
}

Status GroupCommitter::RunTransaction(std::vector<Pending*>& batch, Results& results) {
  if (auto s = db_.Exec("BEGIN IMMEDIATE"); !s) return s;
  Status s = RunOps(batch, results);
  if (s.ok()) s = db_.Exec("COMMIT");
  if (!s.ok() && db_.InTransaction()) (void)db_.Exec("ROLLBACK");
  return s;
}

Status GroupCommitter::RunOps(std::vector<Pending*>& batch, Results& results) {
  auto txn = WriteTxn::Start(db_);
  if (!txn) return txn.error();
  for (Pending* pending : batch) {
    if (auto s = RunOne(*txn, *pending, results); !s) return s;
  }
  return Ok{};
}

// Runs one operation in a savepoint. An error of the operation goes to its caller only, unless
// SQLite rolled back the whole transaction (disk full, I/O error): then it is the batch's error.
Status GroupCommitter::RunOne(WriteTxn& txn, Pending& pending, Results& results) {
  if (auto s = db_.Exec("SAVEPOINT op"); !s) return s;
  WriteTxn::Head saved = txn.head();
  Result<int64_t> result = CallOp(pending.op, txn);
  ops_.fetch_add(1);
  if (result.ok()) {
    results.push_back(std::move(result));
    return db_.Exec("RELEASE op");
  }
  Error error = result.error();
  results.push_back(std::move(result));
  if (!db_.InTransaction()) return error;
  txn.set_head(std::move(saved));
  if (auto s = db_.Exec("ROLLBACK TO op"); !s) return s;
  return db_.Exec("RELEASE op");
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
