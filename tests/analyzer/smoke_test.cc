#include <doctest/doctest.h>

#include "common/result.h"

TEST_CASE("Result carries a value or an error") {
  planbot::Result<int> ok = 3;
  CHECK(ok.ok());
  CHECK(*ok == 3);
  planbot::Result<int> bad = planbot::MakeError("bad", "it broke", 4);
  CHECK_FALSE(bad.ok());
  CHECK(bad.error().code == "bad");
  CHECK(bad.error().position == 4);
}
