// Boost.Geometry against what the engine uses today, on the same polygons and points (kernels):
//
// - point-in-polygon for 1M points: our PolygonIndex (grid of cells + banded edges, crossing rule
//   with the shared-boundary tie-break) against a bgi::rtree of the polygons' boxes (packing
//   constructor) + bg::within or bg::covered_by on the candidates, lowest index first (our rule);
// - the candidate lookup alone: that rtree + our own PolygonIndex::contains, against our grid;
// - area and centroid of every polygon: bg::area + bg::centroid against GEOS (what aggregate/ and
//   top/ call) and our shoelace centroids() (weights/).
//
// Before the timings, main() prints how each method decides points exactly on the boundaries
// (every ring vertex: on a shared edge, or a corner shared by three or more communes) and how
// many of the 1M points the methods assign differently.
//
// Polygons: the communes of a GeoPackage when HOTSPOT_BENCH_COMMUNES names one (run_named.sh
// passes hotspot-datagen's 2,000 communes), else a 45 x 45 jittered quad tiling (tiling.hpp).
// Points: 1M uniform over the polygons' extent plus a 2% margin.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <boost/geometry.hpp>
#include <boost/geometry/geometries/box.hpp>
#include <boost/geometry/geometries/multi_polygon.hpp>
#include <boost/geometry/geometries/point_xy.hpp>
#include <boost/geometry/geometries/polygon.hpp>
#include <boost/geometry/index/rtree.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "geom/geos.hpp"
#include "hotspot/geometry.hpp"
#include "index/polygon_index.hpp"
#include "io/polygons.hpp"
#include "tiling.hpp"
#include "weights/weights.hpp"

namespace {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;
using hotspot::MultiPolygon;
using hotspot::XY;

using BPoint = bg::model::d2::point_xy<double>;
using BPoly = bg::model::polygon<BPoint>;  // clockwise, closed
using BMulti = bg::model::multi_polygon<BPoly>;
using BBox = bg::model::box<BPoint>;
using Entry = std::pair<BBox, std::int32_t>;
using RTree = bgi::rtree<Entry, bgi::rstar<16>>;

constexpr std::size_t kPoints = 1'000'000;

BMulti to_boost(const MultiPolygon& mp) {
  BMulti out;
  for (const auto& p : mp) {
    BPoly bp;
    for (XY v : p.shell) bp.outer().push_back({v.x, v.y});
    for (const auto& h : p.holes) {
      bp.inners().emplace_back();
      for (XY v : h) bp.inners().back().push_back({v.x, v.y});
    }
    out.push_back(std::move(bp));
  }
  bg::correct(out);  // orientation and closure as the model declares; coordinates unchanged
  return out;
}

struct BoostIndex {
  std::vector<BMulti> polys;
  RTree tree;
  explicit BoostIndex(const std::vector<MultiPolygon>& in) {
    std::vector<Entry> boxes;
    polys.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
      polys.push_back(to_boost(in[i]));
      boxes.emplace_back(bg::return_envelope<BBox>(polys.back()), static_cast<std::int32_t>(i));
    }
    tree = RTree(boxes.begin(), boxes.end());  // packing (STR) bulk load
  }
  // The lowest-numbered candidate that passes `test`, or -1: the same answer shape as locate().
  template <class Test>
  std::int32_t locate(XY p, std::vector<Entry>& cands, Test&& test) const {
    cands.clear();
    BPoint q(p.x, p.y);
    tree.query(bgi::intersects(q), std::back_inserter(cands));
    std::sort(cands.begin(), cands.end(),
              [](const Entry& a, const Entry& b) { return a.second < b.second; });
    for (const Entry& e : cands)
      if (test(q, e.second)) return e.second;
    return -1;
  }
};

struct Fixture {
  std::string source;
  std::vector<MultiPolygon> polygons;
  hotspot::Box extent;
  std::vector<XY> points, vertices;
};

const Fixture& fixture() {
  static const Fixture fx = [] {
    Fixture f;
    const char* path = std::getenv("HOTSPOT_BENCH_COMMUNES");
    if (path && *path) {
      hotspot::PolygonOptions o;
      o.path = path;
      f.polygons = hotspot::read_polygons(o, "communes", "crs").geom;
      f.source = path;
    } else {
      f.polygons = bench::make_tiling(45, 45, 0, 1).polygons;
      f.source = "45 x 45 jittered quad tiling (set HOTSPOT_BENCH_COMMUNES for datagen's communes)";
    }
    std::map<std::pair<double, double>, int> seen;
    for (const auto& mp : f.polygons)
      for (const auto& p : mp) {
        for (XY v : p.shell) f.extent.expand(v), seen[{v.x, v.y}] = 1;
        for (const auto& h : p.holes)
          for (XY v : h) seen[{v.x, v.y}] = 1;
      }
    for (const auto& kv : seen) f.vertices.push_back({kv.first.first, kv.first.second});
    f.points = bench::random_points(f.extent, kPoints, 2);
    return f;
  }();
  return fx;
}

