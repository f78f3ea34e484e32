#pragma once
// Point-in-polygon for many points against many (multi)polygons.
//
// A uniform grid over the polygons' extent lists, per cell, the polygons whose bounding box meets
// it. Each polygon keeps its edges in horizontal bands, so a test reads only the edges whose
// y-range spans the point. The test is a crossing count with a symbolic perturbation: an edge
// counts when lo.y <= p.y < hi.y and p lies strictly left of it, with each edge always taken from
// its lower to its upper end. Two polygons that share an edge therefore decide a point on it
// identically and in opposite ways, so a point on a shared boundary falls in exactly one of them.
#include <cstdint>
#include <vector>

#include "hotspot/geometry.hpp"

namespace hotspot {

class PolygonIndex {
 public:
  explicit PolygonIndex(const std::vector<MultiPolygon>& polygons);

  // The lowest-numbered polygon containing p, or -1.
  std::int32_t locate(XY p) const;
  // Every polygon containing p, in increasing order.
  void locate_all(XY p, std::vector<std::int32_t>& out) const;
  // Whether polygon i contains p (same rule as locate).
  bool contains(std::int32_t i, XY p) const;
  std::size_t size() const { return polys_.size(); }

 private:
  struct Edge {
    XY lo, hi;  // lo.y < hi.y
  };
  struct Poly {
    Box box;
    double band_h = 0;
    std::uint32_t bands = 0;
    std::vector<std::uint32_t> band_start;  // CSR offsets into band_edges, bands + 1 entries
    std::vector<Edge> band_edges;
  };
  std::vector<std::int32_t> candidates_at(XY p) const;

  std::vector<Poly> polys_;
  Box extent_;
  std::uint32_t nx_ = 1, ny_ = 1;
  double cw_ = 1, ch_ = 1;
  std::vector<std::uint32_t> cell_start_;  // CSR over grid cells
  std::vector<std::int32_t> cell_polys_;
};

// The brute-force twin, used only as a test oracle: the same rule over every edge of every
// polygon, no grid, no bands.
std::int32_t locate_brute_force(const std::vector<MultiPolygon>& polygons, XY p);

}  // namespace hotspot
