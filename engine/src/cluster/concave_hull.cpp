// GEOS 3.11's concave hull (ConcaveHull::concaveHullByLengthRatio, no holes) over a sweep-hull
// Delaunay triangulation (Sinclair's S-hull, as in Mapbox's Delaunator). concave_hull.hpp says
// when it declines.
#include "cluster/concave_hull.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <queue>
#include <string_view>
#include <utility>

#include <geos_c.h>

namespace hotspot::cluster_detail {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// The triangulation is built in double and checked in long double, as GEOS decides (its
// TrianglePredicate::isInCircleNormalized): a check closer than this to a tie, relative to the
// size of its terms, is not trusted. Long double rounds at about 1e-19, so this is some 1,000
// times the rounding of either evaluation. The circles through a frame vertex, nearly straight
// lines along the hull, come within 1e-13 of a tie (relative) on ordinary data.
constexpr long double kMargin = 1e-16L;

template <typename T>
T orient(const XY& a, const XY& b, const XY& c, T* scale = nullptr) {
  const T bax = T(b.x) - T(a.x), cay = T(c.y) - T(a.y), bay = T(b.y) - T(a.y), cax = T(c.x) - T(a.x);
  if (scale) *scale = std::abs(bax * cay) + std::abs(bay * cax);
  return bax * cay - bay * cax;
}
double orient(const XY& a, const XY& b, const XY& c) { return orient<double>(a, b, c); }

// Positive when d lies inside the circle through a, b, c (counter-clockwise); scale: the
// determinant's terms in absolute value.
template <typename T>
T in_circle(const XY& a, const XY& b, const XY& c, const XY& d, T* scale = nullptr) {
  const T adx = T(a.x) - T(d.x), ady = T(a.y) - T(d.y), bdx = T(b.x) - T(d.x), bdy = T(b.y) - T(d.y);
  const T cdx = T(c.x) - T(d.x), cdy = T(c.y) - T(d.y);
  const T al = adx * adx + ady * ady, bl = bdx * bdx + bdy * bdy, cl = cdx * cdx + cdy * cdy;
  if (scale)
    *scale = al * (std::abs(bdx * cdy) + std::abs(cdx * bdy)) + bl * (std::abs(cdx * ady) + std::abs(adx * cdy)) +
             cl * (std::abs(adx * bdy) + std::abs(bdx * ady));
  return al * (bdx * cdy - cdx * bdy) + bl * (cdx * ady - adx * cdy) + cl * (adx * bdy - bdx * ady);
}

double circumradius2(const XY& a, const XY& b, const XY& c) {
  const double dx = b.x - a.x, dy = b.y - a.y, ex = c.x - a.x, ey = c.y - a.y;
  const double bl = dx * dx + dy * dy, cl = ex * ex + ey * ey, det = dx * ey - dy * ex;
  if (det == 0) return kInf;
  const double x = (ey * bl - dy * cl) * 0.5 / det, y = (dx * cl - ex * bl) * 0.5 / det;
  const double r = x * x + y * y;
  return std::isfinite(r) ? r : kInf;
}

XY circumcenter(const XY& a, const XY& b, const XY& c) {
  const double dx = b.x - a.x, dy = b.y - a.y, ex = c.x - a.x, ey = c.y - a.y;
  const double bl = dx * dx + dy * dy, cl = ex * ex + ey * ey, det = dx * ey - dy * ex;
  return {a.x + (ey * bl - dy * cl) * 0.5 / det, a.y + (dx * cl - ex * bl) * 0.5 / det};
}

std::int32_t next3(std::int32_t h) { return h % 3 == 2 ? h - 2 : h + 1; }
std::int32_t prev3(std::int32_t h) { return h % 3 == 0 ? h + 2 : h - 1; }

// Delaunay triangulation of distinct points: triangles as vertex triples, counter-clockwise;
// half-edge h runs from v[h] to v[next3(h)], twin[h] is the opposite half-edge or -1 on the hull.
// Points are added in order of distance from the seed triangle's circumcentre, each joined to
// the hull edges it sees, and every new edge is flipped until locally Delaunay.
class Triangulation {
 public:
  std::vector<std::int32_t> v, twin;

