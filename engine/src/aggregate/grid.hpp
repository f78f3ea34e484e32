#pragma once
// Generated analysis grids (ArcGIS's Optimized Hot Spot Analysis): hexagons or fishnet squares
// over the study area, clipped to it, with incidents counted into them.
#include <cstdint>
#include <string>
#include <vector>

#include "hotspot/geometry.hpp"
#include "hotspot/aggregate.hpp"

namespace hotspot {

// The cells of one grid. Not `Grid`: hotspot/density.hpp has a raster grid of that name in the
// same namespace.
struct CellGrid {
  std::vector<MultiPolygon> cells;  // clipped to the study area
  std::vector<XY> centroid;         // of the clipped cell
  std::vector<std::int64_t> row, col;
  std::vector<char> clipped;  // 1 when the study-area boundary cuts the cell
  std::vector<double> count;  // incidents (or the sum of their weights) in the cell
  std::int64_t outside = 0;   // incidents outside the study area
  double study_area_m2 = 0;
};

// The study area: the union of the polygons, or, when there are none, the convex hull of the points
// grown by `hull_margin` (half a cell: the points on the hull's boundary then lie inside a cell,
// not on a clipped cell's edge or in a dropped sliver, where they would count as outside).
MultiPolygon study_area(const std::vector<MultiPolygon>& polygons, const std::vector<XY>& points,
                        double hull_margin);

// The most lattice cells a grid may span over its study area: beyond it make_grid refuses
// (ParameterError "grid", with the extent and the smallest size that fits) before making any.
constexpr double kMaxGridCells = 5e6;
// weights: per incident (empty: each counts 1).
CellGrid make_grid(const MultiPolygon& area, const GridSpec& spec, const std::vector<double>& x,
                   const std::vector<double>& y, const std::vector<double>& weights);

// grid auto: size so that an average cell holds 10 incidents, kept between the sizes that give
// 100 000 and 100 cells over the study area.
double auto_cell_size(double area_m2, std::size_t incidents, CellShape shape);

// Even-odd point in multipolygon (holes respected); a brute-force reference for cell counting.
bool point_in(const MultiPolygon& mp, XY p);

}  // namespace hotspot
