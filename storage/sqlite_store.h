// SqliteStore: the Store on one SQLite file — the concrete class behind Store::Open, for the
// composition root and for storage's own tests and maintenance code.
//
// The file: WAL journal, synchronous=FULL (a commit is on disk when it returns), foreign_keys and
// secure_delete ON (deleted rows are zeroed in the file; a purge must also checkpoint the WAL),
// busy timeout for other processes (`planbot admin`) writing the same file. Created with mode
// 0600 when missing; SQLite gives its -wal and -shm files the same mode. Schema: migrations.cc.
//
// Writes go through one GroupCommitter (group_commit.h); reads through a ReaderPool of read-only
// connections, which see the last committed state and never wait for the writer.
//
// Failures: Open fails with "store_error" naming the path when its directory is missing, it is a
// directory or not a database, it is read-only, or migrating fails. Writes fail with
// "store_error" and SQLite's message; Health() reports the last such failure until a later write
// succeeds.
// Thread-safety: every public method from any thread. The destructor commits queued writes and
// joins the writer; no call may be in progress.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/log.h"
#include "storage/group_commit.h"
#include "storage/reader_pool.h"
#include "storage/secret_box.h"
#include "storage/store.h"

namespace planbot::storage {

struct StoreOptions {
  int busy_timeout_ms = 5000;   // how long a write waits for another process's write lock
  size_t max_idle_readers = 4;  // read-only connections kept open between reads
  Logger logger;                // write failures (error) and recovery (info)
};

class SqliteStore : public Store {
 public:
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path,
                                                   StoreOptions options = {});

  Result<int64_t> Record(const std::optional<HistoryEntry>& history,
                         const AuditEntry& audit) override;
  Status Audit(const AuditEntry& audit) override;
  Result<std::vector<HistoryEntry>> ListHistory(const HistoryQuery& query) override;
  Result<std::optional<HistoryEntry>> GetHistory(int64_t id) override;
  Result<std::vector<AuditEntry>> ListAudit(int limit, std::optional<int64_t> before_id) override;
  Result<std::vector<AuditEntry>> ListAuditAfter(int64_t after_id, int limit) override;
  Result<MaintenanceResult> Purge(const HistoryFilter& filter, const AuditEntry& audit) override;
  Result<MaintenanceResult> Redact(const HistoryFilter& filter, const Redactor& redactor,
                                   const AuditEntry& audit) override;
  Status Health() override;
  Result<VerifyReport> VerifyAuditChain() override;
  Result<bool> RecordSlackEvent(const std::string& event_id, const std::string& work,
                                const std::string& alias = "") override;
  Status FinishSlackEvent(const std::string& event_id) override;
  Result<std::vector<SlackEventRecord>> PendingSlackEvents() override;
  Status SaveSession(const SessionRecord& session) override;
  Status DeleteSession(const std::string& key) override;
  Result<std::vector<SessionRecord>> ListSessions() override;

  // Runs `op` in the writer's next transaction and waits for its commit: the way for storage's
  // maintenance code (purge, redact) to write. `op` must not call back into this store.
  Result<int64_t> Write(WriteOp op) { return writer_->Submit(std::move(op)); }

  const std::string& path() const { return path_; }
  int migrations_applied() const { return migrations_applied_; }  // by Open(), 0 on re-open
  uint64_t commit_count() const { return writer_->commit_count(); }
  uint64_t write_count() const { return writer_->op_count(); }

 private:
  SqliteStore(std::string path, int migrations_applied, std::unique_ptr<GroupCommitter> writer,
              std::unique_ptr<ReaderPool> readers, SecretBox secrets)
      : path_(std::move(path)),
        migrations_applied_(migrations_applied),
        secrets_(std::move(secrets)),
        readers_(std::move(readers)),
        writer_(std::move(writer)) {}

  // Checkpoints the WAL and truncates it to zero bytes on a connection of its own; false when
  // readers or another writer kept it busy through every attempt.
  bool ClearWal();

  const std::string path_;
  const int migrations_applied_;
  int busy_timeout_ms_ = 5000;  // set by Open
  const SecretBox secrets_;     // for SessionRecord::password and SlackEventRecord::work
  std::atomic<int64_t> slack_events_recorded_{0};
  std::unique_ptr<ReaderPool> readers_;
  std::unique_ptr<GroupCommitter> writer_;  // destroyed first: drains before readers go
};

}  // namespace planbot::storage
