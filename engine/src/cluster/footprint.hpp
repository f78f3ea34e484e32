#pragma once
// Cluster footprints: the convex or concave hull of each cluster's members (GEOS).
#include <cstdint>
#include <vector>

#include "hotspot/cluster.hpp"
#include "hotspot/geometry.hpp"

namespace hotspot {

struct Footprint {
  MultiPolygon geom;
  double area = 0;        // in squared working-CRS units
  bool buffered = false;  // members at one location or on one line: hull buffered to an area
};

// One footprint per cluster id 0..clusters-1 of `label`. A hull that is not an area (members at
// one location or collinear) is buffered by max(0.5, 1% of the members' bounding-box diagonal)
// units, so every footprint is a valid area that covers all its members.
std::vector<Footprint> cluster_footprints(const std::vector<double>& x, const std::vector<double>& y,
                                          const std::vector<std::int32_t>& label, std::int32_t clusters,
                                          HullKind hull, double concave_ratio, int threads);

}  // namespace hotspot
