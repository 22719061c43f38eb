// Speed of history listings on a store of 1,000,000 entries. The requirement: "the 50 newest
// entries of one fingerprint among 1,000,000 rows in under 10 ms".
//
// The store is a real SqliteStore file filled with entries of realistic size (plan JSON, plan
// text, summary and tips of a few hundred bytes to a few KB each), ~20 users (skewed), 200
// sessions, 2 databases and 5,000 fingerprints drawn from a Zipf distribution. The target
// fingerprint is a rare one: 60 entries, of which the 50 newest are spread evenly from id N/100
// to id N, so a plan that walks the table instead of the (fingerprint, id) index reads ~99% of
// it before it has 50 rows.
//
// Measured, in real time through the store's own reader pool (warm cache unless noted):
//   baseline/get_by_id          GetHistory(one id)
//   baseline/newest50           ListHistory, no filter, limit 50, no plans
//   fingerprint/newest50        (a) fingerprint = target, limit 50, no plans
//   fingerprint/newest50_plans  (b) the same with plans
//   user/newest50               (c) user = the least active user, limit 50, no plans
//   fingerprint/newest50_cold   (a) on a freshly opened store after the file's pages were
//                               evicted from the OS page cache (posix_fadvise DONTNEED)
// Every result is checked (not timed) before the benchmarks run: 50 entries, newest first, of
// the right fingerprint/user, the expected ids. PLANBOT_BENCH_NO_INDEX=1 also times (once) the
// fingerprint listing done without any index, a scan of ~99% of the table.
//
// Environment: PLANBOT_BENCH_DIR, a directory that keeps the filled file between runs (reused
// when it was filled by this version with the same row count); without it a temporary directory
// under /tmp is filled and removed. PLANBOT_BENCH_ROWS changes the row count (default 1000000).
// Note: the cold benchmark leaves the file evicted from the OS page cache.
// Run through tests/bench/run_history_bench.sh, which prints the table of medians and ratios.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "storage/history_query.h"
#include "storage/sqlite_db.h"
#include "storage/sqlite_store.h"
#include "storage/timestamp.h"

namespace {

namespace fs = std::filesystem;
using planbot::Result;
using planbot::storage::BuildHistoryList;
using planbot::storage::HistoryEntry;
using planbot::storage::HistoryQuery;
using planbot::storage::SqliteDb;
using planbot::storage::SqliteStore;
using planbot::storage::WriteTxn;
using Clock = std::chrono::steady_clock;

// Bump when the generated data changes: a cached file of another version is filled again.
constexpr const char* kFillVersion = "bench_history fill v1";
constexpr int kUsers = 20;
constexpr int kSessionsPerUser = 10;  // 200 sessions
constexpr int kFingerprints = 5000;
constexpr int64_t kBatch = 50000;  // rows per Write (one transaction)
constexpr int kTargetOld = 10;     // target entries in the first 1% of ids
constexpr int kTargetNew = 50;     // the 50 newest: evenly from id N/100 to id N
constexpr int kLimit = 50;

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "bench_history: %s\n", message.c_str());
  std::exit(1);
}

template <typename T>
T Check(Result<T> r, const char* what) {
  if (!r.ok()) Die(std::string(what) + ": " + r.error().message);
  return std::move(*r);
}

