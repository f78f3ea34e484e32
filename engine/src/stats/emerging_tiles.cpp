// One tile of emerging(): the cube of a tile's owned cells and their band halo, and the owned
// cells' Gi* sums (hotspot/distribute.hpp, emerging_tile). hotspot.dask runs one per tile of cells
// on its workers and the driver joins them; emerging() without the hook runs one tile owning every
// cell. Either way the moments, z, p and classes follow in emerging().
#include <algorithm>
#include <cmath>

#include "hotspot/distribute.hpp"
#include "hotspot/error.hpp"
#include "stats/emerging.hpp"
#include "weights/weights.hpp"

namespace hotspot {

namespace {

// Position of global cell c in the increasing list `cells`, or -1.
std::int64_t position(std::span<const std::int32_t> cells, std::int32_t c) {
  const auto it = std::lower_bound(cells.begin(), cells.end(), c);
  return it != cells.end() && *it == c ? it - cells.begin() : -1;
}

// The rows of the owned cells in with_self(band_weights(every centroid, band_m)), their indices
// as positions in `local` (the owned cells and their halo, increasing), which this fills.
// band_weights tests each pair on its own (squared distance <= band²), so the rows computed over
// the centroids near the tile are the rows over all of them: the same neighbours in the same
// (increasing) order.
SpatialWeights owned_rows(const std::vector<XY>& centroid, std::span<const std::int32_t> owned,
                          double band_m, std::vector<std::int32_t>& local) {
  Box box;
  for (std::int32_t c : owned) box.expand(centroid[static_cast<std::size_t>(c)]);
  // Candidates: the centroids within the owned ones' box grown by the band, with room for the
  // rounding of the squared distance (anything more is only filtered out by the exact test).
  const double grow = band_m * (1 + 1e-6) + 1e-6 * (1 + std::max({std::abs(box.xmin),
                                                                  std::abs(box.xmax),
                                                                  std::abs(box.ymin),
                                                                  std::abs(box.ymax)}));
  std::vector<std::int32_t> near;
  std::vector<XY> near_xy;
  for (std::size_t c = 0; c < centroid.size(); ++c) {
    const XY p = centroid[c];
    if (p.x >= box.xmin - grow && p.x <= box.xmax + grow && p.y >= box.ymin - grow &&
        p.y <= box.ymax + grow) {
      near.push_back(static_cast<std::int32_t>(c));
      near_xy.push_back(p);
    }
  }
  const SpatialWeights w = with_self(band_weights(near_xy, band_m), 1.0);
  std::vector<std::uint8_t> used(near.size(), 0);
  std::vector<std::size_t> row(owned.size());
  for (std::size_t j = 0; j < owned.size(); ++j) {
    row[j] = static_cast<std::size_t>(position(near, owned[j]));
    for (auto k = w.offset[row[j]]; k < w.offset[row[j] + 1]; ++k)
      used[static_cast<std::size_t>(w.index[static_cast<std::size_t>(k)])] = 1;
  }
  local.clear();
  std::vector<std::int32_t> local_of(near.size(), -1);
  for (std::size_t k = 0; k < near.size(); ++k)
    if (used[k]) local_of[k] = static_cast<std::int32_t>(local.size()), local.push_back(near[k]);
  SpatialWeights out;
  out.offset.assign(owned.size() + 1, 0);
  for (std::size_t j = 0; j < owned.size(); ++j) {
    for (auto k = w.offset[row[j]]; k < w.offset[row[j] + 1]; ++k) {
      out.index.push_back(local_of[static_cast<std::size_t>(w.index[static_cast<std::size_t>(k)])]);
      out.weight.push_back(1.0);
    }
    out.offset[j + 1] = static_cast<std::int64_t>(out.index.size());
  }
  return out;
}

}  // namespace

EmergingSums emerging_tile(std::span<const double> x, std::span<const double> y,
                           std::span<const std::int32_t> step_of, std::span<const double> weight,
                           const std::vector<MultiPolygon>& cells, const std::vector<XY>& centroid,
                           std::span<const std::int32_t> owned, std::size_t steps, double band_m,
                           int window, int threads) {
  const std::size_t n = x.size();
  if (y.size() != n || step_of.size() != n || (!weight.empty() && weight.size() != n) ||
      centroid.size() != cells.size())
    throw InternalError("emerging_tile: column lengths differ");
  for (std::size_t j = 0; j < owned.size(); ++j)
    if (owned[j] < 0 || static_cast<std::size_t>(owned[j]) >= cells.size() ||
        (j > 0 && owned[j] <= owned[j - 1]))
      throw InternalError("emerging_tile: the owned cells must be increasing cell numbers");
  for (std::int32_t s : step_of)
    if (s < -1 || (s >= 0 && static_cast<std::size_t>(s) >= steps))
      throw InternalError("emerging_tile: a time step is out of range");
  EmergingSums r;
  if (owned.empty()) return r;

  // The owned cells' neighbourhoods; `local` the owned and halo cells, each tile's cube column.
  std::vector<std::int32_t> local;
  const SpatialWeights w = owned_rows(centroid, owned, band_m, local);
  const std::size_t nl = local.size();

  // The incidents that can lie in a local cell (inside the cells' bounding box), in incident order,
  // located among every cell: the lowest-numbered cell holding a point may lie outside the tile.
  Box region;
  for (std::int32_t c : local) region.expand(bounds(cells[static_cast<std::size_t>(c)]));
  std::vector<std::size_t> near;
  std::vector<double> nx, ny;
  for (std::size_t i = 0; i < n; ++i)
    if (region.contains(XY{x[i], y[i]})) near.push_back(i), nx.push_back(x[i]), ny.push_back(y[i]);
  const std::vector<std::int32_t> cell_of = locate_cells(cells, nx, ny, threads);
  nx = {}, ny = {};

  // The cube of the local cells, summed in incident order as emerging() sums the whole cube.
  std::vector<double> cube(nl * steps, 0.0);
  for (std::size_t k = 0; k < near.size(); ++k) {
    const std::int32_t c = cell_of[k];
    if (c < 0) continue;
    const std::int64_t at = position(local, c);
    if (at < 0) continue;
    const std::size_t i = near[k];
    const bool own = position(owned, c) >= 0;
    r.located += own;
    if (step_of[i] < 0) {
      r.without_time += own;
      continue;
    }
    cube[static_cast<std::size_t>(step_of[i]) * nl + static_cast<std::size_t>(at)] +=
        weight.empty() ? 1.0 : weight[i];
  }

  r.running = space_time_running(cube, nl, steps, w, window, 0, owned.size(), threads);
  const std::size_t no = owned.size();
  if (no == nl) {  // no halo (one tile owns every cell: emerging() here): the cube is the counts
    r.count = std::move(cube);
  } else {
    r.count.resize(no * steps);
    for (std::size_t j = 0; j < no; ++j) {
      const auto at = static_cast<std::size_t>(position(local, owned[j]));
      for (std::size_t t = 0; t < steps; ++t) r.count[t * no + j] = cube[t * nl + at];
    }
  }
  for (std::size_t j = 0; j < no; ++j) r.neighbours.push_back(static_cast<std::int32_t>(w.cardinality(j)));
  return r;
}

}  // namespace hotspot
