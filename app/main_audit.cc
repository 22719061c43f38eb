#include "app/main_audit.h"

#include "app/main_store.h"

namespace planbot::app {

int RunAuditVerify(const AuditVerifyArgs& args, std::ostream& out, std::ostream& err) {
  const std::string prefix = "planbot audit verify: ";
  auto store = OpenConfiguredStore(args.config, args.store, prefix, err);
  if (!store) {
    err << prefix << store.error().message << "\n";
    return 2;
  }
  auto report = (*store)->VerifyAuditChain();
  if (!report) {
    err << prefix << report.error().message << "\n";
    return 2;
  }
  if (report->intact) {
    out << "audit log intact: " << report->entries << " entries, head #" << report->last_id << " "
        << report->last_hash << "\n";
    return 0;
  }
  out << "audit log BROKEN at entry #" << report->first_broken_id << ": " << report->problem
      << " (entries #1..#" << report->last_id << " are intact)\n";
  return 1;
}

}  // namespace planbot::app