  // False when a point found no hull edge to join (it lies on the hull's line) or the
  // points are collinear; verify() then judges the result.
  bool build(const std::vector<XY>& p) {
    p_ = &p;
    const auto n = static_cast<std::int32_t>(p.size());
    if (n < 3) return false;
    Box box;
    for (const auto& q : p) box.expand(q);
    const XY mid{(box.xmin + box.xmax) / 2, (box.ymin + box.ymax) / 2};
    auto d2 = [](const XY& a, const XY& b) {
      const double dx = a.x - b.x, dy = a.y - b.y;
      return dx * dx + dy * dy;
    };
    std::int32_t i0 = 0, i1 = -1, i2 = -1;
    for (std::int32_t i = 1; i < n; ++i)
      if (d2(mid, p[i]) < d2(mid, p[i0])) i0 = i;
    double best = kInf;
    for (std::int32_t i = 0; i < n; ++i)
      if (i != i0 && d2(p[i0], p[i]) < best) best = d2(p[i0], p[i]), i1 = i;
    best = kInf;
    for (std::int32_t i = 0; i < n; ++i) {
      if (i == i0 || i == i1) continue;
      const double r = circumradius2(p[i0], p[i1], p[i]);
      if (r < best) best = r, i2 = i;
    }
    if (i2 < 0) return false;
    if (orient(p[i0], p[i1], p[i2]) < 0) std::swap(i1, i2);
    centre_ = circumcenter(p[i0], p[i1], p[i2]);

    std::vector<double> dist(static_cast<std::size_t>(n));
    for (std::int32_t i = 0; i < n; ++i) dist[static_cast<std::size_t>(i)] = d2(centre_, p[i]);
    std::vector<std::int32_t> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::int32_t a, std::int32_t b) {
      const double da = dist[static_cast<std::size_t>(a)], db = dist[static_cast<std::size_t>(b)];
      return da < db || (da == db && a < b);
    });

    hash_size_ = static_cast<std::int32_t>(std::ceil(std::sqrt(static_cast<double>(n))));
    hash_.assign(static_cast<std::size_t>(hash_size_), -1);
    next_.assign(static_cast<std::size_t>(n), 0);
    prev_.assign(static_cast<std::size_t>(n), 0);
    hull_tri_.assign(static_cast<std::size_t>(n), -1);
    v.clear();
    twin.clear();
    v.reserve(static_cast<std::size_t>(6) * static_cast<std::size_t>(n));
    twin.reserve(v.capacity());
    flips_left_ = 64 * static_cast<std::int64_t>(n);

    at(next_, i0) = i1, at(next_, i1) = i2, at(next_, i2) = i0;
    at(prev_, i0) = i2, at(prev_, i1) = i0, at(prev_, i2) = i1;
    add(i0, i1, i2, -1, -1, -1);
    at(hull_tri_, i0) = 0, at(hull_tri_, i1) = 1, at(hull_tri_, i2) = 2;
    for (auto i : {i0, i1, i2}) at(hash_, key(p[i])) = i;

