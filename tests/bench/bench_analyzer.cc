// Speed of the analysis pipeline on a small and a large EXPLAIN (ANALYZE, BUFFERS, VERBOSE)
// plan, next to the baselines it is judged against: nlohmann_json building a DOM of the same
// text, and nlohmann's lexer alone (a SAX pass that keeps nothing).
//
// The plans are files written by tests/bench/run_analyzer_bench.sh; their paths come from
// PLANBOT_BENCH_SMALL and PLANBOT_BENCH_LARGE.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "analyzer/plan_metrics.h"
#include "analyzer/plan_parse.h"
#include "analyzer/render_text.h"
#include "analyzer/summary.h"
#include "analyzer/tips.h"

namespace {

std::string Load(const char* env) {
  const char* path = std::getenv(env);
  if (path == nullptr) {
    std::fprintf(stderr, "set %s to an EXPLAIN JSON file (see run_analyzer_bench.sh)\n", env);
    std::exit(2);
  }
  std::FILE* f = std::fopen(path, "rb");
  if (f == nullptr) {
    std::fprintf(stderr, "cannot read %s\n", path);
    std::exit(2);
  }
  std::string data;
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) data.append(buf, n);
  std::fclose(f);
  return data;
}

const std::string& Plan(int which) {
  static const std::string small = Load("PLANBOT_BENCH_SMALL");
  static const std::string large = Load("PLANBOT_BENCH_LARGE");
  return which == 0 ? small : large;
}

struct NoopSax : nlohmann::json_sax<nlohmann::json> {
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }
};

void SetBytes(benchmark::State& state, const std::string& text) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}

void BM_BaselineNlohmannDom(benchmark::State& state) {
  const std::string& text = Plan(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto doc = nlohmann::json::parse(text);
    benchmark::DoNotOptimize(doc);
  }
  SetBytes(state, text);
}

void BM_BaselineNlohmannLexer(benchmark::State& state) {
  const std::string& text = Plan(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    NoopSax sax;
    bool ok = nlohmann::json::sax_parse(text, &sax);
    benchmark::DoNotOptimize(ok);
  }
  SetBytes(state, text);
}

void BM_ParseModel(benchmark::State& state) {
  const std::string& text = Plan(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto explain = planbot::analyzer::ParseExplainJson(text);
    benchmark::DoNotOptimize(explain);
  }
  SetBytes(state, text);
}

void BM_RenderText(benchmark::State& state) {
  const std::string& text = Plan(static_cast<int>(state.range(0)));
  auto explain = planbot::analyzer::ParseExplainJson(text);
  for (auto _ : state) {
    std::string out = planbot::analyzer::RenderText(*explain);
    benchmark::DoNotOptimize(out);
  }
}

void BM_SummaryAndTips(benchmark::State& state) {
  const std::string& text = Plan(static_cast<int>(state.range(0)));
  auto explain = planbot::analyzer::ParseExplainJson(text);
  const auto& q = explain->queries[0];
  for (auto _ : state) {
    auto summary = planbot::analyzer::ComputeSummary(q, 8192);
    auto tips = planbot::analyzer::ComputeTips(q, planbot::analyzer::ComputeMetrics(q));
    benchmark::DoNotOptimize(summary);
    benchmark::DoNotOptimize(tips);
  }
}

// What an `explain` answer costs: parse + model + text + summary + tips.
void BM_Pipeline(benchmark::State& state) {
  const std::string& text = Plan(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto explain = planbot::analyzer::ParseExplainJson(text);
    std::string out = planbot::analyzer::RenderText(*explain);
    const auto& q = explain->queries[0];
    auto summary = planbot::analyzer::ComputeSummary(q, 8192);
    auto tips = planbot::analyzer::ComputeTips(q, planbot::analyzer::ComputeMetrics(q));
    benchmark::DoNotOptimize(out);
    benchmark::DoNotOptimize(summary);
    benchmark::DoNotOptimize(tips);
  }
  SetBytes(state, text);
}

// Arg 0: small plan, 1: large plan.
BENCHMARK(BM_BaselineNlohmannDom)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BaselineNlohmannLexer)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ParseModel)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RenderText)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SummaryAndTips)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Pipeline)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
