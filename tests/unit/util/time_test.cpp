#include "util/time.hpp"

#include <gtest/gtest.h>

#include "hotspot/error.hpp"

namespace hotspot {
namespace {

constexpr int kHanoi = 7 * 60;

std::int64_t parse(const char* s, int offset = kHanoi) {
  std::string why;
  auto t = parse_iso8601(s, offset, &why);
  EXPECT_TRUE(t.has_value()) << s << ": " << why;
  return t.value_or(0);
}

TEST(Iso8601, UtcAndOffsetsAgree) {
  // 2024-03-05T15:14:09Z = 1709651649 (date -u -d 2024-03-05T15:14:09Z +%s)
  EXPECT_EQ(parse("2024-03-05T15:14:09Z"), 1709651649);
  EXPECT_EQ(parse("2024-03-05T22:14:09+07:00"), 1709651649);
  EXPECT_EQ(parse("2024-03-05T22:14:09+0700"), 1709651649);
  EXPECT_EQ(parse("2024-03-05T22:14:09+07"), 1709651649);
  EXPECT_EQ(parse("2024-03-05T10:14:09-05:00"), 1709651649);
  EXPECT_EQ(parse("2024-03-05T15:14:09.250Z"), 1709651649);
}

TEST(Iso8601, OnlyYears0001To9999InUtc) {
  EXPECT_EQ(parse("0001-01-01T00:00:00Z"), kMinTimeUtc);
  EXPECT_EQ(parse("9999-12-31T23:59:59Z"), kMaxTimeUtc);
  EXPECT_EQ(format_utc(kMinTimeUtc), "0001-01-01T00:00:00Z");
  for (const char* bad : {"0000-01-01", "0000-12-31T23:59:59Z", "0001-01-01T06:59:59+07:00",
                          "9999-12-31T23:00:00-07:00", "10000-01-01"}) {
    std::string why;
    EXPECT_FALSE(parse_iso8601(bad, 0, &why).has_value()) << bad;
  }
  std::string why;
  parse_iso8601("0000-06-01", 0, &why);
  EXPECT_NE(why.find("0001-9999"), std::string::npos) << why;
}

TEST(Iso8601, NaiveTimesUseTheConfiguredOffset) {
  EXPECT_EQ(parse("2024-03-05 22:14:09"), 1709651649);
  EXPECT_EQ(parse("2024-03-05T22:14:09"), 1709651649);
  EXPECT_EQ(parse("2024-03-05 15:14:09", 0), 1709651649);
  EXPECT_EQ(parse("2024-03-05T22:14"), 1709651649 - 9);
  EXPECT_EQ(parse("2024-03-06"), 1709658000);  // midnight local = 17:00Z the day before
}

TEST(Iso8601, Epochs) {
  EXPECT_EQ(parse("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse("1969-12-31T23:59:59Z"), -1);
  EXPECT_EQ(parse("2000-02-29T00:00:00Z"), 951782400);
}

TEST(Iso8601, RejectsImpossibleAndMalformed) {
  for (const char* s : {"", "   ", "yesterday", "2024-13-45 25:00", "2023-02-29", "2024-04-31",
                        "2024-03-05T24:00", "2024-03-05T12:60", "2024-3-5", "05/03/2024",
                        "2024-03-05T22:14:09+15:00", "2024-03-05T22:14:09 junk", "2024-03-05T22"}) {
    std::string why;
    EXPECT_FALSE(parse_iso8601(s, kHanoi, &why).has_value()) << s;
    EXPECT_FALSE(why.empty()) << s;
  }
}

TEST(Iso8601, FormatRoundTrips) {
  for (std::int64_t t : {0LL, -1LL, 1709651649LL, 951782400LL, 4102444799LL}) {
    std::string s = format_utc(t);
    EXPECT_EQ(parse(s.c_str()), t) << s;
  }
  EXPECT_EQ(format_utc(1709651649), "2024-03-05T15:14:09Z");
}

TEST(WindowOptions, HoursAndDates) {
  EXPECT_EQ(parse_hhmm("22:00", "--hours"), 22 * 60);
  EXPECT_EQ(parse_hhmm("04:30", "--hours"), 4 * 60 + 30);
  EXPECT_EQ(parse_hhmm("24:00", "--hours"), 24 * 60);  // the end of a day
  for (const char* bad : {"24:01", "25:00", "12:60", "noon", "12", "12:00x", ""})
    EXPECT_THROW(parse_hhmm(bad, "--hours"), UsageError) << bad;
  // Local midnight at +07:00 is 17:00 UTC the day before.
  EXPECT_EQ(local_midnight("2024-03-06", kHanoi, "--from"), 1709658000);
  EXPECT_EQ(local_midnight("2024-02-29", 0, "--from"), 1709164800);
  for (const char* bad :
       {"2024-02-30", "2023-02-29", "2024-13-01", "2024-04-31", "2024-3-x", "06/03/2024"})
    EXPECT_THROW(local_midnight(bad, kHanoi, "--to"), UsageError) << bad;
}

}  // namespace
}  // namespace hotspot