    for (const std::int32_t k : order) {
      if (k == i0 || k == i1 || k == i2) continue;
      const XY& pk = p[k];
      // A hull vertex near k's angle from the centre, then the first hull edge k sees.
      std::int32_t start = -1;
      const std::int32_t h0 = key(pk);
      for (std::int32_t j = 0; j < hash_size_; ++j) {
        start = at(hash_, (h0 + j) % hash_size_);
        if (start != -1 && start != at(next_, start)) break;
      }
      if (start == -1 || start == at(next_, start)) return false;
      start = at(prev_, start);
      std::int32_t e = start, q;
      while (!(orient(p[e], p[q = at(next_, e)], pk) < 0)) {
        e = q;
        if (e == start) return false;
      }
      std::int32_t t = add(e, k, q, -1, -1, at(hull_tri_, e));
      at(hull_tri_, e) = t, at(hull_tri_, k) = t + 1;
      if (!legalize(t + 2)) return false;
      // The hull edges after it that k sees...
      std::int32_t m = q;
      // (A point cannot see the whole hull; rounding that says so ends the attempt.)
      while (orient(p[m], p[q = at(next_, m)], pk) < 0) {
        if (q == e) return false;
        t = add(k, q, m, -1, at(hull_tri_, m), at(hull_tri_, k));
        at(hull_tri_, k) = t;
        if (!legalize(t + 1)) return false;
        at(next_, m) = m;  // off the hull
        m = q;
      }
      // ...and before it.
      while (orient(p[q = at(prev_, e)], p[e], pk) < 0) {
        if (q == m) return false;
        t = add(k, e, q, at(hull_tri_, e), at(hull_tri_, q), -1);
        at(hull_tri_, q) = t + 2;
        if (!legalize(t + 1)) return false;
        at(next_, e) = e;
        e = q;
      }
      at(prev_, k) = e, at(next_, e) = k;
      at(prev_, m) = k, at(next_, k) = m;
      at(hash_, key(pk)) = k;
      at(hash_, key(p[e])) = e;
    }
    return true;
  }

  // Whether every triangle is clearly counter-clockwise and every edge clearly Delaunay (kMargin):
  // the triangulation is then the only Delaunay triangulation of the points, and GEOS's.
  bool verify() const {
    const std::vector<XY>& p = *p_;
    const auto halves = static_cast<std::int32_t>(v.size());
    // Euler: n points whose hull is the frame's triangle make 2n - 5 triangles.
    if (halves != 3 * (2 * static_cast<std::int32_t>(p.size()) - 5)) return false;
    for (std::int32_t t = 0; t < halves; t += 3) {
      long double scale = 0;
      if (!(orient<long double>(p[vx(t)], p[vx(t + 1)], p[vx(t + 2)], &scale) > kMargin * scale)) return false;
    }
    for (std::int32_t h = 0; h < halves; ++h) {
      const std::int32_t g = twin[static_cast<std::size_t>(h)];
      if (g < h) continue;  // each interior edge once; hull edges have no twin
      long double scale = 0;
      const long double det =
          in_circle<long double>(p[vx(h)], p[vx(next3(h))], p[vx(prev3(h))], p[vx(prev3(g))], &scale);
      if (!(det < -kMargin * scale)) return false;
    }
    return true;
  }

 private:
  template <typename T>
  static T& at(std::vector<T>& a, std::int32_t i) {
    return a[static_cast<std::size_t>(i)];
  }
  std::int32_t vx(std::int32_t h) const { return v[static_cast<std::size_t>(h)]; }

  std::int32_t key(const XY& q) const {
    const double dx = q.x - centre_.x, dy = q.y - centre_.y, s = std::abs(dx) + std::abs(dy);
    const double r = s > 0 ? dx / s : 0;  // a pseudo-angle in [0, 1), increasing with the angle
    const double angle = (dy > 0 ? 3 - r : 1 + r) / 4;
    return static_cast<std::int32_t>(std::floor(angle * hash_size_)) % hash_size_;
  }

  void link(std::int32_t a, std::int32_t b) {
    at(twin, a) = b;
    if (b >= 0) at(twin, b) = a;
  }

  std::int32_t add(std::int32_t a, std::int32_t b, std::int32_t c, std::int32_t ta, std::int32_t tb,
                   std::int32_t tc) {
    const auto t = static_cast<std::int32_t>(v.size());
    v.insert(v.end(), {a, b, c});
    twin.insert(twin.end(), {-1, -1, -1});
    link(t, ta), link(t + 1, tb), link(t + 2, tc);
    return t;
  }

  // Flips edge h (its triangle's third vertex is the new point) and the edges that then face
  // the new point, until each is locally Delaunay. False past a flip budget (rounding loops).
  bool legalize(std::int32_t h0) {
    const std::vector<XY>& p = *p_;
    stack_.clear();
    stack_.push_back(h0);
    while (!stack_.empty()) {
      const std::int32_t h = stack_.back();
      stack_.pop_back();
      const std::int32_t g = at(twin, h);
      if (g < 0) continue;
      const std::int32_t hn = next3(h), hp = prev3(h), gn = next3(g), gp = prev3(g);
      const std::int32_t a = vx(h), b = vx(hn), c = vx(hp), d = vx(gp);
      if (!(in_circle<double>(p[a], p[b], p[c], p[d]) > 0)) continue;
      if (--flips_left_ < 0) return false;
      // (a, b, c) and (b, a, d) become (d, b, c) and (c, a, d).
      const std::int32_t oh = at(twin, hp), og = at(twin, gp);
      at(v, h) = d, at(v, g) = c;
      link(h, og), link(g, oh), link(hp, gp);
      if (og < 0) at(hull_tri_, d) = h;
      if (oh < 0) at(hull_tri_, c) = g;
      stack_.push_back(h);
      stack_.push_back(gn);
    }
    return true;
  }

  const std::vector<XY>* p_ = nullptr;
  XY centre_;
  std::int32_t hash_size_ = 0;
  std::vector<std::int32_t> hash_, next_, prev_, hull_tri_, stack_;
  std::int64_t flips_left_ = 0;
};

