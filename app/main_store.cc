#include "app/main_store.h"

#include <filesystem>

#include "adapters/config/config_discovery.h"
#include "core/config.h"

namespace planbot::app {

Result<std::unique_ptr<storage::Store>> OpenConfiguredStore(const std::string& config_file,
                                                            const std::string& store_flag,
                                                            const std::string& prefix,
                                                            std::ostream& err) {
  adapters::ConfigRequest request;
  request.config_flag = config_file;
  request.store_flag = store_flag;
  auto resolved = adapters::ResolveStore(request, core::ProcessEnv());
  if (!resolved) return MakeError(ErrorCode::kUsage, resolved.error().message);
  const std::string& path = resolved->path;
  if (!std::filesystem::exists(path)) {
    return MakeError(ErrorCode::kUsage, "no store at " + (adapters::StoreWasDiscovered(*resolved)
                                                              ? adapters::DescribeStore(*resolved)
                                                              : path));
  }
  if (adapters::StoreWasDiscovered(*resolved)) {
    err << prefix << "using store " << adapters::DescribeStore(*resolved) << "\n";
  }
  auto store = storage::Store::Open(path);
  if (!store) return MakeError(ErrorCode::kUsage, "store " + path + ": " + store.error().message);
  return std::move(*store);
}

}  // namespace planbot::app
