// Fakes of the core's own ports for unit tests of the bot core: a clone provider, a database
// session that answers with a canned EXPLAIN JSON, and an in-memory store. The real adapters are
// tested against PostgreSQL and SQLite in tests/adapters and tests/storage.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/ports.h"
#include "storage/store.h"

namespace planbot::testing {

// A plan for `select * from customers where email = 'bob@example.com'`, with ANALYZE figures.
inline const char* kCannedPlan = R"json([
  {
    "Plan": {
      "Node Type": "Seq Scan", "Parallel Aware": false, "Async Capable": false,
      "Relation Name": "customers", "Schema": "public", "Alias": "customers",
      "Startup Cost": 0.00, "Total Cost": 2041.00, "Plan Rows": 1, "Plan Width": 64,
      "Actual Startup Time": 0.015, "Actual Total Time": 12.500, "Actual Rows": 1,
      "Actual Loops": 1,
      "Output": ["id", "email"],
      "Filter": "((email)::text = 'bob@example.com'::text)",
      "Rows Removed by Filter": 49999,
      "Shared Hit Blocks": 541, "Shared Read Blocks": 0, "Shared Dirtied Blocks": 0,
      "Shared Written Blocks": 0, "Local Hit Blocks": 0, "Local Read Blocks": 0,
      "Local Dirtied Blocks": 0, "Local Written Blocks": 0, "Temp Read Blocks": 0,
      "Temp Written Blocks": 0
    },
    "Planning Time": 0.100,
    "Triggers": [],
    "Execution Time": 12.600
  }
])json";

// What the planner says of kCannedPlan's statement once the fake's hypothetical index exists:
// an Index Scan using it (the fake re-plan's answer unless a test sets another).
inline const char* kCannedIndexPlan = R"json([{"Plan": {
  "Node Type": "Index Scan", "Parallel Aware": false, "Async Capable": false,
  "Scan Direction": "Forward", "Index Name": "<16390>btree_orders_customer_id",
  "Relation Name": "customers", "Schema": "public", "Alias": "customers",
  "Startup Cost": 0.29, "Total Cost": 8.44, "Plan Rows": 1, "Plan Width": 64,
  "Output": ["id", "email"],
  "Index Cond": "((customers.email)::text = 'bob@example.com'::text)"}}])json";

struct FakeDb {
  std::atomic<int> explains{0};
  std::atomic<int> running{0};
  std::atomic<int> max_running{0};
  std::atomic<int> cancels{0};
  std::chrono::milliseconds delay{0};
  std::string plan = kCannedPlan;
  std::optional<Error> fail_next;  // set before a command; consumed by one Explain
  std::mutex mu;
  std::vector<std::string> sql_seen;
  std::vector<core::HypoIndex> hypo;
  std::vector<core::Backend> backends;
  // Advice verification: the plan a re-plan returns (empty: `plan`), the catalog it reads, and
  // what was asked ("replan: work_mem=64MB: <sql>", "catalog: orders").
  std::string replan = kCannedIndexPlan;
  analyzer::CatalogFacts catalog;
  bool hypo_unavailable = false;  // HypoCreate fails as without the extension
  std::vector<std::string> advice_seen;
};

