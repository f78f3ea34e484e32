#pragma once
// ST-DBSCAN's grid of points in space and time.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "hotspot/geometry.hpp"

namespace hotspot::cluster_detail {

// Points in square cells of side a little over eps (a neighbour within eps is in the 3x3 block),
// ordered by (cell, time, index): ST-DBSCAN's neighbour search, for st_dbscan() and
// st_dbscan_tile().
class TimeCells {
 public:
  TimeCells(std::span<const double> x, std::span<const double> y, std::span<const std::int64_t> t,
            double eps, const Box& bb)
      : t_(t) {
    const std::size_t n = x.size();
    side_ = eps * (1 + 1e-7);
    const auto nx = static_cast<std::uint64_t>(std::floor((bb.xmax - bb.xmin) / side_)) + 1;
    ny_ = static_cast<std::uint64_t>(std::floor((bb.ymax - bb.ymin) / side_)) + 1;
    nx_ = nx;
    std::vector<std::uint64_t> cell(n);
    for (std::size_t i = 0; i < n; ++i) {
      const auto ix =
          std::min(nx - 1, static_cast<std::uint64_t>(std::floor((x[i] - bb.xmin) / side_)));
      const auto iy =
          std::min(ny_ - 1, static_cast<std::uint64_t>(std::floor((y[i] - bb.ymin) / side_)));
      cell[i] = ix * ny_ + iy;
    }
    order_.resize(n);
    for (std::size_t i = 0; i < n; ++i) order_[i] = static_cast<std::uint32_t>(i);
    std::sort(order_.begin(), order_.end(), [&](std::uint32_t a, std::uint32_t b) {
      if (cell[a] != cell[b]) return cell[a] < cell[b];
      if (t[a] != t[b]) return t[a] < t[b];
      return a < b;
    });
    t_sorted_.resize(n);
    cell_index_.resize(n);
    for (std::size_t k = 0; k < n; ++k) {
      const std::uint32_t i = order_[k];
      t_sorted_[k] = t[i];
      if (k == 0 || cell[i] != key_.back()) {
        key_.push_back(cell[i]);
        start_.push_back(static_cast<std::uint32_t>(k));
      }
      cell_index_[i] = static_cast<std::uint32_t>(key_.size() - 1);
    }
    start_.push_back(static_cast<std::uint32_t>(n));
    nb_start_.assign(1, 0);
    for (std::size_t c = 0; c < key_.size(); ++c) {
      const std::uint64_t ix = key_[c] / ny_, iy = key_[c] % ny_;
      for (std::uint64_t gx = ix > 0 ? ix - 1 : 0; gx <= std::min(nx_ - 1, ix + 1); ++gx) {
        const std::uint64_t lo = gx * ny_ + (iy > 0 ? iy - 1 : 0),
                            hi = gx * ny_ + std::min(ny_ - 1, iy + 1);
        for (auto it = std::lower_bound(key_.begin(), key_.end(), lo);
             it != key_.end() && *it <= hi; ++it)
          nb_.push_back(static_cast<std::uint32_t>(it - key_.begin()));
      }
      nb_start_.push_back(static_cast<std::uint32_t>(nb_.size()));
    }
  }

  // fn(j) for every point j in the 3x3 block around point i's cell with |t_j - t_i| <= dt.
  template <class F>
  void for_candidates(std::size_t i, std::int64_t dt, F&& fn) const {
    const std::int64_t t = t_[i];
    const std::uint32_t c0 = cell_index_[i];
    for (std::uint32_t k = nb_start_[c0]; k < nb_start_[c0 + 1]; ++k) {
      const std::uint32_t c = nb_[k];
      auto b = t_sorted_.begin() + start_[c], e = t_sorted_.begin() + start_[c + 1];
      // t - dt and t + dt cannot overflow: |t| and dt are checked (check_st_dbscan).
      for (auto q = std::lower_bound(b, e, t - dt); q != e && *q <= t + dt; ++q)
        fn(order_[static_cast<std::size_t>(q - t_sorted_.begin())]);
    }
  }

 private:
  std::span<const std::int64_t> t_;
  double side_ = 0;
  std::uint64_t nx_ = 0, ny_ = 0;
  std::vector<std::uint64_t> key_;
  std::vector<std::uint32_t> start_, order_, cell_index_, nb_start_, nb_;
  std::vector<std::int64_t> t_sorted_;
};

}  // namespace hotspot::cluster_detail
