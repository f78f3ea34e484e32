#include "util/text.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

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

TEST(WrapToWidth, BreaksAtSpacesByColumnsAndIndentsWhatFollows) {
  EXPECT_EQ(wrap_to_width("short", 80, 4), std::vector<std::string>{"short"});
  EXPECT_EQ(wrap_to_width("", 80, 4), std::vector<std::string>{""});
  // The label's two spaces stay; the break falls before the word that would overflow.
  EXPECT_EQ(wrap_to_width("window  aaa bbb; ccc", 15, 6),
            (std::vector<std::string>{"window  aaa", "      bbb; ccc"}));
  EXPECT_EQ(wrap_to_width("window  aaa bbb; ccc", 12, 6),
            (std::vector<std::string>{"window  aaa", "      bbb;", "      ccc"}));
  // Vietnamese words are measured in columns: "Đặng Cương, " fits 12 columns in NFD as in NFC.
  for (const std::string& name : {kNfc, kNfd}) {
    const auto lines = wrap_to_width("x " + name + ", " + name, 12, 2);
    const std::string first = name.substr(0, name.find(' ')),
                      second = name.substr(name.find(' ') + 1);
    EXPECT_EQ(lines, (std::vector<std::string>{"x " + first, "  " + second + ",", "  " + name}));
  }
  // A word longer than a whole line is cut, not lost.
  const auto cut = wrap_to_width("a abcdefghij", 6, 2);
  EXPECT_EQ(cut, (std::vector<std::string>{"a", "  abc\xE2\x80\xA6"}));
  // Every word of the text is kept, in order.
  std::string words;
  for (int i = 0; i < 60; ++i) words += (i ? " w" : "w") + std::to_string(i);
  std::string joined;
  for (const auto& l : wrap_to_width(words, 20, 3)) {
    EXPECT_LE(display_width(l), 20u);
    joined += (joined.empty() ? "" : " ") + l.substr(l.find_first_not_of(' '));
  }
  EXPECT_EQ(joined, words);
}

TEST(NameList, QuotesNamesThatHoldTheSeparator) {
  // "theft, attempted" is one category; unquoted, the list read as if it were two.
  EXPECT_EQ(name_list({"theft", "drugs", "theft, attempted"}), "theft, drugs, 'theft, attempted'");
  EXPECT_EQ(name_list({"Trộm cắp", "Gây rối"}), "Trộm cắp, Gây rối");  // nothing to quote
  EXPECT_EQ(name_list({"a,b", "c"}, "; "), "'a,b'; c");  // a comma, whatever the separator
  EXPECT_EQ(name_list({"a; b", "c"}, "; "), "'a; b'; c");
  EXPECT_EQ(list_item("O'Brien, Jr."), "\"O'Brien, Jr.\"");
  EXPECT_EQ(list_item(" padded"), "' padded'");
  EXPECT_EQ(name_list({}), "");
}

TEST(FitToWidth, PadsByColumnsNotBytes) {
  EXPECT_EQ(fit_to_width(kNfd, 12), kNfd + "  ");
  EXPECT_EQ(fit_to_width("42", 5, /*align_right=*/true), "   42");
  EXPECT_EQ(fit_to_width("abcdef", 4), "abc\xE2\x80\xA6");
}

std::string ascii_lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool valid_utf8(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80         ? 1
                      : (c >> 5) == 6  ? 2
                      : (c >> 4) == 14 ? 3
                      : (c >> 3) == 30 ? 4
                                       : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    i += len;
  }
  return true;
}

// Appends code point cp as UTF-8.
void put(std::string& s, std::uint32_t cp) {
  if (cp < 0x80) {
    s += static_cast<char>(cp);
  } else if (cp < 0x800) {
    s += static_cast<char>(0xC0 | (cp >> 6)), s += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    s += static_cast<char>(0xE0 | (cp >> 12)), s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    s += static_cast<char>(0xF0 | (cp >> 18)), s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F)), s += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

void expect_valid_and_unique(const std::vector<std::string>& names,
                             const std::vector<std::string>& taken) {
  std::set<std::string> seen;
  for (const auto& t : taken) seen.insert(ascii_lower(t));
  for (const auto& n : names) {
    EXPECT_LE(n.size(), kMaxFieldNameBytes) << n;
    EXPECT_TRUE(valid_utf8(n)) << n;
    EXPECT_EQ(n.rfind("n_", 0), 0u) << n;
    EXPECT_TRUE(seen.insert(ascii_lower(n)).second) << "duplicate field name " << n;
  }
}

