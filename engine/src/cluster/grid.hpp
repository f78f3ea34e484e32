#pragma once
// The point grid behind exact DBSCAN: square cells a little smaller than eps/sqrt(2), so any two
// points of one cell are within eps, and every neighbour within eps lies in the 5x5 block of cells
// around a point's cell. Points at the same location are merged into one "site" with a
// multiplicity, which makes stacks of duplicates (one address, many incidents) cost one point.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "hotspot/cluster.hpp"
#include "hotspot/geometry.hpp"
#include "hotspot/huge_pages.hpp"

namespace hotspot::cluster_detail {

struct SiteGrid {
  double x0 = 0, y0 = 0, side = 0;
  std::uint64_t nx = 0, ny = 0;
  // Cells in key order (key = ix * ny + iy); sites of cell c are [start[c], start[c + 1]).
  BigVector<std::uint64_t> key;
  BigVector<std::uint32_t> start;
  BigVector<std::int64_t> count;                 // points (with multiplicity) per cell
  BigVector<double> bxmin, bymin, bxmax, bymax;  // bounds of each cell's sites
  // Sites, grouped by cell, ordered by (x, y) inside a cell.
  BigVector<double> sx, sy;
  BigVector<std::uint32_t> mult;     // points at the site
  BigVector<std::uint32_t> rep;      // smallest input index at the site
  BigVector<std::uint32_t> site_of;  // per input point

  std::size_t cells() const { return key.size(); }

  // Cells whose 5x5 block contains c (c itself included), in key order.
  template <class F>
  void for_neighbours(std::size_t c, F&& f) const {
    const std::uint64_t ix = key[c] / ny, iy = key[c] % ny;
    const std::uint64_t x_lo = ix >= 2 ? ix - 2 : 0, x_hi = std::min(nx - 1, ix + 2);
    const std::uint64_t y_lo = iy >= 2 ? iy - 2 : 0, y_hi = std::min(ny - 1, iy + 2);
    for (std::uint64_t gx = x_lo; gx <= x_hi; ++gx) {
      const std::uint64_t lo = gx * ny + y_lo, hi = gx * ny + y_hi;
      auto it = std::lower_bound(key.begin(), key.end(), lo);
      for (; it != key.end() && *it <= hi; ++it) f(static_cast<std::size_t>(it - key.begin()));
    }
  }

  // The same cells into a fixed array; returns how many.
  std::size_t neighbours(std::size_t c, std::uint32_t (&out)[25]) const {
    std::size_t k = 0;
    for_neighbours(c, [&](std::size_t nb) { out[k++] = static_cast<std::uint32_t>(nb); });
    return k;
  }

  // Neighbour lists for cells visited in ascending order (one cursor per thread range): the first
  // key of each of the five columns only grows with c, so each column position advances by
  // galloping from where it was instead of a binary search over all cells.
  class Cursor {
   public:
    explicit Cursor(const SiteGrid& g) : g_(g) {}
    std::size_t neighbours(std::size_t c, std::uint32_t (&out)[25]) {
      const std::uint64_t ix = g_.key[c] / g_.ny, iy = g_.key[c] % g_.ny;
      const std::uint64_t y_lo = iy >= 2 ? iy - 2 : 0, y_hi = std::min(g_.ny - 1, iy + 2);
      const std::size_t n = g_.key.size();
      std::size_t k = 0;
      for (int d = 0; d < 5; ++d) {
        if (ix + static_cast<std::uint64_t>(d) < 2 || ix + static_cast<std::uint64_t>(d) - 2 >= g_.nx) continue;
        const std::uint64_t gx = ix + static_cast<std::uint64_t>(d) - 2;
        const std::uint64_t lo = gx * g_.ny + y_lo, hi = gx * g_.ny + y_hi;
        std::size_t p = pos_[d];
        if (p < n && g_.key[p] < lo) {
          std::size_t step = 1, q = p;
          while (q + step < n && g_.key[q + step] < lo) {
            q += step;
            step *= 2;
          }
          p = static_cast<std::size_t>(
              std::lower_bound(g_.key.begin() + static_cast<std::ptrdiff_t>(q),
                               g_.key.begin() + static_cast<std::ptrdiff_t>(std::min(n, q + step + 1)), lo) -
              g_.key.begin());
        }
        pos_[d] = p;
        for (; p < n && g_.key[p] <= hi; ++p) out[k++] = static_cast<std::uint32_t>(p);
      }
      return k;
    }

   private:
    const SiteGrid& g_;
    std::size_t pos_[5] = {0, 0, 0, 0, 0};
  };

  // Squared distance from (px, py) to the farthest corner of cell c's bounds: when it is within
  // eps^2, so is every site of c (rounded subtraction, squaring and addition are monotone).
  double far_d2(std::size_t c, double px, double py) const {
    const double dx = std::max(std::abs(px - bxmin[c]), std::abs(px - bxmax[c]));
    const double dy = std::max(std::abs(py - bymin[c]), std::abs(py - bymax[c]));
    return dx * dx + dy * dy;
  }

  // Squared distance from (px, py) to the bounds of cell c.
  double box_d2(std::size_t c, double px, double py) const {
    double dx = px < bxmin[c] ? bxmin[c] - px : (px > bxmax[c] ? px - bxmax[c] : 0.0);
    double dy = py < bymin[c] ? bymin[c] - py : (py > bymax[c] ? py - bymax[c] : 0.0);
    return dx * dx + dy * dy;
  }
};

// Checks eps and the coordinates and returns their bounds: UsageError for eps <= 0 or an extent
// more than 1e8 times eps (cell arithmetic would lose its exactness margin), InputError for
// non-finite coordinates. Empty input gives an empty Box.
Box checked_bounds(std::span<const double> x, std::span<const double> y, double eps, const char* stage);

// ParameterError("min_points") unless min_points >= 1 (dbscan, st-dbscan and their tiles).
void check_min_points(int min_points);

// st_dbscan()'s checks of the options and times, shared with st_dbscan_tile (stage names the
// caller in InternalError): ParameterError for min_points and eps_time, UsageError for an
// incident without a time (or one beyond 2^52 s).
void check_st_dbscan(std::span<const double> x, std::span<const double> y,
                     std::span<const std::int64_t> t, const StDbscanOptions& opt,
                     const char* stage);

// Builds the grid for radius eps (after checked_bounds). Throws UsageError for eps <= 0 or an extent more than 1e8 times
// eps (the cell arithmetic would lose the exactness margin), InputError for non-finite coordinates.
SiteGrid build_site_grid(std::span<const double> x, std::span<const double> y, double eps, const char* stage);

// The exact distance test shared by every algorithm here: the same arithmetic as scikit-learn's
// kd-tree (sum of squared differences compared with eps squared).
inline bool within(double ax, double ay, double bx, double by, double eps2) {
  const double dx = ax - bx, dy = ay - by;
  return dx * dx + dy * dy <= eps2;
}

}  // namespace hotspot::cluster_detail
