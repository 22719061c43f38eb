// Slack request signatures: Slack's published example, and every part of it mutated.
#include "adapters/slack/slack_verify.h"

#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace planbot::adapters {
namespace {

const std::string kSecret = "8f742231b10e8888abcd99yyyzzz85a5";
const std::string kTimestamp = "1531420618";
const std::string kBody =
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id="
    "G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-"
    "collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%"
    "2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121."
    "803a0bc887a14d10d2c447fce8b6703c";
const std::string kHex = "a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
const std::string kSignature = "v0=" + kHex;

std::chrono::system_clock::time_point At(int64_t seconds) {
  return std::chrono::system_clock::time_point(std::chrono::seconds(seconds));
}
const auto kNow = At(1531420618);

// An independent signer for requests made up by the tests.
std::string SignForTest(const std::string& secret, const std::string& ts, const std::string& body) {
  std::string base = "v0:" + ts + ":" + body;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(base.data()), base.size(), md, &n);
  std::string out = "v0=";
  char byte[3];
  for (unsigned int i = 0; i < n; ++i) {
    std::snprintf(byte, sizeof byte, "%02x", md[i]);
    out += byte;
  }
  return out;
}

// Fails with "unauthorized", and the message leaks neither the signature nor the secret.
void CheckRefused(const Status& st, const std::string& message_part = "") {
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == "unauthorized");
  CHECK(st.error().message.find(kHex) == std::string::npos);
  CHECK(st.error().message.find(kSecret) == std::string::npos);
  CHECK(st.error().message.find("v0=") == std::string::npos);
  if (!message_part.empty()) CHECK(st.error().message.find(message_part) != std::string::npos);
}

TEST_CASE("slack: the published example verifies") {
  CHECK(kBody.size() == 362);  // the body exactly as Slack documents it
  Status st = VerifySlackRequest(kSecret, kTimestamp, kSignature, kBody, kNow);
  CHECK(st.ok());
  CHECK(SignForTest(kSecret, kTimestamp, kBody) == kSignature);
}

TEST_CASE("slack: a changed body fails") {
  std::string flipped = kBody;
  flipped[10] = flipped[10] == 'a' ? 'b' : 'a';
  CheckRefused(VerifySlackRequest(kSecret, kTimestamp, kSignature, flipped, kNow), "bad signature");
  CheckRefused(VerifySlackRequest(kSecret, kTimestamp, kSignature, kBody + "\n", kNow));
  CheckRefused(VerifySlackRequest(kSecret, kTimestamp, kSignature, kBody.substr(1), kNow));
  CheckRefused(VerifySlackRequest(kSecret, kTimestamp, kSignature, "", kNow));
}

TEST_CASE("slack: a changed timestamp fails") {
  CheckRefused(VerifySlackRequest(kSecret, "1531420617", kSignature, kBody, kNow), "bad signature");
  CheckRefused(VerifySlackRequest(kSecret, "1531420619", kSignature, kBody, kNow), "bad signature");
  CheckRefused(VerifySlackRequest(kSecret, "01531420618", kSignature, kBody, kNow));
}

TEST_CASE("slack: a changed signature fails") {
  std::string one_digit = kSignature;
  one_digit.back() = one_digit.back() == '3' ? '4' : '3';
  CheckRefused(VerifySlackRequest(kSecret, kTimestamp, one_digit, kBody, kNow), "bad signature");
  std::string first_digit = kSignature;
  first_digit[3] = 'b';
  CheckRefused(VerifySlackRequest(kSecret, kTimestamp, first_digit, kBody, kNow));

  std::string upper = "v0=";
  for (char c : kHex) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CheckRefused(VerifySlackRequest(kSecret, kTimestamp, upper, kBody, kNow), "bad signature");
  CheckRefused(VerifySlackRequest(kSecret, kTimestamp, kHex, kBody, kNow));          // no "v0="
  CheckRefused(VerifySlackRequest(kSecret, kTimestamp, "v1=" + kHex, kBody, kNow));  // version
  CheckRefused(VerifySlackRequest(kSecret, kTimestamp, "V0=" + kHex, kBody, kNow));
  CheckRefused(VerifySlackRequest(kSecret, kTimestamp, kSignature.substr(0, 40), kBody, kNow));
  CheckRefused(VerifySlackRequest(kSecret, kTimestamp, kSignature + "0", kBody, kNow));
  CheckRefused(VerifySlackRequest(kSecret, kTimestamp, " " + kSignature, kBody, kNow));
  CheckRefused(VerifySlackRequest(kSecret, kTimestamp, "v0=", kBody, kNow));
  CheckRefused(VerifySlackRequest(kSecret, kTimestamp, "", kBody, kNow),
               "missing X-Slack-Signature");
}

TEST_CASE("slack: the wrong or no secret fails") {
  CheckRefused(
      VerifySlackRequest("8f742231b10e8888abcd99yyyzzz85a6", kTimestamp, kSignature, kBody, kNow),
      "bad signature");
  CheckRefused(VerifySlackRequest("", kTimestamp, kSignature, kBody, kNow));
}

TEST_CASE("slack: timestamps more than five minutes away fail in both directions") {
  const int64_t ts = 1531420618;
  CheckRefused(VerifySlackRequest(kSecret, kTimestamp, kSignature, kBody, At(ts + 301)),
               "stale timestamp");
  CheckRefused(VerifySlackRequest(kSecret, kTimestamp, kSignature, kBody, At(ts - 301)),
               "future timestamp");
  CHECK(VerifySlackRequest(kSecret, kTimestamp, kSignature, kBody, At(ts + 299)).ok());
  CHECK(VerifySlackRequest(kSecret, kTimestamp, kSignature, kBody, At(ts - 299)).ok());
  CHECK(VerifySlackRequest(kSecret, kTimestamp, kSignature, kBody, At(ts + 300)).ok());

  // Re-signed requests whose own timestamps are 301 / 299 s away from now.
  for (int64_t delta : {-301, 301}) {
    std::string t = std::to_string(ts + delta);
    CheckRefused(VerifySlackRequest(kSecret, t, SignForTest(kSecret, t, kBody), kBody, kNow),
                 delta < 0 ? "stale" : "future");
  }
  for (int64_t delta : {-299, 299}) {
    std::string t = std::to_string(ts + delta);
    CHECK(VerifySlackRequest(kSecret, t, SignForTest(kSecret, t, kBody), kBody, kNow).ok());
  }
}

TEST_CASE("slack: malformed or missing timestamps fail") {
  for (const std::string t : {"", "+1531420618", "-1531420618", " 1531420618", "1531420618 ",
                              "15314206l8", "1531420618.5", "0x5b47a8ca", "1531420618000000"}) {
    CAPTURE(t);
    // Signed over the malformed value, so only the timestamp check can refuse it.
    CheckRefused(VerifySlackRequest(kSecret, t, SignForTest(kSecret, t, kBody), kBody, kNow));
  }
  CheckRefused(VerifySlackRequest(kSecret, "", kSignature, kBody, kNow),
               "missing X-Slack-Request-Timestamp");
}

}  // namespace
}  // namespace planbot::adapters
