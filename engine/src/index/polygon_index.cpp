#include "index/polygon_index.hpp"

#include <algorithm>
#include <cmath>

namespace hotspot {

namespace {

// Crossing rule for one edge taken from a to b. See the header for why edges are canonicalised.
inline bool crosses(XY a, XY b, XY p) {
  if (a.y == b.y) return false;
  if (a.y > b.y) std::swap(a, b);
  if (p.y < a.y || p.y >= b.y) return false;
  double orient = (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x);
  return orient > 0;
}

template <class F>
void for_each_edge(const MultiPolygon& mp, F&& f) {
  auto ring_edges = [&](const Ring& r) {
    for (std::size_t i = 0; i + 1 < r.size(); ++i) f(r[i], r[i + 1]);
    if (!r.empty() && (r.front().x != r.back().x || r.front().y != r.back().y)) f(r.back(), r.front());
  };
  for (const auto& poly : mp) {
    ring_edges(poly.shell);
    for (const auto& h : poly.holes) ring_edges(h);
  }
}

std::uint32_t clamp_index(double v, std::uint32_t n) {
  if (!(v > 0)) return 0;
  if (v >= n - 1) return n - 1;
  return static_cast<std::uint32_t>(v);
}

}  // namespace

PolygonIndex::PolygonIndex(const std::vector<MultiPolygon>& polygons) {
  polys_.resize(polygons.size());
  std::size_t total_edges = 0;
  for (std::size_t i = 0; i < polygons.size(); ++i) {
    Poly& P = polys_[i];
    std::vector<Edge> edges;
    for_each_edge(polygons[i], [&](XY a, XY b) {
      if (a.y == b.y) return;  // never crossed under the half-open rule
      if (a.y > b.y) std::swap(a, b);
      edges.push_back({a, b});
      P.box.expand(a);
      P.box.expand(b);
    });
    total_edges += edges.size();
    if (edges.empty()) continue;
    extent_.expand(P.box);
    P.bands = static_cast<std::uint32_t>(std::clamp<std::size_t>(edges.size() / 4, 1, 4096));
    P.band_h = (P.box.ymax - P.box.ymin) / P.bands;
    if (!(P.band_h > 0)) P.bands = 1, P.band_h = 1;
    auto band_of = [&](double y) { return clamp_index((y - P.box.ymin) / P.band_h, P.bands); };
    std::vector<std::uint32_t> counts(P.bands + 1, 0);
    for (const Edge& e : edges)
      for (auto b = band_of(e.lo.y); b <= band_of(e.hi.y); ++b) ++counts[b + 1];
    for (std::uint32_t b = 0; b < P.bands; ++b) counts[b + 1] += counts[b];
    P.band_start = counts;
    P.band_edges.resize(counts.back());
    for (const Edge& e : edges)
      for (auto b = band_of(e.lo.y); b <= band_of(e.hi.y); ++b) P.band_edges[counts[b]++] = e;
  }
  if (extent_.empty()) return;
  // About one grid cell per polygon, at least 1x1.
  double w = std::max(extent_.xmax - extent_.xmin, 1e-9), h = std::max(extent_.ymax - extent_.ymin, 1e-9);
  double cells = std::max<double>(1.0, static_cast<double>(polygons.size()) * 4);
  double side = std::sqrt(w * h / cells);
  nx_ = static_cast<std::uint32_t>(std::clamp(std::ceil(w / side), 1.0, 4096.0));
  ny_ = static_cast<std::uint32_t>(std::clamp(std::ceil(h / side), 1.0, 4096.0));
  cw_ = w / nx_;
  ch_ = h / ny_;
  std::vector<std::uint32_t> counts(static_cast<std::size_t>(nx_) * ny_ + 1, 0);
  auto cell_range = [&](const Box& b, auto&& f) {
    auto x0 = clamp_index((b.xmin - extent_.xmin) / cw_, nx_), x1 = clamp_index((b.xmax - extent_.xmin) / cw_, nx_);
    auto y0 = clamp_index((b.ymin - extent_.ymin) / ch_, ny_), y1 = clamp_index((b.ymax - extent_.ymin) / ch_, ny_);
    for (auto cy = y0; cy <= y1; ++cy)
      for (auto cx = x0; cx <= x1; ++cx) f(static_cast<std::size_t>(cy) * nx_ + cx);
  };
  for (const Poly& P : polys_)
    if (!P.band_edges.empty()) cell_range(P.box, [&](std::size_t c) { ++counts[c + 1]; });
  for (std::size_t c = 0; c + 1 < counts.size(); ++c) counts[c + 1] += counts[c];
  cell_start_ = counts;
  cell_polys_.resize(counts.back());
  for (std::size_t i = 0; i < polys_.size(); ++i)
    if (!polys_[i].band_edges.empty())
      cell_range(polys_[i].box, [&](std::size_t c) { cell_polys_[counts[c]++] = static_cast<std::int32_t>(i); });
  (void)total_edges;
}

bool PolygonIndex::contains(std::int32_t i, XY p) const {
  const Poly& P = polys_[static_cast<std::size_t>(i)];
  if (P.band_edges.empty() || p.y < P.box.ymin || p.y >= P.box.ymax || p.x < P.box.xmin || p.x > P.box.xmax)
    return false;
  auto b = clamp_index((p.y - P.box.ymin) / P.band_h, P.bands);
  bool inside = false;
  for (auto k = P.band_start[b]; k < P.band_start[b + 1]; ++k) {
    const Edge& e = P.band_edges[k];
    if (p.y < e.lo.y || p.y >= e.hi.y) continue;
    double orient = (e.hi.x - e.lo.x) * (p.y - e.lo.y) - (e.hi.y - e.lo.y) * (p.x - e.lo.x);
    if (orient > 0) inside = !inside;
  }
  return inside;
}

std::int32_t PolygonIndex::locate(XY p) const {
  if (cell_start_.empty() || !extent_.contains(p)) return -1;
  auto cx = clamp_index((p.x - extent_.xmin) / cw_, nx_), cy = clamp_index((p.y - extent_.ymin) / ch_, ny_);
  std::size_t c = static_cast<std::size_t>(cy) * nx_ + cx;
  for (auto k = cell_start_[c]; k < cell_start_[c + 1]; ++k)  // ascending polygon order
    if (contains(cell_polys_[k], p)) return cell_polys_[k];
  return -1;
}

void PolygonIndex::locate_all(XY p, std::vector<std::int32_t>& out) const {
  out.clear();
  if (cell_start_.empty() || !extent_.contains(p)) return;
  auto cx = clamp_index((p.x - extent_.xmin) / cw_, nx_), cy = clamp_index((p.y - extent_.ymin) / ch_, ny_);
  std::size_t c = static_cast<std::size_t>(cy) * nx_ + cx;
  for (auto k = cell_start_[c]; k < cell_start_[c + 1]; ++k)
    if (contains(cell_polys_[k], p)) out.push_back(cell_polys_[k]);
}

std::int32_t locate_brute_force(const std::vector<MultiPolygon>& polygons, XY p) {
  for (std::size_t i = 0; i < polygons.size(); ++i) {
    bool inside = false;
    for_each_edge(polygons[i], [&](XY a, XY b) {
      if (crosses(a, b, p)) inside = !inside;
    });
    if (inside) return static_cast<std::int32_t>(i);
  }
  return -1;
}

}  // namespace hotspot
