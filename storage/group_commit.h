// GroupCommitter: the store's single writer. One thread owns the read-write connection; callers
// Submit() a write operation and block until the transaction that holds it has committed (or
// failed). The writer drains everything queued into one BEGIN IMMEDIATE ... COMMIT, so N
// concurrent callers cost one fsync instead of N (synchronous=FULL makes each commit durable).
//
// Each operation runs inside its own SAVEPOINT: an operation that fails on its own (its caller gets
// its error) is rolled back without taking the rest of the batch with it. When the transaction
// itself fails (BEGIN/COMMIT refused, disk full, I/O error, locked by another process), every
// caller in the batch gets that "store_error"; the writer stays alive and the next batch tries
// again. LastWriteStatus() reports the last failure until a later batch commits cleanly.
//
// Ownership: owns the connection and the thread. The destructor refuses new work, commits what
// is queued, and joins. Operations may borrow the caller's data by reference: the caller is
// blocked in Submit() until its operation has run.
// Thread-safety: Submit() and the accessors from any thread; operations run on the writer thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "common/log.h"
#include "common/result.h"
#include "storage/sqlite_db.h"
#include "storage/write_txn.h"

namespace planbot::storage {

// A write: runs in the writer's transaction, returns an id (or 0) or an error.
using WriteOp = std::function<Result<int64_t>(WriteTxn&)>;

class GroupCommitter {
 public:
  // Takes a configured, migrated connection and starts the writer thread.
  static Result<std::unique_ptr<GroupCommitter>> Start(SqliteDb db, Logger logger);
  ~GroupCommitter();
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Blocks until `op` has committed (its result) or its transaction failed ("store_error").
  Result<int64_t> Submit(WriteOp op);

  Status LastWriteStatus() const;
  uint64_t commit_count() const { return commits_.load(); }  // committed transactions
  uint64_t op_count() const { return ops_.load(); }          // operations run

 private:
  struct Pending {
    WriteOp op;
    std::promise<Result<int64_t>> done;
  };
  using Results = std::vector<Result<int64_t>>;

  GroupCommitter(SqliteDb db, Logger logger) : db_(std::move(db)), logger_(std::move(logger)) {}
  void Run();
  void CommitBatch(std::vector<Pending>& batch);
  Status RunTransaction(std::vector<Pending>& batch, Results& results);
  Status RunOps(std::vector<Pending>& batch, Results& results);
  Status RunOne(WriteTxn& txn, Pending& pending, Results& results);
  void NoteOutcome(const Status& outcome);

  SqliteDb db_;  // the writer thread's only
  Logger logger_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::vector<Pending> queue_;  // guarded by mu_
  bool stopping_ = false;       // guarded by mu_
  Status last_write_ = Ok{};    // guarded by mu_
  std::atomic<uint64_t> commits_{0};
  std::atomic<uint64_t> ops_{0};
  std::thread thread_;
};

}  // namespace planbot::storage
