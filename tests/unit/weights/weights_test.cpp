// Spatial weights: every builder against spdep's neighbour lists on spData (real data), and
// against its brute-force twin on seeded random inputs.
#include "weights/weights.hpp"

#include <gtest/gtest.h>

#include <random>

#include "hotspot/error.hpp"
#include "support/local_golden.hpp"

namespace hotspot {
namespace {

std::vector<std::vector<std::int32_t>> lists_of(const SpatialWeights& w) {
  std::vector<std::vector<std::int32_t>> out(w.size());
  for (std::size_t i = 0; i < w.size(); ++i)
    for (auto e = w.offset[i]; e < w.offset[i + 1]; ++e)
      out[i].push_back(w.index[static_cast<std::size_t>(e)]);
  return out;
}

// spdep's knearneigh breaks ties at the k-th distance in kd-tree order, we by the lower index: a
// neighbour may differ only when it is exactly as far as the one spdep chose instead.
bool same_up_to_knn_ties(const std::vector<std::int32_t>& ours,
                         const std::vector<std::int32_t>& theirs, const std::vector<XY>& pts,
                         std::size_t i) {
  if (ours.size() != theirs.size()) return false;
  auto dist = [&](std::int32_t j) {
    double dx = pts[i].x - pts[static_cast<std::size_t>(j)].x,
           dy = pts[i].y - pts[static_cast<std::size_t>(j)].y;
    return dx * dx + dy * dy;
  };
  std::vector<double> a, b;
  for (auto j : ours) a.push_back(dist(j));
  for (auto j : theirs) b.push_back(dist(j));
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b;
}

void expect_same_as_reference(const SpatialWeights& w, const std::string& name,
                              const std::vector<XY>* knn_pts = nullptr) {
  static const auto ref = test::read_reference();
  const auto& rows = ref.at(name);
  ASSERT_EQ(w.size(), rows.size()) << name;
  auto l = lists_of(w);
  std::size_t differing = 0, ties = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (knn_pts && l[i] != rows[i].neighbours &&
        same_up_to_knn_ties(l[i], rows[i].neighbours, *knn_pts, i)) {
      ++ties;
      continue;
    }
    differing += l[i] != rows[i].neighbours;
    EXPECT_EQ(l[i], rows[i].neighbours) << name << " unit " << i;
    EXPECT_EQ(w.cardinality(i) == 0, rows[i].island) << name << " unit " << i;
  }
  EXPECT_EQ(differing, 0u) << name;
  EXPECT_LE(ties, rows.size() / 20) << name;
}

const double kSpdepSnap =
    1.4901161193847656e-08;  // spdep poly2nb default: sqrt(.Machine$double.eps)

TEST(Contiguity, ColumbusQueenAndRookEqualSpdep) {
  auto u = test::golden_units("columbus.geojson", "CRIME", "planar");
  expect_same_as_reference(contiguity_weights(u.polygons, Contiguity::kQueen, kSpdepSnap),
                           "columbus_queen");
  expect_same_as_reference(contiguity_weights(u.polygons, Contiguity::kRook, kSpdepSnap),
                           "columbus_rook");
  expect_same_as_reference(contiguity_weights_brute(u.polygons, Contiguity::kQueen, kSpdepSnap),
                           "columbus_queen");
  expect_same_as_reference(contiguity_weights_brute(u.polygons, Contiguity::kRook, kSpdepSnap),
                           "columbus_rook");
}

TEST(Contiguity, Ny8TractsQueenAndRookEqualSpdep) {
  auto u = test::golden_units("ny8.gpkg", "Z", "");
  EXPECT_TRUE(u.source_crs.metres);
  expect_same_as_reference(contiguity_weights(u.polygons, Contiguity::kQueen, kSpdepSnap),
                           "ny8_queen");
  expect_same_as_reference(contiguity_weights(u.polygons, Contiguity::kRook, kSpdepSnap),
                           "ny8_rook");
}

TEST(Contiguity, SnapToleranceJoinsDigitisingGaps) {
  // Two unit squares 0.3 apart: neighbours only when the snap covers the gap.
  MultiPolygon a{{Ring{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}, {}}};
  MultiPolygon b{{Ring{{1.3, 0}, {2.3, 0}, {2.3, 1}, {1.3, 1}, {1.3, 0}}, {}}};
  MultiPolygon c{{Ring{{2.3, 1}, {3.3, 1}, {3.3, 2}, {2.3, 2}, {2.3, 1}}, {}}};  // corner of b only
  std::vector<MultiPolygon> p{a, b, c};
  EXPECT_EQ(contiguity_weights(p, Contiguity::kQueen, 0.2).cardinality(0), 0u);
  EXPECT_EQ(contiguity_weights(p, Contiguity::kQueen, 0.31).cardinality(0), 1u);
  EXPECT_EQ(contiguity_weights(p, Contiguity::kRook, 0.31).cardinality(0), 1u);
  // b and c meet at one corner: queen neighbours, not rook.
  EXPECT_EQ(lists_of(contiguity_weights(p, Contiguity::kQueen, 1e-9))[2],
            std::vector<std::int32_t>{1});
  EXPECT_TRUE(lists_of(contiguity_weights(p, Contiguity::kRook, 1e-9))[2].empty());
}

TEST(Contiguity, FastEqualsBruteForceOnRandomPerturbedGrid) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> jitter(-0.002, 0.002);
  // A 12 x 9 grid of squares whose shared corners are jittered independently per square, so
  // that some neighbours touch only within the snap, and a few squares are missing (islands).
  std::vector<MultiPolygon> polys;
  for (int r = 0; r < 9; ++r)
    for (int c = 0; c < 12; ++c) {
      if ((r * 12 + c) % 17 == 5) continue;
      Ring ring{{c + jitter(rng), r + jitter(rng)},
                {c + 1 + jitter(rng), r + jitter(rng)},
                {c + 1 + jitter(rng), r + 1 + jitter(rng)},
                {c + jitter(rng), r + 1 + jitter(rng)}};
      ring.push_back(ring.front());
      polys.push_back({{ring, {}}});
    }
  for (double snap : {0.0, 0.001, 0.003, 0.01})
    for (auto c : {Contiguity::kQueen, Contiguity::kRook})
      EXPECT_EQ(lists_of(contiguity_weights(polys, c, snap)),
                lists_of(contiguity_weights_brute(polys, c, snap)))
          << "snap " << snap;
}

