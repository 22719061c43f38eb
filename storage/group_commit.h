// GroupCommitter: the store's single writer. It owns the read-write connection; callers Submit() a
// write operation and block until the transaction that holds it has committed (or failed). One
// caller at a time is the leader: it takes everything queued and runs it as one BEGIN IMMEDIATE
// ... COMMIT on its own thread, while the callers arriving meanwhile queue for the next batch and
// one of them leads it. So N concurrent callers cost one fsync instead of N (synchronous=FULL
// makes each commit durable), and a lone caller costs no hand-off to another thread.
//
// Each operation runs inside its own SAVEPOINT: an operation that fails on its own (its caller gets
// its error) is rolled back without taking the rest of the batch with it. When the transaction
// itself fails (BEGIN/COMMIT refused, disk full, I/O error, locked by another process), every
// caller in the batch gets that "store_error"; the writer stays alive and the next batch tries
// again. LastWriteStatus() reports the last failure until a later batch commits cleanly.
//
// Ownership: owns the connection. The destructor refuses new work and waits until what is queued
// has committed. Operations may borrow the caller's data by reference: the caller is blocked in
// Submit() until its operation has run.
// Thread-safety: Submit() and the accessors from any thread; operations run on the thread of
// their batch's leader, one batch at a time (the connection is used by one thread at a time).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
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
  // Takes a configured, migrated connection.
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
  // One caller's operation, on that caller's stack while it waits in Submit().
  struct Pending {
    WriteOp op;
    std::optional<Result<int64_t>> result;  // set by the batch's leader, under mu_
  };
  using Results = std::vector<Result<int64_t>>;

  GroupCommitter(SqliteDb db, Logger logger) : db_(std::move(db)), logger_(std::move(logger)) {}
  Results CommitBatch(std::vector<Pending*>& batch);
  Status RunTransaction(std::vector<Pending*>& batch, Results& results);
  Status RunOps(std::vector<Pending*>& batch, Results& results);
  Status RunOne(WriteTxn& txn, Pending& pending, Results& results);
  void NoteOutcome(const Status& outcome);

  SqliteDb db_;  // used only by the current leader (writing_)
  Logger logger_;
  mutable std::mutex mu_;
  std::condition_variable done_;  // a batch finished: results are in, the lead is free
  std::vector<Pending*> queue_;   // guarded by mu_
  bool writing_ = false;          // guarded by mu_: a leader runs a batch
  bool stopping_ = false;         // guarded by mu_
  Status last_write_ = Ok{};      // guarded by mu_
  std::atomic<uint64_t> commits_{0};
  std::atomic<uint64_t> ops_{0};
};

}  // namespace planbot::storage
