#include "storage/history_scrub.h"

#include <vector>

#include "analyzer/analysis.h"
#include "analyzer/plan_settings.h"
#include "analyzer/server_errors.h"
#include "analyzer/sql.h"
#include "common/json_text.h"

namespace planbot::storage {
namespace {

constexpr int kBatch = 500;

// Rows that may hold something to scrub; the rest cannot.
constexpr const char* kCandidates =
    "SELECT id, sqlstate, error_code, error_message, normalized, plan_json, plan_text, "
    "tips_json, server_version FROM history WHERE id > ?1 AND (error_code = 'database_error' "
    "OR instr(plan_json, '\"Settings\"') > 0 OR instr(normalized, '--') > 0 "
    "OR instr(normalized, '/*') > 0) ORDER BY id LIMIT ?2";
constexpr const char* kUpdate =
    "UPDATE history SET error_message = ?1, normalized = ?2, plan_json = ?3, plan_text = ?4, "
    "tips_json = ?5 WHERE id = ?6";

}  // namespace

bool ScrubHistoryEntry(HistoryEntry& e) {
  bool changed = false;
  if (e.error_code == "database_error") {
    std::string fixed = analyzer::FixedErrorMessage(e.sqlstate);
    changed = changed || fixed != e.error_message;
    e.error_message = std::move(fixed);
  }
  if (auto normalized = analyzer::Normalize(e.normalized);
      normalized && *normalized != e.normalized) {
    e.normalized = std::move(*normalized);
    changed = true;
  }
  if (e.plan_json && e.plan_json->find("\"Settings\"") != std::string::npos) {
    auto withheld = analyzer::WithholdAllSettings(*e.plan_json);
    Result<analyzer::Analysis> analysis =
        withheld ? analyzer::Analyze(*withheld, {e.server_version, 8192})
                 : Result<analyzer::Analysis>(withheld.error());
    if (!analysis) {  // not a plan planbot can read: nothing derived from it is kept either
      changed = true;
      e.plan_json.reset();
      e.plan_text.reset();
      e.tips_json.reset();
    } else if (analysis->json != *e.plan_json) {
      changed = true;
      e.plan_json = analysis->json;
      // The summary holds no setting and keeps its block size; text and tips are derived anew.
      if (e.plan_text) e.plan_text = std::move(analysis->text);
      if (e.tips_json) e.tips_json = JsonText(analyzer::TipsToJson(analysis->tips));
    }
  }
  return changed;
}

Status ScrubHistoryRows(SqliteDb& db) {
  int64_t after = 0;
  while (true) {
    std::vector<HistoryEntry> batch;
    {
      auto select = db.Prepare(kCandidates);
      if (!select) return select.error();
      select->BindInt64(1, after);
      select->BindInt64(2, kBatch);
      while (true) {
        auto row = select->Step();
        if (!row) return row.error();
        if (!*row) break;
        HistoryEntry e;
        e.id = select->ColumnInt64(0);
        e.sqlstate = select->ColumnText(1);
        e.error_code = select->ColumnText(2);
        e.error_message = select->ColumnText(3);
        e.normalized = select->ColumnText(4);
        e.plan_json = select->ColumnOptionalText(5);
        e.plan_text = select->ColumnOptionalText(6);
        e.tips_json = select->ColumnOptionalText(7);
        e.server_version = static_cast<int>(select->ColumnInt64(8));
        batch.push_back(std::move(e));
      }
    }
    for (HistoryEntry& e : batch) {
      after = e.id;
      if (!ScrubHistoryEntry(e)) continue;
      auto update = db.Prepare(kUpdate);
      if (!update) return update.error();
      update->BindText(1, e.error_message);
      update->BindText(2, e.normalized);
      update->BindOptionalText(3, e.plan_json);
      update->BindOptionalText(4, e.plan_text);
      update->BindOptionalText(5, e.tips_json);
      update->BindInt64(6, e.id);
      if (Status s = update->Run(); !s) return s.error();
    }
    if (batch.size() < static_cast<size_t>(kBatch)) return Ok{};
  }
}

}  // namespace planbot::storage
