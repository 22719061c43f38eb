#include "app/main_store.h"

#include <filesystem>

#include "adapters/config/config_yaml.h"
#include "core/config.h"

namespace planbot::app {

Result<std::unique_ptr<storage::Store>> OpenConfiguredStore(const std::string& config_file,
                                                            const std::string& store_flag) {
  std::string path = store_flag;
  if (path.empty()) {
    core::Config config = core::DefaultConfig(core::ProcessEnv());
    if (!config_file.empty()) {
      auto loaded = adapters::LoadConfigFile(config_file, core::ProcessEnv());
      if (!loaded) return MakeError(ErrorCode::kUsage, loaded.error().message);
      config = std::move(*loaded);
    }
    path = config.store;
  }
  if (!std::filesystem::exists(path)) return MakeError(ErrorCode::kUsage, "no store at " + path);
  auto store = storage::Store::Open(path);
  if (!store) return MakeError(ErrorCode::kUsage, "store " + path + ": " + store.error().message);
  return std::move(*store);
}

}  // namespace planbot::app
