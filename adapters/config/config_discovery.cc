#include "adapters/config/config_discovery.h"

#include <filesystem>
#include <system_error>

#include "adapters/config/config_yaml.h"

namespace planbot::adapters {
namespace {

constexpr const char* kEnvVar = "PLANBOT_CONFIG";
constexpr const char* kWorkingDirFile = "planbot.yaml";
constexpr const char* kDemoFile = ".planbot/planbot.yaml";
constexpr const char* kNoFile =
    "no --config, $PLANBOT_CONFIG, ./planbot.yaml or .planbot/planbot.yaml";

bool IsFile(const std::filesystem::path& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec);
}

// `name` inside request.dir; as it is (relative to the working directory) without one.
std::string Candidate(const ConfigRequest& request, const std::string& name) {
  if (request.dir.empty()) return name;
  return (std::filesystem::path(request.dir) / name).string();
}

// A file path made absolute; a URI (a future postgresql:// store) as it is.
std::string Absolute(const std::string& path) {
  if (path.find("://") != std::string::npos) return path;
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  return ec ? path : absolute.lexically_normal().string();
}

}  // namespace

Result<ConfigChoice> ChooseConfigFile(const ConfigRequest& request, const core::EnvLookup& env) {
  if (!request.config_flag.empty()) return ConfigChoice{ConfigOrigin::kFlag, request.config_flag};
  if (std::optional<std::string> named = env(kEnvVar); named && !named->empty()) {
    if (!IsFile(*named)) {
      return MakeError(ErrorCode::kUsage, "$PLANBOT_CONFIG names " + *named +
                                              ", which does not exist or is not a file");
    }
    return ConfigChoice{ConfigOrigin::kEnvironment, *named};
  }
  std::string local = Candidate(request, kWorkingDirFile);
  if (IsFile(local)) return ConfigChoice{ConfigOrigin::kWorkingDir, local};
  std::string demo = Candidate(request, kDemoFile);
  if (IsFile(demo)) return ConfigChoice{ConfigOrigin::kDemo, demo};
  return ConfigChoice{ConfigOrigin::kDefaults, ""};
}

Result<ResolvedConfig> ResolveConfig(const ConfigRequest& request, const core::EnvLookup& env) {
  Result<ConfigChoice> choice = ChooseConfigFile(request, env);
  if (!choice) return choice.error();
  ResolvedConfig resolved;
  resolved.choice = *choice;
  if (choice->origin == ConfigOrigin::kDefaults) {
    resolved.config = core::DefaultConfig(env);
  } else {
    Result<core::Config> loaded = LoadConfigFile(choice->file, env);
    if (!loaded) {
      if (choice->origin == ConfigOrigin::kFlag) return loaded.error();
      return MakeError(loaded.error().code, choice->file + ": " + loaded.error().message);
    }
    resolved.config = std::move(*loaded);
  }
  if (!request.store_flag.empty()) {
    resolved.config.store = request.store_flag;
    resolved.store_from_flag = true;
  }
  return resolved;
}

Result<ResolvedStore> ResolveStore(const ConfigRequest& request, const core::EnvLookup& env) {
  if (!request.store_flag.empty()) {
    return ResolvedStore{request.store_flag, ConfigChoice{}, true};
  }
  Result<ResolvedConfig> resolved = ResolveConfig(request, env);
  if (!resolved) return resolved.error();
  return ResolvedStore{resolved->config.store, resolved->choice, false};
}

std::string DescribeChoice(const ConfigChoice& choice) {
  switch (choice.origin) {
    case ConfigOrigin::kFlag:
      return "--config " + choice.file;
    case ConfigOrigin::kEnvironment:
      return choice.file + " (named by $PLANBOT_CONFIG)";
    case ConfigOrigin::kWorkingDir:
      return choice.file + " (found in the working directory)";
    case ConfigOrigin::kDemo:
      return choice.file + " (found in the working directory; written by scripts/demo)";
    case ConfigOrigin::kDefaults:
      break;
  }
  return std::string("the built-in defaults (") + kNoFile + ")";
}

std::string DescribeStore(const ResolvedStore& store) {
  std::string path = Absolute(store.path);
  if (store.store_from_flag) return path + " (--store)";
  if (store.choice.origin == ConfigOrigin::kDefaults) {
    return path + ", the built-in default (" + kNoFile + ")";
  }
  return path + ", the `store` of " + DescribeChoice(store.choice);
}

bool StoreWasDiscovered(const ResolvedStore& store) {
  return !store.store_from_flag && store.choice.origin != ConfigOrigin::kFlag;
}

}  // namespace planbot::adapters
