// KDE in windows of kde()'s blocks (hotspot/distribute.hpp), what hotspot.dask's workers compute:
// windows joined by position equal the whole-grid kde() byte for byte, for every kernel, with
// weights, a mask and the edge correction, for several ways of cutting the blocks, and when a
// window is given only the points that can reach it.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <utility>
#include <vector>

#include "hotspot/distribute.hpp"
#include "hotspot/error.hpp"

namespace hotspot {
namespace {

using Cuts = std::vector<std::pair<std::int64_t, std::int64_t>>;

struct Points {
  std::vector<double> x, y, w;
};

// A dense town and a sparse province, some points beyond the grid on every side, duplicates.
Points clustered(unsigned seed, std::size_t n, bool weights) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> town(0, 1);
  std::uniform_real_distribution<double> ux(-150, 2150), uy(-150, 1650), uw(0.5, 3.0);
  Points p;
  for (std::size_t i = 0; i < n; ++i) {
    if (i % 3 == 0) {
      p.x.push_back(700 + 60 * town(rng)), p.y.push_back(900 + 40 * town(rng));
    } else if (i % 97 == 0) {
      p.x.push_back(1000), p.y.push_back(500);  // the same place many times
    } else {
      p.x.push_back(ux(rng)), p.y.push_back(uy(rng));
    }
    if (weights) p.w.push_back(uw(rng));
  }
  return p;
}

// Cuts the blocks into windows: `across` × `down` rectangles of near-equal block counts.
std::vector<KdeWindow> cut(const KdeBlocks& b, std::int64_t across, std::int64_t down) {
  std::vector<KdeWindow> out;
  for (std::int64_t j = 0; j < down; ++j)
    for (std::int64_t i = 0; i < across; ++i)
      out.push_back({b.nbx * i / across, b.nbx * (i + 1) / across, b.nby * j / down,
                     b.nby * (j + 1) / down});
  return out;
}

// The windows' cells placed into a whole raster.
std::vector<float> joined(const Points& p, const Grid& g, const std::vector<std::uint8_t>& mask,
                          const KdeOptions& o, const std::vector<KdeWindow>& windows, bool subset) {
  const KdeBlocks b = kde_blocks(g, o);
  std::vector<float> out(g.size(), 12345.0f);
  const double R = kernel_support(o.kernel) * o.bandwidth_m;
  for (const KdeWindow& win : windows) {
    const std::int64_t r0 = win.by0 * b.rows, r1 = std::min(win.by1 * b.rows, g.rows);
    const std::int64_t c0 = win.bx0 * b.cols, c1 = std::min(win.bx1 * b.cols, g.cols);
    Points q = p;
    if (subset) {  // only the points within one support radius (and a cell) of the window, in order
      q = {};
      const double x0 = g.xmin + static_cast<double>(c0) * g.cell - R - g.cell,
                   x1 = g.xmin + static_cast<double>(c1) * g.cell + R + g.cell,
                   y1 = g.ymax - static_cast<double>(r0) * g.cell + R + g.cell,
                   y0 = g.ymax - static_cast<double>(r1) * g.cell - R - g.cell;
      for (std::size_t i = 0; i < p.x.size(); ++i)
        if (p.x[i] >= x0 && p.x[i] <= x1 && p.y[i] >= y0 && p.y[i] <= y1) {
          q.x.push_back(p.x[i]), q.y.push_back(p.y[i]);
          if (!p.w.empty()) q.w.push_back(p.w[i]);
        }
    }
    const std::vector<float> v = kde_window(q.x, q.y, q.w, g, mask, o, win);
    EXPECT_EQ(v.size(), static_cast<std::size_t>((r1 - r0) * (c1 - c0)));
    for (std::int64_t r = r0; r < r1; ++r)
      for (std::int64_t c = c0; c < c1; ++c)
        out[static_cast<std::size_t>(r * g.cols + c)] = v[static_cast<std::size_t>((r - r0) * (c1 - c0) + (c - c0))];
  }
  return out;
}

bool same_bytes(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST(KdeWindows, JoinedEqualTheWholeGridForEveryKernel) {
  const Grid g = grid_for_extent({0, 0, 2000, 1500}, 10);  // 200 × 150 cells
  const Points p = clustered(7, 4000, true);
  for (Kernel k : {Kernel::kQuartic, Kernel::kEpanechnikov, Kernel::kTriweight,
                   Kernel::kTriangular, Kernel::kUniform, Kernel::kGaussian}) {
    KdeOptions o;
    o.kernel = k;
    o.bandwidth_m = k == Kernel::kGaussian ? 30 : 110;
    o.tile = 32;  // 7 × 5 blocks of 32 × 32 cells
    o.threads = 2;
    const DensityRaster whole = kde(p.x, p.y, p.w, g, {}, o);
    const KdeBlocks b = kde_blocks(g, o);
    ASSERT_EQ(b.nbx, 7);
    ASSERT_EQ(b.nby, 5);
    for (auto [across, down] : Cuts{{1, 1}, {2, 2}, {7, 5}, {3, 1}, {1, 4}})
      EXPECT_TRUE(same_bytes(joined(p, g, {}, o, cut(b, across, down), false), whole.values))
          << kernel_name(k) << " " << across << " × " << down;
    EXPECT_TRUE(same_bytes(joined(p, g, {}, o, cut(b, 4, 4), true), whole.values))
        << kernel_name(k) << " with only the points that reach each window";
  }
}

TEST(KdeWindows, MaskAndEdgeCorrectionAsTheWholeGrid) {
  const Grid g = grid_for_extent({0, 0, 2000, 1500}, 10);
  // An L-shaped study area with a hole.
  const std::vector<MultiPolygon> area = {{Polygon{
      {{50, 50}, {1900, 50}, {1900, 700}, {900, 700}, {900, 1450}, {50, 1450}, {50, 50}},
      {{{300, 300}, {500, 300}, {500, 500}, {300, 500}, {300, 300}}}}}};
  const auto mask = rasterize_mask(area, g, 2);
  const Points p = clustered(9, 3000, false);
  for (Kernel k : {Kernel::kQuartic, Kernel::kGaussian}) {
    KdeOptions o;
    o.kernel = k;
    o.bandwidth_m = k == Kernel::kGaussian ? 25 : 90;
    o.edge_correction = true;
    o.tile = 16;  // 13 × 10 blocks: many windows, each narrower than the edge correction's reach
    const DensityRaster whole = kde(p.x, p.y, p.w, g, mask, o);
    const KdeBlocks b = kde_blocks(g, o);
    for (auto [across, down] : Cuts{{1, 1}, {4, 4}, {13, 10}, {5, 2}})
      EXPECT_TRUE(same_bytes(joined(p, g, mask, o, cut(b, across, down), across > 1), whole.values))
          << kernel_name(k) << " " << across << " × " << down;
  }
}

TEST(KdeWindows, TheDefaultBlocksAre256By64AndAWindowOutsideIsRefused) {
  const Grid g = grid_for_extent({0, 0, 3000, 1000}, 5);  // 600 × 200 cells
  KdeOptions o;
  o.bandwidth_m = 50;
  const KdeBlocks b = kde_blocks(g, o);
  EXPECT_EQ(b.cols, 256);
  EXPECT_EQ(b.rows, 64);
  EXPECT_EQ(b.nbx, 3);
  EXPECT_EQ(b.nby, 4);
  const std::vector<double> x = {100, 2900}, y = {100, 900};
  const DensityRaster whole = kde(x, y, {}, g, {}, o);
  EXPECT_TRUE(same_bytes(joined({x, y, {}}, g, {}, o, cut(b, 3, 4), false), whole.values));
  for (KdeWindow bad : {KdeWindow{0, 4, 0, 1}, KdeWindow{1, 1, 0, 1}, KdeWindow{0, 1, -1, 1},
                        KdeWindow{0, 1, 3, 5}})
    EXPECT_THROW(kde_window(x, y, {}, g, {}, o, bad), UsageError);
}

}  // namespace
}  // namespace hotspot
