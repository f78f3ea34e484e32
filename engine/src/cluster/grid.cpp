#include "cluster/grid.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "hotspot/error.hpp"
#include "hotspot/huge_pages.hpp"
#include "util/text.hpp"

namespace hotspot::cluster_detail {

Box checked_bounds(std::span<const double> x, std::span<const double> y, double eps,
                   const char* stage) {
  if (!(eps > 0) || !std::isfinite(eps))
    throw ParameterError("eps", std::string("must be a positive number for ") + stage + " (got " +
                                    metres_text(eps) + ")");
  const std::size_t n = x.size();
  if (n >= 0xffffffffu) throw UsageError(std::string(stage) + ": more than 4e9 points");
  Box b;
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(x[i]) || !std::isfinite(y[i]))
      throw InputError(std::string(stage) + ": point " + std::to_string(i) +
                       " has a non-finite coordinate");
    b.expand(XY{x[i], y[i]});
  }
  if (!b.empty()) {
    const double extent = std::max(b.xmax - b.xmin, b.ymax - b.ymin);
    if (extent / eps > 1e8)
      throw ParameterError("eps", metres_text(eps) + " is too small for a data extent of " +
                                      metres_text(extent) + " (ratio above 1e8)");
  }
  return b;
}

void check_min_points(int min_points) {
  if (min_points < 1)
    throw ParameterError("min_points",
                         "must be at least 1 (got " + std::to_string(min_points) + ")");
}

SiteGrid build_site_grid(std::span<const double> x, std::span<const double> y, double eps,
                         const char* stage) {
  const Box bb = checked_bounds(x, y, eps, stage);
  SiteGrid g;
  const std::size_t n = x.size();
  g.start.push_back(0);
  if (n == 0) return g;
  const double xmin = bb.xmin, ymin = bb.ymin, xmax = bb.xmax, ymax = bb.ymax;
  // 1e-7 below eps/sqrt(2): the rounding of the cell arithmetic (relative to the extent, < 1e-15)
  // can never make two points of one cell farther apart than eps.
  g.side = eps / std::sqrt(2.0) * (1 - 1e-7);
  g.x0 = xmin;
  g.y0 = ymin;
  g.nx = static_cast<std::uint64_t>(std::floor((xmax - xmin) / g.side)) + 1;
  g.ny = static_cast<std::uint64_t>(std::floor((ymax - ymin) / g.side)) + 1;

  struct Item {
    std::uint64_t key;
    double x, y;
    std::uint32_t i;
  };
  // Two 32-byte items per point: the largest arrays of a DBSCAN call (see huge_pages.hpp).
  using Items = BigVector<Item>;
  Items items(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto ix = static_cast<std::uint64_t>(std::floor((x[i] - xmin) / g.side));
    auto iy = static_cast<std::uint64_t>(std::floor((y[i] - ymin) / g.side));
    items[i] = {std::min(ix, g.nx - 1) * g.ny + std::min(iy, g.ny - 1), x[i], y[i],
                static_cast<std::uint32_t>(i)};
  }
  // Cell order by an LSD radix sort on the key (11-bit digits, only as many passes as the largest
  // key needs; stable, so equal keys stay in index order), then (x, y, index) inside each cell.
  std::uint64_t max_key = 0;
  for (const Item& it : items) max_key = std::max(max_key, it.key);
  {
    Items tmp(n);
    constexpr int kBits = 11;
    constexpr std::size_t kBuckets = std::size_t{1} << kBits;
    for (int shift = 0; shift < 64 && (max_key >> shift) != 0; shift += kBits) {
      std::vector<std::size_t> count(kBuckets + 1, 0);
      for (const Item& it : items) ++count[((it.key >> shift) & (kBuckets - 1)) + 1];
      for (std::size_t k = 0; k < kBuckets; ++k) count[k + 1] += count[k];
      for (const Item& it : items) tmp[count[(it.key >> shift) & (kBuckets - 1)]++] = it;
      items.swap(tmp);
    }
  }
  auto less = [](const Item& a, const Item& b) {
    if (a.x != b.x) return a.x < b.x;
    if (a.y != b.y) return a.y < b.y;
    return a.i < b.i;
  };
  for (std::size_t b0 = 0; b0 < n;) {
    std::size_t e0 = b0 + 1;
    while (e0 < n && items[e0].key == items[b0].key) ++e0;
    if (e0 - b0 > 1)
      std::sort(items.begin() + static_cast<std::ptrdiff_t>(b0),
                items.begin() + static_cast<std::ptrdiff_t>(e0), less);
    b0 = e0;
  }
  std::size_t cells = 0, sites = 0;  // counted first, so each array is mapped once
  for (std::size_t k = 0; k < n; ++k) {
    const bool new_cell = k == 0 || items[k].key != items[k - 1].key;
    cells += new_cell;
    sites += new_cell || items[k].x != items[k - 1].x || items[k].y != items[k - 1].y;
  }
  for (auto* v : {&g.bxmin, &g.bxmax, &g.bymin, &g.bymax}) v->reserve(cells);
  g.key.reserve(cells);
  g.count.reserve(cells);
  g.start.reserve(cells + 1);
  for (auto* v : {&g.sx, &g.sy}) v->reserve(sites);
  for (auto* v : {&g.mult, &g.rep}) v->reserve(sites);
  g.site_of.resize(n);
  g.start.clear();
  for (std::size_t k = 0; k < n; ++k) {
    const Item& it = items[k];
    const bool new_cell = k == 0 || it.key != items[k - 1].key;
    if (new_cell) {
      g.key.push_back(it.key);
      g.start.push_back(static_cast<std::uint32_t>(g.sx.size()));
      g.count.push_back(0);
      g.bxmin.push_back(it.x);
      g.bxmax.push_back(it.x);
      g.bymin.push_back(it.y);
      g.bymax.push_back(it.y);
    }
    if (new_cell || it.x != items[k - 1].x || it.y != items[k - 1].y) {
      g.sx.push_back(it.x);
      g.sy.push_back(it.y);
      g.mult.push_back(0);
      g.rep.push_back(it.i);
    }
    const std::size_t c = g.key.size() - 1;
    ++g.mult.back();
    ++g.count[c];
    g.bxmin[c] = std::min(g.bxmin[c], it.x);
    g.bxmax[c] = std::max(g.bxmax[c], it.x);
    g.bymin[c] = std::min(g.bymin[c], it.y);
    g.bymax[c] = std::max(g.bymax[c], it.y);
    g.site_of[it.i] = static_cast<std::uint32_t>(g.sx.size() - 1);
  }
  g.start.push_back(static_cast<std::uint32_t>(g.sx.size()));
  return g;
}

}  // namespace hotspot::cluster_detail