uint64_t SplitMix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::string Hex16(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

// A size drawn log-uniformly from [lo, hi]: many small texts, some large.
size_t LogUniform(std::mt19937_64& rng, double lo, double hi) {
  std::uniform_real_distribution<double> u(std::log(lo), std::log(hi));
  return static_cast<size_t>(std::exp(u(rng)));
}

// What one fingerprint looks like: the same query gives plans of the same shape and size.
struct Query {
  std::string fingerprint, command, normalized, plan_json, plan_text, summary_json, tips_json;
};

Query MakeQuery(uint64_t seed, const std::string& fingerprint) {
  std::mt19937_64 rng(seed);
  Query q;
  q.fingerprint = fingerprint;
  int t = static_cast<int>(seed % 40);
  std::string table = "orders_" + std::to_string(t);
  static const char* const kCommands[] = {"explain", "plan", "explain", "analyze"};
  q.command = kCommands[seed % 4];
  q.normalized = "SELECT o.id, o.customer_id, o.amount, o.created_at, c.name, c.region FROM " +
                 table +
                 " o JOIN customers c ON c.id = o.customer_id WHERE o.created_at >= $1 AND "
                 "o.status = $2";
  for (uint64_t i = 0; i < seed % 5; ++i) {
    q.normalized += " AND o.attr_" + std::to_string(i) + " = $" + std::to_string(i + 3);
  }
  q.normalized += " ORDER BY o.created_at DESC LIMIT $" + std::to_string(seed % 5 + 3);

  auto num = [&rng](double hi) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", std::uniform_real_distribution<double>(0, hi)(rng));
    return std::string(buf);
  };
  size_t json_size = LogUniform(rng, 500, 4000);
  q.plan_json = R"([{"Plan": {"Node Type": "Limit", "Parallel Aware": false, "Startup Cost": )" +
                num(10) + R"(, "Total Cost": )" + num(5000) +
                R"(, "Plan Rows": 50, "Plan Width": 96, "Actual Rows": 50, "Actual Loops": 1, )"
                R"("Plans": [)";
  for (int n = 0; q.plan_json.size() < json_size; ++n) {
    if (n > 0) q.plan_json += ", ";
    q.plan_json += R"({"Node Type": "Index Scan", "Parent Relationship": "Outer", )"
                   R"("Relation Name": ")" +
                   table + R"(", "Alias": "o", "Index Name": ")" + table +
                   R"(_created_at", "Startup Cost": )" + num(5) + R"(, "Total Cost": )" +
                   num(90000) + R"(, "Plan Rows": )" + num(100000) + R"(, "Actual Rows": )" +
                   num(100000) + R"(, "Shared Hit Blocks": )" + num(9000) +
                   R"(, "Shared Read Blocks": )" + num(400) + "}";
  }
  q.plan_json += R"(]}, "Planning Time": )" + num(2) + R"(, "Execution Time": )" + num(800) + "}]";

  size_t text_size = LogUniform(rng, 200, 2000);
  q.plan_text = "Limit  (cost=0.43..1234.56 rows=50 width=96) (actual time=0.031..4.512 rows=50)\n";
  while (q.plan_text.size() < text_size) {
    q.plan_text += "  ->  Nested Loop  (cost=0.85..8123.11 rows=" + num(9999) +
                   " width=96) (actual time=0.020..3.110 rows=1201 loops=1)\n        ->  Index "
                   "Scan Backward using " +
                   table + "_created_at on " + table + " o  (cost=0.43..412.10 rows=" + num(9999) +
                   " width=40)\n              Index Cond: (created_at >= $1)\n";
  }

  size_t summary_size = LogUniform(rng, 200, 600);
  q.summary_json = R"({"execution_ms": )" + num(800) + R"(, "planning_ms": )" + num(2) +
                   R"(, "rows": 50, "shared_hit": 9120, "shared_read": 311, "temp_written": 0, )"
                   R"("slowest_node": {"type": "Index Scan", "relation": ")" +
                   table + R"(", "ms": )" + num(700) + R"(}, "notes": [)";
  for (int n = 0; q.summary_json.size() < summary_size; ++n) {
    if (n > 0) q.summary_json += ", ";
    q.summary_json +=
        R"("estimate off by )" + num(100) + R"(x on node )" + std::to_string(n) + "\"";
  }
  q.summary_json += "]}";

  size_t tips_size = LogUniform(rng, 50, 1500);
  q.tips_json = "[";
  for (int n = 0; q.tips_json.size() < tips_size; ++n) {
    if (n > 0) q.tips_json += ", ";
    q.tips_json += R"({"code": "seq_scan_filter", "severity": "warning", "node": )" +
                   std::to_string(n + 2) + R"(, "message": "Seq Scan on )" + table + R"( reads )" +
                   num(1e6) + R"( rows and keeps few; an index on (status, created_at) may help"})";
  }
  q.tips_json += "]";
  return q;
}