class FakeSession : public core::DatabaseSession {
 public:
  explicit FakeSession(FakeDb* db) : db_(db) {}
  Result<std::string> Explain(const std::string& sql, core::ExplainMode,
                              const core::StatementLimits&) override {
    int now = ++db_->running;
    int prev = db_->max_running.load();
    while (now > prev && !db_->max_running.compare_exchange_weak(prev, now)) {
    }
    auto until = std::chrono::steady_clock::now() + db_->delay;
    while (std::chrono::steady_clock::now() < until && !cancelled_) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    --db_->running;
    ++db_->explains;
    std::lock_guard<std::mutex> guard(db_->mu);
    db_->sql_seen.push_back(sql);
    if (cancelled_) return MakeError(ErrorCode::kTimeout, "cancelled");
    if (db_->fail_next) {
      Error e = *db_->fail_next;
      db_->fail_next.reset();
      if (e.code == "clone_unavailable") usable_ = false;
      return e;
    }
    return db_->plan;
  }
  Result<std::string> Replan(const std::string& sql,
                             const std::vector<core::LocalSetting>& settings,
                             const core::StatementLimits&) override {
    std::lock_guard<std::mutex> guard(db_->mu);
    std::string seen = "replan: ";
    for (const core::LocalSetting& s : settings) seen += s.name + "=" + s.value + ": ";
    db_->advice_seen.push_back(seen + sql);
    return db_->replan.empty() ? db_->plan : db_->replan;
  }
  Result<analyzer::CatalogFacts> ReadCatalog(const std::vector<std::string>& relations,
                                             const core::StatementLimits&) override {
    std::lock_guard<std::mutex> guard(db_->mu);
    std::string seen = "catalog:";
    for (const std::string& r : relations) seen += " " + r;
    db_->advice_seen.push_back(seen);
    return db_->catalog;
  }
  Result<core::ExecResult> Exec(const std::string& sql, bool transactional,
                                const core::StatementLimits&) override {
    std::lock_guard<std::mutex> guard(db_->mu);
    db_->sql_seen.push_back((transactional ? "exec: " : "exec (no transaction): ") + sql);
    if (db_->fail_next) {
      Error e = *db_->fail_next;
      db_->fail_next.reset();
      return e;
    }
    return core::ExecResult{"CREATE INDEX", -1};
  }
  Result<core::HypoIndex> HypoCreate(const std::string& sql,
                                     const core::StatementLimits&) override {
    std::lock_guard<std::mutex> guard(db_->mu);
    if (db_->hypo_unavailable) {
      return MakeError(ErrorCode::kHypoUnavailable, "HypoPG is not installed in this clone");
    }
    core::HypoIndex h{16390 + static_cast<int64_t>(db_->hypo.size()),
                      "<16390>btree_orders_customer_id", "public.orders", sql, 2 << 20};
    db_->hypo.push_back(h);
    return h;
  }
  Result<std::vector<core::HypoIndex>> HypoList(const core::StatementLimits&) override {
    std::lock_guard<std::mutex> guard(db_->mu);
    return db_->hypo;
  }
  Result<bool> HypoDrop(int64_t oid, const core::StatementLimits&) override {
    std::lock_guard<std::mutex> guard(db_->mu);
    auto it = std::find_if(db_->hypo.begin(), db_->hypo.end(),
                           [oid](const core::HypoIndex& h) { return h.oid == oid; });
    if (it == db_->hypo.end()) return false;
    db_->hypo.erase(it);
    return true;
  }
  Status HypoReset(const core::StatementLimits&) override {
    std::lock_guard<std::mutex> guard(db_->mu);
    db_->hypo.clear();
    return Ok{};
  }
  Result<std::vector<core::Backend>> Activity(const core::StatementLimits&) override {
    std::lock_guard<std::mutex> guard(db_->mu);
    return db_->backends;
  }
  Result<bool> Terminate(int pid, const core::StatementLimits&) override {
    std::lock_guard<std::mutex> guard(db_->mu);
    for (const core::Backend& b : db_->backends) {
      if (b.pid == pid) return true;
    }
    return MakeError(ErrorCode::kNotFound,
                     "no backend with PID " + std::to_string(pid) + " on your clone");
  }
  int backend_pid() const override { return 4242; }
  int64_t block_size() const override { return 8192; }
  int server_version_num() const override { return 150018; }
  bool usable() const override { return usable_; }
  void Cancel() override {
    ++db_->cancels;
    cancelled_ = true;
  }

 private:
  FakeDb* db_;
  std::atomic<bool> cancelled_{false};
  bool usable_ = true;
};

class FakeFactory : public core::SessionFactory {
 public:
  explicit FakeFactory(FakeDb* db) : db_(db) {}
  Result<std::unique_ptr<core::DatabaseSession>> Open(const core::ConnectionInfo&) override {
    ++opens;
    return std::unique_ptr<core::DatabaseSession>(std::make_unique<FakeSession>(db_));
  }
  std::atomic<int> opens{0};

 private:
  FakeDb* db_;
};

class FakeProvider : public core::CloneProvider {
 public:
  std::string kind() const override { return "local"; }
  Result<core::CloneLease> Acquire() override {
    std::lock_guard<std::mutex> guard(mu);
    std::string id = "clone_" + std::to_string(++acquired);
    live.push_back(id);
    return core::CloneLease{id, {"127.0.0.1", 5432, id, id, "secret-password", "", "shop"}};
  }
  Status Release(const std::string& id) override {
    std::lock_guard<std::mutex> guard(mu);
    std::erase(live, id);
    ++released;
    return Ok{};
  }
  Result<core::CloneLease> Reset(const std::string& id) override {
    (void)Release(id);
    return Acquire();
  }
  bool Exists(const std::string& id) override {
    std::lock_guard<std::mutex> guard(mu);
    return std::find(live.begin(), live.end(), id) != live.end();
  }
  Result<core::CloneLease> Reattach(const std::string& id, const std::string&) override {
    std::lock_guard<std::mutex> guard(mu);
    if (std::find(live.begin(), live.end(), id) == live.end()) {
      return MakeError(ErrorCode::kNotFound, "clone " + id + " is gone");
    }
    ++reattached;
    return core::CloneLease{id, {"127.0.0.1", 5432, id, id, "new-password", "", "shop"}};
  }
  Status Health() override { return Ok{}; }
  void Shutdown() override {}

