// Fault injection under the real SQLite store: a VFS over the default one whose writes, syncs
// and truncations fail from a chosen call on (a disk that fills up or goes away mid-commit),
// tried at every point of a Record, a Purge and a Redact. Whatever point fails: the operation
// reports "store_error" or succeeds whole (never half: a history entry without its audit entry,
// a purge without its audit entry), Health() reports the failure until a later write succeeds,
// the store keeps working once the disk does, the audit chain stays intact, and after reopening
// the file everything that was answered ok is there.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <atomic>
#include <string>

#include "tests/result_testing.h"
#include "tests/storage/store_testing.h"

namespace planbot::storage {
namespace {

using testing::AdminAudit;
using testing::Count;
using testing::OpenStore;
using testing::RawDb;
using testing::SampleAudit;
using testing::SampleHistory;
using testing::TempDir;

// ---- the faulty VFS ----------------------------------------------------------------------

std::atomic<long> g_fail_from{-1};  // the write call (0-based) from which writes fail; -1 never
std::atomic<long> g_writes{0};      // write, sync and truncate calls seen while armed
sqlite3_vfs* g_base = nullptr;

struct FaultFile {
  sqlite3_file base;
  sqlite3_file* real;  // the default VFS's file, allocated right after this struct
};

sqlite3_file* Real(sqlite3_file* f) { return reinterpret_cast<FaultFile*>(f)->real; }

bool Fails() {
  const long from = g_fail_from.load();
  if (from < 0) return false;
  return g_writes.fetch_add(1) >= from;
}

int FClose(sqlite3_file* f) { return Real(f)->pMethods->xClose(Real(f)); }
int FRead(sqlite3_file* f, void* b, int n, sqlite3_int64 o) {
  return Real(f)->pMethods->xRead(Real(f), b, n, o);
}
int FWrite(sqlite3_file* f, const void* b, int n, sqlite3_int64 o) {
  if (Fails()) return SQLITE_IOERR_WRITE;
  return Real(f)->pMethods->xWrite(Real(f), b, n, o);
}
int FTruncate(sqlite3_file* f, sqlite3_int64 size) {
  if (Fails()) return SQLITE_IOERR_TRUNCATE;
  return Real(f)->pMethods->xTruncate(Real(f), size);
}
int FSync(sqlite3_file* f, int flags) {
  if (Fails()) return SQLITE_IOERR_FSYNC;
  return Real(f)->pMethods->xSync(Real(f), flags);
}
int FFileSize(sqlite3_file* f, sqlite3_int64* size) {
  return Real(f)->pMethods->xFileSize(Real(f), size);
}
int FLock(sqlite3_file* f, int l) { return Real(f)->pMethods->xLock(Real(f), l); }
int FUnlock(sqlite3_file* f, int l) { return Real(f)->pMethods->xUnlock(Real(f), l); }
int FCheckReserved(sqlite3_file* f, int* out) {
  return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
}
int FFileControl(sqlite3_file* f, int op, void* arg) {
  return Real(f)->pMethods->xFileControl(Real(f), op, arg);
}
int FSectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
int FDevice(sqlite3_file* f) { return Real(f)->pMethods->xDeviceCharacteristics(Real(f)); }
int FShmMap(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
  return Real(f)->pMethods->xShmMap(Real(f), page, size, extend, out);
}
int FShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags);
}
void FShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
int FShmUnmap(sqlite3_file* f, int del) { return Real(f)->pMethods->xShmUnmap(Real(f), del); }

const sqlite3_io_methods kMethods = {
    2,        FClose,      FRead,          FWrite,       FTruncate,   FSync,   FFileSize,
    FLock,    FUnlock,     FCheckReserved, FFileControl, FSectorSize, FDevice, FShmMap,
    FShmLock, FShmBarrier, FShmUnmap,      nullptr,      nullptr};

