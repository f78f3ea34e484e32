// DBSCAN and ST-DBSCAN by tiles (hotspot/distribute.hpp, what hotspot.dask runs): the parts of
// KD tiles with an eps halo, merged, give exactly dbscan()'s and st_dbscan()'s labels and core
// flags, on data made to catch a wrong merge: dense clusters cut by tile edges, stacks of
// duplicates, lattice points exactly eps apart across cut lines, and two clusters that only a
// shared border point connects (a merge through non-core points would join them).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "hotspot/cluster.hpp"
#include "hotspot/distribute.hpp"
#include "hotspot/error.hpp"
#include "hotspot/ingest.hpp"

namespace hotspot {
namespace {

struct Tile {
  std::vector<std::int64_t> own;
  double x0, y0, x1, y1;  // half-open box
};

// KD tiles on counts as hotspot/dask/_tiles.py cuts them: the longer side at the count quantile,
// a point left of the cut when its coordinate is below the cut value.
void kd_split(const std::vector<double>& x, const std::vector<double>& y, std::vector<std::int64_t> idx, Tile box,
              int k, std::vector<Tile>& out) {
  if (k == 1 || idx.empty()) {
    std::sort(idx.begin(), idx.end());
    box.own = idx;
    out.push_back(box);
    for (int e = 1; e < k; ++e) out.push_back(Tile{{}, box.x0, box.y0, box.x1, box.y1});
    return;
  }
  const int left_k = k / 2;
  double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
  for (auto i : idx) {
    xmin = std::min(xmin, x[i]), xmax = std::max(xmax, x[i]);
    ymin = std::min(ymin, y[i]), ymax = std::max(ymax, y[i]);
  }
  const bool along_x = xmax - xmin >= ymax - ymin;
  std::vector<double> c;
  for (auto i : idx) c.push_back(along_x ? x[i] : y[i]);
  std::vector<double> sorted = c;
  std::sort(sorted.begin(), sorted.end());
  const double cut = sorted[std::min(sorted.size() - 1, sorted.size() * left_k / k)];
  std::vector<std::int64_t> lo, hi;
  for (std::size_t q = 0; q < idx.size(); ++q) (c[q] < cut ? lo : hi).push_back(idx[q]);
  Tile lo_box = box, hi_box = box;
  (along_x ? lo_box.x1 : lo_box.y1) = cut;
  (along_x ? hi_box.x0 : hi_box.y0) = cut;
  kd_split(x, y, lo, lo_box, left_k, out);
  kd_split(x, y, hi, hi_box, k - left_k, out);
}

std::vector<Tile> kd_tiles(const std::vector<double>& x, const std::vector<double>& y, int k) {
  std::vector<std::int64_t> all(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) all[i] = static_cast<std::int64_t>(i);
  std::vector<Tile> out;
  kd_split(x, y, all, Tile{{}, -INFINITY, -INFINITY, INFINITY, INFINITY}, k, out);
  return out;
}

// The parts of every tile (own points, then the halo: the box widened by eps and 0.1 %).
ClusterTilePart parts(const std::vector<double>& x, const std::vector<double>& y, const std::vector<std::int64_t>* t,
                      double eps, std::int64_t eps_time_s, int min_points, int tiles, int threads) {
  ClusterTilePart all;
  const double m = eps * 1.001;
  for (const Tile& tile : kd_tiles(x, y, tiles)) {
    std::vector<std::int64_t> index = tile.own;
    std::vector<std::uint8_t> mine(x.size(), 0);
    for (auto i : tile.own) mine[static_cast<std::size_t>(i)] = 1;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (!mine[i] && x[i] >= tile.x0 - m && x[i] < tile.x1 + m && y[i] >= tile.y0 - m && y[i] < tile.y1 + m)
        index.push_back(static_cast<std::int64_t>(i));
    std::vector<double> tx, ty;
    std::vector<std::int64_t> tt;
    for (auto i : index) {
      tx.push_back(x[static_cast<std::size_t>(i)]);
      ty.push_back(y[static_cast<std::size_t>(i)]);
      if (t) tt.push_back((*t)[static_cast<std::size_t>(i)]);
    }
    all.append(t ? st_dbscan_tile(tx, ty, tt, index, tile.own.size(), {eps, eps_time_s, min_points, threads})
                 : dbscan_tile(tx, ty, index, tile.own.size(), {eps, min_points, threads}));
  }
  return all;
}

// Blobs cut by tile edges, noise, stacks of duplicates and an integer lattice (eps 1 apart).
void make_points(std::uint32_t seed, std::vector<double>& x, std::vector<double>& y, std::vector<std::int64_t>& t) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> blob(0, 1.5);
  std::uniform_real_distribution<double> u(0, 40);
  std::uniform_int_distribution<int> day(0, 20), cell(0, 39);
  auto add = [&](double px, double py) {
    x.push_back(px);
    y.push_back(py);
    t.push_back(1'700'000'000 + 86400 * static_cast<std::int64_t>(day(rng)));
  };
  for (int b = 0; b < 6; ++b) {
    const double cx = u(rng), cy = u(rng);
    for (int k = 0; k < 150; ++k) add(cx + blob(rng), cy + blob(rng));
  }
  for (int k = 0; k < 400; ++k) add(u(rng), u(rng));
  for (int s = 0; s < 20; ++s) {  // stacks: one address, many incidents
    const double px = std::round(u(rng)), py = std::round(u(rng));
    for (int k = 0, n = 1 + s % 7; k < n; ++k) add(px, py);
  }
  for (int k = 0; k < 500; ++k) add(cell(rng), cell(rng));  // lattice: neighbours exactly eps = 1 apart
}

void expect_same(const Clustering& whole, const Clustering& merged) {
  ASSERT_EQ(merged.label.size(), whole.label.size());
  EXPECT_EQ(merged.core, whole.core);
  EXPECT_EQ(merged.label, whole.label);
  EXPECT_EQ(merged.size, whole.size);
}

TEST(DbscanTiles, MergedTilesEqualDbscan) {
  for (std::uint32_t seed : {1u, 2u, 3u}) {
    std::vector<double> x, y;
    std::vector<std::int64_t> t;
    make_points(seed, x, y, t);
    for (int min_points : {1, 2, 4, 9}) {
      const Clustering whole = dbscan(x, y, {1.0, min_points, 2});
      std::size_t border = 0;
      for (std::size_t i = 0; i < x.size(); ++i) border += whole.label[i] >= 0 && !whole.core[i];
      ASSERT_GT(whole.clusters(), 3);
      if (min_points >= 4) {
        ASSERT_GT(border, 10u);  // (min_points 2: a point with a neighbour is core)
      }
      for (int tiles : {1, 2, 7, 16, 64}) {
        SCOPED_TRACE(testing::Message() << "seed " << seed << " min_points " << min_points << " tiles " << tiles);
        expect_same(whole, merge_cluster_tiles(x.size(), parts(x, y, nullptr, 1.0, 0, min_points, tiles, 1 + tiles % 2)));
      }
    }
  }
}

TEST(DbscanTiles, MergedTilesEqualStDbscan) {
  for (std::uint32_t seed : {4u, 5u}) {
    std::vector<double> x, y;
    std::vector<std::int64_t> t;
    make_points(seed, x, y, t);
    for (std::int64_t dt : {std::int64_t{0}, std::int64_t{86400}, std::int64_t{3 * 86400}}) {
      for (int min_points : {1, 3, 6}) {
        const Clustering whole = st_dbscan(x, y, t, {1.0, dt, min_points, 2});
        for (int tiles : {1, 5, 16, 64}) {
          SCOPED_TRACE(testing::Message() << "seed " << seed << " dt " << dt << " min_points " << min_points
                                          << " tiles " << tiles);
          expect_same(whole, merge_cluster_tiles(x.size(), parts(x, y, &t, 1.0, dt, min_points, tiles, 1)));
        }
      }
    }
  }
}

// Two clusters that only a border point between them touches, the tile edge through it: DBSCAN
// keeps them apart, and so must the merge (MR-DBSCAN's merge through shared points joins them).
TEST(DbscanTiles, BorderPointOnTheEdgeJoinsNothing) {
  std::vector<double> x, y;
  for (int k = 0; k < 5; ++k) x.push_back(-1.0 - 0.1 * k), y.push_back(0);  // cluster A
  x.push_back(0), y.push_back(0);                                            // the border point
  for (int k = 0; k < 5; ++k) x.push_back(1.0 + 0.1 * k), y.push_back(0);   // cluster B
  const Clustering whole = dbscan(x, y, {1.0, 5, 1});
  ASSERT_EQ(whole.clusters(), 2);
  EXPECT_EQ(whole.core[5], 0);
  EXPECT_EQ(whole.label[5], whole.label[0]);  // equally near both: the core point with the lower index
  for (int tiles : {1, 2, 3, 4, 11}) {
    const Clustering merged = merge_cluster_tiles(x.size(), parts(x, y, nullptr, 1.0, 0, 5, tiles, 1));
    expect_same(whole, merged);
  }
}

TEST(DbscanTiles, MergeRefusesPartsThatAreNotACover) {
  std::vector<double> x = {0, 1, 2}, y = {0, 0, 0};
  ClusterTilePart p = parts(x, y, nullptr, 1.0, 0, 2, 2, 1);
  EXPECT_THROW(merge_cluster_tiles(4, p), InternalError);  // point 3 owned by no tile
  ClusterTilePart twice = p;
  twice.append(p);
  EXPECT_THROW(merge_cluster_tiles(3, twice), InternalError);
  EXPECT_EQ(merge_cluster_tiles(3, p).label, dbscan(x, y, {1.0, 2, 1}).label);
}

// The hooked dbscan/st_dbscan check as the plain ones do, and an empty hook is the plain call.
TEST(DbscanTiles, HookedCallsCheckFirst) {
  std::vector<double> x = {0, 1, NAN}, y = {0, 0, 0};
  int calls = 0;
  DbscanTilesFn hook = [&](std::span<const double>, std::span<const double>, const DbscanOptions&) {
    ++calls;
    return ClusterTilePart{};
  };
  EXPECT_THROW(dbscan(x, y, {1.0, 2, 1}, hook), InputError);
  EXPECT_THROW(dbscan(x, y, {-1.0, 2, 1}, hook), ParameterError);
  EXPECT_THROW(dbscan(x, y, {1.0, 0, 1}, hook), ParameterError);
  EXPECT_EQ(calls, 0);
  std::vector<double> none;
  EXPECT_EQ(dbscan(none, none, {1.0, 2, 1}, hook).label.size(), 0u);
  EXPECT_EQ(calls, 0);
  std::vector<double> x2 = {0, 1, 5}, y2 = {0, 0, 0};
  EXPECT_EQ(dbscan(x2, y2, {1.0, 2, 1}, DbscanTilesFn{}).label, dbscan(x2, y2, {1.0, 2, 1}).label);
  std::vector<std::int64_t> t = {0, kNoTime, 0};
  StDbscanTilesFn st_hook = [&](auto, auto, auto, const StDbscanOptions&) {
    ++calls;
    return ClusterTilePart{};
  };
  EXPECT_THROW(st_dbscan(x2, y2, t, {1.0, 10, 2, 1}, st_hook), UsageError);
  EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace hotspot
