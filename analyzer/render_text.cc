// Query-level text rendering (ExplainOnePlan, ExplainPrintTriggers, ExplainPrintJIT,
// show_buffer_usage, show_wal_usage of explain.c).
#include "analyzer/render_text.h"

#include <set>
#include <string>

#include "analyzer/render_text_internal.h"

namespace planbot::analyzer {
namespace render {
namespace {

bool Positive(const OptNum& n) { return n && n->value > 0; }

void AppendCount(std::string& s, const char* label, int64_t v) {
  if (v > 0) s += std::string(" ") + label + "=" + std::to_string(v);
}

void AppendTime(std::string& s, const char* label, const OptNum& v) {
  if (Positive(v)) s += std::string(" ") + label + "=" + FormatNum(*v);
}

std::string BuffersLine(const Buffers& b) {
  bool shared =
      b.shared_hit > 0 || b.shared_read > 0 || b.shared_dirtied > 0 || b.shared_written > 0;
  bool local = b.local_hit > 0 || b.local_read > 0 || b.local_dirtied > 0 || b.local_written > 0;
  bool temp = b.temp_read > 0 || b.temp_written > 0;
  if (!shared && !local && !temp) return {};
  std::string s = "Buffers:";
  if (shared) {
    s += " shared";
    AppendCount(s, "hit", b.shared_hit);
    AppendCount(s, "read", b.shared_read);
    AppendCount(s, "dirtied", b.shared_dirtied);
    AppendCount(s, "written", b.shared_written);
    if (local || temp) s += ",";
  }
  if (local) {
    s += " local";
    AppendCount(s, "hit", b.local_hit);
    AppendCount(s, "read", b.local_read);
    AppendCount(s, "dirtied", b.local_dirtied);
    AppendCount(s, "written", b.local_written);
    if (temp) s += ",";
  }
  if (temp) {
    s += " temp";
    AppendCount(s, "read", b.temp_read);
    AppendCount(s, "written", b.temp_written);
  }
  return s;
}

// PG13/14 print "read=" without a label, PG15 "shared", PG16 "shared/local", PG17+ split
// shared and local. The JSON keys tell 13/14 (no temp timing keys) and 17+ (split keys) apart;
// 15 and 16 look the same, so the server version decides when the caller knows it.
std::string IoTimingsLine(const Buffers& b, int server_version_num) {
  bool split = b.shared_io_read || b.shared_io_write;
  const auto& shared_read = split ? b.shared_io_read : b.io_read;
  const auto& shared_write = split ? b.shared_io_write : b.io_write;
  bool has_shared = Positive(shared_read) || Positive(shared_write);
  bool has_local = Positive(b.local_io_read) || Positive(b.local_io_write);
  bool has_temp = Positive(b.temp_io_read) || Positive(b.temp_io_write);
  if (!has_shared && !has_local && !has_temp) return {};
  bool pg13_14 = !split && !b.temp_io_read && !b.temp_io_write;
  bool pg16 = !split && server_version_num >= 160000 && server_version_num < 170000;
  std::string s = "I/O Timings:";
  if (has_shared) {
    if (!pg13_14) s += pg16 ? " shared/local" : " shared";
    AppendTime(s, "read", shared_read);
    AppendTime(s, "write", shared_write);
    if (has_local || has_temp) s += ",";
  }
  if (has_local) {
    s += " local";
    AppendTime(s, "read", b.local_io_read);
    AppendTime(s, "write", b.local_io_write);
    if (has_temp) s += ",";
  }
  if (has_temp) {
    s += " temp";
    AppendTime(s, "read", b.temp_io_read);
    AppendTime(s, "write", b.temp_io_write);
  }
  return s;
}

void Line(TextOut& out, const std::string& s) {
  if (s.empty()) return;
  out.IndentText();
  out.Append(s);
  out.AppendChar('\n');
}

// VERBOSE is not recorded in the JSON; these fields only appear with it.
bool LooksVerbose(const PlanNode& n) {
  if (!n.output.empty() || n.schema || n.function_call || n.table_function_call) return true;
  for (const Worker& w : n.workers) {
    if (w.actual.loops) return true;
  }
  for (const PlanNode& c : n.children) {
    if (LooksVerbose(c)) return true;
  }
  return false;
}

// Relations that ModifyTable nodes write to (ExplainPrintTriggers' result relations).
void ResultRelations(const PlanNode& n, std::set<std::string>& rels) {
  if (n.node_type == "ModifyTable") {
    if (!n.target_tables.empty()) {
      for (const TargetTable& t : n.target_tables) rels.insert(t.relation_name);
    } else if (n.relation_name) {
      rels.insert(*n.relation_name);
    }
  }
  for (const PlanNode& c : n.children) ResultRelations(c, rels);
}

// ExplainPrintTriggers: trigger relations are named when more than one relation is involved.
void Triggers(Context& ctx, const ExplainQuery& q) {
  std::set<std::string> result_rels;
  ResultRelations(q.plan, result_rels);
  bool show_relname = result_rels.size() > 1;
  for (const Trigger& t : q.triggers) {
    if (!result_rels.count(t.relation)) show_relname = true;
  }
  for (const Trigger& t : q.triggers) {
    std::string s;
    bool has_constraint = !t.constraint_name.empty();
    s = (ctx.verbose || !has_constraint) ? "Trigger " + t.name : "Trigger";
    if (has_constraint) s += " for constraint " + t.constraint_name;
    if (show_relname) s += " on " + t.relation;
    if (t.time_ms) {
      s += ": time=" + FormatNum(*t.time_ms) + " calls=" + FormatNum(t.calls) + "\n";
    } else {
      s += ": calls=" + FormatNum(t.calls) + "\n";
    }
    ctx.out.Append(s);
  }
}

void PlanningSection(Context& ctx, const ExplainQuery& q) {
  bool memory = q.planning_memory_used_kb || q.planning_memory_allocated_kb;
  if (!q.has_planning || (!BuffersNonZero(q.planning_buffers) && !memory)) return;
  ctx.out.IndentText();
  ctx.out.Append("Planning:\n");
  ctx.out.indent++;
  BufferUsage(ctx, q.planning_buffers);
  if (memory) {
    Line(ctx.out,
         "Memory: used=" + std::to_string(q.planning_memory_used_kb.value_or(0)) +
             "kB  allocated=" + std::to_string(q.planning_memory_allocated_kb.value_or(0)) + "kB");
  }
  ctx.out.indent--;
}

void SerializationSection(Context& ctx, const Serialization& s) {
  if (!s.present) return;
  std::string line = "Serialization:";
  if (s.time_ms) line += " time=" + FormatNum(*s.time_ms) + " ms ";
  line += " output=" + std::to_string(s.output_kb) + "kB  format=" + s.format;
  Line(ctx.out, line);
  if (BuffersNonZero(s.buffers)) {
    ctx.out.indent++;
    BufferUsage(ctx, s.buffers);
    ctx.out.indent--;
  }
}

void Query(Context& ctx, const ExplainQuery& q) {
  TextOut& out = ctx.out;
  Node(ctx, q.plan);
  if (q.has_settings && !q.settings.empty()) {
    std::string s;
    for (size_t i = 0; i < q.settings.size(); ++i) {
      if (i > 0) s += ", ";
      s += q.settings[i].first + " = '" + q.settings[i].second + "'";
    }
    out.Property("Settings", s);
  }
  if (q.query_identifier) out.Property("Query Identifier", *q.query_identifier);
  PlanningSection(ctx, q);
  if (q.planning_time_ms) out.Property("Planning Time", *q.planning_time_ms, "ms");
  Triggers(ctx, q);
  JitInfo(ctx, q.jit);
  SerializationSection(ctx, q.serialization);
  if (q.execution_time_ms) out.Property("Execution Time", *q.execution_time_ms, "ms");
}

}  // namespace

bool BuffersNonZero(const Buffers& b) {
  return !BuffersLine(b).empty() || !IoTimingsLine(b, 0).empty();
}

void BufferUsage(Context& ctx, const Buffers& b) {
  Line(ctx.out, BuffersLine(b));
  Line(ctx.out, IoTimingsLine(b, ctx.options.server_version_num));
}

void WalUsage(Context& ctx, const Wal& w) {
  if (w.records <= 0 && w.fpi <= 0 && w.bytes == 0 && w.buffers_full.value_or(0) <= 0) return;
  std::string s = "WAL:";
  AppendCount(s, "records", w.records);
  AppendCount(s, "fpi", w.fpi);
  if (w.bytes > 0) s += " bytes=" + std::to_string(w.bytes);
  if (w.buffers_full.value_or(0) > 0) s += " buffers full=" + std::to_string(*w.buffers_full);
  Line(ctx.out, s);
}

void JitInfo(Context& ctx, const Jit& jit) {
  if (!jit.present || jit.functions == 0) return;
  TextOut& out = ctx.out;
  auto flag = [](const std::optional<bool>& b) { return b.value_or(false) ? "true" : "false"; };
  out.IndentText();
  out.Append("JIT:\n");
  out.indent++;
  out.Property("Functions", jit.functions);
  Line(out, std::string("Options: Inlining ") + flag(jit.inlining) + ", Optimization " +
                flag(jit.optimization) + ", Expressions " + flag(jit.expressions) + ", Deforming " +
                flag(jit.deforming));
  if (jit.has_timing) {
    auto ms = [](const OptNum& n) { return FormatNum(n.value_or(Num{0, 3})) + " ms"; };
    std::string s = "Timing: Generation " + ms(jit.generation);
    if (jit.deform) s += " (Deform " + ms(jit.deform) + ")";
    s += ", Inlining " + ms(jit.inlining_ms) + ", Optimization " + ms(jit.optimization_ms) +
         ", Emission " + ms(jit.emission) + ", Total " + ms(jit.total);
    Line(out, s);
  }
  out.indent--;
}

}  // namespace render

namespace {

void RenderAll(const Explain& explain, const RenderOptions& options, TextOut& out,
               std::string& text) {
  for (size_t i = 0; i < explain.queries.size(); ++i) {
    if (i > 0) text.push_back('\n');
    const ExplainQuery& q = explain.queries[i];
    render::Context ctx{out, options,
                        render::LooksVerbose(q.plan) || q.query_identifier.has_value()};
    render::Query(ctx, q);
  }
}

}  // namespace

std::string RenderText(const Explain& explain, const RenderOptions& options) {
  std::string text;
  TextOut out(&text);
  RenderAll(explain, options, out, text);
  return text;
}

void RenderText(const Explain& explain, std::ostream& sink, const RenderOptions& options) {
  std::string text;
  TextOut out(&text, &sink);
  RenderAll(explain, options, out, text);
  out.MaybeFlush(/*force=*/true);
}

}  // namespace planbot::analyzer
