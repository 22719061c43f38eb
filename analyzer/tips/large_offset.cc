// large_offset: a large OFFSET: rows read only to be skipped.
#include "analyzer/tips/advice.h"
#include "analyzer/tips/rules.h"

namespace planbot::analyzer::tips {

void LargeOffsetTips(const TipContext& ctx, Tips& out) {
  (void)ctx;
  (void)out;
}

}  // namespace planbot::analyzer::tips
