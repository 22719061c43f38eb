#include "storage/store.h"

#include "storage/sqlite_store.h"

namespace planbot::storage {

Result<std::unique_ptr<Store>> Store::Open(const std::string& path) {
  auto store = SqliteStore::Open(path);
  if (!store) return store.error();
  return std::unique_ptr<Store>(std::move(*store));
}

}  // namespace planbot::storage