// How many polygons each boundary vertex falls in, per method, and disagreements on the 1M points.
void print_checks() {
  const Fixture& f = fixture();
  const hotspot::PolygonIndex ours(f.polygons);
  const BoostIndex b(f.polygons);
  std::vector<Entry> cands;
  std::vector<std::int32_t> all;
  std::size_t verts = 0, rings = 0;
  for (const auto& mp : f.polygons)
    for (const auto& p : mp) verts += p.shell.size() - 1, ++rings;
  std::printf(
      "polygons: %s\n  %zu polygons, %zu rings, %.1f vertices per ring, %zu distinct vertices\n",
      f.source.c_str(), f.polygons.size(), rings,
      static_cast<double>(verts) / static_cast<double>(rings), f.vertices.size());
  // hist[method][k]: vertices that fall in k polygons (k capped at 3).
  std::size_t hist[3][4] = {};
  for (XY v : f.vertices) {
    ours.locate_all(v, all);
    ++hist[0][std::min<std::size_t>(all.size(), 3)];
    std::size_t w = 0, c = 0;
    cands.clear();
    BPoint q(v.x, v.y);
    b.tree.query(bgi::intersects(q), std::back_inserter(cands));
    for (const Entry& e : cands) {
      w += bg::within(q, b.polys[static_cast<std::size_t>(e.second)]);
      c += bg::covered_by(q, b.polys[static_cast<std::size_t>(e.second)]);
    }
    ++hist[1][std::min<std::size_t>(w, 3)];
    ++hist[2][std::min<std::size_t>(c, 3)];
  }
  std::printf(
      "boundary vertices falling in 0 / 1 / 2 / 3+ polygons (ring vertices on the outline belong\n"
      "to one polygon only, so a rule may leave them out; every other vertex is shared):\n");
  const char* names[3] = {"PolygonIndex (ours)", "bg::within", "bg::covered_by"};
  for (int m = 0; m < 3; ++m)
    std::printf("  %-20s %8zu %8zu %8zu %8zu\n", names[m], hist[m][0], hist[m][1], hist[m][2],
                hist[m][3]);
  std::size_t diff_w = 0, diff_c = 0;
  for (XY p : f.points) {
    auto o = ours.locate(p);
    diff_w += o != b.locate(p, cands, [&](const BPoint& q, std::int32_t i) {
      return bg::within(q, b.polys[static_cast<std::size_t>(i)]);
    });
    diff_c += o != b.locate(p, cands, [&](const BPoint& q, std::int32_t i) {
      return bg::covered_by(q, b.polys[static_cast<std::size_t>(i)]);
    });
  }
  std::printf("1M uniform points assigned differently from ours: within %zu, covered_by %zu\n",
              diff_w, diff_c);

  // Area and centroid agreement (relative to GEOS).
  hotspot::Geos geos;
  const auto cs = hotspot::centroids(f.polygons);
  double da = 0, dcb = 0, dco = 0;
  for (std::size_t i = 0; i < f.polygons.size(); ++i) {
    auto g = geos.from(f.polygons[i]);
    double ga = geos.area(g.get());
    GEOSGeometry* c = GEOSGetCentroid_r(geos.ctx(), g.get());
    double gx = 0, gy = 0;
    GEOSGeomGetX_r(geos.ctx(), c, &gx);
    GEOSGeomGetY_r(geos.ctx(), c, &gy);
    GEOSGeom_destroy_r(geos.ctx(), c);
    BPoint bc(0, 0);
    bg::centroid(b.polys[i], bc);
    da = std::max(da, std::fabs(bg::area(b.polys[i]) - ga) / ga);
    dcb = std::max(dcb, std::hypot(bc.x() - gx, bc.y() - gy));
    dco = std::max(dco, std::hypot(cs[i].x - gx, cs[i].y - gy));
  }
  std::printf(
      "against GEOS: area max relative difference (boost) %.2g; centroid max distance boost %.2g "
      "m, "
      "ours %.2g m\n\n",
      da, dcb, dco);
}

void BM_BuildOurs(benchmark::State& st) {
  const Fixture& f = fixture();
  for (auto _ : st) {
    hotspot::PolygonIndex idx(f.polygons);
    benchmark::DoNotOptimize(idx.size());
  }
}

