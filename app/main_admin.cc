#include "app/main_admin.h"

#include <pwd.h>
#include <unistd.h>

#include <chrono>

#include "app/main_store.h"
#include "common/json_text.h"
#include "history/history_admin.h"

namespace planbot::app {
namespace {

// "cli:alice": who ran it, as the audit log names them.
std::string OperatorName() {
  struct passwd pw;
  struct passwd* found = nullptr;
  char buf[1024];
  if (getpwuid_r(geteuid(), &pw, buf, sizeof buf, &found) == 0 && found != nullptr) {
    return std::string("cli:") + found->pw_name;
  }
  return "cli:uid" + std::to_string(geteuid());
}

}  // namespace

int RunAdmin(const AdminArgs& args, std::ostream& out, std::ostream& err) {
  const std::string prefix = "planbot admin " + args.operation + ": ";
  auto filter = history::ResolveFilter(args.filters, std::chrono::system_clock::now());
  if (!filter) {
    err << prefix << filter.error().message << "\n";
    return 2;
  }
  auto store = OpenConfiguredStore(args.config, args.store, prefix, err);
  if (!store) {
    err << prefix << store.error().message << "\n";
    return 2;
  }
  history::MaintenanceRequest request{args.operation, *filter, OperatorName(), "cli", "admin", ""};
  auto result = history::RunMaintenance(**store, request);
  if (!result) {
    err << prefix << result.error().message << "\n";
    return 1;
  }
  if (args.json) {
    out << JsonText(history::MaintenanceToJson(request, *result)) << "\n";
  } else {
    out << history::MaintenanceText(request, *result) << "\n";
  }
  return 0;
}

}  // namespace planbot::app
