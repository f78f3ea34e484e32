#include "weights/weights.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "hotspot/error.hpp"
#include "util/text.hpp"

namespace hotspot {

double default_snap(const Box& extent, bool planar) {
  return planar ? 1e-7 * std::hypot(extent.xmax - extent.xmin, extent.ymax - extent.ymin) : 0.5;
}

namespace {

double d2(XY a, XY b) {
  double dx = a.x - b.x, dy = a.y - b.y;
  return dx * dx + dy * dy;
}

// Uniform grid over points, cells in CSR form. Cell size chosen by the caller and widened so the
// grid never has more than ~4 cells per point.
class PointGrid {
 public:
  PointGrid(const std::vector<XY>& pts, double cell) {
    for (auto p : pts) box_.expand(p);
    if (pts.empty()) box_ = Box{0, 0, 0, 0};
    double w = std::max(box_.xmax - box_.xmin, 0.0), h = std::max(box_.ymax - box_.ymin, 0.0);
    double min_cell = std::sqrt(std::max(w * h, 1e-300) /
                                (4.0 * static_cast<double>(std::max<std::size_t>(pts.size(), 1))));
    cell_ = std::max({cell, min_cell, std::max(w, h) / 65536.0, 1e-12});
    nx_ = static_cast<std::int64_t>(w / cell_) + 1;
    ny_ = static_cast<std::int64_t>(h / cell_) + 1;
    start_.assign(static_cast<std::size_t>(nx_ * ny_ + 1), 0);
    std::vector<std::int64_t> cid(pts.size());
    for (std::size_t i = 0; i < pts.size(); ++i) {
      cid[i] = cell_of(pts[i]);
      ++start_[static_cast<std::size_t>(cid[i]) + 1];
    }
    for (std::size_t c = 1; c < start_.size(); ++c) start_[c] += start_[c - 1];
    items_.resize(pts.size());
    std::vector<std::int64_t> fill(start_.begin(), start_.end() - 1);
    for (std::size_t i = 0; i < pts.size(); ++i)
      items_[static_cast<std::size_t>(fill[static_cast<std::size_t>(cid[i])]++)] =
          static_cast<std::int32_t>(i);
  }
  double cell() const { return cell_; }
  std::int64_t cx(double x) const {
    return std::clamp<std::int64_t>(static_cast<std::int64_t>((x - box_.xmin) / cell_), 0, nx_ - 1);
  }
  std::int64_t cy(double y) const {
    return std::clamp<std::int64_t>(static_cast<std::int64_t>((y - box_.ymin) / cell_), 0, ny_ - 1);
  }
  std::int64_t cell_of(XY p) const { return cy(p.y) * nx_ + cx(p.x); }
  std::int64_t nx() const { return nx_; }
  std::int64_t ny() const { return ny_; }
  template <class F>
  void visit_cell(std::int64_t x, std::int64_t y, F&& f) const {
    if (x < 0 || y < 0 || x >= nx_ || y >= ny_) return;
    auto c = static_cast<std::size_t>(y * nx_ + x);
    for (auto k = start_[c]; k < start_[c + 1]; ++k) f(items_[static_cast<std::size_t>(k)]);
  }

