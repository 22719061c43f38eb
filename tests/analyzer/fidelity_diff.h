// A unified-style line diff for test failure messages: what PostgreSQL printed (expected) against
// what the renderer produced (got), in hunks with a few lines of context.
//
// Lines are compared exactly. A text whose last line lacks its '\n' gets a marker line, as in
// diff(1), and lines ending in spaces or tabs are shown with a '$' after them, so invisible
// differences become visible. Pure function; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace planbot::fidelity {

// Empty when the texts are equal.
std::string UnifiedLineDiff(std::string_view expected, std::string_view got, int context = 3);

}  // namespace planbot::fidelity
