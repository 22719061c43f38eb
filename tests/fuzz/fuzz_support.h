// Shared by the libFuzzer targets of tests/fuzz: splitting one input into fields, and the
// property check that stops the run with a reproducer when a promise is broken.
//
// Each target defines LLVMFuzzerTestOneInput; scripts/fuzz builds them with
// -fsanitize=fuzzer,address,undefined (PLANBOT_SANITIZE=fuzz) and runs them. A broken property
// prints what was expected and calls abort(), which libFuzzer reports as a crash and saves.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace planbot::fuzz {

// The input as text (libFuzzer's bytes, NULs included).
inline std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// The input split at NUL bytes into at most `max_fields` fields (the last keeps any further NUL);
// missing fields are empty.
inline std::vector<std::string> Fields(std::string_view text, size_t max_fields) {
  std::vector<std::string> out;
  while (out.size() + 1 < max_fields) {
    size_t nul = text.find('\0');
    if (nul == std::string_view::npos) break;
    out.emplace_back(text.substr(0, nul));
    text.remove_prefix(nul + 1);
  }
  out.emplace_back(text);
  out.resize(max_fields);
  return out;
}

[[noreturn]] inline void Fail(const char* property, std::string_view detail) {
  std::fprintf(stderr, "planbot fuzz: property broken: %s\n  %.*s\n", property,
               static_cast<int>(detail.size() > 2000 ? 2000 : detail.size()), detail.data());
  std::abort();
}

// The property holds, or the run stops here.
inline void Check(bool holds, const char* property, std::string_view detail = {}) {
  if (!holds) Fail(property, detail);
}

}  // namespace planbot::fuzz
