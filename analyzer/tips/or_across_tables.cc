// or_across_tables: OR across two tables defeating their indexes.
#include "analyzer/tips/advice.h"
#include "analyzer/tips/rules.h"

namespace planbot::analyzer::tips {

void OrAcrossTablesTips(const TipContext& ctx, Tips& out) {
  (void)ctx;
  (void)out;
}

}  // namespace planbot::analyzer::tips
