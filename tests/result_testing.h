#pragma once
// ErrorText(result): the error message of a Result, or "" when it holds a value. doctest evaluates
// the message of REQUIRE_MESSAGE/CHECK_MESSAGE lazily, also when the check passes and successes
// are reported (-s); calling error() on a Result that holds a value there would abort the run.
#include <string>

namespace planbot::testing {

template <class R>
std::string ErrorText(const R& result) {
  return result.ok() ? std::string() : result.error().message;
}

}  // namespace planbot::testing
