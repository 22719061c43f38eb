// wrong_index_order: an index chosen for ORDER BY that scans with no Index Cond while its filter removes most rows.
#include "analyzer/tips/advice.h"
#include "analyzer/tips/rules.h"

namespace planbot::analyzer::tips {

void WrongIndexOrderTips(const TipContext& ctx, Tips& out) {
  (void)ctx;
  (void)out;
}

}  // namespace planbot::analyzer::tips
