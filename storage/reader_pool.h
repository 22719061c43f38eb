// ReaderPool: read-only connections to the store's file for ListHistory, GetHistory, ListAudit
// and audit verification. WAL lets them read a consistent snapshot while the writer commits, so
// readers never wait for writes. Connections are opened on demand and up to `max_idle` are kept
// for reuse.
//
// Ownership: the pool owns idle connections; a Lease owns its connection while leased and gives
// it back when destroyed. Leases must not outlive the pool.
// Failures: "store_error" when a connection cannot be opened.
// Thread-safety: Acquire() from any thread; a Lease is used by one thread.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/result.h"
#include "storage/sqlite_db.h"

namespace planbot::storage {

class ReaderPool {
 public:
  class Lease {
   public:
    Lease(ReaderPool* pool, std::unique_ptr<SqliteDb> db) : pool_(pool), db_(std::move(db)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    SqliteDb& db() { return *db_; }

   private:
    ReaderPool* pool_;
    std::unique_ptr<SqliteDb> db_;
  };

  ReaderPool(std::string path, int busy_timeout_ms, size_t max_idle)
      : path_(std::move(path)), busy_timeout_ms_(busy_timeout_ms), max_idle_(max_idle) {
    idle_.reserve(max_idle_);  // Release() (from a destructor) then never allocates
  }

  Result<Lease> Acquire();

 private:
  void Release(std::unique_ptr<SqliteDb> db);
  Result<std::unique_ptr<SqliteDb>> OpenReader() const;

  const std::string path_;
  const int busy_timeout_ms_;
  const size_t max_idle_;
  std::mutex mu_;
  std::vector<std::unique_ptr<SqliteDb>> idle_;  // guarded by mu_
};

}  // namespace planbot::storage
