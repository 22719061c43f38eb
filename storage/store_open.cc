// SqliteStore::Open: checks the path, configures the writer connection, migrates, and starts the
// writer and the readers.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

#include "storage/migrations.h"
#include "storage/sqlite_store.h"

namespace planbot::storage {
namespace {

// Per-connection settings of the writer (journal_mode=WAL is also recorded in the file).
constexpr const char* kWriterPragmas =
    "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;";

constexpr const char* kProbe = "SELECT max(version) FROM schema_migrations";

// Clear errors for the usual mistakes, before SQLite's generic "unable to open database file";
// creates a missing file with mode 0600 (history may hold SQL text).
Status PrepareFile(const std::string& path) {
  namespace fs = std::filesystem;
  if (path.empty()) return StoreError("no store path given");
  fs::path dir = fs::path(path).parent_path();
  if (dir.empty()) dir = ".";
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    return StoreError("cannot open " + path + ": directory " + dir.string() + " does not exist");
  }
  if (!fs::is_directory(dir, ec)) {
    return StoreError("cannot open " + path + ": " + dir.string() + " is not a directory");
  }
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return StoreError("cannot open " + path + ": " +
                      std::error_code(errno, std::generic_category()).message());
  }
  ::close(fd);
  return Ok{};
}

Status ConfigureWriter(SqliteDb& db, const std::string& path, int busy_timeout_ms) {
  if (db.ReadOnly()) return StoreError("cannot open " + path + ": the file is read-only");
  if (auto s = db.Exec("PRAGMA busy_timeout = " + std::to_string(busy_timeout_ms)); !s) return s;
  auto mode = db.QueryText("PRAGMA journal_mode = WAL");
  if (!mode) {
    return StoreError("cannot open " + path + ": " + mode.error().message);
  }
  if (*mode != "wal") {
    return StoreError("cannot open " + path + ": WAL journal refused (journal_mode " + *mode + ")");
  }
  return db.Exec(kWriterPragmas);
}

Result<SqliteDb> OpenWriter(const std::string& path, int busy_timeout_ms) {
  if (auto s = PrepareFile(path); !s) return s.error();
  auto db = SqliteDb::Open(path, SqliteDb::Mode::kReadWrite);
  if (!db) return db.error();
  if (auto s = ConfigureWriter(*db, path, busy_timeout_ms); !s) return s.error();
  return db;
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path,
                                                       StoreOptions options) {
  auto db = OpenWriter(path, options.busy_timeout_ms);
  if (!db) return db.error();
  auto migrated = Migrate(*db);
  if (!migrated) return migrated.error();
  // A migration may have rewritten text that must not stay in the file (history_scrub.h): the
  // old pages are overwritten by the checkpoint (secure_delete zeroes what was freed). Best
  // effort: another process reading the file keeps the log until the next checkpoint.
  if (*migrated > 0) (void)db->QueryText("PRAGMA wal_checkpoint(TRUNCATE)");
  auto readers =
      std::make_unique<ReaderPool>(path, options.busy_timeout_ms, options.max_idle_readers);
  {
    auto probe = readers->Acquire();  // fail now rather than on the first read
    if (!probe) return probe.error();
    auto read = probe->db().QueryText(kProbe);
    if (!read) return read.error();
  }
  auto secrets = SecretBox::Load(path + ".key");
  if (!secrets) return secrets.error();
  auto writer = GroupCommitter::Start(std::move(*db), options.logger.For("store"));
  if (!writer) return writer.error();
  std::unique_ptr<SqliteStore> store(new SqliteStore(path, *migrated, std::move(*writer),
                                                     std::move(readers), std::move(*secrets)));
  store->busy_timeout_ms_ = options.busy_timeout_ms;
  return store;
}

}  // namespace planbot::storage