int FOpen(sqlite3_vfs*, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  auto* ff = reinterpret_cast<FaultFile*>(file);
  ff->real = reinterpret_cast<sqlite3_file*>(ff + 1);
  int rc = g_base->xOpen(g_base, name, ff->real, flags, out_flags);
  ff->base.pMethods = ff->real->pMethods != nullptr ? &kMethods : nullptr;
  return rc;
}
int FDelete(sqlite3_vfs*, const char* name, int sync) {
  return g_base->xDelete(g_base, name, sync);
}
int FAccess(sqlite3_vfs*, const char* name, int flags, int* out) {
  return g_base->xAccess(g_base, name, flags, out);
}
int FFullPathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return g_base->xFullPathname(g_base, name, n, out);
}
void* FDlOpen(sqlite3_vfs*, const char* name) { return g_base->xDlOpen(g_base, name); }
void FDlError(sqlite3_vfs*, int n, char* out) { g_base->xDlError(g_base, n, out); }
void (*FDlSym(sqlite3_vfs*, void* h, const char* sym))(void) {
  return g_base->xDlSym(g_base, h, sym);
}
void FDlClose(sqlite3_vfs*, void* h) { g_base->xDlClose(g_base, h); }
int FRandomness(sqlite3_vfs*, int n, char* out) { return g_base->xRandomness(g_base, n, out); }
int FSleep(sqlite3_vfs*, int us) { return g_base->xSleep(g_base, us); }
int FCurrentTime(sqlite3_vfs*, double* t) { return g_base->xCurrentTime(g_base, t); }
int FGetLastError(sqlite3_vfs*, int n, char* out) { return g_base->xGetLastError(g_base, n, out); }
int FCurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* t) {
  return g_base->xCurrentTimeInt64(g_base, t);
}

// Installs the faulty VFS as the default for the scope (stores opened meanwhile use it).
class FaultyDisk {
 public:
  FaultyDisk() {
    g_base = sqlite3_vfs_find(nullptr);
    REQUIRE(g_base != nullptr);
    vfs_ = sqlite3_vfs{2,
                       static_cast<int>(sizeof(FaultFile)) + g_base->szOsFile,
                       g_base->mxPathname,
                       nullptr,
                       "planbot-faulty-disk",
                       nullptr,
                       FOpen,
                       FDelete,
                       FAccess,
                       FFullPathname,
                       FDlOpen,
                       FDlError,
                       FDlSym,
                       FDlClose,
                       FRandomness,
                       FSleep,
                       FCurrentTime,
                       FGetLastError,
                       FCurrentTimeInt64,
                       nullptr,
                       nullptr,
                       nullptr};
    REQUIRE(sqlite3_vfs_register(&vfs_, 1) == SQLITE_OK);
    Heal();
  }
  ~FaultyDisk() {
    Heal();
    sqlite3_vfs_unregister(&vfs_);
  }
  // Writes fail from the `n`-th (0-based) on.
  void FailFrom(long n) {
    g_writes = 0;
    g_fail_from = n;
  }
  void Heal() { g_fail_from = -1; }
  long writes_seen() const { return g_writes.load(); }

 private:
  sqlite3_vfs vfs_{};
};

// ---- the checks ---------------------------------------------------------------------------

struct Counts {
  int64_t history = 0;
  int64_t audit = 0;
};

Counts CountRows(const std::string& path) {
  SqliteDb raw = RawDb(path);
  return {Count(raw, "SELECT count(*) FROM history"), Count(raw, "SELECT count(*) FROM audit")};
}

void CheckChain(SqliteStore& store) {
  auto report = store.VerifyAuditChain();
  REQUIRE(report.ok());
  CHECK(report->intact);
}

// How many write calls `op` makes on a healthy disk: the points to fail at.
template <typename Op>
long WritesOf(FaultyDisk& disk, Op op) {
  disk.FailFrom(1L << 40);  // armed, never reached: counts
  op();
  const long n = disk.writes_seen();
  disk.Heal();
  return n;
}

