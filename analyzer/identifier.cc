#include "analyzer/identifier.h"

#include <algorithm>
#include <string>
#include <vector>

#include "analyzer/sql_scan.h"

namespace planbot::analyzer {
namespace {

using internal::KeywordCategory;

// The keywords that PostgreSQL quotes: every category but unreserved. Sorted for binary search.
class QuotedKeywords {
 public:
  QuotedKeywords() {
    for (auto& [word, category] : internal::ListKeywords()) {
      if (category == KeywordCategory::kNone || category == KeywordCategory::kUnreserved) continue;
      max_length_ = std::max(max_length_, word.size());
      words_.push_back(std::move(word));
    }
    std::sort(words_.begin(), words_.end());
  }

  bool empty() const { return words_.empty(); }

  bool Contains(std::string_view word) const {
    if (word.size() > max_length_) return false;
    return std::binary_search(words_.begin(), words_.end(), word,
                              [](std::string_view a, std::string_view b) { return a < b; });
  }

 private:
  std::vector<std::string> words_;
  size_t max_length_ = 0;
};

const QuotedKeywords& Keywords() {
  static const QuotedKeywords keywords;  // built once, thread-safe static initialisation
  return keywords;
}

bool IsPlainLowerWord(std::string_view ident) {
  if (ident.empty()) return false;
  const char first = ident.front();
  if (!((first >= 'a' && first <= 'z') || first == '_')) return false;
  return std::all_of(ident.begin(), ident.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// Slow path, only if the keyword table could not be built: ask the scanner about this word.
bool ScannerSaysQuote(std::string_view word) {
  Result<std::vector<internal::SqlToken>> tokens = internal::ScanSql(word);
  if (!tokens.ok() || tokens->size() != 1) return true;
  const KeywordCategory category = tokens->front().keyword;
  return category != KeywordCategory::kNone && category != KeywordCategory::kUnreserved;
}

bool IsQuotedKeyword(std::string_view word) {
  const QuotedKeywords& keywords = Keywords();
  if (keywords.empty()) return ScannerSaysQuote(word);
  return keywords.Contains(word);
}

}  // namespace

std::string QuoteIdentifier(std::string_view ident) {
  if (IsPlainLowerWord(ident) && !IsQuotedKeyword(ident)) return std::string(ident);
  std::string quoted;
  quoted.reserve(ident.size() + 2);
  quoted += '"';
  for (char c : ident) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

}  // namespace planbot::analyzer
