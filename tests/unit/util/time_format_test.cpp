// --time-format: presets, strftime patterns, date-only values and detection. Expected times are
// computed independently with days_from_civil (checked in time_test against known dates).
#include "util/time_format.hpp"

#include <gtest/gtest.h>

#include "hotspot/error.hpp"
#include "hotspot/ingest.hpp"
#include "util/time.hpp"

namespace hotspot {
namespace {

std::int64_t utc(int y, unsigned m, unsigned d, int h = 0, int mi = 0, int s = 0, int off = 420) {
  return days_from_civil(y, m, d) * 86400 + h * 3600 + mi * 60 + s - off * 60;
}

std::optional<ParsedTime> parse(const std::string& v, const std::string& f) {
  std::string why;
  return parse_time(v, compile_time_format(f), 420, &why);
}

TEST(TimeFormat, Presets) {
  EXPECT_EQ(parse("2025-09-01T00:10:00+07:00", "iso")->utc, utc(2025, 9, 1, 0, 10));
  EXPECT_TRUE(parse("2025-09-01", "iso")->date_only);
  EXPECT_FALSE(parse("2025-09-01 00:10", "iso")->date_only);
  EXPECT_EQ(parse("01/09/2025 00:10", "dmy")->utc, utc(2025, 9, 1, 0, 10));
  EXPECT_EQ(parse("1/9/2025 0:10:05", "dmy")->utc, utc(2025, 9, 1, 0, 10, 5));
  EXPECT_EQ(parse("01-09-2025", "dmy")->utc, utc(2025, 9, 1));
  EXPECT_TRUE(parse("01.09.2025", "dmy")->date_only);
  EXPECT_EQ(parse("09/01/2025 23:59", "mdy")->utc, utc(2025, 9, 1, 23, 59));
  EXPECT_FALSE(parse("31/01/2025", "mdy"));  // month 31
  EXPECT_FALSE(parse("29/02/2025", "dmy"));  // not a leap year
  EXPECT_TRUE(parse("29/02/2024", "dmy"));
  // Excel: 45901 is 2025-09-01; .25 of a day is 06:00 local.
  EXPECT_EQ(parse("45901", "excel-serial")->utc, utc(2025, 9, 1));
  EXPECT_TRUE(parse("45901", "excel-serial")->date_only);
  EXPECT_EQ(parse("45901.25", "excel-serial")->utc, utc(2025, 9, 1, 6));
  EXPECT_EQ(parse("1756660200", "epoch-s")->utc, 1756660200);
  EXPECT_EQ(parse("1756660200123", "epoch-ms")->utc, 1756660200);
  EXPECT_FALSE(parse("abc", "epoch-s"));
}

TEST(TimeFormat, Patterns) {
  EXPECT_EQ(parse("01/09/2025 00:10", "%d/%m/%Y %H:%M")->utc, utc(2025, 9, 1, 0, 10));
  // The value may stop before its time of day: date-only.
  auto d = parse("01/09/2025", "%d/%m/%Y %H:%M");
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->date_only);
  EXPECT_EQ(d->utc, utc(2025, 9, 1));
  EXPECT_FALSE(parse("01/09/2025 00", "%d/%m/%Y %H:%M"));
  EXPECT_FALSE(parse("01-09-2025", "%d/%m/%Y"));  // literal separators in a pattern are exact
  EXPECT_EQ(parse("1 Sep 2025 10:00 PM", "%d %b %Y %I:%M %p")->utc, utc(2025, 9, 1, 22));
  EXPECT_EQ(parse("01/09/25 12:00 SA", "%d/%m/%y %I:%M %p")->utc, utc(2025, 9, 1, 0));
  EXPECT_EQ(parse("2025-09-01T00:10:00Z", "%FT%T%z")->utc, utc(2025, 9, 1, 0, 10, 0, 0));
  EXPECT_EQ(parse("20250901", "%Y%m%d")->utc, utc(2025, 9, 1));
  EXPECT_FALSE(parse("01/09/2025 00:10 junk", "%d/%m/%Y %H:%M"));
  EXPECT_FALSE(parse("01/09/2025 24:10", "%d/%m/%Y %H:%M"));
}

TEST(TimeFormat, BadFormatsNameTheParameter) {
  for (const char* f : {"%d/%m", "%Q-%m-%d", "%Y-%m-%d %", "%H:%M"}) {
    try {
      compile_time_format(f);
      ADD_FAILURE() << f;
    } catch (const ParameterError& e) {
      EXPECT_EQ(e.parameter(), "time_format");
    }
  }
}

TEST(TimeFormat, Detection) {
  EXPECT_EQ(detect_time_format({"2025-09-01T00:10:00", "2025-09-02 10:00", ""}), "iso");
  EXPECT_EQ(detect_time_format({"01/09/2025 00:10", "13/09/2025 10:00"}), "dmy");
  EXPECT_EQ(detect_time_format({"09/13/2025 00:10", "09/01/2025"}), "mdy");
  EXPECT_EQ(detect_time_format({"45901.25", "45902"}), "excel-serial");
  EXPECT_EQ(detect_time_format({"1756660200", "1756670200"}), "epoch-s");
  EXPECT_EQ(detect_time_format({"1756660200123"}), "epoch-ms");
  EXPECT_EQ(detect_time_format({"1 Sep 2025 10:00"}), "%d %b %Y %H:%M");
  EXPECT_EQ(detect_time_format({"9/13/2025 10:00:00 PM"}), "%m/%d/%Y %I:%M:%S %p");
  EXPECT_EQ(detect_time_format({"yesterday", "soon"}), std::nullopt);
  EXPECT_EQ(detect_time_format({}), std::nullopt);
  // Most, not all: the one odd value does not hide the format.
  EXPECT_EQ(detect_time_format({"01/09/2025", "13/09/2025", "n/a"}), "dmy");
}

}  // namespace
}  // namespace hotspot
