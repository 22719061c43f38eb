#include "bot/cli_offline.h"

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "analyzer/plan_parse.h"
#include "analyzer/render_text.h"

namespace planbot::bot {
namespace {

constexpr int kBadInput = 2;

// Reads all of `path` ("-" = stdin). Errors name the file.
Result<std::string> ReadInput(const std::string& path) {
  if (path == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    return ss.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError("unreadable", "cannot read " + path);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return MakeError("unreadable", "cannot read " + path);
  return data;
}

bool IsBlank(const std::string& s) {
  return s.find_first_not_of(" \t\r\n") == std::string::npos;
}

}  // namespace

int RunRender(const RenderArgs& args, std::ostream& out, std::ostream& err) {
  auto input = ReadInput(args.path);
  if (!input) {
    err << "planbot render: " << input.error().message << "\n";
    return kBadInput;
  }
  std::string name = args.path == "-" ? "stdin" : args.path;
  if (IsBlank(*input)) {
    err << "planbot render: " << name << " is empty; expected EXPLAIN (FORMAT JSON) output\n";
    return kBadInput;
  }
  auto explain = analyzer::ParseExplainJson(*input);
  if (!explain) {
    err << "planbot render: " << name << ": " << explain.error().message << "\n";
    return kBadInput;
  }
  if (args.format == "text") {
    out << analyzer::RenderText(*explain);
    return 0;
  }
  err << "planbot render: unknown format " << args.format << "\n";
  return kBadInput;
}

int RunNormalize(const std::string&, std::ostream&, std::ostream& err) {
  err << "planbot normalize: unavailable\n";
  return kBadInput;
}

}  // namespace planbot::bot
