#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <thread>

#include "cluster/concave_hull.hpp"
#include "geom/geos.hpp"
#include "hotspot/cluster.hpp"
#include "hotspot/error.hpp"
#include "util/parallel.hpp"

namespace hotspot {

namespace {

static_assert(sizeof(XY) == 2 * sizeof(double), "XY is read as a buffer of x, y pairs");

// The members as one geometry for GEOS's concave hull, which reads nothing of it but its
// coordinates: its Delaunay triangulation takes them sorted and without repeats
// (DelaunayTriangulationBuilder::extractUniqueCoordinates), and the convex hull it falls back to
// for fewer than three non-collinear sites collects the unique coordinates in the order met, which
// is the same for a LineString as for a MultiPoint of the same points. So one LineString gives the
// hull the MultiPoint gives, without building a Point object per member (a third of a million for
// the largest cluster at 1M incidents). A LineString needs two points: one member stays a
// MultiPoint.
Geom hull_sites(const Geos& geos, const std::vector<XY>& pts) {
  if (pts.size() < 2) return geos.multipoint(pts);
  GEOSCoordSequence* seq = GEOSCoordSeq_copyFromBuffer_r(
      geos.ctx(), reinterpret_cast<const double*>(pts.data()), static_cast<unsigned>(pts.size()), 0, 0);
  if (!seq) throw InternalError("GEOS: concave hull sites");
  GEOSGeometry* line = GEOSGeom_createLineString_r(geos.ctx(), seq);  // takes seq
  if (!line) throw InternalError("GEOS: concave hull sites");
  return Geom(geos.ctx(), line);
}

// From this many members a concave hull is computed by cluster_detail::concave_hull_ring (GEOS's
// hull from a faster triangulation); below, GEOS's own time is small.
constexpr std::size_t kOwnTriangulation = 1000;

// GEOS's concave hull of the members, its ring started at its smallest vertex
// (cluster_detail::start_at_smallest), so that the footprint is the same whichever computed it.
MultiPolygon concave_footprint(const Geos& geos, const std::vector<XY>& pts, double ratio, Geom* hull) {
  if (pts.size() >= kOwnTriangulation)
    if (auto ring = cluster_detail::concave_hull_ring(pts, ratio)) {
      MultiPolygon mp{Polygon{std::move(*ring), {}}};
      *hull = geos.from(mp);
      return mp;
    }
  *hull = geos.concave_hull(hull_sites(geos, pts).get(), ratio);
  MultiPolygon mp = geos.to_multipolygon(hull->get());
  if (mp.size() == 1 && mp[0].holes.empty()) {
    cluster_detail::start_at_smallest(mp[0].shell);
    *hull = geos.from(mp);
  }
  return mp;
}

}  // namespace

std::vector<Footprint> cluster_footprints(const std::vector<double>& x,
                                          const std::vector<double>& y,
                                          const std::vector<std::int32_t>& label,
                                          std::int32_t clusters, HullKind hull,
                                          double concave_ratio, int threads) {
  if (hull == HullKind::kConcave && !(concave_ratio >= 0 && concave_ratio <= 1))
    throw ParameterError("concave_ratio",
                         "must be in 0..1 (got " + std::to_string(concave_ratio) + ")");
  const auto k = static_cast<std::size_t>(std::max(0, clusters));
  // Members grouped by cluster (counting sort, input order inside a cluster).
  std::vector<std::size_t> start(k + 1, 0);
  for (auto l : label)
    if (l >= 0) ++start[static_cast<std::size_t>(l) + 1];
  for (std::size_t c = 0; c < k; ++c) start[c + 1] += start[c];
  std::vector<XY> members(start[k]);
  {
    std::vector<std::size_t> fill(start.begin(), start.end() - 1);
    for (std::size_t i = 0; i < label.size(); ++i)
      if (label[i] >= 0) members[fill[static_cast<std::size_t>(label[i])]++] = {x[i], y[i]};
  }
  std::vector<Footprint> out(k);
  // Few clusters hold most points, so split by cluster with a small grain.
  std::size_t chunks = std::min<std::size_t>(k, static_cast<std::size_t>(resolve_threads(threads)));
  auto one = [&](const Geos& geos, std::size_t c) {
    {
      std::vector<XY> pts(members.begin() + static_cast<std::ptrdiff_t>(start[c]),
                          members.begin() + static_cast<std::ptrdiff_t>(start[c + 1]));
      Footprint& f = out[c];
      Geom h;
      if (hull == HullKind::kConcave) {
        f.geom = concave_footprint(geos, pts, concave_ratio, &h);
      } else {
        h = geos.convex_hull(geos.multipoint(pts).get());
        f.geom = geos.to_multipolygon(h.get());
      }
      f.area = f.geom.empty() ? 0.0 : geos.area(h.get());
      if (f.geom.empty() || !(f.area > 0)) {
        Box b2;
        for (const auto& p : pts) b2.expand(p);
        const double r = std::max(0.5, 0.01 * std::hypot(b2.xmax - b2.xmin, b2.ymax - b2.ymin));
        Geom buf = geos.buffer(h.get(), r);
        f.geom = geos.to_multipolygon(buf.get());
        f.area = geos.area(buf.get());
        f.buffered = true;
      }
    }
  };
  if (chunks <= 1) {
    Geos geos;
    for (std::size_t c = 0; c < k; ++c) one(geos, c);
  } else {
    // parallel_ranges would fall back to one thread below 4096 items; clusters are few but heavy.
    // Each thread takes the next cluster when it is free. Ids are sorted by size, so the largest
    // cluster (often a third of the members: its hull alone is most of the work) keeps one thread
    // while the others share the rest; a fixed interleave gave that thread every other cluster too.
    std::vector<std::thread> pool;
    std::vector<std::exception_ptr> errors(chunks);
    std::atomic<std::size_t> next{0};
    for (std::size_t t = 0; t < chunks; ++t)
      pool.emplace_back([&, t] {
        try {
          Geos geos;
          for (std::size_t c; (c = next.fetch_add(1, std::memory_order_relaxed)) < k;) one(geos, c);
        } catch (...) {
          errors[t] = std::current_exception();
          next.store(k, std::memory_order_relaxed);  // the others stop at their next cluster
        }
      });
    for (auto& th : pool) th.join();
    for (auto& e : errors)
      if (e) std::rethrow_exception(e);
  }
  return out;
}

}  // namespace hotspot
