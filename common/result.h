// Result<T> and Error: how every planbot component reports an expected failure.
//
// Expected failures (SQL that does not parse, a statement timeout, a clone that went away, a busy
// store) are values, not exceptions. Library exceptions are caught at the edge of the folder that
// calls the library and turned into an Error; nothing throws across a folder boundary.
//
// `code` is one of the closed set of common/error_code.h, which callers may switch on and whose
// name the HTTP API exposes (e.g. "syntax_error", "bad_json", "timeout"); `message` is for
// humans and must never carry a secret or a value read from a user's table.
//
// Thread-safety: plain values; safe to copy and move between threads.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "common/error_code.h"

namespace planbot {

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  // Byte offset (1-based, as PostgreSQL reports it) into the input the error refers to; 0 if none.
  int position = 0;
  // The SQLSTATE of a database error ("22P02"), empty for other errors.
  std::string sqlstate;
  // For "quota" and other rate limits: seconds until a retry can succeed; 0 if not applicable.
  int retry_after = 0;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success carries nothing.
struct Ok {};
using Status = Result<Ok>;

inline Error MakeError(ErrorCode code, std::string message, int position = 0) {
  return Error{code, std::move(message), position, {}, 0};
}

}  // namespace planbot