TEST(UniqueFieldNames, CaseAndPunctuationClashesGetSuffixesInFirstSeenOrder) {
  const std::vector<std::string> labels = {"theft",
                                           "Theft",
                                           "THEFT",
                                           "Tr\xE1\xBB\x99m c\xE1\xBA\xAFp",
                                           "tr\xE1\xBB\x99m c\xE1\xBA\xAFp",
                                           "Tr\xE1\xBB\x99m-c\xE1\xBA\xAFp",
                                           "theft_2",
                                           "a b",
                                           "a.b"};
  const auto names = unique_field_names(labels, "n_");
  EXPECT_EQ(names, (std::vector<std::string>{
                       "n_theft", "n_Theft_2", "n_THEFT_3", "n_Tr\xE1\xBB\x99m_c\xE1\xBA\xAFp",
                       "n_tr\xE1\xBB\x99m_c\xE1\xBA\xAFp_2", "n_Tr\xE1\xBB\x99m_c\xE1\xBA\xAFp_3",
                       "n_theft_2_2", "n_a_b", "n_a_b_2"}));
  EXPECT_EQ(unique_field_names(labels, "n_"), names);  // deterministic
  expect_valid_and_unique(names, {});
  EXPECT_EQ(unique_field_names({"x"}, "n_", {"N_X"}), (std::vector<std::string>{"n_x_2"}));
}

TEST(UniqueFieldNames, LongNamesAreCutOnACodePointBoundary) {
  std::string viet;
  for (int i = 0; i < 40; ++i) viet += "\xE1\xBB\x99";  // ộ, 3 bytes each
  const auto names = unique_field_names({viet, viet + "x", std::string(500, 'a')}, "n_");
  expect_valid_and_unique(names, {});
  EXPECT_EQ(names[0].size(), 62u);  // n_ + 20 x 3 bytes: a 21st would make 65
  EXPECT_EQ(names[2].size(), kMaxFieldNameBytes);
  EXPECT_EQ(utf8_prefix("a\xE1\xBB\x99", 3), "a");
  EXPECT_EQ(utf8_prefix("a\xE1\xBB\x99", 4), "a\xE1\xBB\x99");
}

// Any set of category names, from a seeded generator of random Unicode that favours clashes
// (case, punctuation, shared long prefixes, invalid bytes), gives valid, unique, bounded names.
TEST(UniqueFieldNames, RandomUnicodeLabels) {
  std::mt19937_64 rng(20240601);
  const std::vector<std::uint32_t> pool = {
      'a',    'A',    'b',    'B',    '-',     ' ',    '.',    '_',    '1',  0xE9, 0xC9,
      0x1ED9, 0x1ED8, 0x0301, 0x4E2D, 0x1F600, 0xFFFD, 0x00A0, 0x200B, '\t', '"',  '\''};
  for (int round = 0; round < 200; ++round) {
    std::vector<std::string> labels;
    const int n = 1 + static_cast<int>(rng() % 60);
    for (int k = 0; k < n; ++k) {
      std::string s = rng() % 4 == 0 ? std::string(60, 'x') : std::string();
      const int len = static_cast<int>(rng() % 12);
      for (int c = 0; c < len; ++c) put(s, pool[rng() % pool.size()]);
      if (rng() % 10 == 0) s += static_cast<char>(0x80 + rng() % 0x40);  // a stray byte
      labels.push_back(s);
    }
    const auto names = unique_field_names(labels, "n_", {"commune_id", "name"});
    ASSERT_EQ(names.size(), labels.size());
    expect_valid_and_unique(names, {"commune_id", "name"});
  }
}

// Every number a message shows carries its unit (issue 17): no "%f" six decimals, no bare numbers.
TEST(WithUnit, DistancesAndDays) {
  EXPECT_EQ(metres_text(500), "500 m");
  EXPECT_EQ(metres_text(200.0), "200 m");  // was "200.000000"
  EXPECT_EQ(metres_text(12.5), "12.5 m");
  EXPECT_EQ(metres_text(0.7), "0.7 m");
  EXPECT_EQ(metres_text(0.75), "0.75 m");
  EXPECT_EQ(metres_text(2.0 / 3), "0.67 m");
  EXPECT_EQ(metres_text(1e9), "1000000000 m");
  EXPECT_EQ(metres_text(1e300), "1e+300 m");
  EXPECT_EQ(metres_text(0.0001), "0.0001 m");
  EXPECT_EQ(metres_text(0), "0 m");
  EXPECT_EQ(metres_text(-0.001), "-0.001 m");
  EXPECT_EQ(metres_text(-0.0), "0 m");
  EXPECT_EQ(metres_text(-5), "-5 m");
  EXPECT_EQ(metres_text(std::nan("")), "nan m");
  EXPECT_EQ(metres_text(-INFINITY), "-inf m");
  EXPECT_EQ(days_text(1), "1 day");
  EXPECT_EQ(days_text(7), "7 days");
  EXPECT_EQ(days_text(0.5), "0.5 days");
  EXPECT_EQ(with_unit(3.14159, "km²"), "3.14 km²");
  EXPECT_EQ(with_unit(1, "data units"), "1 data unit");
  EXPECT_EQ(with_unit(1.5, "data units"), "1.5 data units");
}

}  // namespace
}  // namespace hotspot