TEST_CASE("a disk failing at any write of a Record: all or nothing, then recovery") {
  FaultyDisk disk;
  TempDir dir;
  const std::string path = dir.File("faults.db");
  auto store = OpenStore(path);
  for (int i = 1; i <= 3; ++i) REQUIRE(store->Record(SampleHistory(i), SampleAudit(i)).ok());
  const long points =
      WritesOf(disk, [&] { REQUIRE(store->Record(SampleHistory(4), SampleAudit(4)).ok()); });
  REQUIRE(points > 0);
  int failed = 0;
  int64_t answered_ok = 4;
  for (long k = 0; k < points; ++k) {
    CAPTURE(k);
    const Counts before = CountRows(path);
    disk.FailFrom(k);
    auto recorded = store->Record(SampleHistory(10 + k), SampleAudit(10 + k));
    disk.Heal();
    const Counts after = CountRows(path);
    if (recorded.ok()) {
      ++answered_ok;
      CHECK(after.history == before.history + 1);
      CHECK(after.audit == before.audit + 1);
    } else {
      ++failed;
      CHECK(recorded.error().code == "store_error");
      CHECK(after.history == before.history);
      CHECK(after.audit == before.audit);
      CHECK_FALSE(store->Health().ok());
    }
    // The disk works again: so does the store.
    REQUIRE(store->Record(SampleHistory(100 + k), SampleAudit(100 + k)).ok());
    ++answered_ok;
    CHECK(store->Health().ok());
    CheckChain(*store);
  }
  CHECK(failed > 0);  // the fault was really injected
  store.reset();
  auto reopened = OpenStore(path);
  const Counts end = CountRows(path);
  CHECK(end.history == answered_ok);
  CHECK(end.audit == answered_ok);
  CheckChain(*reopened);
}

Status MaskEverything(HistoryEntry& e) {
  if (!e.query_text) return Ok{};
  e.query_text.reset();
  e.plan_json = R"j([{"Plan": {"Node Type": "Seq Scan"}}])j";
  e.plan_text = "Seq Scan on t";
  return Ok{};
}

// Purge and redact at every failing point: the matched entries change together with their
// audit entry, or nothing changes and no audit entry is written.
TEST_CASE("a disk failing at any write of a purge or a redact: audited whole, or not done") {
  FaultyDisk disk;
  TempDir dir;
  HistoryFilter filter;
  filter.user = "user1";
  for (const bool purge : {true, false}) {
    CAPTURE(purge);
    const std::string path = dir.File(purge ? "purge.db" : "redact.db");
    auto store = OpenStore(path);
    auto run = [&]() -> Result<MaintenanceResult> {
      return purge ? store->Purge(filter, AdminAudit("purge"))
                   : store->Redact(filter, MaskEverything, AdminAudit("redact"));
    };
    auto fill = [&] {
      for (int i = 1; i <= 9; ++i) REQUIRE(store->Record(SampleHistory(i), SampleAudit(i)).ok());
    };
    fill();
    const long points = WritesOf(disk, [&] { REQUIRE(run().ok()); });
    REQUIRE(points > 0);
    int failed = 0;
    for (long k = 0; k < points; ++k) {
      CAPTURE(k);
      fill();  // user1 has entries to purge or redact again
      SqliteDb raw = RawDb(path);
      const std::string matched_sql =
          purge
              ? "SELECT count(*) FROM history WHERE user_name = 'user1'"
              : "SELECT count(*) FROM history WHERE user_name = 'user1' AND query_text IS NOT NULL";
      const int64_t matched_before = Count(raw, matched_sql);
      const Counts before = CountRows(path);
      REQUIRE(matched_before > 0);
      disk.FailFrom(k);
      auto result = run();
      disk.Heal();
      const Counts after = CountRows(path);
      if (result.ok()) {
        CHECK(Count(raw, matched_sql) == 0);
        CHECK(after.audit == before.audit + 1);
      } else {
        ++failed;
        CHECK(result.error().code == "store_error");
        CHECK(Count(raw, matched_sql) == matched_before);
        CHECK(after.history == before.history);
        CHECK(after.audit == before.audit);
      }
      REQUIRE(store->Record(SampleHistory(50), SampleAudit(50)).ok());
      CheckChain(*store);
    }
    CHECK(failed > 0);
  }
}

}  // namespace
}  // namespace planbot::storage
