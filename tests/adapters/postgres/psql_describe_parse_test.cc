// ParseDescribe: the allow-list of describe commands and their one pattern (pure, no server).
#include <doctest/doctest.h>

#include <string>

#include "adapters/postgres/psql_describer.h"

namespace planbot::adapters {
namespace {

DescribeRequest Accepted(const std::string& text) {
  auto request = ParseDescribe(text);
  if (!request) FAIL_CHECK(text << " refused: " << request.error().message);
  return request ? *request : DescribeRequest{};
}

std::string Refusal(const std::string& text) {
  auto request = ParseDescribe(text);
  if (request) {
    FAIL_CHECK(text << " accepted as " << request->meta << " / " << request->pattern);
    return "";
  }
  CHECK(request.error().code == "refused");
  return request.error().message;
}

TEST_CASE("ParseDescribe accepts the describe commands with one pattern") {
  for (const char* text : {"\\d", "\\d+", "\\dt", "\\dt+", "\\di", "\\di+", "\\dv", "\\dv+", "\\dm",
                           "\\dm+", "\\dn", "\\dx", "\\df", "\\l"}) {
    auto request = Accepted(text);
    CHECK(request.meta == text);
    CHECK(request.pattern.empty());
  }
  struct Case {
    const char* text;
    const char* meta;
    const char* pattern;
  };
  for (const Case& c :
       {Case{"\\d+ orders", "\\d+", "orders"}, Case{"\\di+ customers_*", "\\di+", "customers_*"},
        Case{"\\di+ public.orders_*", "\\di+", "public.orders_*"},
        Case{"\\d \"Order Items\"", "\\d", "\"Order Items\""},
        Case{"\\d \"say \"\"hi\"\"\"", "\\d", "\"say \"\"hi\"\"\""},
        Case{"\\d public.orders", "\\d", "public.orders"}, Case{"\\d app.*", "\\d", "app.*"},
        Case{"\\d \"App\".\"Big Table\"", "\\d", "\"App\".\"Big Table\""},
        Case{"\\dt ord?rs$", "\\dt", "ord?rs$"}, Case{"\\d café", "\\d", "café"},
        Case{"\\d \"a:b 'c'\"", "\\d", "\"a:b 'c'\""}, Case{"\\l shop*", "\\l", "shop*"},
        Case{"\\dn app", "\\dn", "app"}, Case{"\\dx plpgsql", "\\dx", "plpgsql"},
        Case{"\\df leak_*", "\\df", "leak_*"}, Case{"  \\d   orders  \n", "\\d", "orders"}}) {
    auto request = Accepted(c.text);
    CHECK(request.meta == c.meta);
    CHECK(request.pattern == c.pattern);
  }
  CHECK(Accepted("\\d " + std::string(200, 'x')).pattern.size() == 200);
}

TEST_CASE("ParseDescribe refuses everything else and says why") {
  CHECK(Refusal("\\d orders; drop table x") == "\\d takes one object name; ';' is not allowed");
  CHECK(Refusal("\\d orders\n\\! ls").find("control characters") != std::string::npos);
  CHECK(Refusal("\\d orders \\\\! ls") ==
        "\\d takes one object name; a second argument is not "
        "allowed");
  CHECK(Refusal("\\d orders\\! ls").find("backslash") != std::string::npos);
  CHECK(Refusal("\\! ls").find("\\! is not allowed") == 0);
  CHECK(Refusal("\\c other").find("\\c is not allowed") == 0);
  CHECK(Refusal("\\copy orders to '/tmp/x'").find("\\copy is not allowed") == 0);
  CHECK(Refusal("\\o /tmp/x").find("\\o is not allowed") == 0);
  CHECK(Refusal("\\dS").find("\\dS is not allowed") == 0);
  CHECK(Refusal("\\dt+orders").find("not allowed") != std::string::npos);
  CHECK(Refusal("\\d \"unbalanced") == "\\d takes one object name; a double quote is not closed");
  CHECK(Refusal("\\d a b").find("a second argument") != std::string::npos);
  CHECK(Refusal("\\d orders\tx").find("control characters") != std::string::npos);
  CHECK(Refusal("\\d\torders").find("control characters") != std::string::npos);
  CHECK(Refusal("\\d " + std::string(300, 'x')) ==
        "\\d takes one object name of at most 200 bytes");
  CHECK(Refusal(std::string("\\d ord\0ers", 10)).find("control") != std::string::npos);
  CHECK(Refusal("\\d ord\x1b[2Jers").find("control") != std::string::npos);
  CHECK(Refusal("\\d ord\x7f").find("control") != std::string::npos);
  CHECK(Refusal("\\d ord\u2028ers").find("control") != std::string::npos);  // line separator
  CHECK(Refusal("\\d ord\u202eers").find("control") != std::string::npos);  // bidi override
  CHECK(Refusal("\\d ord\xc2\x85").find("control") != std::string::npos);   // C1 NEL
  CHECK(Refusal("\\d ord\xffx").find("UTF-8") != std::string::npos);
  CHECK(Refusal("\\d ord\xc0\xafx").find("UTF-8") != std::string::npos);  // overlong '/'
  CHECK(Refusal("\\d ord\xe2\x82").find("UTF-8") != std::string::npos);   // truncated
}

TEST_CASE("ParseDescribe refuses what psql would interpret") {
  CHECK(Refusal("\\d a`id`b").find("'`' is not allowed") != std::string::npos);  // a shell
  CHECK(Refusal("\\d \"a`id`b\"").find("'`' is not allowed") != std::string::npos);
  CHECK(Refusal("\\d :foo").find("':' is not allowed") != std::string::npos);  // a variable
  CHECK(Refusal("\\d :'foo'").find("':' is not allowed") != std::string::npos);
  CHECK(Refusal("\\d 'a\\x41'").find("''' is not allowed") != std::string::npos);  // escapes
  CHECK(Refusal("\\d \"a\\\\b\"").find("backslash") != std::string::npos);
  CHECK(Refusal("\\d \"a;b\"").find("';' is not allowed") != std::string::npos);
  CHECK(Refusal("\\d orders|cat").find("'|' is not allowed") != std::string::npos);
  CHECK(Refusal("\\d -x").find("'-' is not allowed") != std::string::npos);
  CHECK(Refusal("\\d \"a\"\"").find("not closed") != std::string::npos);
  CHECK(Refusal("\\d \"a\" b").find("a second argument") != std::string::npos);
}

TEST_CASE("ParseDescribe refuses text that is not a describe command") {
  CHECK(Refusal("").find("not a describe command") == 0);
  CHECK(Refusal("   ").find("not a describe command") == 0);
  CHECK(Refusal("d orders").find("not a describe command") == 0);
  CHECK(Refusal("select 1").find("not a describe command") == 0);
  CHECK(Refusal("\\").find("\\ is not allowed") == 0);
  CHECK(Refusal("\\d;drop").find("\\d;drop is not allowed") == 0);
  CHECK(Refusal("\\" + std::string(40, 'x')).find("this backslash command") == 0);
  CHECK(Refusal("\\d\xc3\xa9").find("this backslash command") == 0);
}

}  // namespace
}  // namespace planbot::adapters
