#include "util/text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace hotspot {
namespace {

// "Đặng Cương" composed (NFC) and decomposed (NFD: base letters plus U+0300-U+036F marks).
const std::string kNfc = "\xC4\x90\xE1\xBA\xB7ng C\xC6\xB0\xC6\xA1ng";
const std::string kNfd =
    "\xC4\x90"
    "a\xCC\xA3\xCC\x86"
    "ng Cu\xCC\x9B"
    "o\xCC\x9B"
    "ng";

TEST(DisplayWidth, CountsCodePointsAndNotCombiningMarks) {
  EXPECT_EQ(display_width(""), 0u);
  EXPECT_EQ(display_width("abc"), 3u);
  EXPECT_EQ(display_width(kNfc), 10u);
  EXPECT_EQ(display_width(kNfd), 10u);
  EXPECT_GT(kNfd.size(), kNfc.size());
  EXPECT_EQ(display_width("\xE2\x80\xA6"), 1u);  // …
  EXPECT_EQ(display_width("a\xFF"
                          "b"),
            3u);  // an invalid byte is one column
}

TEST(TruncateToWidth, KeepsWhatFits) {
  EXPECT_EQ(truncate_to_width(kNfc, 10), kNfc);
  EXPECT_EQ(truncate_to_width(kNfd, 10), kNfd);
  EXPECT_EQ(truncate_to_width("abcdef", 4), "abc\xE2\x80\xA6");
  EXPECT_EQ(truncate_to_width("abcdef", 1), "\xE2\x80\xA6");
  EXPECT_EQ(truncate_to_width("abcdef", 0), "");
}

TEST(TruncateToWidth, CutsBetweenCharactersWithTheirMarks) {
  // 3 columns: "Đặ" + "…"; the ặ keeps both of its marks in NFD.
  EXPECT_EQ(truncate_to_width(kNfc, 3), "\xC4\x90\xE1\xBA\xB7\xE2\x80\xA6");
  EXPECT_EQ(truncate_to_width(kNfd, 3),
            "\xC4\x90"
            "a\xCC\xA3\xCC\x86\xE2\x80\xA6");
  for (std::size_t w = 1; w < 10; ++w) {
    for (const std::string& s : {kNfc, kNfd}) {
      const std::string t = truncate_to_width(s, w);
      EXPECT_EQ(display_width(t), w) << w;
      const std::string kept = t.substr(0, t.size() - 3);
      ASSERT_EQ(s.compare(0, kept.size(), kept), 0) << w;  // a prefix, cut at a byte boundary of s
      const auto next = static_cast<unsigned char>(s[kept.size()]);
      EXPECT_NE(next >> 6, 2u) << "cut inside a UTF-8 sequence at width " << w;
      EXPECT_NE(s.compare(kept.size(), 1, "\xCC"), 0)
          << "a combining mark left behind at width " << w;
    }
  }
}

TEST(FitToWidth, PadsByColumnsNotBytes) {
  EXPECT_EQ(fit_to_width(kNfd, 12), kNfd + "  ");
  EXPECT_EQ(fit_to_width("42", 5, /*align_right=*/true), "   42");
  EXPECT_EQ(fit_to_width("abcdef", 4), "abc\xE2\x80\xA6");
}

}  // namespace
}  // namespace hotspot
