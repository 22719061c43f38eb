#include "analyzer/human_format.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>

namespace planbot::analyzer {

TEST_CASE("FormatBytes uses binary units with three significant digits") {
  CHECK(FormatBytes(0) == "0 B");
  CHECK(FormatBytes(512) == "512 B");
  CHECK(FormatBytes(1023) == "1023 B");
  CHECK(FormatBytes(1024) == "1.00 KiB");
  CHECK(FormatBytes(1536) == "1.50 KiB");
  CHECK(FormatBytes(8192) == "8.00 KiB");
  CHECK(FormatBytes(46.7 * 1024 * 1024) == "46.7 MiB");
  CHECK(FormatBytes(123.0 * 1024 * 1024) == "123 MiB");
  CHECK(FormatBytes(1.23 * 1024 * 1024 * 1024) == "1.23 GiB");
  CHECK(FormatBytes(2.5 * 1024.0 * 1024 * 1024 * 1024) == "2.50 TiB");
}

TEST_CASE("FormatBytes never prints 1024 of a unit") {
  CHECK(FormatBytes(1023.6) == "1.00 KiB");         // rounds to 1024 B
  CHECK(FormatBytes(1023.5 * 1024) == "1.00 MiB");  // rounds to 1024 KiB
  CHECK(FormatBytes(1023.99 * 1024 * 1024) == "1.00 GiB");
  CHECK(FormatBytes(1000.0 * 1024) == "1000 KiB");
}

TEST_CASE("FormatBytes handles negative and non-finite input") {
  CHECK(FormatBytes(-5) == "0 B");
  CHECK(FormatBytes(std::numeric_limits<double>::quiet_NaN()) == "0 B");
}

TEST_CASE("FormatMillis picks the unit that keeps three significant digits") {
  CHECK(FormatMillis(0) == "0 ms");
  CHECK(FormatMillis(-1) == "0 ms");
  CHECK(FormatMillis(0.012) == "0.012 ms");
  CHECK(FormatMillis(0.9994) == "0.999 ms");
  CHECK(FormatMillis(0.9996) == "1.00 ms");
  CHECK(FormatMillis(1.234) == "1.23 ms");
  CHECK(FormatMillis(45.6) == "45.6 ms");
  CHECK(FormatMillis(123.4) == "123 ms");
  CHECK(FormatMillis(999.4) == "999 ms");
  CHECK(FormatMillis(999.6) == "1.00 s");
  CHECK(FormatMillis(1234) == "1.23 s");
  CHECK(FormatMillis(2500) == "2.50 s");
  CHECK(FormatMillis(120000) == "2.0 min");
  CHECK(FormatMillis(5400000) == "1.5 h");
}

TEST_CASE("FormatCount groups thousands") {
  CHECK(FormatCount(0) == "0");
  CHECK(FormatCount(999) == "999");
  CHECK(FormatCount(1000) == "1,000");
  CHECK(FormatCount(1234567) == "1,234,567");
  CHECK(FormatCount(-1234) == "-1,234");
  CHECK(FormatCount(std::numeric_limits<int64_t>::min()) == "-9,223,372,036,854,775,808");
}

}  // namespace planbot::analyzer
