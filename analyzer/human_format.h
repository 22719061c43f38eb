// Human-readable figures for answers: sizes in binary units and durations in the unit that keeps
// three significant digits ("1.23 GiB", "45.6 ms", "2.50 s"). Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>

namespace planbot::analyzer {

// 0 B, 512 B, 1.00 KiB, 45.6 MiB, 1.23 GiB ... (1024-based, three significant digits).
std::string FormatBytes(double bytes);

// 0 ms, 0.012 ms, 1.23 ms, 45.6 ms, 123 ms, 1.23 s, 2.0 min, 1.5 h.
std::string FormatMillis(double ms);

// 1,234,567 style grouping for counts.
std::string FormatCount(int64_t n);

}  // namespace planbot::analyzer
