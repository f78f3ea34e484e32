// The raster's grid and mask: the grid rule of hotspot/density.hpp and the mask's cells (cell
// centres in the polygons). Apart from kde.cpp, which is built with -ffp-contract=off for its
// splatting loops and has no room left under the file-size limit.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>

#include "hotspot/density.hpp"
#include "hotspot/error.hpp"
#include "index/polygon_index.hpp"
#include "util/parallel.hpp"
#include "util/text.hpp"

namespace hotspot {

using std::int64_t;

Grid grid_for_extent(const Box& e, double cell, int64_t max_cells, const char* unit) {
  if (!(cell > 0) || !std::isfinite(cell))
    throw ParameterError("cell_size", "must be a positive length (got " + with_unit(cell, unit) + ")");
  if (e.empty() || !(e.xmax > e.xmin) || !(e.ymax > e.ymin))
    throw ParameterError("extent", "the extent is empty (xmin must be < xmax and ymin < ymax)");
  Grid g;
  g.xmin = e.xmin;
  g.ymax = e.ymax;
  g.cell = cell;
  double cols = std::ceil((e.xmax - e.xmin) / cell), rows = std::ceil((e.ymax - e.ymin) / cell);
  // (counts as doubles: an extent of 1e300 would overflow any integer)
  if (!(cols * rows <= static_cast<double>(max_cells))) {
    char counts[96];
    std::snprintf(counts, sizeof counts, "%.4g × %.4g", cols, rows);
    throw ParameterError("cell_size", std::string("a grid of ") + counts + " cells of " +
                                          with_unit(cell, unit) +
                                          " is too large; use a larger cell_size or a smaller extent");
  }
  g.cols = static_cast<int64_t>(cols);
  g.rows = static_cast<int64_t>(rows);
  return g;
}

std::vector<std::uint8_t> rasterize_mask(const std::vector<MultiPolygon>& polygons, const Grid& g,
                                         int threads) {
  PolygonIndex index(polygons);
  std::vector<std::uint8_t> mask(g.size(), 0);
  const int64_t block = 64;  // rows per task
  parallel_tasks(static_cast<std::size_t>((g.rows + block - 1) / block), resolve_threads(threads),
                 [&](std::size_t t, int) {
                   for (int64_t r = static_cast<int64_t>(t) * block;
                        r < std::min(g.rows, static_cast<int64_t>(t + 1) * block); ++r)
                     for (int64_t c = 0; c < g.cols; ++c)
                       mask[static_cast<std::size_t>(r * g.cols + c)] =
                           index.locate({g.x(c), g.y(r)}) >= 0 ? 1 : 0;
                 });
  return mask;
}

}  // namespace hotspot
