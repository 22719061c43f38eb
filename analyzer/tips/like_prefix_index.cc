// like_prefix_index: LIKE/ILIKE prefix and range conditions on text under a non-C collation.
#include "analyzer/tips/advice.h"
#include "analyzer/tips/rules.h"

namespace planbot::analyzer::tips {

void LikePrefixIndexTips(const TipContext& ctx, Tips& out) {
  (void)ctx;
  (void)out;
}

}  // namespace planbot::analyzer::tips
