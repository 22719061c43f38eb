// The store for the offline subcommands (`planbot audit verify`, `planbot admin ...`): the path
// from --store, else from the configuration file's `store`, else the embedded default; opened
// only when the file exists (opening would create an empty store and hide a wrong path).
#pragma once

#include <memory>
#include <string>

#include "common/result.h"
#include "storage/store.h"

namespace planbot::app {

// Error "usage" naming the problem (unreadable config, missing file, unopenable store).
Result<std::unique_ptr<storage::Store>> OpenConfiguredStore(const std::string& config_file,
                                                            const std::string& store_flag);

}  // namespace planbot::app
