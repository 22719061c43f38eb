// Which configuration file and which store a `planbot` command uses: the one rule shared by
// `planbot serve` and the offline commands (`planbot audit verify`, `planbot admin ...`), so that
// they always agree on the store.
//
// The configuration file is the first of
//   1. --config FILE
//   2. the file named by $PLANBOT_CONFIG (an error when it does not exist)
//   3. ./planbot.yaml, when it exists
//   4. .planbot/planbot.yaml, when it exists (the file scripts/demo writes)
//   5. none: the embedded defaults (core::DefaultConfig)
// and the store is --store PATH, else that configuration's `store` (./planbot.db by default).
// Relative paths (the candidates above and a relative `store`) are relative to the working
// directory. With --store, ResolveStore does not read any file: a broken configuration does not
// stop maintenance of a store named explicitly.
//
// Errors: "usage" when $PLANBOT_CONFIG names a missing file; "bad_config" from reading or
// validating the chosen file (a discovered file's messages start with its path).
//
// Thread-safety: functions of their arguments and the file system; they never throw.
#pragma once

#include <string>

#include "common/result.h"
#include "core/config.h"

namespace planbot::adapters {

enum class ConfigOrigin {
  kFlag,         // --config FILE
  kEnvironment,  // $PLANBOT_CONFIG
  kWorkingDir,   // ./planbot.yaml
  kDemo,         // .planbot/planbot.yaml
  kDefaults,     // no file: the embedded defaults
};

struct ConfigRequest {
  std::string config_flag;  // --config; empty when not given
  std::string store_flag;   // --store; empty when not given
  // Where ./planbot.yaml and .planbot/planbot.yaml are looked for; empty: the working directory.
  // Tests pass a directory of their own instead of changing the process's working directory.
  std::string dir;
};

struct ConfigChoice {
  ConfigOrigin origin = ConfigOrigin::kDefaults;
  std::string file;  // the YAML file; empty for kDefaults
};

struct ResolvedConfig {
  core::Config config;  // the file's (or the defaults), `store` replaced by --store if given
  ConfigChoice choice;
  bool store_from_flag = false;
};

struct ResolvedStore {
  std::string path;  // as configured or given (may be relative to the working directory)
  ConfigChoice choice;
  bool store_from_flag = false;
};

// Steps 1-5 above, without reading the chosen file.
Result<ConfigChoice> ChooseConfigFile(const ConfigRequest& request, const core::EnvLookup& env);

// The chosen file read and validated (or the defaults), with --store applied. `planbot serve`
// applies its other flags (--listen) to the result and validates again.
Result<ResolvedConfig> ResolveConfig(const ConfigRequest& request, const core::EnvLookup& env);

// The store the offline commands use: --store, else ResolveConfig(...).config.store.
Result<ResolvedStore> ResolveStore(const ConfigRequest& request, const core::EnvLookup& env);

// Where the configuration came from, for output: "--config x.yaml", ".planbot/planbot.yaml (found
// in the working directory; written by scripts/demo)", "the built-in defaults (no --config, ...)".
std::string DescribeChoice(const ConfigChoice& choice);

// The store's absolute path and where it came from, e.g. "/srv/x/.planbot/planbot.db, the `store`
// of .planbot/planbot.yaml (found in the working directory; written by scripts/demo)".
std::string DescribeStore(const ResolvedStore& store);

// True when the user named neither the store nor the file (origins 2-5): commands then say which
// store they use, so that nobody purges the wrong one unknowingly.
bool StoreWasDiscovered(const ResolvedStore& store);

}  // namespace planbot::adapters