// The generated data set: deterministic for a row count.
class Generator {
 public:
  explicit Generator(int64_t rows) : rows_(rows), rng_(20261123) {
    std::vector<double> fp_weights, user_weights;
    for (int k = 1; k <= kFingerprints; ++k) fp_weights.push_back(1.0 / k);  // Zipf, s = 1
    for (int k = 1; k <= kUsers; ++k) user_weights.push_back(1.0 / std::pow(k, 0.8));
    fp_dist_ = std::discrete_distribution<int>(fp_weights.begin(), fp_weights.end());
    user_dist_ = std::discrete_distribution<int>(user_weights.begin(), user_weights.end());
    std::set<std::string> seen;
    for (int k = 0; k < kFingerprints; ++k) {
      std::string fp = Hex16(SplitMix(k));
      seen.insert(fp);
      queries_.push_back(MakeQuery(static_cast<uint64_t>(k), fp));
    }
    target_ = MakeQuery(987654321, Hex16(SplitMix(987654321)));
    if (seen.count(target_.fingerprint) != 0) Die("target fingerprint collides");
    for (int u = 0; u < kUsers; ++u)
      users_.push_back("U0" + Hex16(SplitMix(1000 + u)).substr(0, 8));
    int64_t first_new = rows_ / 100;
    for (int k = 0; k < kTargetOld; ++k)
      target_ids_.push_back(1 + k * (first_new - 1) / kTargetOld);
    for (int k = 0; k < kTargetNew; ++k) {
      target_ids_.push_back(first_new + k * (rows_ - first_new) / (kTargetNew - 1));
    }
    if (!std::is_sorted(target_ids_.begin(), target_ids_.end()) ||
        std::adjacent_find(target_ids_.begin(), target_ids_.end()) != target_ids_.end()) {
      Die("target ids are not distinct; too few rows");
    }
  }

  // Row `id` (1-based; the store assigns ids 1..N to a fresh table). Calls must come in id order.
  HistoryEntry Make(int64_t id) {
    bool is_target = next_target_ < target_ids_.size() && target_ids_[next_target_] == id;
    if (is_target) ++next_target_;
    const Query& q = is_target ? target_ : queries_[static_cast<size_t>(fp_dist_(rng_))];
    std::uniform_int_distribution<int> percent(0, 99);
    HistoryEntry e;
    using std::chrono::milliseconds;
    auto base = std::chrono::sys_days{std::chrono::year{2026} / 1 / 1};
    e.created_at = planbot::storage::FormatRfc3339Millis(
        base + milliseconds(id * 2600 + std::uniform_int_distribution<int>(0, 2000)(rng_)));
    int user = user_dist_(rng_);
    e.user = users_[static_cast<size_t>(user)];
    int channel = percent(rng_);
    e.channel = channel < 60 ? "slack" : channel < 95 ? "http" : "cli";
    char session[16];
    std::snprintf(session, sizeof session, "sess-%03d",
                  user * kSessionsPerUser + std::uniform_int_distribution<int>(0, 9)(rng_));
    e.session = session;
    bool shop = percent(rng_) < 70;
    e.database = shop ? "shop" : "analytics";
    e.command = q.command;
    e.normalized = q.normalized;
    if (shop) {  // history policy "full" on this database: the raw SQL is kept too
      std::string raw = q.normalized;
      std::replace(raw.begin(), raw.end(), '$', '4');
      e.query_text = std::move(raw);
    }
    e.fingerprint = q.fingerprint;
    e.duration_ms = std::uniform_real_distribution<double>(5, 3000)(rng_);
    int outcome = is_target ? 0 : percent(rng_);
    if (outcome < 95) {
      e.outcome = "ok";
      e.plan_json = q.plan_json;
      e.plan_text = q.plan_text;
      e.summary_json = q.summary_json;
      e.tips_json = q.tips_json;
      e.execution_ms = std::uniform_real_distribution<double>(0.1, 2000)(rng_);
    } else if (outcome < 98) {
      e.outcome = "error";
      e.sqlstate = "57014";
      e.error_code = "query_canceled";
      e.error_message = "canceling statement due to statement timeout";
    } else {
      e.outcome = "timeout";
      e.error_code = "timeout";
      e.error_message = "the command took longer than 30 s";
    }
    return e;
  }

  const std::string& target() const { return target_.fingerprint; }
  const std::string& target_plan_json() const { return target_.plan_json; }
  const std::string& rarest_user() const { return users_.back(); }
  // The ids of the target's 50 newest entries, newest first.
  std::vector<int64_t> TargetNewest() const {
    return std::vector<int64_t>(target_ids_.rbegin(), target_ids_.rbegin() + kLimit);
  }

