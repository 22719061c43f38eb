// Per-user quotas: a sliding window, with the wait until the next command can run.
#include "core/quota.h"

#include <doctest/doctest.h>

using planbot::core::Quota;
using planbot::core::QuotaConfig;
using namespace std::chrono_literals;

TEST_CASE("a user gets N commands per window, then a refusal that says when to retry") {
  Quota quota(QuotaConfig{3, std::chrono::seconds(60)});
  auto t0 = Quota::Clock::time_point{} + 1000s;
  CHECK(quota.Take("ana", t0).ok());
  CHECK(quota.Take("ana", t0 + 10s).ok());
  CHECK(quota.Take("ana", t0 + 20s).ok());
  auto refused = quota.Take("ana", t0 + 30s);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == "quota");
  CHECK(refused.error().retry_after == 30);
  CHECK(refused.error().message == "quota reached: 3 commands per 60 s; try again in 30 s");
  // Other users are counted separately; a refused command does not count.
  CHECK(quota.Take("ben", t0 + 30s).ok());
  // The window slides: the first command leaves it at t0 + 60 s.
  CHECK(quota.Take("ana", t0 + 60s).ok());
  CHECK_FALSE(quota.Take("ana", t0 + 61s).ok());
}

TEST_CASE("a quota of 0 commands means no quota") {
  Quota quota(QuotaConfig{0, std::chrono::seconds(60)});
  for (int i = 0; i < 1000; ++i) CHECK(quota.Take("ana").ok());
}
