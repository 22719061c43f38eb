// stale_statistics: statistics not refreshed since large changes (pg_stat_user_tables).
#include "analyzer/tips/advice.h"
#include "analyzer/tips/rules.h"

namespace planbot::analyzer::tips {

void StaleStatisticsTips(const TipContext& ctx, Tips& out) {
  (void)ctx;
  (void)out;
}

}  // namespace planbot::analyzer::tips
