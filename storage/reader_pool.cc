#include "storage/reader_pool.h"

#include <string>

namespace planbot::storage {

ReaderPool::Lease::~Lease() {
  if (pool_ != nullptr && db_ != nullptr) pool_->Release(std::move(db_));
}

Result<ReaderPool::Lease> ReaderPool::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      std::unique_ptr<SqliteDb> db = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(db));
    }
  }
  auto db = OpenReader();  // outside the lock: opening touches the file
  if (!db) return db.error();
  return Lease(this, std::move(*db));
}

void ReaderPool::Release(std::unique_ptr<SqliteDb> db) {
  std::lock_guard<std::mutex> lock(mu_);
  if (idle_.size() < max_idle_) idle_.push_back(std::move(db));
}

Result<std::unique_ptr<SqliteDb>> ReaderPool::OpenReader() const {
  auto db = SqliteDb::Open(path_, SqliteDb::Mode::kReadOnly);
  if (!db) return db.error();
  std::string pragmas =
      "PRAGMA busy_timeout = " + std::to_string(busy_timeout_ms_) + "; PRAGMA query_only = ON;";
  if (auto s = db->Exec(pragmas); !s) return s.error();
  return std::make_unique<SqliteDb>(std::move(*db));
}

}  // namespace planbot::storage