 private:
  int64_t rows_;
  std::mt19937_64 rng_;
  std::discrete_distribution<int> fp_dist_, user_dist_;
  std::vector<Query> queries_;
  Query target_;
  std::vector<std::string> users_;
  std::vector<int64_t> target_ids_;
  size_t next_target_ = 0;
};

void RemoveStoreFiles(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm", ".key", ".fill"}) {
    std::error_code ec;
    fs::remove(path + suffix, ec);
  }
}

std::string FillMarker(int64_t rows) {
  return std::string(kFillVersion) + " rows=" + std::to_string(rows);
}

// Fills `path` with `rows` entries in transactions of kBatch rows; returns seconds taken.
double Fill(const std::string& path, int64_t rows, Generator& gen) {
  RemoveStoreFiles(path);
  std::fprintf(stderr, "bench_history: filling %s with %lld entries...\n", path.c_str(),
               static_cast<long long>(rows));
  auto start = Clock::now();
  {
    auto store = Check(SqliteStore::Open(path), "open");
    for (int64_t first = 1; first <= rows; first += kBatch) {
      int64_t last = std::min(rows, first + kBatch - 1);
      auto written = store->Write([&](WriteTxn& txn) -> Result<int64_t> {
        for (int64_t id = first; id <= last; ++id) {
          auto got = txn.InsertHistory(gen.Make(id));
          if (!got) return got.error();
          if (*got != id) {
            return planbot::MakeError(
                planbot::ErrorCode::kStoreError,
                "expected id " + std::to_string(id) + ", got " + std::to_string(*got));
          }
        }
        return last;
      });
      Check(std::move(written), "fill");
    }
  }  // closing the last connection checkpoints the WAL into the file and removes it
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::ofstream(path + ".fill") << FillMarker(rows) << "\n" << seconds << "\n";
  return seconds;
}

struct Setup {
  std::string dir, path;
  bool own_dir = false;
  int64_t rows = 0;
  std::string target, user;
  std::vector<int64_t> target_newest;
  std::unique_ptr<SqliteStore> store;
};
Setup g;

HistoryQuery Query50(bool plans) {
  HistoryQuery q;
  q.limit = kLimit;
  q.include_plans = plans;
  return q;
}
HistoryQuery ByFingerprint(bool plans) {
  HistoryQuery q = Query50(plans);
  q.fingerprint = g.target;
  return q;
}
HistoryQuery ByUser() {
  HistoryQuery q = Query50(false);
  q.user = g.user;
  return q;
}

std::vector<int64_t> Ids(const std::vector<HistoryEntry>& entries) {
  std::vector<int64_t> ids;
  for (const auto& e : entries) ids.push_back(e.id);
  return ids;
}

// The same listing found without any index: walks the table from its newest row (what a
// missing or unusable index would cost). Returns the ids; `ms` gets the time it took.
std::vector<int64_t> FullScan(SqliteDb& db, const char* column, const std::string& value,
                              double& ms) {
  auto start = Clock::now();
  auto stmt = Check(db.Prepare(std::string("SELECT id FROM history NOT INDEXED WHERE ") + column +
                               " = ?1 ORDER BY id DESC LIMIT ?2"),
                    "prepare full scan");
  stmt.BindText(1, value);
  stmt.BindInt64(2, kLimit);
  std::vector<int64_t> ids;
  while (Check(stmt.Step(), "full scan")) ids.push_back(stmt.ColumnInt64(0));
  ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return ids;
}

std::string QueryPlan(SqliteDb& db, const HistoryQuery& q) {
  auto built = BuildHistoryList(q);
  auto stmt = Check(db.Prepare("EXPLAIN QUERY PLAN " + built.sql), "explain query plan");
  built.Bind(stmt);
  std::string plan;
  while (Check(stmt.Step(), "explain query plan")) {
    if (!plan.empty()) plan += "; ";
    plan += stmt.ColumnText(3);
  }
  return plan;
}