// The triangles GEOS's hull works on (HullTri): vertices clockwise, edge i from vertex i to i + 1,
// adj[i] the triangle across it or -1.
struct HullTris {
  std::vector<std::array<std::int32_t, 3>> v, adj;

  static std::int32_t next(std::int32_t i) { return i == 2 ? 0 : i + 1; }
  static std::int32_t prev(std::int32_t i) { return i == 0 ? 2 : i - 1; }
  std::int32_t adj_of(std::int32_t t, std::int32_t i) const {
    return adj[static_cast<std::size_t>(t)][static_cast<std::size_t>(i)];
  }
  std::int32_t vertex(std::int32_t t, std::int32_t i) const {
    return v[static_cast<std::size_t>(t)][static_cast<std::size_t>(i)];
  }
  int num_adjacent(std::int32_t t) const {
    return (adj_of(t, 0) >= 0) + (adj_of(t, 1) >= 0) + (adj_of(t, 2) >= 0);
  }
  std::int32_t index_of(std::int32_t t, std::int32_t other) const {
    for (std::int32_t i = 0; i < 3; ++i)
      if (adj_of(t, i) == other) return i;
    return -1;
  }
  // Tri::isInteriorVertex: the triangles around vertex i of t close up.
  bool interior_vertex(std::int32_t t, std::int32_t i) const {
    std::int32_t cur = t, ci = i;
    for (std::size_t guard = 0; guard <= v.size(); ++guard) {
      const std::int32_t a = adj_of(cur, ci);
      if (a < 0) return false;
      ci = next(index_of(a, cur));
      cur = a;
      if (cur == t) return true;
    }
    return false;
  }
  // HullTri::isConnecting: the vertex between t's two neighbours is on the boundary.
  bool connecting(std::int32_t t) const {
    std::int32_t i = -1;
    if (adj_of(t, 0) >= 0 && adj_of(t, 1) >= 0)
      i = 1;
    else if (adj_of(t, 1) >= 0 && adj_of(t, 2) >= 0)
      i = 2;
    else if (adj_of(t, 2) >= 0 && adj_of(t, 0) >= 0)
      i = 0;
    return !interior_vertex(t, i);
  }
  void remove(std::int32_t t) {
    for (std::size_t i = 0; i < 3; ++i) {
      const std::int32_t a = adj[static_cast<std::size_t>(t)][i];
      if (a < 0) continue;
      adj[static_cast<std::size_t>(a)][static_cast<std::size_t>(index_of(a, t))] = -1;
      adj[static_cast<std::size_t>(t)][i] = -1;
    }
  }
  std::int32_t boundary_index(std::int32_t t) const {
    for (std::int32_t i = 0; i < 3; ++i)
      if (adj_of(t, i) < 0) return i;
    return -1;
  }
  std::int32_t boundary_index_ccw(std::int32_t t) const {
    const std::int32_t i = boundary_index(t);
    return i >= 0 && adj_of(t, prev(i)) < 0 ? prev(i) : i;
  }
  std::int32_t boundary_index_cw(std::int32_t t) const {
    const std::int32_t i = boundary_index(t);
    return i >= 0 && adj_of(t, next(i)) < 0 ? next(i) : i;
  }
};

