// Names in rendered plans are quoted exactly as PostgreSQL's quote_identifier() quotes them.
#include "analyzer/identifier.h"

#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace planbot::analyzer {
namespace {

TEST_CASE("identifiers are quoted like PostgreSQL quotes them") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"orders", "orders"},
      {"order_items2", "order_items2"},
      {"_tmp", "_tmp"},
      {"Order Items", "\"Order Items\""},
      {"Orders", "\"Orders\""},
      {"2fa", "\"2fa\""},
      {"a-b", "\"a-b\""},
      {"a$b", "\"a$b\""},
      {"café", "\"café\""},
      {"*VALUES*", "\"*VALUES*\""},
      {"a\"b", "\"a\"\"b\""},
      {"\"", "\"\"\"\""},
      {"", "\"\""},
      // Keywords: reserved, type/function-name and column-name keywords need quotes.
      {"select", "\"select\""},
      {"user", "\"user\""},
      {"order", "\"order\""},
      {"left", "\"left\""},
      {"authorization", "\"authorization\""},
      {"int", "\"int\""},
      {"between", "\"between\""},
      {"current_timestamp", "\"current_timestamp\""},
      // Unreserved keywords do not.
      {"name", "name"},
      {"text", "text"},
      {"update", "update"},
      {"index", "index"},
      {"data", "data"},
      {"current_timestamps", "current_timestamps"},
  };
  for (const auto& [ident, quoted] : cases) {
    CAPTURE(ident);
    CHECK(QuoteIdentifier(ident) == quoted);
  }
}

TEST_CASE("quoting from several threads at once") {
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &wrong] {
      for (int i = 0; i < 1000; ++i) {
        if (QuoteIdentifier("select") != "\"select\"" || QuoteIdentifier("orders") != "orders") {
          ++wrong[t];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  CHECK(wrong == std::vector<int>(4, 0));
}

}  // namespace
}  // namespace planbot::analyzer
