// Text fitted to a box (render/draw's fit_lines, truncated): lists wrap with every name whole,
// the size steps down only when the lines run out and never below the minimum, and what is cut
// ends with "…" after the last whole name.
#include <cairo.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "render/draw.hpp"

namespace hotspot::render {
namespace {

const std::string kEllipsis = "\xE2\x80\xA6";

struct Context {
  SurfacePtr surface{cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 10, 10)};
  ContextPtr cr{cairo_create(surface.get())};
};

std::vector<std::string> communes(int n) {
  const char* base[] = {"An Dương", "Nam Sơn", "Đặng Cương", "Hồng Phong",
                        "Tân Tiến", "Lê Lợi",  "Bắc Sơn"};
  std::vector<std::string> out;
  for (int k = 0; k < n; ++k) out.push_back(std::string(base[k % 7]) + " " + std::to_string(k));
  return out;
}

std::string all(const TextBlock& b) {
  std::string out;
  for (const auto& l : b.lines) out += (out.empty() ? "" : " ") + l;
  return out;
}

TEST(FitLines, ShortTextStaysOnOneLineAtItsSize) {
  Context c;
  const TextBlock b =
      fit_lines(c.cr.get(), list_pieces({"Lê Lợi"}), 8.5, 7, Face::kRegular, 190, 4);
  EXPECT_EQ(b.size, 8.5);
  ASSERT_EQ(b.lines.size(), 1u);
  EXPECT_EQ(b.lines[0], "Lê Lợi");
  EXPECT_FALSE(b.cut);
}

TEST(FitLines, ListsWrapAtTheirSizeWithEveryNameWhole) {
  Context c;
  const auto names = communes(13);
  const TextBlock b = fit_lines(c.cr.get(), list_pieces(names), 8.5, 7, Face::kRegular, 190, 6);
  EXPECT_EQ(b.size, 8.5);  // wrapped, not shrunk
  EXPECT_GT(b.lines.size(), 1u);
  EXPECT_FALSE(b.cut);
  for (const auto& line : b.lines) {
    EXPECT_LE(text_width(c.cr.get(), line, b.size, Face::kRegular), 190);
    EXPECT_NE(line.back(), ' ');
  }
  // No name is split across lines: each line starts with a name and ends after one.
  std::string expected;
  for (std::size_t k = 0; k < names.size(); ++k) expected += (k ? ", " : "") + names[k];
  EXPECT_EQ(all(b), expected);
  for (const auto& n : names) {
    bool whole = false;
    for (const auto& line : b.lines) whole = whole || line.find(n) != std::string::npos;
    EXPECT_TRUE(whole) << n;
  }
}

TEST(FitLines, ShrinksToTheMinimumThenCutsAfterAWholeName) {
  Context c;
  const auto names = communes(60);
  const TextBlock b = fit_lines(c.cr.get(), list_pieces(names), 8.5, 7, Face::kRegular, 190, 3);
  EXPECT_EQ(b.size, 7);
  ASSERT_EQ(b.lines.size(), 3u);
  EXPECT_TRUE(b.cut);
  const std::string& last = b.lines.back();
  ASSERT_GE(last.size(), kEllipsis.size());
  EXPECT_EQ(last.substr(last.size() - kEllipsis.size()), kEllipsis);
  EXPECT_EQ(last.substr(last.size() - kEllipsis.size() - 2, 2),
            ", ");  // after a whole name and its comma
  for (const auto& line : b.lines)
    EXPECT_LE(text_width(c.cr.get(), line, b.size, Face::kRegular), 190);
}

TEST(FitLines, SizeStepsDownBeforeCutting) {
  Context c;
  // Two lines at 8.5 pt hold fewer names than two lines at 7 pt: a list between the two fits
  // shrunk, whole.
  const auto names = communes(9);
  const TextBlock at_size =
      fit_lines(c.cr.get(), list_pieces(names), 8.5, 8.5, Face::kRegular, 190, 2);
  ASSERT_TRUE(at_size.cut);
  const TextBlock b = fit_lines(c.cr.get(), list_pieces(names), 8.5, 7, Face::kRegular, 190, 2);
  EXPECT_FALSE(b.cut);
  EXPECT_LT(b.size, 8.5);
  EXPECT_GE(b.size, 7);
  EXPECT_LE(b.lines.size(), 2u);
}

TEST(FitLines, AWordWiderThanTheBoxIsCut) {
  Context c;
  const TextBlock b =
      fit_lines(c.cr.get(), words("Khu_công_nghiệp_Tràng_Duệ_mở_rộng_giai_đoạn_hai"), 9, 7,
                Face::kBold, 60, 2);
  ASSERT_EQ(b.lines.size(), 1u);
  EXPECT_TRUE(b.cut);
  EXPECT_LE(text_width(c.cr.get(), b.lines[0], b.size, Face::kBold), 60);
}

TEST(Truncated, CutsBetweenCharactersWithAnEllipsis) {
  Context c;
  const std::string title = "Báo cáo tuần tra an ninh trật tự khu công nghiệp Tràng Duệ";
  EXPECT_EQ(truncated(c.cr.get(), title, 7, Face::kRegular, 1000), title);
  const std::string t = truncated(c.cr.get(), title, 7, Face::kRegular, 80);
  EXPECT_LE(text_width(c.cr.get(), t, 7, Face::kRegular), 80);
  ASSERT_GT(t.size(), kEllipsis.size());
  EXPECT_EQ(t.substr(t.size() - kEllipsis.size()), kEllipsis);
  EXPECT_EQ(title.rfind(t.substr(0, t.size() - kEllipsis.size()), 0), 0u);  // a prefix of the title
}

}  // namespace
}  // namespace hotspot::render