// Sites in the order of GEOS's CoordinateLessThen (x, then y), and its equals2D.
bool xy_less(const XY& a, const XY& b) { return a.x < b.x || (a.x == b.x && a.y < b.y); }
bool xy_equal(const XY& a, const XY& b) { return a.x == b.x && a.y == b.y; }

double length(const XY& a, const XY& b) {
  const double dx = a.x - b.x, dy = a.y - b.y;
  return std::sqrt(dx * dx + dy * dy);  // geom::Coordinate::distance
}

}  // namespace

void start_at_smallest(Ring& ring) {
  if (ring.size() < 2) return;
  const auto last = ring.end() - 1;  // the closing repeat
  const auto first = std::min_element(ring.begin(), last, xy_less);
  if (first == ring.begin()) return;
  std::rotate(ring.begin(), first, last);
  ring.back() = ring.front();
}

std::optional<Ring> concave_hull_ring(std::vector<XY> pts, double ratio) {
  // What follows is GEOS 3.11's algorithm: with another GEOS loaded, it cannot vouch for its ring.
  static const bool geos_3_11 = std::string_view(GEOSversion()).substr(0, 5) == "3.11.";
  if (!geos_3_11 || !(ratio >= 0 && ratio <= 1)) return std::nullopt;
  // DelaunayTriangulationBuilder's sites: sorted by x then y, repeats dropped.
  std::sort(pts.begin(), pts.end(), xy_less);
  pts.erase(std::unique(pts.begin(), pts.end(), xy_equal), pts.end());
  const auto n = static_cast<std::int32_t>(pts.size());
  if (n < 3) return std::nullopt;
  // QuadEdgeSubdivision's frame (FRAME_SIZE_FACTOR 100), triangulated with the sites.
  Box env;
  for (const auto& p : pts) env.expand(p);
  const double offset = std::max(env.xmax - env.xmin, env.ymax - env.ymin) * 100;
  pts.push_back({(env.xmax + env.xmin) / 2.0, env.ymax + offset});
  pts.push_back({env.xmin - offset, env.ymin - offset});
  pts.push_back({env.xmax + offset, env.ymin - offset});
  Triangulation dt;
  if (!dt.build(pts) || !dt.verify()) return std::nullopt;

  // The triangles without a frame vertex, as HullTri: clockwise, so (a, b, c) becomes (a, c, b)
  // and its edges a-c, c-b, b-a are half-edges 2, 1, 0 reversed.
  const auto halves = static_cast<std::int32_t>(dt.v.size());
  std::vector<std::int32_t> index(static_cast<std::size_t>(halves / 3), -1);
  HullTris h;
  for (std::int32_t t = 0; t < halves; t += 3) {
    const std::int32_t a = dt.v[static_cast<std::size_t>(t)], b = dt.v[static_cast<std::size_t>(t + 1)],
                       c = dt.v[static_cast<std::size_t>(t + 2)];
    if (a >= n || b >= n || c >= n) continue;
    index[static_cast<std::size_t>(t / 3)] = static_cast<std::int32_t>(h.v.size());
    h.v.push_back({a, c, b});
  }
  h.adj.resize(h.v.size());
  for (std::int32_t t = 0; t < halves; t += 3) {
    const std::int32_t k = index[static_cast<std::size_t>(t / 3)];
    if (k < 0) continue;
    auto across = [&](std::int32_t half) {
      const std::int32_t g = dt.twin[static_cast<std::size_t>(half)];
      return g < 0 ? -1 : index[static_cast<std::size_t>(g / 3)];
    };
    h.adj[static_cast<std::size_t>(k)] = {across(t + 2), across(t + 1), across(t)};
  }
  const auto tris = static_cast<std::int32_t>(h.v.size());
  if (tris < 2) return std::nullopt;
  auto at = [&](std::int32_t t, std::int32_t i) -> const XY& {
    return pts[static_cast<std::size_t>(h.vertex(t, i))];
  };

  // ConcaveHull::computeTargetEdgeLength.
  double max_len = -1, min_len = -1;
  for (std::int32_t t = 0; t < tris; ++t)
    for (std::int32_t i = 0; i < 3; ++i) {
      const double len = length(at(t, i), at(t, HullTris::next(i)));
      max_len = std::max(max_len, len);
      if (min_len < 0 || len < min_len) min_len = len;
    }
  const double target = ratio == 0 ? 0 : ratio == 1 ? 2 * max_len : ratio * (max_len - min_len) + min_len;

  // ConcaveHull::computeHullBorder: border triangles by decreasing boundary length.
  auto boundary_length = [&](std::int32_t t) {
    double len = 0.0;
    for (std::int32_t i = 0; i < 3; ++i)
      if (h.adj_of(t, i) < 0) len += length(at(t, i), at(t, HullTris::next(i)));
    return len;
  };
  std::priority_queue<std::pair<double, std::int32_t>> queue;
  std::vector<double> sizes;
  auto push = [&](std::int32_t t) {
    if (t < 0 || h.num_adjacent(t) != 2) return;
    const double size = boundary_length(t);
    sizes.push_back(size);
    queue.push({size, t});
  };
  for (std::int32_t t = 0; t < tris; ++t) push(t);
  std::int32_t left = tris;
  while (!queue.empty()) {
    const std::int32_t t = queue.top().second;
    queue.pop();
    if (h.num_adjacent(t) == 0) return std::nullopt;  // a three-term sum rounds by its order
    if (boundary_length(t) < target) break;
    if (h.num_adjacent(t) != 2 || h.connecting(t)) continue;
    const auto adj = h.adj[static_cast<std::size_t>(t)];
    h.remove(t);
    --left;
    for (const std::int32_t a : adj) push(a);
  }
  // GEOS breaks a tie in size by area, then by its queue's order: not followed here.
  std::sort(sizes.begin(), sizes.end());
  if (std::adjacent_find(sizes.begin(), sizes.end()) != sizes.end()) return std::nullopt;
  if (left < 2) return std::nullopt;

  // HullTriangulation::traceBoundary, from the first border triangle found.
  std::int32_t start = -1;
  for (std::int32_t t = 0; t < tris && start < 0; ++t)
    if (h.num_adjacent(t) > 0 && h.boundary_index(t) >= 0) start = t;
  if (start < 0) return std::nullopt;
  auto next_border = [&](std::int32_t t) -> std::int32_t {
    std::int32_t i = HullTris::next(h.boundary_index_cw(t));
    for (std::size_t guard = 0; guard <= h.v.size(); ++guard) {
      const std::int32_t a = h.adj_of(t, i);
      if (a < 0 || a == t) return -1;
      i = HullTris::next(h.index_of(a, t));
      t = a;
      if (h.adj_of(t, i) < 0) return t;
    }
    return -1;
  };
  Ring ring;
  auto add = [&](const XY& p) {
    if (ring.empty() || !xy_equal(ring.back(), p)) ring.push_back(p);
  };
  std::int32_t t = start;
  for (std::size_t guard = 0;; ++guard) {
    if (guard > h.v.size()) return std::nullopt;
    const std::int32_t i = h.boundary_index_ccw(t);
    add(at(t, i));
    if (h.adj_of(t, HullTris::next(i)) < 0) add(at(t, HullTris::next(i)));
    t = next_border(t);
    if (t < 0) return std::nullopt;
    if (t == start) break;
  }
  if (ring.size() > 1 && xy_equal(ring.back(), ring.front())) ring.pop_back();
  if (ring.size() < 3) return std::nullopt;
  // A vertex met twice would make the rotation's start ambiguous.
  std::vector<XY> seen(ring);
  std::sort(seen.begin(), seen.end(), xy_less);
  if (std::adjacent_find(seen.begin(), seen.end(), xy_equal) != seen.end()) return std::nullopt;
  ring.push_back(ring.front());
  start_at_smallest(ring);
  return ring;
}

}  // namespace hotspot::cluster_detail
