// order_by_limit_index: an index for equality conditions plus ORDER BY ... LIMIT, so the sort disappears.
#include "analyzer/tips/advice.h"
#include "analyzer/tips/rules.h"

namespace planbot::analyzer::tips {

void OrderByLimitIndexTips(const TipContext& ctx, Tips& out) {
  (void)ctx;
  (void)out;
}

}  // namespace planbot::analyzer::tips
