#include "analyzer/condition_columns.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace planbot::analyzer {

using Strings = std::vector<std::string>;

TEST_CASE("IndexCandidateColumns finds columns compared with constants, equality first") {
  CHECK(IndexCandidateColumns("(status = 'shipped'::text)") == Strings{"status"});
  CHECK(IndexCandidateColumns(
            "((orders.amount > '3'::numeric) AND (orders.status = 'shipped'::text))") ==
        Strings{"status", "amount"});
  CHECK(IndexCandidateColumns("((created_at >= '2024-01-01 00:00:00'::timestamp without time "
                              "zone) AND (customer_id = $1))") ==
        Strings{"customer_id", "created_at"});
  CHECK(IndexCandidateColumns("((status)::text = 'a'::text)") == Strings{"status"});
  CHECK(IndexCandidateColumns("(id = ANY ('{1,2,3}'::integer[]))") == Strings{"id"});
  CHECK(IndexCandidateColumns("(deleted_at IS NULL)") == Strings{"deleted_at"});
  CHECK(IndexCandidateColumns("(lower(email) = 'a@b.c'::text)") == Strings{"lower(email)"});
  CHECK(IndexCandidateColumns("(\"Order Date\" < CURRENT_DATE)") == Strings{"\"Order Date\""});
  CHECK(IndexCandidateColumns("(created_at > (now() - '1 day'::interval))") ==
        Strings{"created_at"});
  CHECK(IndexCandidateColumns("((c)::numeric > $1)") == Strings{"c"});
  CHECK(IndexCandidateColumns("(amount > (InitPlan 1).col1)") == Strings{"amount"});
  CHECK(IndexCandidateColumns("(name ~~ 'abc%'::text)") == Strings{"name"});
}

TEST_CASE("IndexCandidateColumns skips what a B-tree cannot use") {
  CHECK(IndexCandidateColumns("(status <> 'done'::text)").empty());
  CHECK(IndexCandidateColumns("(a = b)").empty());
  CHECK(IndexCandidateColumns("(deleted_at IS NOT NULL)").empty());
  CHECK(IndexCandidateColumns("(hashed SubPlan 1)").empty());
  CHECK(IndexCandidateColumns("(NOT (hashed SubPlan 1))").empty());
  CHECK(IndexCandidateColumns("((a + b) > 10)").empty());
  CHECK(IndexCandidateColumns("").empty());
}

TEST_CASE("ExtractComparisons reports join conditions with both columns") {
  const std::vector<Comparison> c = ExtractComparisons("(i.order_id = o.id)");
  REQUIRE(c.size() == 1);
  CHECK(c[0].column.qualifier == "i");
  CHECK(c[0].column.column == "order_id");
  REQUIRE(c[0].other);
  CHECK(c[0].other->qualifier == "o");
  CHECK(c[0].other->column == "id");
  CHECK(c[0].kind == ComparisonKind::kEquality);
}

TEST_CASE("ExtractComparisons marks values unknown at planning time") {
  const std::vector<Comparison> c =
      ExtractComparisons("((a = $1) AND (b > (InitPlan 1).col1) AND (c < ($2 + 1)) AND (d = 4))");
  REQUIRE(c.size() == 4);
  CHECK(c[0].parameter);
  CHECK(c[1].parameter);
  CHECK(c[2].parameter);
  CHECK_FALSE(c[3].parameter);
}

TEST_CASE("ExtractComparisons survives malformed and hostile input") {
  CHECK(ExtractComparisons("((((((").empty());
  CHECK(ExtractComparisons(")))) = = 'x").empty());
  CHECK(ExtractComparisons("'unterminated").empty());
  CHECK(ExtractComparisons(std::string(10000, '(') + "a = 1" + std::string(10000, ')')).empty());
  CHECK(ExtractComparisons("CASE WHEN (a = 1) THEN b ELSE c END").size() <= 1);
  const std::vector<Comparison> mixed = ExtractComparisons("(x = 1) garbage ] (y < 2)");
  CHECK(mixed.size() == 2);
}

}  // namespace planbot::analyzer
