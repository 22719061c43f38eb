// PostgresSession's watch over session settings (SECURITY.md: "EXPLAIN's Settings: line and
// session state").
//
// A setting's value can be computed from data: set_config('search_path', (select col ...),
// false) in the SELECT of a CREATE TABLE AS or INSERT ... SELECT, in an UPDATE, in a trigger or
// a function of the database (set_config('app.tenant', ...)). EXPLAIN (SETTINGS) prints such a
// value in every later plan, and current_setting() makes it an input of every later statement.
// So the session keeps the values it can vouch for (trusted_settings_):
//   - at connect, every setting as planbot left it (configuration, not data);
//   - after an `exec` whose tag is SET or RESET, whatever it changed among the settings
//     pg_settings lists, and the setting it names (a custom `x.y` setting is not listed there):
//     SET's grammar takes only literals, so the user typed the value;
//   - after any other `exec`, succeeded or failed: RESET ALL (which also reaches custom settings
//     that pg_settings does not list, so they cannot be found otherwise), then set_config() back
//     to every trusted value; a setting that did not exist at connect (a library's new one)
//     keeps its reset value, which is then trusted; a re-read checks that nothing differs.
// plan and explain run inside a transaction that is always rolled back, which undoes their
// set_config() calls, but the explained statement itself runs with them: Explain passes the
// JSON through WithholdUntrustedSettings, which replaces every untrusted value in "Settings".
#include <optional>
#include <pqxx/pqxx>

#include "adapters/postgres/postgres_session_impl.h"
#include "analyzer/plan_settings.h"
#include "analyzer/sql.h"

namespace planbot::adapters::session_internal {
namespace {

constexpr char kReadAll[] =
    "SELECT name, pg_catalog.current_setting(name) FROM pg_catalog.pg_settings";
constexpr char kSetBack[] = "SELECT pg_catalog.set_config($1, $2, false)";
constexpr char kReadOne[] = "SELECT pg_catalog.current_setting($1, true)";

// The setting a SET or RESET names ("" for RESET ALL or what is not one).
std::string SettingNamed(const std::string& sql) {
  auto statement = analyzer::ParseSingleStatement(sql);
  return statement.ok() && statement->kind == "set" && statement->detail != "all"
             ? statement->detail
             : std::string();
}

// The value of `name`: from `listed` (pg_settings), else asked for by name (custom settings);
// nullopt when the session has no such setting.
std::optional<std::string> CurrentValue(pqxx::transaction_base& txn, const SettingValues& listed,
                                        const std::string& name) {
  auto it = listed.find(name);
  if (it != listed.end()) return it->second;
  pqxx::row row = txn.exec_params1(kReadOne, name);
  if (row[0].is_null()) return std::nullopt;
  return row[0].as<std::string>();
}

}  // namespace

SettingValues ReadSettings(pqxx::transaction_base& txn) {
  SettingValues values;
  for (const auto& row : txn.exec(kReadAll)) {
    values[row[0].as<std::string>()] = row[1].is_null() ? "" : row[1].as<std::string>();
  }
  return values;
}

void PostgresSession::SettleSettings(const std::string& set_sql) {
  pqxx::nontransaction txn(*conn_);
  if (!set_sql.empty()) {
    SettingValues now = ReadSettings(txn);
    const std::string named = SettingNamed(set_sql);
    if (!named.empty()) {
      if (auto value = CurrentValue(txn, now, named)) now[named] = *value;
    }
    for (auto& [name, value] : now) trusted_settings_[name] = value;
    return;
  }
  txn.exec0("RESET ALL");
  SettingValues now = ReadSettings(txn);
  for (const auto& [name, value] : trusted_settings_) {
    if (CurrentValue(txn, now, name) != value) txn.exec_params(kSetBack, name, value);
  }
  now = ReadSettings(txn);
  for (const auto& [name, value] : trusted_settings_) {
    // (The name is not in the message: a custom setting's name can be data too.)
    if (CurrentValue(txn, now, name) != value) {
      throw pqxx::usage_error("a setting could not be set back");
    }
  }
  for (auto& [name, value] : now) trusted_settings_.try_emplace(name, value);
}

bool PostgresSession::SettingShown(const std::string& name, const std::string& value) const {
  auto trusted = trusted_settings_.find(name);
  return trusted != trusted_settings_.end() && trusted->second == value;
}

Result<std::string> PostgresSession::WithholdUntrustedSettings(std::string explain_json) {
  return analyzer::WithholdSettings(
      explain_json,
      [this](const std::string& n, const std::string& v) { return SettingShown(n, v); });
}

}  // namespace planbot::adapters::session_internal
