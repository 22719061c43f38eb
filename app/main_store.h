// The store for the offline subcommands (`planbot audit verify`, `planbot admin ...`), found by
// the rule `planbot serve` uses too (adapters/config/config_discovery.h): --store, else the
// `store` of --config FILE, $PLANBOT_CONFIG, ./planbot.yaml or .planbot/planbot.yaml, else the
// embedded default. Opened only when the file exists (opening would create an empty store and
// hide a wrong path).
#pragma once

#include <memory>
#include <ostream>
#include <string>

#include "common/result.h"
#include "storage/store.h"

namespace planbot::app {

// When the user named neither --store nor --config, writes "<prefix>using store ... (the `store`
// of ...)" to `err` first, so the output says which store a command worked on. The error is
// "usage" naming the problem and where the path came from (unreadable config, missing file,
// unopenable store).
Result<std::unique_ptr<storage::Store>> OpenConfiguredStore(const std::string& config_file,
                                                            const std::string& store_flag,
                                                            const std::string& prefix,
                                                            std::ostream& err);

}  // namespace planbot::app