// Checks every measured call's result once, outside the timings; exits on a wrong answer.
void Verify() {
  auto fail = [](const std::string& what) { Die("wrong result: " + what); };
  auto a = Check(g.store->ListHistory(ByFingerprint(false)), "list (a)");
  if (a.size() != static_cast<size_t>(kLimit))
    fail("(a) has " + std::to_string(a.size()) + " entries");
  if (Ids(a) != g.target_newest) fail("(a) ids are not the target's 50 newest, newest first");
  for (const auto& e : a) {
    if (e.fingerprint != g.target)
      fail("(a) entry " + std::to_string(e.id) + " has fingerprint " + e.fingerprint);
    if (e.plan_json || e.plan_text || e.summary_json || e.tips_json) fail("(a) read the plans");
  }
  auto b = Check(g.store->ListHistory(ByFingerprint(true)), "list (b)");
  if (Ids(b) != g.target_newest) fail("(b) ids differ from (a)");
  for (const auto& e : b) {
    if (e.fingerprint != g.target || !e.plan_json || !e.plan_text || !e.summary_json ||
        !e.tips_json) {
      fail("(b) entry " + std::to_string(e.id) + " lacks its plans or has another fingerprint");
    }
  }
  auto c = Check(g.store->ListHistory(ByUser()), "list (c)");
  if (c.size() != static_cast<size_t>(kLimit))
    fail("(c) has " + std::to_string(c.size()) + " entries");
  for (size_t i = 0; i < c.size(); ++i) {
    if (c[i].user != g.user) fail("(c) entry of another user");
    if (i > 0 && c[i].id >= c[i - 1].id) fail("(c) not newest first");
  }
  auto newest = Check(g.store->ListHistory(Query50(false)), "list newest");
  if (newest.size() != static_cast<size_t>(kLimit) || newest.front().id != g.rows ||
      newest.back().id != g.rows - kLimit + 1) {
    fail("newest 50 overall are not ids N..N-49");
  }
  auto one = Check(g.store->GetHistory(g.rows / 2), "get");
  if (!one || one->id != g.rows / 2) fail("GetHistory(N/2)");

  // (a) is checked against the ids the generator placed (above). The user listing is also
  // checked against a scan that uses no index (cheap: the user's entries are near the end). The
  // same scan for (a) walks ~99% of the table, 6 s warm and over a minute from disk: only with
  // PLANBOT_BENCH_NO_INDEX=1, as the figure for what a missing index would cost.
  auto raw = Check(SqliteDb::Open(g.path, SqliteDb::Mode::kReadOnly), "open raw");
  double scan_ms = 0;
  if (FullScan(raw, "user_name", g.user, scan_ms) != Ids(c)) fail("(c) differs from a full scan");
  const char* no_index = std::getenv("PLANBOT_BENCH_NO_INDEX");
  if (no_index != nullptr && std::string(no_index) == "1") {
    if (FullScan(raw, "fingerprint", g.target, scan_ms) != g.target_newest) {
      fail("(a) differs from a full scan");
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1f", scan_ms);
    benchmark::AddCustomContext("no_index_fingerprint_ms", buf);
    std::fprintf(stderr, "bench_history: (a) without index (full scan): %.1f ms\n", scan_ms);
  }
  benchmark::AddCustomContext("plan_fingerprint", QueryPlan(raw, ByFingerprint(false)));
  benchmark::AddCustomContext("plan_user", QueryPlan(raw, ByUser()));
  benchmark::AddCustomContext("plan_newest", QueryPlan(raw, Query50(false)));
  std::fprintf(stderr,
               "bench_history: results checked (50 entries, newest first, the expected ids of "
               "the target fingerprint / entries of the user, same as a scan without index)\n");
}

void Prepare() {
  const char* rows_env = std::getenv("PLANBOT_BENCH_ROWS");
  g.rows = rows_env != nullptr ? std::atoll(rows_env) : 1000000;
  if (g.rows < 10000) Die("PLANBOT_BENCH_ROWS must be at least 10000");
  const char* dir_env = std::getenv("PLANBOT_BENCH_DIR");
  if (dir_env != nullptr && *dir_env != '\0') {
    g.dir = dir_env;
    std::error_code ec;
    fs::create_directories(g.dir, ec);
    if (ec) Die("cannot create " + g.dir + ": " + ec.message());
  } else {
    char pattern[] = "/tmp/planbot-histbench.XXXXXX";
    if (mkdtemp(pattern) == nullptr) Die("mkdtemp failed");
    g.dir = pattern;
    g.own_dir = true;
  }
  g.path = (fs::path(g.dir) / ("history-" + std::to_string(g.rows) + ".db")).string();

  Generator gen(g.rows);
  g.target = gen.target();
  g.user = gen.rarest_user();
  g.target_newest = gen.TargetNewest();

  std::string marker, seconds;
  {
    std::ifstream in(g.path + ".fill");
    std::getline(in, marker);
    std::getline(in, seconds);
  }
  if (marker == FillMarker(g.rows) && fs::exists(g.path)) {
    benchmark::AddCustomContext("fill", "reused " + g.path);
    benchmark::AddCustomContext("fill_seconds", seconds);
    std::fprintf(stderr, "bench_history: reusing %s (filled in %s s)\n", g.path.c_str(),
                 seconds.c_str());
  } else {
    double s = Fill(g.path, g.rows, gen);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", s);
    benchmark::AddCustomContext("fill", "filled now");
    benchmark::AddCustomContext("fill_seconds", buf);
    std::fprintf(stderr, "bench_history: filled in %.1f s\n", s);
  }
  benchmark::AddCustomContext("rows", std::to_string(g.rows));
  benchmark::AddCustomContext("file_bytes", std::to_string(fs::file_size(g.path)));
  benchmark::AddCustomContext("target_fingerprint", g.target);
  benchmark::AddCustomContext("target_user", g.user);
  g.store = Check(SqliteStore::Open(g.path), "open");
  Verify();
}

void Listing(benchmark::State& state, HistoryQuery (*make)()) {
  HistoryQuery q = make();
  for (auto _ : state) {
    auto entries = g.store->ListHistory(q);
    if (!entries.ok() || entries->size() != static_cast<size_t>(kLimit)) {
      state.SkipWithError("ListHistory failed");
      break;
    }
    benchmark::DoNotOptimize(entries);
  }
}

void GetById(benchmark::State& state) {
  int64_t id = g.rows / 2;
  for (auto _ : state) {
    auto entry = g.store->GetHistory(id);
    if (!entry.ok() || !entry->has_value()) {
      state.SkipWithError("GetHistory failed");
      break;
    }
    benchmark::DoNotOptimize(entry);
  }
}

// (a) on a store opened just now (empty SQLite page caches) after the OS page cache dropped the
// file's pages: the first listing after a restart, the worst case. Opening is not timed.
void ColdListing(benchmark::State& state) {
  HistoryQuery q = ByFingerprint(false);
  for (auto _ : state) {
    state.PauseTiming();
    auto store = Check(SqliteStore::Open(g.path), "open cold");
    int fd = ::open(g.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) != 0) {
      Die("cannot evict " + g.path + " from the page cache");
    }
    ::close(fd);
    state.ResumeTiming();
    auto entries = store->ListHistory(q);
    state.PauseTiming();
    if (!entries.ok() || entries->size() != static_cast<size_t>(kLimit)) {
      state.SkipWithError("ListHistory failed");
      break;
    }
    store.reset();
    state.ResumeTiming();
  }
}

void Register() {
  using benchmark::RegisterBenchmark;
  auto unit = benchmark::kMicrosecond;
  RegisterBenchmark("baseline/get_by_id", GetById)->UseRealTime()->Unit(unit);
  RegisterBenchmark(
      "baseline/newest50", Listing, +[] { return Query50(false); })
      ->UseRealTime()
      ->Unit(unit);
  RegisterBenchmark(
      "fingerprint/newest50", Listing, +[] { return ByFingerprint(false); })
      ->UseRealTime()
      ->Unit(unit);
  RegisterBenchmark(
      "fingerprint/newest50_plans", Listing, +[] { return ByFingerprint(true); })
      ->UseRealTime()
      ->Unit(unit);
  RegisterBenchmark(
      "user/newest50", Listing, +[] { return ByUser(); })
      ->UseRealTime()
      ->Unit(unit);
  RegisterBenchmark("fingerprint/newest50_cold", ColdListing)
      ->UseRealTime()
      ->Unit(unit)
      ->Iterations(20);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  Prepare();
  Register();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  g.store.reset();
  if (g.own_dir) {
    std::error_code ec;
    fs::remove_all(g.dir, ec);
  }
  return 0;
}
