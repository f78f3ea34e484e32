// The briefing's window days, named as its weekday chart names them.
#include <gtest/gtest.h>

#include "top/brief.hpp"

namespace hotspot {
namespace {

TEST(BriefDays, VietnameseRangesAndLists) {
  EXPECT_EQ(window_days_text({"mon", "tue", "wed", "thu", "fri"}, true), "T2–T6");
  EXPECT_EQ(window_days_text({"sat", "sun"}, true), "T7, CN");
  EXPECT_EQ(window_days_text({"mon", "wed", "fri"}, true), "T2, T4, T6");
  EXPECT_EQ(window_days_text({"mon", "fri", "sat", "sun"}, true),
            "T6–T2");  // fri-mon wraps the week
  EXPECT_EQ(window_days_text({"sun"}, true), "CN");
}

TEST(BriefDays, EnglishAsTheChart) {
  EXPECT_EQ(window_days_text({"mon", "tue", "wed", "thu", "fri"}, false), "Mon–Fri");
  EXPECT_EQ(window_days_text({"sat", "sun"}, false), "Sat, Sun");
  EXPECT_EQ(window_days_text({"tue", "wed", "thu", "sat"}, false), "Tue–Thu, Sat");
  EXPECT_EQ(window_days_text({"mon", "tue", "wed", "thu", "fri", "sat", "sun"}, false), "Mon–Sun");
}

}  // namespace
}  // namespace hotspot
