// Fuzz target: EXPLAIN (FORMAT JSON) text, as a clone prints it or a user pastes it (`render`,
// the web view's paste) → planbot's own JSON reader → the analysis (text rendering, summary,
// per-node metrics, tips) → the analysis JSON, the chat texts → the masked copy kept in history.
// Properties on every input the reader accepts:
// - the renderer renders it (never an empty text), and the streaming reader reads the same plan;
// - masking succeeds, is idempotent (masking the masked JSON changes nothing), and the masked
//   model renders exactly as the masked JSON read again (what history shows later).
#include <cstdint>
#include <sstream>
#include <string>

#include "analyzer/analysis.h"
#include "analyzer/analysis_json.h"
#include "analyzer/plan_mask.h"
#include "analyzer/plan_parse.h"
#include "analyzer/render_text.h"
#include "analyzer/summary.h"
#include "analyzer/tips.h"
#include "tests/fuzz/fuzz_support.h"

using namespace planbot;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string json(fuzz::AsText(data, size));
  auto analysis = analyzer::Analyze(json, analyzer::AnalysisOptions{});
  if (!analysis) return 0;
  fuzz::Check(!analysis->text.empty(), "a parsed plan renders", json);
  (void)analyzer::AnalysisToJson(*analysis->explain, 8192).dump();
  (void)analyzer::SummaryToText(analysis->summary);
  (void)analyzer::TipsToText(analysis->tips);
  (void)analyzer::TipsToJson(analysis->tips).dump();

  std::istringstream stream(json);
  auto streamed = analyzer::ParseExplainJson(stream);
  fuzz::Check(streamed.ok(), "the streaming reader accepts what the string reader accepts", json);
  fuzz::Check(analyzer::RenderText(*streamed) == analyzer::RenderText(*analysis->explain),
              "the streaming reader reads the same plan", json);

  auto masked = analyzer::Masked(*analysis);
  fuzz::Check(masked.ok(), "a parsed plan can be masked", json);
  auto again = analyzer::MaskPlanJson(masked->json);
  fuzz::Check(again.ok() && *again == masked->json, "masking is idempotent", masked->json);
  auto reread = analyzer::ParseExplainJson(masked->json);
  fuzz::Check(reread.ok(), "the masked JSON reads again", masked->json);
  fuzz::Check(analyzer::RenderText(*reread) == analyzer::RenderText(*masked->explain),
              "the masked model renders as the masked JSON read again", masked->json);
  return 0;
}
