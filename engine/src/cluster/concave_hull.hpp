// The concave hull GEOS 3.11 computes (GEOSConcaveHull_r by edge-length ratio, no holes), from a
// faster Delaunay triangulation: for a third of a million members, GEOS's incremental quad-edge
// triangulation and the hash map that turns it into triangles take about 2 s, the longest single
// task of `hotspot cluster` at 1M incidents; this takes about a tenth of that.
#pragma once

#include <optional>
#include <vector>

#include "hotspot/geometry.hpp"

namespace hotspot::cluster_detail {

// GEOS's hull of `pts` (repeats allowed) with edge-length ratio `ratio` (0..1), as a closed ring that
// starts at its smallest vertex (start_at_smallest), or nothing when this cannot vouch for
// GEOS's result:
// - the GEOS loaded at run time is not 3.11;
// - fewer than 3 distinct points, or the triangulation nearly degenerate: four sites within a
//   relative 1e-16 of one circle, or three of one line, in long double (GEOS's own predicates
//   are long double), where GEOS could choose the other diagonal;
// - two triangles of the erosion's queue of the same size, which GEOS orders by its own
//   triangle order;
// - a hull of one triangle, or a ring that passes a vertex twice.
// The caller then asks GEOS. The triangulation is that of the points and GEOS's frame (three
// vertices 100 times the extent away), so it is GEOS's, frame triangles dropped, whenever it
// is unique; the erosion and the boundary trace follow ConcaveHull and HullTriangulation of
// GEOS 3.11. tests/unit/cluster/concave_hull_test.cpp compares the two on random, clustered,
// rounded and gridded sets.
std::optional<Ring> concave_hull_ring(std::vector<XY> pts, double ratio);

// Rotates a closed ring (first vertex repeated at the end) to start at its smallest vertex, by x
// then y (the first of them if it occurs twice). The same polygon then has the same vertex
// sequence whichever vertex its maker started from.
void start_at_smallest(Ring& ring);

}  // namespace hotspot::cluster_detail
