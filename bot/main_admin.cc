#include "bot/main_admin.h"

#include <pwd.h>
#include <unistd.h>

#include <chrono>

#include "bot/history_admin.h"
#include "bot/main_store.h"

namespace planbot::bot {
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
  auto filter = ResolveFilter(args.filters, std::chrono::system_clock::now());
  if (!filter) {
    err << prefix << filter.error().message << "\n";
    return 2;
  }
  auto store = OpenConfiguredStore(args.config, args.store);
  if (!store) {
    err << prefix << store.error().message << "\n";
    return 2;
  }
  MaintenanceRequest request{args.operation, *filter, OperatorName(), "cli", "admin", ""};
  auto result = RunMaintenance(**store, request);
  if (!result) {
    err << prefix << result.error().message << "\n";
    return 1;
  }
  if (args.json) {
    out << MaintenanceToJson(request, *result).dump() << "\n";
  } else {
    out << MaintenanceText(request, *result) << "\n";
  }
  return 0;
}

}  // namespace planbot::bot
