#include "tests/analyzer/fidelity_diff.h"

#include <algorithm>
#include <vector>

namespace planbot::fidelity {
namespace {

constexpr std::string_view kNoNewline = "\\ No newline at end of text";

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t eol = text.find('\n');
    lines.push_back(text.substr(0, eol));
    if (eol == std::string_view::npos) {
      lines.push_back(kNoNewline);
      break;
    }
    text.remove_prefix(eol + 1);
  }
  return lines;
}

struct Op {
  char kind;  // ' ', '-' or '+'
  std::string_view line;
  int old_no, new_no;  // 1-based positions the line has (or would have) in each text
};

// Longest common subsequence table, then a walk that emits deletions before insertions.
std::vector<Op> EditScript(const std::vector<std::string_view>& a,
                           const std::vector<std::string_view>& b) {
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<int>> lcs(n + 1, std::vector<int>(m + 1, 0));
  for (size_t i = n; i-- > 0;) {
    for (size_t j = m; j-- > 0;) {
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  std::vector<Op> ops;
  size_t i = 0, j = 0;
  while (i < n || j < m) {
    const int oi = static_cast<int>(i) + 1, nj = static_cast<int>(j) + 1;
    if (i < n && j < m && a[i] == b[j]) {
      ops.push_back({' ', a[i++], oi, nj});
      j++;
    } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
      ops.push_back({'-', a[i++], oi, nj});
    } else {
      ops.push_back({'+', b[j++], oi, nj});
    }
  }
  return ops;
}

std::string FormatLine(const Op& op) {
  std::string out(1, op.kind);
  out += op.line;
  if (op.kind != ' ' && !op.line.empty() && (op.line.back() == ' ' || op.line.back() == '\t')) {
    out += '$';
  }
  out += '\n';
  return out;
}

std::string HunkHeader(const std::vector<Op>& ops, size_t begin, size_t end) {
  int old_count = 0, new_count = 0;
  for (size_t k = begin; k < end; ++k) {
    old_count += ops[k].kind != '+';
    new_count += ops[k].kind != '-';
  }
  return "@@ -" + std::to_string(ops[begin].old_no) + "," + std::to_string(old_count) + " +" +
         std::to_string(ops[begin].new_no) + "," + std::to_string(new_count) + " @@\n";
}

}  // namespace

std::string UnifiedLineDiff(std::string_view expected, std::string_view got, int context) {
  if (expected == got) return "";
  const std::vector<Op> ops = EditScript(SplitLines(expected), SplitLines(got));
  const size_t ctx = static_cast<size_t>(std::max(context, 0));
  std::string out = "--- expected (EXPLAIN FORMAT TEXT)\n+++ got (RenderText of FORMAT JSON)\n";
  std::vector<size_t> changes;
  for (size_t k = 0; k < ops.size(); ++k) {
    if (ops[k].kind != ' ') changes.push_back(k);
  }
  // A hunk holds the changes that are at most 2 * context unchanged lines apart.
  for (size_t c = 0; c < changes.size(); ++c) {
    const size_t first = changes[c];
    while (c + 1 < changes.size() && changes[c + 1] - changes[c] <= 2 * ctx + 1) ++c;
    const size_t begin = first >= ctx ? first - ctx : 0;
    const size_t end = std::min(ops.size(), changes[c] + ctx + 1);
    out += HunkHeader(ops, begin, end);
    for (size_t q = begin; q < end; ++q) out += FormatLine(ops[q]);
  }
  return out;
}

}  // namespace planbot::fidelity
