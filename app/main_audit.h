// `planbot audit verify`: walks the store's audit hash chain (storage/audit_chain.h) and reports
// the first entry that was changed, removed or inserted (exit 1), or that all N entries are
// intact (exit 0). Works on the configured store, also while the service runs (it only reads).
#pragma once

#include <ostream>
#include <string>

namespace planbot::app {

struct AuditVerifyArgs {
  std::string config;  // YAML configuration whose `store` to check
  std::string store;   // or the store path itself (wins over the config)
};

// Exit codes: 0 intact, 1 broken chain, 2 usage or an unreadable store.
int RunAuditVerify(const AuditVerifyArgs& args, std::ostream& out, std::ostream& err);

}  // namespace planbot::app
