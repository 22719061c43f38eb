// History entries as the HTTP API sends them: the stored plan JSON goes out byte for byte.
#include "history/history_view.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

namespace planbot::history {
namespace {

storage::HistoryEntry Entry() {
  storage::HistoryEntry e;
  e.id = 7;
  e.command = "explain";
  e.normalized = "select $1";
  e.plan_json =
      "[\n  {\n    \"Plan\": {\n      \"Node Type\": \"Result\",\n"
      "      \"Startup Cost\": 0.00,\n      \"Total Cost\": 0.01\n    }\n  }\n]";
  e.plan_text = "Result  (cost=0.00..0.01 rows=1 width=4)\n";
  e.summary_json = R"({"rows":1})";
  e.tips_json = "[]";
  e.outcome = "ok";
  return e;
}

TEST_CASE("an entry as text carries the stored plan JSON as it is, the rest as the DOM has it") {
  const storage::HistoryEntry e = Entry();
  const std::string text = HistoryEntryToJsonText(e, true);
  CHECK(text.find(*e.plan_json) != std::string::npos);
  CHECK(nlohmann::json::parse(text) == HistoryEntryToJson(e, true));
  CHECK(HistoryEntryToJsonText(e, false) == HistoryEntryToJson(e, false).dump());
  // A stored plan that does not read (an old or damaged row) is null, as in the DOM.
  storage::HistoryEntry broken = e;
  broken.plan_json = "not json";
  CHECK(nlohmann::json::parse(HistoryEntryToJsonText(broken, true))["plan"]["json"].is_null());
}

}  // namespace
}  // namespace planbot::history
