#include <doctest/doctest.h>

#include <set>
#include <string_view>

#include "common/error_code.h"
#include "common/result.h"

TEST_CASE("Result carries a value or an error") {
  planbot::Result<int> ok = 3;
  CHECK(ok.ok());
  CHECK(*ok == 3);
  planbot::Result<int> bad = planbot::MakeError(planbot::ErrorCode::kBadRequest, "it broke", 4);
  CHECK_FALSE(bad.ok());
  CHECK(bad.error().code == planbot::ErrorCode::kBadRequest);
  CHECK(bad.error().code == "bad_request");
  CHECK_FALSE(bad.error().code == "bad");
  CHECK(bad.error().position == 4);
}

TEST_CASE("the error vocabulary: one row per code, unique names, statuses of SPEC §4") {
  std::set<std::string_view> names;
  for (size_t i = 0; i < planbot::kErrorCodes.size(); ++i) {
    const planbot::ErrorCodeInfo& row = planbot::kErrorCodes[i];
    CHECK(static_cast<size_t>(row.code) == i);  // the table is indexed by the enum
    CHECK(names.insert(row.name).second);
    CHECK(row.http_status >= 400);
    CHECK(row.http_status < 600);
  }
  using planbot::ErrorCode;
  using planbot::Info;
  CHECK(Info(ErrorCode::kUnauthorized).http_status == 401);
  CHECK(Info(ErrorCode::kForbidden).http_status == 403);
  CHECK(Info(ErrorCode::kNotFound).http_status == 404);
  CHECK(Info(ErrorCode::kTimeout).http_status == 408);
  CHECK(Info(ErrorCode::kTooLarge).http_status == 413);
  CHECK(Info(ErrorCode::kQuota).http_status == 429);
  CHECK(Info(ErrorCode::kCloneUnavailable).http_status == 503);
  // A bug is not the user's fault: an unreadable EXPLAIN is 500, not 400.
  CHECK(Info(ErrorCode::kInternal).http_status == 500);
  CHECK(Info(ErrorCode::kQuota).retryable);
  CHECK_FALSE(Info(ErrorCode::kSyntaxError).retryable);
  CHECK(planbot::OutcomeName(Info(ErrorCode::kDatabaseError).outcome) == "error");
  CHECK(planbot::OutcomeName(Info(ErrorCode::kSyntaxError).outcome) == "refused");
}
