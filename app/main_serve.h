// `planbot serve` (SPEC §1). Part of the executable, not of the bot library: it names adapters.
#pragma once

#include <string>

namespace planbot::app {

struct ServeArgs {
  std::string config;  // YAML file; empty: found as adapters/config/config_discovery.h says
  std::string listen;  // overrides `listen`
  std::string store;   // overrides `store`
  // Only load and validate the configuration as serving would, print it (secrets masked) as
  // YAML and exit: no port, no store, no connection.
  bool check_config = false;
};

// Runs until SIGINT/SIGTERM. Exit code: 0 after a clean stop, 1 when the service could not
// start, 2 for a bad configuration. With check_config: 0 and the effective configuration on
// stdout when it is valid, 2 and one line naming the key on stderr when it is not.
int RunServe(const ServeArgs& args);

}  // namespace planbot::app
