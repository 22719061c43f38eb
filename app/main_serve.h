// `planbot serve` (SPEC §1). Part of the executable, not of the bot library: it names adapters.
#pragma once

#include <string>

namespace planbot::app {

struct ServeArgs {
  std::string config;  // YAML file; empty: found as adapters/config/config_discovery.h says
  std::string listen;  // overrides `listen`
  std::string store;   // overrides `store`
};

// Runs until SIGINT/SIGTERM. Exit code: 0 after a clean stop, 1 when the service could not
// start, 2 for a bad configuration.
int RunServe(const ServeArgs& args);

}  // namespace planbot::app