TEST(PointWeights, KnnAndBandEqualSpdep) {
  auto b = test::golden_units("baltim.csv", "price", "planar");
  auto o = test::golden_units("boston.csv", "cmedv", "planar");
  ASSERT_TRUE(b.points);
  expect_same_as_reference(knn_weights(b.xy, 4), "baltim_knn4", &b.xy);
  expect_same_as_reference(band_weights(b.xy, 15), "baltim_band15");
  expect_same_as_reference(band_weights(b.xy, 4), "baltim_band4_islands");
  expect_same_as_reference(knn_weights(o.xy, 6), "boston_knn6", &o.xy);
  expect_same_as_reference(band_weights(o.xy, 3), "boston_band3");
}

TEST(PointWeights, FastEqualsBruteForceOnRandomPoints) {
  std::mt19937_64 rng(11);
  for (int trial = 0; trial < 2; ++trial) {
    std::vector<XY> pts;
    std::uniform_real_distribution<double> u(0, 1000);
    std::normal_distribution<double> cl(500, 30);
    for (int i = 0; i < 300; ++i)
      pts.push_back(trial % 2 ? XY{u(rng), u(rng)} : XY{cl(rng), cl(rng)});
    // Exact duplicates and a lattice (ties) too.
    for (int i = 0; i < 50; ++i) pts.push_back(pts[static_cast<std::size_t>(i)]);
    for (int i = 0; i < 100; ++i) pts.push_back({2000.0 + (i % 10) * 5.0, (i / 10) * 5.0});
    for (int k : {1, 4, 8, 30})
      EXPECT_EQ(lists_of(knn_weights(pts, k)), lists_of(knn_weights_brute(pts, k))) << k;
    for (double d : {1.0, 5.0, 25.0, 150.0})
      EXPECT_EQ(lists_of(band_weights(pts, d)), lists_of(band_weights_brute(pts, d))) << d;
  }
}

