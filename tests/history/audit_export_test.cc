// The audit export on a real store: every entry once as a JSON line, in id order, resumed after
// a restart (and after a line cut short by a crash), including entries of other processes.
#include "history/audit_export.h"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>

#include "storage/store.h"

using namespace planbot;

namespace {

struct Dir {
  Dir() {
    std::string pattern = std::filesystem::temp_directory_path() / "planbot-export-XXXXXX";
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~Dir() { std::filesystem::remove_all(path); }
  std::filesystem::path path;
};

void AddAudit(storage::Store& store, int n) {
  for (int i = 0; i < n; ++i) {
    storage::AuditEntry a;
    a.actor = "ana";
    a.action = "command";
    a.channel = "http";
    a.command = "plan";
    a.outcome = "ok";
    a.details = R"({"history_id":)" + std::to_string(i + 1) + "}";
    REQUIRE(store.Audit(a).ok());
  }
}

// The ids of the lines that parse, in file order.
std::vector<int64_t> ExportedIds(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::vector<int64_t> ids;
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object()) ids.push_back(j["id"].get<int64_t>());
  }
  return ids;
}

}  // namespace

TEST_CASE("audit export: JSON lines with hashes, resumed without repeats after a restart") {
  Dir dir;
  auto store = storage::Store::Open((dir.path / "planbot.db").string());
  REQUIRE(store.ok());
  const auto file = dir.path / "audit.jsonl";
  AddAudit(**store, 3);
  {
    auto exporter = history::AuditExporter::Start(store->get(), file.string(), Logger(),
                                                  std::chrono::milliseconds(20));
    REQUIRE(exporter.ok());
    AddAudit(**store, 2);  // written while it runs
    (*exporter)->Stop();
    CHECK((*exporter)->last_exported_id() == 5);
  }
  CHECK(ExportedIds(file) == std::vector<int64_t>{1, 2, 3, 4, 5});
  CHECK((std::filesystem::status(file).permissions() & std::filesystem::perms::others_read) ==
        std::filesystem::perms::none);
  std::ifstream in(file);
  std::string first;
  std::getline(in, first);
  auto entry = nlohmann::json::parse(first);
  CHECK(entry["actor"] == "ana");
  CHECK(entry["details"]["history_id"] == 1);
  CHECK(entry["hash"].get<std::string>().size() == 64);

  // A crash left half a line; the next start ends it and goes on after the last whole one.
  {
    std::ofstream cut(file, std::ios::app);
    cut << R"({"id":6,"actor":"an)";
  }
  AddAudit(**store, 2);
  {
    auto exporter = history::AuditExporter::Start(store->get(), file.string(), Logger(),
                                                  std::chrono::milliseconds(20));
    REQUIRE(exporter.ok());
  }  // the destructor exports what is left
  CHECK(ExportedIds(file) == std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7});
}

TEST_CASE("audit export: a file that cannot be opened is a start error naming it") {
  Dir dir;
  auto store = storage::Store::Open((dir.path / "planbot.db").string());
  REQUIRE(store.ok());
  auto exporter =
      history::AuditExporter::Start(store->get(), "/nonexistent-dir/audit.jsonl", Logger());
  REQUIRE_FALSE(exporter.ok());
  CHECK(exporter.error().message.find("/nonexistent-dir/audit.jsonl") != std::string::npos);
  CHECK(history::LastExportedId((dir.path / "missing.jsonl").string()) == 0);
}
