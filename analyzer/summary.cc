#include "analyzer/summary.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <utility>
#include <vector>

#include "analyzer/human_format.h"

namespace planbot::analyzer {
namespace {

using nlohmann::json;

std::optional<double> Value(const OptNum& num) {
  if (!num) return std::nullopt;
  return num->value;
}

IoTimes IoOf(const Buffers& b) {
  IoTimes io;
  io.read_ms = Value(b.io_read), io.write_ms = Value(b.io_write);
  io.shared_read_ms = Value(b.shared_io_read), io.shared_write_ms = Value(b.shared_io_write);
  io.local_read_ms = Value(b.local_io_read), io.local_write_ms = Value(b.local_io_write);
  io.temp_read_ms = Value(b.temp_io_read), io.temp_write_ms = Value(b.temp_io_write);
  return io;
}

json Millis(double ms) {
  return {{"ms", std::round(ms * 1000) / 1000}, {"human", FormatMillis(ms)}};
}

json Blocks(int64_t blocks, int64_t block_size) {
  const double bytes = static_cast<double>(blocks) * static_cast<double>(block_size);
  // A pasted plan can hold any count: saturate rather than overflow (found by
  // tests/fuzz/fuzz_explain_json under UBSan).
  int64_t exact = 0;
  if (__builtin_mul_overflow(blocks, block_size, &exact)) {
    exact = (blocks < 0) != (block_size < 0) ? std::numeric_limits<int64_t>::min()
                                             : std::numeric_limits<int64_t>::max();
  }
  return {{"blocks", blocks}, {"bytes", exact}, {"human", FormatBytes(bytes)}};
}

json BuffersJson(const BufferCounts& c, int64_t bs) {
  return {{"shared",
           {{"hit", Blocks(c.shared_hit, bs)},
            {"read", Blocks(c.shared_read, bs)},
            {"dirtied", Blocks(c.shared_dirtied, bs)},
            {"written", Blocks(c.shared_written, bs)}}},
          {"local",
           {{"hit", Blocks(c.local_hit, bs)},
            {"read", Blocks(c.local_read, bs)},
            {"dirtied", Blocks(c.local_dirtied, bs)},
            {"written", Blocks(c.local_written, bs)}}},
          {"temp", {{"read", Blocks(c.temp_read, bs)}, {"written", Blocks(c.temp_written, bs)}}}};
}

std::vector<std::pair<const char*, const std::optional<double>*>> IoFields(const IoTimes& io) {
  return {{"read", &io.read_ms},
          {"write", &io.write_ms},
          {"shared_read", &io.shared_read_ms},
          {"shared_write", &io.shared_write_ms},
          {"local_read", &io.local_read_ms},
          {"local_write", &io.local_write_ms},
          {"temp_read", &io.temp_read_ms},
          {"temp_write", &io.temp_write_ms}};
}

json IoJson(const IoTimes& io) {
  json out = json::object();
  for (const auto& [key, value] : IoFields(io)) {
    if (*value) out[key] = Millis(**value);
  }
  return out;
}

void AddTimes(json& out, const Summary& s) {
  if (s.planning_ms) out["planning_time"] = Millis(*s.planning_ms);
  if (s.execution_ms) out["execution_time"] = Millis(*s.execution_ms);
  json estimated = json::object();
  if (s.total_cost) estimated["total_cost"] = *s.total_cost;
  if (s.estimated_rows) estimated["rows"] = *s.estimated_rows;
  if (!estimated.empty()) out["estimated"] = estimated;
  if (s.rows) {
    out["rows"] = {{"actual", std::round(*s.rows)},
                   {"loops", s.loops.value_or(1)},
                   {"human", FormatCount(std::llround(*s.rows))}};
  }
}

void AddOthers(json& out, const Summary& s) {
  if (s.wal) {
    out["wal"] = {{"records", s.wal->records},
                  {"fpi", s.wal->fpi},
                  {"bytes", s.wal->bytes},
                  {"bytes_human", FormatBytes(static_cast<double>(s.wal->bytes))}};
    if (s.wal->buffers_full) out["wal"]["buffers_full"] = *s.wal->buffers_full;
  }
  if (s.jit_functions) {
    out["jit"] = {{"functions", *s.jit_functions}};
    if (s.jit_ms) out["jit"]["time"] = Millis(*s.jit_ms);
  }
  if (s.trigger_count > 0) {
    out["triggers"] = {{"count", s.trigger_count}, {"calls", s.trigger_calls}};
    if (s.trigger_ms) out["triggers"]["time"] = Millis(*s.trigger_ms);
  }
  if (s.serialization_ms || s.serialization_bytes) {
    json& ser = out["serialization"] = json::object();
    if (s.serialization_ms) ser["time"] = Millis(*s.serialization_ms);
    if (s.serialization_bytes) {
      ser["bytes"] = *s.serialization_bytes;
      ser["bytes_human"] = FormatBytes(static_cast<double>(*s.serialization_bytes));
    }
  }
}

// "hit 2,048 (16.0 MiB), read 158 (1.23 MiB)": the non-zero counters of one buffer class.
std::string BlockList(const std::vector<std::pair<const char*, int64_t>>& items, int64_t bs) {
  std::string out;
  for (const auto& [name, blocks] : items) {
    if (blocks == 0) continue;
    if (!out.empty()) out += ", ";
    out += std::string(name) + " " + FormatCount(blocks) + " (" +
           FormatBytes(static_cast<double>(blocks) * static_cast<double>(bs)) + ")";
  }
  return out;
}

std::string BuffersText(const BufferCounts& c, int64_t bs) {
  std::string out;
  const std::pair<const char*, std::string> classes[] = {
      {"shared", BlockList({{"hit", c.shared_hit},
                            {"read", c.shared_read},
                            {"dirtied", c.shared_dirtied},
                            {"written", c.shared_written}},
                           bs)},
      {"local", BlockList({{"hit", c.local_hit},
                           {"read", c.local_read},
                           {"dirtied", c.local_dirtied},
                           {"written", c.local_written}},
                          bs)},
      {"temp", BlockList({{"read", c.temp_read}, {"written", c.temp_written}}, bs)}};
  for (const auto& [name, list] : classes) {
    if (list.empty()) continue;
    if (!out.empty()) out += "; ";
    out += std::string(name) + " " + list;
  }
  return out.empty() ? "none" : out;
}

std::string IoText(const IoTimes& io) {
  std::string out;
  for (const auto& [key, value] : IoFields(io)) {
    if (!*value) continue;
    if (!out.empty()) out += ", ";
    std::string name = key;
    for (char& ch : name) ch = ch == '_' ? ' ' : ch;
    out += name + " " + FormatMillis(**value);
  }
  return out;
}

void AddLine(std::string& text, const std::string& line) { text += line + "\n"; }

}  // namespace

Summary ComputeSummary(const ExplainQuery& query, int64_t block_size) {
  const PlanNode& root = query.plan;
  Summary s;
  s.block_size = block_size;
  s.planning_ms = Value(query.planning_time_ms);
  s.execution_ms = Value(query.execution_time_ms);
  s.total_cost = Value(root.total_cost);
  s.estimated_rows = Value(root.plan_rows);
  if (root.actual.rows && root.actual.loops) {
    s.loops = root.actual.loops->value;
    s.rows = root.actual.rows->value * *s.loops;
  }
  if (root.buffers.present) s.buffers = CountsOf(root.buffers);
  if (query.planning_buffers.present) s.planning_buffers = CountsOf(query.planning_buffers);
  s.io = IoOf(root.buffers);
  s.planning_io = IoOf(query.planning_buffers);
  if (root.wal.present) s.wal = root.wal;
  if (query.jit.present) {
    s.jit_functions = query.jit.functions;
    s.jit_ms = Value(query.jit.total);
  }
  s.trigger_count = static_cast<int>(query.triggers.size());
  for (const Trigger& trigger : query.triggers) {
    s.trigger_calls += trigger.calls.value;
    if (trigger.time_ms) s.trigger_ms = s.trigger_ms.value_or(0) + trigger.time_ms->value;
  }
  if (query.serialization.present) {
    s.serialization_ms = Value(query.serialization.time_ms);
    uint64_t bytes = 0;
    if (__builtin_mul_overflow(query.serialization.output_kb, uint64_t{1024}, &bytes)) {
      bytes = std::numeric_limits<uint64_t>::max();
    }
    s.serialization_bytes = bytes;
  }
  return s;
}

json SummaryToJson(const Summary& s) {
  json out = json::object();
  AddTimes(out, s);
  out["block_size"] = s.block_size;
  if (s.buffers) out["buffers"] = BuffersJson(*s.buffers, s.block_size);
  if (s.planning_buffers) out["planning_buffers"] = BuffersJson(*s.planning_buffers, s.block_size);
  if (s.io.any()) out["io_time"] = IoJson(s.io);
  if (s.planning_io.any()) out["planning_io_time"] = IoJson(s.planning_io);
  AddOthers(out, s);
  return out;
}

std::string SummaryToText(const Summary& s) {
  std::string text;
  if (s.execution_ms || s.planning_ms) {
    std::string line = "Time:";
    if (s.execution_ms) line += " execution " + FormatMillis(*s.execution_ms);
    if (s.execution_ms && s.planning_ms) line += ",";
    if (s.planning_ms) line += " planning " + FormatMillis(*s.planning_ms);
    AddLine(text, line);
  }
  if (s.rows) {
    AddLine(text, "Rows: " + FormatCount(std::llround(*s.rows)));
  } else if (s.estimated_rows && s.total_cost) {
    char cost[32];
    std::snprintf(cost, sizeof cost, "%.2f", *s.total_cost);
    AddLine(text, "Estimated: cost " + std::string(cost) + ", rows " +
                      FormatCount(std::llround(*s.estimated_rows)));
  }
  if (s.buffers) AddLine(text, "Buffers: " + BuffersText(*s.buffers, s.block_size));
  if (s.planning_buffers) {
    AddLine(text, "Planning buffers: " + BuffersText(*s.planning_buffers, s.block_size));
  }
  if (s.io.any()) AddLine(text, "I/O time: " + IoText(s.io));
  if (s.wal && (s.wal->records > 0 || s.wal->fpi > 0 || s.wal->bytes > 0)) {
    AddLine(text, "WAL: " + FormatCount(s.wal->records) + " records, " + FormatCount(s.wal->fpi) +
                      " full-page images, " + FormatBytes(static_cast<double>(s.wal->bytes)));
  }
  if (s.jit_functions) {
    std::string line = "JIT: " + FormatCount(*s.jit_functions) + " functions";
    if (s.jit_ms) line += ", " + FormatMillis(*s.jit_ms);
    AddLine(text, line);
  }
  if (s.trigger_count > 0) {
    std::string line = "Triggers: " + std::to_string(s.trigger_count) + ", " +
                       FormatCount(std::llround(s.trigger_calls)) + " calls";
    if (s.trigger_ms) line += ", " + FormatMillis(*s.trigger_ms);
    AddLine(text, line);
  }
  if (s.serialization_ms) AddLine(text, "Serialization: " + FormatMillis(*s.serialization_ms));
  return text;
}

}  // namespace planbot::analyzer