void BM_BuildBoostRtree(benchmark::State& st) {  // includes the conversion to Boost's models
  const Fixture& f = fixture();
  for (auto _ : st) {
    BoostIndex b(f.polygons);
    benchmark::DoNotOptimize(b.tree.size());
  }
}

void BM_Locate1MOurs(benchmark::State& st) {
  const Fixture& f = fixture();
  const hotspot::PolygonIndex idx(f.polygons);
  for (auto _ : st) {
    std::int64_t found = 0;
    for (XY p : f.points) found += idx.locate(p) >= 0;
    benchmark::DoNotOptimize(found);
  }
  st.SetItemsProcessed(st.iterations() * static_cast<std::int64_t>(kPoints));
}

void BM_Locate1MBoostWithin(benchmark::State& st) {
  const Fixture& f = fixture();
  const BoostIndex b(f.polygons);
  std::vector<Entry> cands;
  for (auto _ : st) {
    std::int64_t found = 0;
    for (XY p : f.points)
      found += b.locate(p, cands, [&](const BPoint& q, std::int32_t i) {
        return bg::within(q, b.polys[static_cast<std::size_t>(i)]);
      }) >= 0;
    benchmark::DoNotOptimize(found);
  }
  st.SetItemsProcessed(st.iterations() * static_cast<std::int64_t>(kPoints));
}

void BM_Locate1MBoostCoveredBy(benchmark::State& st) {
  const Fixture& f = fixture();
  const BoostIndex b(f.polygons);
  std::vector<Entry> cands;
  for (auto _ : st) {
    std::int64_t found = 0;
    for (XY p : f.points)
      found += b.locate(p, cands, [&](const BPoint& q, std::int32_t i) {
        return bg::covered_by(q, b.polys[static_cast<std::size_t>(i)]);
      }) >= 0;
    benchmark::DoNotOptimize(found);
  }
  st.SetItemsProcessed(st.iterations() * static_cast<std::int64_t>(kPoints));
}

// Candidate lookup alone: Boost's rtree of boxes feeding our own test (same rule, same answers).
void BM_Locate1MBoostRtreeOurTest(benchmark::State& st) {
  const Fixture& f = fixture();
  const hotspot::PolygonIndex idx(f.polygons);
  const BoostIndex b(f.polygons);
  std::vector<Entry> cands;
  for (auto _ : st) {
    std::int64_t found = 0;
    for (XY p : f.points)
      found += b.locate(p, cands, [&](const BPoint& q, std::int32_t i) {
        return idx.contains(i, {q.x(), q.y()});
      }) >= 0;
    benchmark::DoNotOptimize(found);
  }
  st.SetItemsProcessed(st.iterations() * static_cast<std::int64_t>(kPoints));
}

void BM_AreaCentroidGeos(benchmark::State& st) {  // as aggregate/ and top/ do it: convert, then ask
  const Fixture& f = fixture();
  hotspot::Geos geos;
  for (auto _ : st)
    for (const auto& mp : f.polygons) {
      auto g = geos.from(mp);
      benchmark::DoNotOptimize(geos.area(g.get()));
      GEOSGeometry* c = GEOSGetCentroid_r(geos.ctx(), g.get());
      GEOSGeom_destroy_r(geos.ctx(), c);
    }
  st.SetItemsProcessed(st.iterations() * static_cast<std::int64_t>(f.polygons.size()));
}

void BM_AreaCentroidBoost(benchmark::State& st) {  // on polygons already in Boost's models
  const Fixture& f = fixture();
  std::vector<BMulti> polys;
  for (const auto& mp : f.polygons) polys.push_back(to_boost(mp));
  for (auto _ : st)
    for (const auto& mp : polys) {
      benchmark::DoNotOptimize(bg::area(mp));
      BPoint c;
      bg::centroid(mp, c);
      benchmark::DoNotOptimize(c);
    }
  st.SetItemsProcessed(st.iterations() * static_cast<std::int64_t>(f.polygons.size()));
}

void BM_AreaCentroidOurs(
    benchmark::State& st) {  // weights/centroids(): shoelace, area and centroid
  const Fixture& f = fixture();
  for (auto _ : st) benchmark::DoNotOptimize(hotspot::centroids(f.polygons));
  st.SetItemsProcessed(st.iterations() * static_cast<std::int64_t>(f.polygons.size()));
}

}  // namespace

BENCHMARK(BM_BuildOurs)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BuildBoostRtree)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Locate1MOurs)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Locate1MBoostRtreeOurTest)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Locate1MBoostWithin)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Locate1MBoostCoveredBy)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AreaCentroidGeos)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_AreaCentroidBoost)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_AreaCentroidOurs)->Unit(benchmark::kMicrosecond);

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  print_checks();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