  std::mutex mu;
  int acquired = 0;
  int released = 0;
  int reattached = 0;
  std::vector<std::string> live;
};

class MemoryStore : public storage::Store {
 public:
  Result<int64_t> Record(const std::optional<storage::HistoryEntry>& history,
                         const storage::AuditEntry& audit) override {
    std::lock_guard<std::mutex> guard(mu);
    if (fail) return MakeError(ErrorCode::kStoreError, "disk full");
    audits.push_back(audit);
    if (!history) return int64_t{0};
    histories.push_back(*history);
    histories.back().id = static_cast<int64_t>(histories.size());
    return histories.back().id;
  }
  Status Audit(const storage::AuditEntry& audit) override {
    std::lock_guard<std::mutex> guard(mu);
    audits.push_back(audit);
    return Ok{};
  }
  Result<std::vector<storage::HistoryEntry>> ListHistory(const storage::HistoryQuery&) override {
    std::lock_guard<std::mutex> guard(mu);  // the retention thread reads while commands record
    return histories;
  }
  Result<std::optional<storage::HistoryEntry>> GetHistory(int64_t) override {
    return std::optional<storage::HistoryEntry>();
  }
  Result<std::vector<storage::AuditEntry>> ListAudit(int, std::optional<int64_t>) override {
    std::lock_guard<std::mutex> guard(mu);
    return audits;
  }
  // Maintenance and the chain walk are the SQLite store's (tests/storage); the core's tests
  // that need them run on it (tests/e2e).
  Result<storage::MaintenanceResult> Purge(const storage::HistoryFilter&,
                                           const storage::AuditEntry&) override {
    return MakeError(ErrorCode::kUnsupported, "the memory store cannot purge");
  }
  Result<storage::MaintenanceResult> Redact(const storage::HistoryFilter&, const storage::Redactor&,
                                            const storage::AuditEntry&) override {
    return MakeError(ErrorCode::kUnsupported, "the memory store cannot redact");
  }
  Result<std::vector<storage::AuditEntry>> ListAuditAfter(int64_t, int) override {
    return MakeError(ErrorCode::kUnsupported, "the memory store cannot follow its audit log");
  }
  Result<storage::VerifyReport> VerifyAuditChain() override {
    return MakeError(ErrorCode::kUnsupported, "the memory store keeps no hash chain");
  }
  Status Health() override {
    if (unhealthy) return MakeError(ErrorCode::kStoreError, "read-only file");
    return Ok{};
  }
  Status SaveSession(const storage::SessionRecord& r) override {
    std::lock_guard<std::mutex> guard(mu);
    sessions[r.key] = r;
    return Ok{};
  }
  Status DeleteSession(const std::string& key) override {
    std::lock_guard<std::mutex> guard(mu);
    sessions.erase(key);
    return Ok{};
  }
  Result<std::vector<storage::SessionRecord>> ListSessions() override {
    std::lock_guard<std::mutex> guard(mu);
    std::vector<storage::SessionRecord> out;
    for (const auto& [k, r] : sessions) out.push_back(r);
    return out;
  }

  Result<bool> RecordSlackEvent(const std::string& id, const std::string& work,
                                const std::string& alias = "") override {
    std::lock_guard<std::mutex> guard(mu);
    if (fail) return MakeError(ErrorCode::kStoreError, "disk full");
    if (!slack_events.emplace(id, work).second) return false;
    if (!alias.empty() && !slack_events.emplace(alias, "").second) {
      slack_events[id].clear();
      return false;
    }
    return true;
  }
  Status FinishSlackEvent(const std::string& id) override {
    std::lock_guard<std::mutex> guard(mu);
    slack_events[id].clear();
    return Ok{};
  }
  Result<std::vector<storage::SlackEventRecord>> PendingSlackEvents() override {
    std::lock_guard<std::mutex> guard(mu);
    std::vector<storage::SlackEventRecord> out;
    for (const auto& [id, work] : slack_events) {
      if (!work.empty()) out.push_back({id, "", work});
    }
    return out;
  }

  std::mutex mu;
  std::atomic<bool> fail{false};  // set by a test while the service's threads run
  std::atomic<bool> unhealthy{false};
  std::map<std::string, std::string> slack_events;  // id -> work, "" once finished
  std::vector<storage::HistoryEntry> histories;
  std::vector<storage::AuditEntry> audits;
  std::map<std::string, storage::SessionRecord> sessions;
};

}  // namespace planbot::testing
