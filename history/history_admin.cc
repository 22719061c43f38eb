#include "history/history_admin.h"

#include "analyzer/analysis.h"
#include "common/json_text.h"
#include "history/history_filter.h"
#include "storage/history_scrub.h"

namespace planbot::history {

Status RedactEntry(storage::HistoryEntry& e) {
  storage::ScrubHistoryEntry(e);  // Settings values, server error texts, comments
  e.query_text.reset();
  if (e.plan_json) {
    // The block size only matters for the summary, which is kept as it was.
    auto analysis = analyzer::Analyze(*e.plan_json, {e.server_version, 8192});
    auto masked =
        analysis ? analyzer::Masked(*analysis) : Result<analyzer::Analysis>(analysis.error());
    if (masked) {
      e.plan_json = std::move(masked->json);
      e.plan_text = std::move(masked->text);
      e.tips_json = JsonText(analyzer::TipsToJson(masked->tips));
    } else {
      e.plan_json.reset();
      e.plan_text.reset();
      e.tips_json.reset();
    }
  } else {
    e.plan_text.reset();
  }
  if (e.error_code == "syntax_error") e.error_message = "syntax error";
  return Ok{};
}

Result<storage::MaintenanceResult> RunMaintenance(storage::HistoryStore& store,
                                                  const MaintenanceRequest& r) {
  storage::AuditEntry audit;
  audit.actor = r.actor;
  audit.action = r.operation;
  audit.channel = r.channel;
  audit.command = r.operation;
  audit.outcome = "ok";
  nlohmann::json details = {{"filters", FilterToJson(r.filter)}};
  if (!r.role.empty()) details["role"] = r.role;
  if (!r.reason.empty()) details["reason"] = r.reason;
  audit.details = JsonText(details);
  if (r.operation == "purge") return store.Purge(r.filter, audit);
  if (r.operation == "redact") return store.Redact(r.filter, RedactEntry, audit);
  return MakeError(ErrorCode::kBadRequest, "unknown history operation \"" + r.operation + "\"");
}

namespace {

std::string FiltersText(const storage::HistoryFilter& f) {
  std::string out;
  auto add = [&out](const std::string& flag, const std::string& value) {
    out += (out.empty() ? "" : " ") + flag + (value.empty() ? "" : " " + value);
  };
  if (f.all) add("--all", "");
  if (f.before) add("--before", *f.before);
  if (f.user) add("--user", *f.user);
  if (f.session) add("--session", *f.session);
  if (f.database) add("--database", *f.database);
  if (f.fingerprint) add("--fingerprint", *f.fingerprint);
  if (!f.ids.empty()) {
    std::string ids;
    for (int64_t id : f.ids) ids += (ids.empty() ? "" : ",") + std::to_string(id);
    add("--id", ids);
  }
  return out;
}

std::string Entries(int64_t n) {
  return n == 1 ? "1 history entry" : std::to_string(n) + " history entries";
}

}  // namespace

std::string MaintenanceText(const MaintenanceRequest& r, const storage::MaintenanceResult& res) {
  std::string text;
  if (r.operation == "purge") {
    text = "purged " + Entries(res.changed);
  } else {
    text = "redacted " + Entries(res.changed) + " of " + std::to_string(res.matched) + " matching";
    if (res.matched > res.changed) {
      text += " (" + std::to_string(res.matched - res.changed) + " kept no raw SQL already)";
    }
  }
  text +=
      " · filters: " + FiltersText(r.filter) + " · audit entry #" + std::to_string(res.audit_id);
  if (!res.wal_cleared && res.changed > 0) {
    text +=
        "\nnote: other connections kept the store's write-ahead log busy, so a copy of the "
        "removed text may remain in its -wal file until the next checkpoint; run it again to "
        "clear it";
  }
  return text;
}

nlohmann::json MaintenanceToJson(const MaintenanceRequest& r,
                                 const storage::MaintenanceResult& res) {
  return {{"operation", r.operation},
          {"matched", res.matched},
          {r.operation == "purge" ? "purged" : "redacted", res.changed},
          {"audit_id", res.audit_id},
          {"wal_cleared", res.wal_cleared},
          {"filters", FilterToJson(r.filter)}};
}

}  // namespace planbot::history
