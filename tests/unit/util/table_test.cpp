#include "hotspot/table.hpp"

#include <gtest/gtest.h>

#include <string>

namespace hotspot {
namespace {

// Regression: past 8 labels the table used to grow to a size that is not a power of two, and
// interning looped forever (found by the CSV fuzzer).
TEST(Dictionary, InternsThousandsOfLabelsAndFindsThemAgain) {
  Dictionary d;
  for (int i = 0; i < 5000; ++i) EXPECT_EQ(d.intern("category " + std::to_string(i)), static_cast<std::uint32_t>(i));
  for (int i = 0; i < 5000; ++i) EXPECT_EQ(d.intern("category " + std::to_string(i)), static_cast<std::uint32_t>(i));
  EXPECT_EQ(d.size(), 5000u);
  EXPECT_EQ(d[4321], "category 4321");
}

TEST(StringColumn, PushPopAndViews) {
  StringColumn c;
  c.push_back("INC1");
  c.push_back("");
  c.push_back("Đồng");
  EXPECT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0], "INC1");
  EXPECT_EQ(c[1], "");
  EXPECT_EQ(c[2], "Đồng");
  c.pop_back();
  c.push_back("x");
  EXPECT_EQ(c[2], "x");
  EXPECT_EQ(c[0], "INC1");
}

}  // namespace
}  // namespace hotspot
