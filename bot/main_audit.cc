#include "bot/main_audit.h"

#include <filesystem>

#include "adapters/config_yaml.h"
#include "bot/config.h"
#include "storage/store.h"

namespace planbot::bot {

int RunAuditVerify(const AuditVerifyArgs& args, std::ostream& out, std::ostream& err) {
  std::string path = args.store;
  if (path.empty()) {
    Config config = DefaultConfig(ProcessEnv());
    if (!args.config.empty()) {
      auto loaded = adapters::LoadConfigFile(args.config, ProcessEnv());
      if (!loaded) {
        err << "planbot audit verify: " << loaded.error().message << "\n";
        return 2;
      }
      config = std::move(*loaded);
    }
    path = config.store;
  }
  // Opening would create an empty store; a missing file is a mistake in the path.
  if (!std::filesystem::exists(path)) {
    err << "planbot audit verify: no store at " << path << "\n";
    return 2;
  }
  auto store = storage::Store::Open(path);
  if (!store) {
    err << "planbot audit verify: store " << path << ": " << store.error().message << "\n";
    return 2;
  }
  auto report = (*store)->VerifyAuditChain();
  if (!report) {
    err << "planbot audit verify: " << report.error().message << "\n";
    return 2;
  }
  if (report->intact) {
    out << "audit log intact: " << report->entries << " entries, head #" << report->last_id
        << " " << report->last_hash << "\n";
    return 0;
  }
  out << "audit log BROKEN at entry #" << report->first_broken_id << ": " << report->problem
      << " (entries #1..#" << report->last_id << " are intact)\n";
  return 1;
}

}  // namespace planbot::bot
