#include "app/cli_offline.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "analyzer/analysis_json.h"
#include "analyzer/plan_metrics.h"
#include "analyzer/plan_parse.h"
#include "analyzer/render_text.h"
#include "analyzer/sql.h"
#include "analyzer/summary.h"
#include "analyzer/tips.h"
#include "common/json_text.h"

namespace planbot::app {
namespace {

constexpr int kBadInput = 2;

// Reads all of stdin.
std::string ReadStdin() {
  std::ostringstream ss;
  ss << std::cin.rdbuf();
  return std::move(ss).str();
}

std::string ErrorLine(const Error& e) {
  std::string line = e.message;
  if (e.position > 0) line += " (at byte " + std::to_string(e.position) + ")";
  return line;
}

// The summary of each statement followed by its tips, for `render --format summary`.
std::string SummaryReport(const analyzer::Explain& explain, int64_t block_size) {
  std::string text;
  for (size_t i = 0; i < explain.queries.size(); ++i) {
    const analyzer::ExplainQuery& q = explain.queries[i];
    if (explain.queries.size() > 1) text += "Statement " + std::to_string(i + 1) + ":\n";
    text += analyzer::SummaryToText(analyzer::ComputeSummary(q, block_size));
    auto tips = analyzer::ComputeTips(q, analyzer::ComputeMetrics(q));
    text += tips.empty() ? "No tips.\n" : "Tips:\n" + analyzer::TipsToText(tips);
    if (i + 1 < explain.queries.size()) text += "\n";
  }
  return text;
}

}  // namespace

int RunRender(const RenderArgs& args, std::ostream& out, std::ostream& err) {
  std::string name = args.path == "-" ? "stdin" : args.path;
  std::ifstream file;
  std::istream* in = &std::cin;
  if (args.path != "-") {
    std::error_code ec;
    if (std::filesystem::is_directory(args.path, ec)) {
      err << "planbot render: cannot read " << args.path << ": it is a directory\n";
      return kBadInput;
    }
    file.open(args.path, std::ios::binary);
    if (!file) {
      err << "planbot render: cannot read " << args.path << ": " << std::strerror(errno) << "\n";
      return kBadInput;
    }
    in = &file;
  }
  *in >> std::ws;
  if (in->peek() == std::char_traits<char>::eof()) {
    if (in->bad()) {
      err << "planbot render: cannot read " << name << "\n";
    } else {
      err << "planbot render: " << name << " is empty; expected EXPLAIN (FORMAT JSON) output\n";
    }
    return kBadInput;
  }
  auto explain = analyzer::ParseExplainJson(*in);
  if (!explain) {
    err << "planbot render: " << name << ": " << explain.error().message << "\n";
    return kBadInput;
  }
  if (args.format == "text") {
    analyzer::RenderText(*explain, out);
  } else if (args.format == "json") {
    out << JsonText(analyzer::AnalysisToJson(*explain, args.block_size), 2) << "\n";
  } else {
    out << SummaryReport(*explain, args.block_size);
  }
  out.flush();
  return 0;
}

int RunNormalize(const std::string& sql_arg, std::ostream& out, std::ostream& err) {
  std::string sql = sql_arg;
  if (sql_arg == "-") sql = ReadStdin();
  auto statements = analyzer::ParseStatements(sql);
  if (!statements) {
    err << "planbot normalize: " << ErrorLine(statements.error()) << "\n";
    return kBadInput;
  }
  if (statements->empty()) {
    err << "planbot normalize: no SQL statement in the input\n";
    return kBadInput;
  }
  auto normalized = analyzer::Normalize(sql);
  auto fingerprint = analyzer::Fingerprint(sql);
  if (!normalized || !fingerprint) {
    const Error& e = !normalized ? normalized.error() : fingerprint.error();
    err << "planbot normalize: " << ErrorLine(e) << "\n";
    return kBadInput;
  }
  nlohmann::ordered_json doc = {{"normalized", *normalized},
                                {"fingerprint", *fingerprint},
                                {"statements", nlohmann::ordered_json::array()}};
  for (const analyzer::SqlStatement& st : *statements) {
    nlohmann::ordered_json item = {{"kind", analyzer::StatementKindName(st.kind)}};
    if (!st.detail.empty()) item["detail"] = st.detail;
    doc["statements"].push_back(std::move(item));
  }
  out << JsonText(doc) << "\n";
  return 0;
}

}  // namespace planbot::app
