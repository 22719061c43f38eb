// Fuzz target: the filters of `history`, `purge` and `redact`, as typed in chat ('w' + the
// words) or sent to the API ('j' + a JSON body) → the filter spec → resolved against a fixed now
// → the filter's JSON (what the audit entry of a purge records). Properties: a resolved filter
// is never empty unless it is `--all` alone (a purge never matches everything by accident), its
// ids are positive, and its JSON is JSON.
#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "common/json_text.h"
#include "history/history_filter.h"
#include "tests/fuzz/fuzz_support.h"

using namespace planbot;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string rest(fuzz::AsText(data + 1, size - 1));
  Result<history::FilterSpec> spec = MakeError(ErrorCode::kBadRequest, "");
  if (data[0] == 'w') {
    spec = history::ParseFilterWords(rest);
  } else if (data[0] == 'j') {
    nlohmann::json body = nlohmann::json::parse(rest, nullptr, false);
    if (body.is_discarded()) return 0;
    spec = history::FilterSpecFromJson(body);
  } else {
    return 0;
  }
  if (!spec) return 0;
  // 2026-12-07T00:00:00Z
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1796601600));
  auto filter = history::ResolveFilter(*spec, now);
  if (!filter) return 0;
  fuzz::Check(!filter->Empty() || filter->all, "a resolved filter selects something", rest);
  fuzz::Check(!(filter->all && !filter->Empty()), "--all stands alone", rest);
  for (int64_t id : filter->ids) fuzz::Check(id > 0, "ids are positive", rest);
  // What a purge's audit entry records; a user name that is not UTF-8 must not stop it
  // (JsonText writes U+FFFD where nlohmann's dump throws: found by this target).
  try {
    (void)JsonText(history::FilterToJson(*filter));
  } catch (const nlohmann::json::exception& e) {
    fuzz::Fail("the filter's JSON can be written", e.what());
  }
  return 0;
}
