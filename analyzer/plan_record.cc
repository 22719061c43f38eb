#include "analyzer/plan_record.h"

#include "analyzer/plan_metrics.h"
#include "analyzer/plan_parse.h"
#include "analyzer/render_text.h"
#include "analyzer/summary.h"
#include "analyzer/tips.h"

namespace planbot::analyzer {

std::optional<PlanRecord> DerivePlanRecord(std::string_view plan_json, int server_version,
                                           int64_t block_size) {
  auto explain = ParseExplainJson(plan_json);
  if (!explain || explain->queries.empty()) return std::nullopt;
  RenderOptions options;
  options.server_version_num = server_version;
  const ExplainQuery& q = explain->queries.front();
  PlanRecord out;
  out.text = RenderText(*explain, options);
  out.summary_json = SummaryToJson(ComputeSummary(q, block_size)).dump();
  out.tips_json = TipsToJson(ComputeTips(q, ComputeMetrics(q))).dump();
  return out;
}

}  // namespace planbot::analyzer