TEST(Transforms, RowStandardiseSelfIslandsInverseDistance) {
  std::vector<XY> pts{{0, 0}, {1, 0}, {3, 0}, {100, 0}};
  auto w = band_weights(pts, 2.5);
  EXPECT_EQ(w.islands(), (std::vector<std::int32_t>{3}));
  auto attached = attach_islands(w, pts);
  EXPECT_EQ(attached, (std::vector<std::int32_t>{3}));
  EXPECT_EQ(lists_of(w)[3], (std::vector<std::int32_t>{2}));
  EXPECT_EQ(lists_of(w)[2], (std::vector<std::int32_t>{1, 3}));
  apply_inverse_distance(w, pts, 1);
  EXPECT_DOUBLE_EQ(w.weight[static_cast<std::size_t>(w.offset[2])], 0.5);
  EXPECT_DOUBLE_EQ(w.weight[static_cast<std::size_t>(w.offset[2] + 1)], 1.0 / 97);
  auto r = row_standardised(w);
  for (std::size_t i = 0; i < r.size(); ++i) {
    double s = 0;
    for (auto e = r.offset[i]; e < r.offset[i + 1]; ++e) s += r.weight[static_cast<std::size_t>(e)];
    EXPECT_NEAR(s, 1.0, 1e-15);
  }
  auto s = with_self(band_weights(pts, 2.5), 1.0);
  EXPECT_EQ(lists_of(s)[1], (std::vector<std::int32_t>{0, 1, 2}));
  EXPECT_EQ(lists_of(s)[3], (std::vector<std::int32_t>{3}));
  EXPECT_DOUBLE_EQ(max_nearest_distance(pts), 97.0);
}

}  // namespace
}  // namespace hotspot

namespace hotspot {
namespace {

// The typed call a Python binding makes: spec text parsed once, units in, spdep's lists out.
TEST(BuildWeights, ColumbusQueenFromTheSpecEqualsSpdep) {
  const auto col = test::golden_units("columbus.geojson", "CRIME", "planar");
  WeightUnits units{false, col.polygons, centroids(col.polygons), true};
  WeightsSpec spec = parse_weights_spec("queen");
  spec.snap = 1.4901161193847656e-08;  // spdep's default snap
  const BuiltWeights b = build_weights(spec, units);
  const SpatialWeights want = contiguity_weights(col.polygons, Contiguity::kQueen, spec.snap);
  EXPECT_EQ(b.w.offset, want.offset);
  EXPECT_EQ(b.w.index, want.index);
  EXPECT_TRUE(b.islands.empty());
  EXPECT_EQ(weights_spec_text(parse_weights_spec("knn:8")), "knn:8");
  EXPECT_EQ(weights_spec_text(parse_weights_spec("band:750.5")), "band:750.5");
  Box extent;
  for (const auto& p : col.polygons) extent.expand(bounds(p));
  EXPECT_EQ(build_weights(parse_weights_spec("queen"), units).snap, default_snap(extent, true));
}

TEST(BuildWeights, ErrorsNameTheParameter) {
  for (const char* bad : {"ring:3", "knn:0", "knn:2.5", "band:-1"}) {
    try {
      parse_weights_spec(bad);
      ADD_FAILURE() << bad;
    } catch (const ParameterError& e) {
      EXPECT_EQ(e.parameter(), "weights") << bad;
    }
  }
  WeightUnits pts{true, {}, {{0, 0}, {1, 0}, {0, 1}, {1, 1}}, true};
  try {
    build_weights(parse_weights_spec("queen"), pts);
    ADD_FAILURE();
  } catch (const ParameterError& e) {
    EXPECT_EQ(e.parameter(), "weights");
  }
}

}  // namespace
}  // namespace hotspot
