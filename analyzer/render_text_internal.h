// Pieces of the text renderer shared by render_text_node.cc and render_text.cc. Internal.
#pragma once

#include "analyzer/plan_model.h"
#include "analyzer/render_text.h"
#include "analyzer/text_out.h"

namespace planbot::analyzer::render {

struct Context {
  TextOut& out;
  RenderOptions options;
  bool verbose = false;  // VERBOSE was given (inferred from the fields present)
};

void Node(Context& ctx, const PlanNode& node);
void BufferUsage(Context& ctx, const Buffers& b);
void WalUsage(Context& ctx, const Wal& w);
void JitInfo(Context& ctx, const Jit& jit);
bool BuffersNonZero(const Buffers& b);

// render_text_info.cc: node-specific instrumentation, leader and workers.
void TidBitmapInfo(Context& ctx, const PlanNode& n);
void SortInfo(Context& ctx, const PlanNode& n);
void IncrementalSortInfo(Context& ctx, const PlanNode& n);
void HashInfo(Context& ctx, const PlanNode& n);
void MemoizeInfo(Context& ctx, const PlanNode& n);
void HashAggInfo(Context& ctx, const PlanNode& n);

}  // namespace planbot::analyzer::render