 private:
  Box box_;
  double cell_ = 1;
  std::int64_t nx_ = 1, ny_ = 1;
  std::vector<std::int64_t> start_;
  std::vector<std::int32_t> items_;
};

struct Seg {
  XY a, b;
  std::int32_t poly;
};

double seg_dist2(XY p, XY a, XY b) {
  double vx = b.x - a.x, vy = b.y - a.y;
  double len2 = vx * vx + vy * vy;
  double t = len2 > 0 ? ((p.x - a.x) * vx + (p.y - a.y) * vy) / len2 : 0.0;
  t = std::clamp(t, 0.0, 1.0);
  XY q{a.x + t * vx, a.y + t * vy};
  return d2(p, q);
}

// Proper crossing of two segments; the crossing point goes to *out.
bool seg_cross(const Seg& s, const Seg& t, XY* out) {
  double rx = s.b.x - s.a.x, ry = s.b.y - s.a.y, qx = t.b.x - t.a.x, qy = t.b.y - t.a.y;
  double den = rx * qy - ry * qx;
  if (den == 0) return false;
  double ax = t.a.x - s.a.x, ay = t.a.y - s.a.y;
  double u = (ax * qy - ay * qx) / den, v = (ax * ry - ay * rx) / den;
  if (u < 0 || u > 1 || v < 0 || v > 1) return false;
  *out = {s.a.x + u * rx, s.a.y + u * ry};
  return true;
}

std::vector<Seg> segments_of(const MultiPolygon& mp, std::int32_t id) {
  std::vector<Seg> out;
  auto ring = [&](const Ring& r) {
    for (std::size_t k = 0; k + 1 < r.size(); ++k) out.push_back({r[k], r[k + 1], id});
  };
  for (const auto& p : mp) {
    ring(p.shell);
    for (const auto& h : p.holes) ring(h);
  }
  return out;
}

struct Contact {
  std::int32_t i, j;  // i < j
  XY p;
};

SpatialWeights from_contacts(std::size_t n, std::vector<Contact>& contacts, Contiguity c,
                             double snap) {
  std::sort(contacts.begin(), contacts.end(), [](const Contact& a, const Contact& b) {
    return a.i != b.i       ? a.i < b.i
           : a.j != b.j     ? a.j < b.j
           : a.p.x != b.p.x ? a.p.x < b.p.x
                            : a.p.y < b.p.y;
  });
  std::vector<std::vector<std::int32_t>> lists(n);
  const double snap2 = snap * snap;
  for (std::size_t a = 0; a < contacts.size();) {
    std::size_t b = a;
    bool linked = c == Contiguity::kQueen;
    while (b < contacts.size() && contacts[b].i == contacts[a].i &&
           contacts[b].j == contacts[a].j) {
      if (!linked && d2(contacts[b].p, contacts[a].p) > snap2) linked = true;
      ++b;
    }
    if (linked) {
      lists[static_cast<std::size_t>(contacts[a].i)].push_back(contacts[a].j);
      lists[static_cast<std::size_t>(contacts[a].j)].push_back(contacts[a].i);
    }
    a = b;
  }
  return from_lists(std::move(lists));
}

template <class Less>
void push_topk(std::vector<std::pair<double, std::int32_t>>& best, std::size_t k,
               std::pair<double, std::int32_t> c, Less less) {
  if (best.size() == k && !less(c, best.back())) return;
  auto it = std::upper_bound(best.begin(), best.end(), c, less);
  best.insert(it, c);
  if (best.size() > k) best.pop_back();
}

}  // namespace

std::vector<std::int32_t> SpatialWeights::islands() const {
  std::vector<std::int32_t> out;
  for (std::size_t i = 0; i < size(); ++i)
    if (cardinality(i) == 0) out.push_back(static_cast<std::int32_t>(i));
  return out;
}

SpatialWeights from_lists(std::vector<std::vector<std::int32_t>> lists) {
  SpatialWeights w;
  w.offset.assign(lists.size() + 1, 0);
  for (std::size_t i = 0; i < lists.size(); ++i) {
    auto& l = lists[i];
    std::sort(l.begin(), l.end());
    l.erase(std::unique(l.begin(), l.end()), l.end());
    w.offset[i + 1] = w.offset[i] + static_cast<std::int64_t>(l.size());
  }
  w.index.reserve(static_cast<std::size_t>(w.offset.back()));
  for (auto& l : lists) w.index.insert(w.index.end(), l.begin(), l.end());
  w.weight.assign(w.index.size(), 1.0);
  return w;
}

SpatialWeights contiguity_weights(const std::vector<MultiPolygon>& polys, Contiguity c,
                                  double snap) {
  if (!(snap >= 0)) throw ParameterError("snap", "must be >= 0 (got " + std::to_string(snap) + ")");
  std::vector<Seg> segs;
  for (std::size_t i = 0; i < polys.size(); ++i) {
    auto s = segments_of(polys[i], static_cast<std::int32_t>(i));
    segs.insert(segs.end(), s.begin(), s.end());
  }
  if (segs.empty()) return from_lists(std::vector<std::vector<std::int32_t>>(polys.size()));
  // Segments go into every cell their box (grown by snap) covers; the cell is about the mean
  // segment length, so each segment covers a handful of cells.
  Box box;
  double total = 0;
  for (const auto& s : segs) {
    box.expand(s.a), box.expand(s.b);
    total += std::sqrt(d2(s.a, s.b));
  }
  double cell = std::max({total / static_cast<double>(segs.size()), 4 * snap, 1e-12,
                          std::max(box.xmax - box.xmin, box.ymax - box.ymin) / 4096.0});
  auto nx = static_cast<std::int64_t>((box.xmax - box.xmin + 2 * snap) / cell) + 1;
  auto ny = static_cast<std::int64_t>((box.ymax - box.ymin + 2 * snap) / cell) + 1;
  auto cx = [&](double x) {
    return std::clamp<std::int64_t>(static_cast<std::int64_t>((x - box.xmin + snap) / cell), 0,
                                    nx - 1);
  };
  auto cy = [&](double y) {
    return std::clamp<std::int64_t>(static_cast<std::int64_t>((y - box.ymin + snap) / cell), 0,
                                    ny - 1);
  };
  std::vector<std::int64_t> start(static_cast<std::size_t>(nx * ny + 1), 0);
  auto for_cells = [&](const Seg& s, auto&& f) {
    for (auto y = cy(std::min(s.a.y, s.b.y) - snap); y <= cy(std::max(s.a.y, s.b.y) + snap); ++y)
      for (auto x = cx(std::min(s.a.x, s.b.x) - snap); x <= cx(std::max(s.a.x, s.b.x) + snap); ++x)
        f(static_cast<std::size_t>(y * nx + x));
  };
  for (const auto& s : segs) for_cells(s, [&](std::size_t k) { ++start[k + 1]; });
  for (std::size_t k = 1; k < start.size(); ++k) start[k] += start[k - 1];
  std::vector<std::int32_t> items(static_cast<std::size_t>(start.back()));
  {
    std::vector<std::int64_t> fill(start.begin(), start.end() - 1);
    for (std::size_t si = 0; si < segs.size(); ++si)
      for_cells(segs[si], [&](std::size_t k) {
        items[static_cast<std::size_t>(fill[k]++)] = static_cast<std::int32_t>(si);
      });
  }
  std::vector<Contact> contacts;
  const double snap2 = snap * snap;
  for (std::size_t si = 0; si < segs.size(); ++si) {
    const Seg& s = segs[si];
    // The start vertex of each segment covers every vertex of a closed ring.
    XY v = s.a;
    auto k = static_cast<std::size_t>(cy(v.y) * nx + cx(v.x));
    for (auto e = start[k]; e < start[k + 1]; ++e) {
      const Seg& t = segs[static_cast<std::size_t>(items[static_cast<std::size_t>(e)])];
      if (t.poly == s.poly) continue;
      if (seg_dist2(v, t.a, t.b) <= snap2)
        contacts.push_back({std::min(s.poly, t.poly), std::max(s.poly, t.poly), v});
    }
    // Crossings: each pair of segments is seen in a shared cell; keep the one in the cell that
    // holds the crossing point so a pair is counted once per crossing.
    for_cells(s, [&](std::size_t cell_k) {
      for (auto e = start[cell_k]; e < start[cell_k + 1]; ++e) {
        auto ti = static_cast<std::size_t>(items[static_cast<std::size_t>(e)]);
        const Seg& t = segs[ti];
        if (t.poly <= s.poly) continue;
        XY p;
        if (seg_cross(s, t, &p) && static_cast<std::size_t>(cy(p.y) * nx + cx(p.x)) == cell_k)
          contacts.push_back({s.poly, t.poly, p});
      }
    });
  }
  return from_contacts(polys.size(), contacts, c, snap);
}

SpatialWeights contiguity_weights_brute(const std::vector<MultiPolygon>& polys, Contiguity c,
                                        double snap) {
  std::vector<std::vector<Seg>> segs;
  for (std::size_t i = 0; i < polys.size(); ++i)
    segs.push_back(segments_of(polys[i], static_cast<std::int32_t>(i)));
  std::vector<Contact> contacts;
  for (std::size_t i = 0; i < polys.size(); ++i)
    for (std::size_t j = 0; j < polys.size(); ++j) {
      if (i == j) continue;
      auto lo = static_cast<std::int32_t>(std::min(i, j)),
           hi = static_cast<std::int32_t>(std::max(i, j));
      for (const auto& s : segs[i]) {
        for (const auto& t : segs[j]) {
          if (seg_dist2(s.a, t.a, t.b) <= snap * snap) {
            contacts.push_back({lo, hi, s.a});
            break;
          }
        }
        if (i < j)
          for (const auto& t : segs[j]) {
            XY p;
            if (seg_cross(s, t, &p)) contacts.push_back({lo, hi, p});
          }
      }
    }
  return from_contacts(polys.size(), contacts, c, snap);
}

SpatialWeights knn_weights(const std::vector<XY>& pts, int k) {
  const std::size_t n = pts.size();
  if (k < 1) throw ParameterError("weights", "knn: K must be >= 1 (got " + std::to_string(k) + ")");
  if (static_cast<std::size_t>(k) >= n)
    throw ParameterError("weights", "knn:" + std::to_string(k) + " needs more than " +
                                        std::to_string(k) + " units (have " + std::to_string(n) +
                                        ")");
  Box box;
  for (auto p : pts) box.expand(p);
  const double side = std::max(box.xmax - box.xmin, box.ymax - box.ymin);
  // Points along a line have no area: size cells by the longer side instead.
  double area =
      std::max((box.xmax - box.xmin) * (box.ymax - box.ymin), side * side / static_cast<double>(n));
  area = std::max(area, 1e-300);
  PointGrid grid(pts, std::sqrt(area * k / static_cast<double>(n)));
  auto less = [](const std::pair<double, std::int32_t>& a,
                 const std::pair<double, std::int32_t>& b) { return a < b; };
  std::vector<std::vector<std::int32_t>> lists(n);
  std::vector<std::pair<double, std::int32_t>> best;
  const auto uk = static_cast<std::size_t>(k);
  for (std::size_t i = 0; i < n; ++i) {
    best.clear();
    const auto x0 = grid.cx(pts[i].x), y0 = grid.cy(pts[i].y);
    auto take = [&](std::int32_t j) {
      if (static_cast<std::size_t>(j) != i)
        push_topk(best, uk, {d2(pts[i], pts[static_cast<std::size_t>(j)]), j}, less);
    };
    for (std::int64_t r = 0;; ++r) {
      if (r == 0) {
        grid.visit_cell(x0, y0, take);
      } else {
        // The ring of cells at Chebyshev distance r, clipped to the grid.
        const auto xa = std::max<std::int64_t>(x0 - r, 0), xb = std::min(x0 + r, grid.nx() - 1);
        const auto ya = std::max<std::int64_t>(y0 - r + 1, 0),
                   yb = std::min(y0 + r - 1, grid.ny() - 1);
        for (auto x = xa; x <= xb; ++x)
          grid.visit_cell(x, y0 - r, take), grid.visit_cell(x, y0 + r, take);
        for (auto y = ya; y <= yb; ++y)
          grid.visit_cell(x0 - r, y, take), grid.visit_cell(x0 + r, y, take);
      }
      // Every unvisited cell is at least r cells away from the point's cell: distance >= r * cell.
      double reach = static_cast<double>(r) * grid.cell();
      if (best.size() == uk && best.back().first < reach * reach) break;
      if (r > grid.nx() && r > grid.ny()) break;
    }
    for (auto& b : best) lists[i].push_back(b.second);
  }
  return from_lists(std::move(lists));
}

SpatialWeights knn_weights_brute(const std::vector<XY>& pts, int k) {
  std::vector<std::vector<std::int32_t>> lists(pts.size());
  for (std::size_t i = 0; i < pts.size(); ++i) {
    std::vector<std::pair<double, std::int32_t>> all;
    for (std::size_t j = 0; j < pts.size(); ++j)
      if (j != i) all.push_back({d2(pts[i], pts[j]), static_cast<std::int32_t>(j)});
    std::sort(all.begin(), all.end());
    for (std::size_t q = 0; q < static_cast<std::size_t>(k) && q < all.size(); ++q)
      lists[i].push_back(all[q].second);
  }
  return from_lists(std::move(lists));
}

SpatialWeights band_weights(const std::vector<XY>& pts, double band) {
  if (!(band > 0) || !std::isfinite(band))
    throw ParameterError("weights",
                         "band: distance must be > 0 m (got " + metres_text(band) + ")");
  PointGrid grid(pts, band);
  const auto r = static_cast<std::int64_t>(std::ceil(band / grid.cell()));
  const double b2 = band * band;
  std::vector<std::vector<std::int32_t>> lists(pts.size());
  for (std::size_t i = 0; i < pts.size(); ++i) {
    const auto x0 = grid.cx(pts[i].x), y0 = grid.cy(pts[i].y);
    for (auto y = y0 - r; y <= y0 + r; ++y)
      for (auto x = x0 - r; x <= x0 + r; ++x)
        grid.visit_cell(x, y, [&](std::int32_t j) {
          if (static_cast<std::size_t>(j) != i &&
              d2(pts[i], pts[static_cast<std::size_t>(j)]) <= b2)
            lists[i].push_back(j);
        });
  }
  return from_lists(std::move(lists));
}

SpatialWeights band_weights_brute(const std::vector<XY>& pts, double band) {
  std::vector<std::vector<std::int32_t>> lists(pts.size());
  for (std::size_t i = 0; i < pts.size(); ++i)
    for (std::size_t j = 0; j < pts.size(); ++j)
      if (j != i && d2(pts[i], pts[j]) <= band * band)
        lists[i].push_back(static_cast<std::int32_t>(j));
  return from_lists(std::move(lists));
}

void apply_inverse_distance(SpatialWeights& w, const std::vector<XY>& pts, double power) {
  if (!(power > 0))
    throw ParameterError("inverse_distance", "must be > 0 (got " + std::to_string(power) + ")");
  for (std::size_t i = 0; i < w.size(); ++i)
    for (auto e = w.offset[i]; e < w.offset[i + 1]; ++e) {
      auto j = static_cast<std::size_t>(w.index[static_cast<std::size_t>(e)]);
      double d = std::sqrt(d2(pts[i], pts[j]));
      if (d == 0)
        throw InputError("inverse-distance weights: units " + std::to_string(i) + " and " +
                         std::to_string(j) + " are at the same position (distance 0)");
      w.weight[static_cast<std::size_t>(e)] = std::pow(d, -power);
    }
}

std::vector<std::int32_t> attach_islands(SpatialWeights& w, const std::vector<XY>& pts) {
  auto isl = w.islands();
  if (isl.empty() || pts.size() < 2) return {};
  std::vector<std::vector<std::int32_t>> lists(w.size());
  for (std::size_t i = 0; i < w.size(); ++i)
    for (auto e = w.offset[i]; e < w.offset[i + 1]; ++e)
      lists[i].push_back(w.index[static_cast<std::size_t>(e)]);
  auto nn = knn_weights(pts, 1);
  for (auto i : isl) {
    auto j = nn.index[static_cast<std::size_t>(nn.offset[static_cast<std::size_t>(i)])];
    lists[static_cast<std::size_t>(i)].push_back(j);
    lists[static_cast<std::size_t>(j)].push_back(i);
  }
  // Binary weights: attach before any inverse-distance or standardisation step.
  w = from_lists(std::move(lists));
  return isl;
}

SpatialWeights row_standardised(const SpatialWeights& w) {
  SpatialWeights out = w;
  for (std::size_t i = 0; i < w.size(); ++i) {
    double s = 0;
    for (auto e = w.offset[i]; e < w.offset[i + 1]; ++e) s += w.weight[static_cast<std::size_t>(e)];
    for (auto e = w.offset[i]; e < w.offset[i + 1]; ++e)
      out.weight[static_cast<std::size_t>(e)] /= s;
  }
  return out;
}

SpatialWeights with_self(const SpatialWeights& w, double self_weight) {
  SpatialWeights out;
  out.offset.assign(w.size() + 1, 0);
  out.index.reserve(w.index.size() + w.size());
  out.weight.reserve(w.index.size() + w.size());
  for (std::size_t i = 0; i < w.size(); ++i) {
    bool placed = false;
    const auto self = static_cast<std::int32_t>(i);
    for (auto e = w.offset[i]; e < w.offset[i + 1]; ++e) {
      auto j = w.index[static_cast<std::size_t>(e)];
      if (!placed && j > self) {
        out.index.push_back(self), out.weight.push_back(self_weight), placed = true;
      }
      if (j == self) continue;
      out.index.push_back(j), out.weight.push_back(w.weight[static_cast<std::size_t>(e)]);
    }
    if (!placed) out.index.push_back(self), out.weight.push_back(self_weight);
    out.offset[i + 1] = static_cast<std::int64_t>(out.index.size());
  }
  return out;
}

double max_nearest_distance(const std::vector<XY>& pts) {
  if (pts.size() < 2) return 0;
  auto nn = knn_weights(pts, 1);
  double m = 0;
  for (std::size_t i = 0; i < pts.size(); ++i)
    m = std::max(m, d2(pts[i], pts[static_cast<std::size_t>(nn.index[i])]));
  return std::sqrt(m);
}

std::vector<XY> centroids(const std::vector<MultiPolygon>& polys) {
  std::vector<XY> out;
  out.reserve(polys.size());
  for (const auto& mp : polys) {
    double a = 0, cx = 0, cy = 0;
    auto ring = [&](const Ring& r, double sign) {
      // Shoelace about the first vertex, for precision far from the origin.
      if (r.empty()) return;
      XY o = r[0];
      double ra = 0, rx = 0, ry = 0;
      for (std::size_t k = 0; k + 1 < r.size(); ++k) {
        double x0 = r[k].x - o.x, y0 = r[k].y - o.y, x1 = r[k + 1].x - o.x, y1 = r[k + 1].y - o.y;
        double cr = x0 * y1 - x1 * y0;
        ra += cr, rx += (x0 + x1) * cr, ry += (y0 + y1) * cr;
      }
      double s = ra >= 0 ? sign : -sign;  // orientation-free: shells add, holes subtract
      a += s * ra / 2;
      cx += s * (rx / 6 + o.x * ra / 2);
      cy += s * (ry / 6 + o.y * ra / 2);
    };
    for (const auto& p : mp) {
      ring(p.shell, 1);
      for (const auto& h : p.holes) ring(h, -1);
    }
    if (a != 0) {
      out.push_back({cx / a, cy / a});
    } else {
      Box b = bounds(mp);
      out.push_back({(b.xmin + b.xmax) / 2, (b.ymin + b.ymax) / 2});
    }
  }
  return out;
}

}  // namespace hotspot
