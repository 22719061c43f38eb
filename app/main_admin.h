// `planbot admin purge|redact [--config FILE] [--store PATH] [filters]` (SPEC §1): history
// maintenance on the configured store, also while the service runs (SQLite locks the file per
// transaction; the audit chain is continued under the write lock). Prints the counts, writes an
// audit entry with the operator's login as the actor.
#pragma once

#include <ostream>
#include <string>

#include "history/history_filter.h"

namespace planbot::app {

struct AdminArgs {
  std::string operation;  // "purge" or "redact"
  std::string config;
  std::string store;
  history::FilterSpec filters;
  bool json = false;  // print history::MaintenanceToJson instead of the text line
};

// Exit codes: 0 done, 1 the operation failed, 2 usage (bad filters, no store).
int RunAdmin(const AdminArgs& args, std::ostream& out, std::ostream& err);

}  // namespace planbot::app
