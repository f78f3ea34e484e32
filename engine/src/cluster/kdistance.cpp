// eps for DBSCAN from the knee of the sorted k-distance curve (Ester et al. 1996, section 4.2;
// the knee found as in Kneedle, Satopää et al. 2011, without smoothing).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "hotspot/cluster.hpp"
#include "hotspot/error.hpp"
#include "hotspot/huge_pages.hpp"
#include "util/parallel.hpp"

namespace hotspot {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// The curve needs only the multiset of k-distances, so the points are reordered freely: an
// implicit balanced kd-tree over copies of them (x, y and the input index side by side, so a
// split and a leaf scan read memory in order), leaves of at most kLeaf points; node j's children
// are 2j + 1 and 2j + 2 and its range follows from halving. Any exact search gives the same
// squared distances (dx * dx + dy * dy of the same two points; the sign of dx does not change
// its square), so the curve is that of any other exact k-NN, the brute force of the tests too.
struct Pt {
  double x, y;
  std::uint32_t input;  // index in the caller's arrays
};

class KnnTree {
 public:
  static constexpr std::uint32_t kLeaf = 16;
  static constexpr int kSorted = 64;  // up to this k the k best are kept sorted, beyond in a heap

  KnnTree(const std::vector<double>& x, const std::vector<double>& y, int threads)
      : n_(static_cast<std::uint32_t>(x.size())), p_(x.size()) {
    for (std::uint32_t i = 0; i < n_; ++i) p_[i] = {x[i], y[i], i};
    std::uint32_t nodes = 1;
    for (std::uint32_t size = n_; size > kLeaf; size = (size + 1) / 2) nodes = 2 * nodes + 1;
    box_.resize(nodes);
    // Below the first levels the subtrees are independent: one task each.
    constexpr int kTaskDepth = 3;
    std::vector<Range> tasks;
    build(Range{0, 0, n_}, 0, kTaskDepth, &tasks);
    parallel_tasks(tasks.size(), threads,
                   [&](std::size_t t, int) { build(tasks[t], kTaskDepth, -1, nullptr); });
  }

  std::uint32_t size() const { return n_; }
  std::uint32_t input(std::uint32_t at) const { return p_[at].input; }

  // Squared distance to the k-th nearest point of tree position q, q itself counted, or cap when
  // that is not smaller (kInf: no cap). best: k slots of scratch.
  double kth_d2(std::uint32_t q, int k, double* best, double cap = kInf) const {
    return k <= kSorted ? search<true>(q, k, best, cap) : search<false>(q, k, best, cap);
  }

 private:
  struct Box4 {
    double xmin, ymin, xmax, ymax;
  };
  struct Range {
    std::uint32_t node, b, e;
  };

  // Rounded subtraction and squaring are monotone, so this is never above the squared distance
  // to a point inside the box as search() computes it.
  static double box_d2(const Box4& bx, double px, double py) {
    const double dx = px < bx.xmin ? bx.xmin - px : (px > bx.xmax ? px - bx.xmax : 0.0);
    const double dy = py < bx.ymin ? bx.ymin - py : (py > bx.ymax ? py - bx.ymax : 0.0);
    return dx * dx + dy * dy;
  }

  // q's own leaf first, then on the way back up to the root the other child of each node, nearer
  // grandchild first; a subtree is skipped when its box cannot hold a strictly smaller distance.
  // Seeded with k copies of cap, only distances below cap are kept.
  template <bool sorted>
  double search(std::uint32_t q, int k, double* best, double cap) const {
    int m = 0;
    if (cap < kInf) std::fill(best, best + (m = k), cap);  // a sorted run is also a max-heap
    const double qx = p_[q].x, qy = p_[q].y;
    auto kth = [&] { return sorted ? best[k - 1] : best[0]; };
    auto scan = [&](std::uint32_t b, std::uint32_t e) {
      for (std::uint32_t i = b; i < e; ++i) {
        const double dx = qx - p_[i].x, dy = qy - p_[i].y, d2 = dx * dx + dy * dy;
        if (m == k && !(d2 < kth())) continue;
        if constexpr (sorted) {
          int s = m < k ? m++ : k - 1;  // the slot freed at the end, then shifted into place
          for (; s > 0 && best[s - 1] > d2; --s) best[s] = best[s - 1];
          best[s] = d2;
        } else {
          if (m == k) std::pop_heap(best, best + m--);
          best[m++] = d2;
          std::push_heap(best, best + m);
        }
      }
    };
    Range path[40];  // balanced halving: depth <= 32
    int depth = 0;
    Range at{0, 0, n_};
    while (at.e - at.b > kLeaf) {
      path[depth++] = at;
      const std::uint32_t mid = at.b + (at.e - at.b) / 2;
      at = q < mid ? Range{2 * at.node + 1, at.b, mid} : Range{2 * at.node + 2, mid, at.e};
    }
    scan(at.b, at.e);
    Range stack[2 * 40];
    while (depth > 0) {
      const Range up = path[--depth];
      const std::uint32_t mid = up.b + (up.e - up.b) / 2;
      int top = 0;
      stack[top++] = q < mid ? Range{2 * up.node + 2, mid, up.e} : Range{2 * up.node + 1, up.b, mid};
      while (top > 0) {
        const Range r = stack[--top];
        if (m == k && box_d2(box_[r.node], qx, qy) >= kth()) continue;
        if (r.e - r.b <= kLeaf) {
          scan(r.b, r.e);
          continue;
        }
        const std::uint32_t h = r.b + (r.e - r.b) / 2, l = 2 * r.node + 1;
        const Range left{l, r.b, h}, right{l + 1, h, r.e};
        const bool left_nearer = box_d2(box_[l], qx, qy) <= box_d2(box_[l + 1], qx, qy);
        stack[top++] = left_nearer ? right : left;  // nearer child last, so it is searched first
        stack[top++] = left_nearer ? left : right;
      }
    }
    return m < k ? kInf : kth();
  }

  // Builds the subtree r (at depth); at stop_depth it records a task instead.
  void build(Range r, int depth, int stop_depth, std::vector<Range>* tasks) {
    if (depth == stop_depth && r.e - r.b > kLeaf) {
      tasks->push_back(r);
      return;
    }
    Box4 bx{kInf, kInf, -kInf, -kInf};
    for (std::uint32_t i = r.b; i < r.e; ++i) {
      bx.xmin = std::min(bx.xmin, p_[i].x), bx.xmax = std::max(bx.xmax, p_[i].x);
      bx.ymin = std::min(bx.ymin, p_[i].y), bx.ymax = std::max(bx.ymax, p_[i].y);
    }
    box_[r.node] = bx;
    if (r.e - r.b <= kLeaf) return;
    const std::uint32_t mid = r.b + (r.e - r.b) / 2;
    auto first = p_.begin() + r.b, nth = p_.begin() + mid, last = p_.begin() + r.e;
    if (bx.xmax - bx.xmin >= bx.ymax - bx.ymin)
      std::nth_element(first, nth, last, [](const Pt& a, const Pt& c) { return a.x < c.x; });
    else
      std::nth_element(first, nth, last, [](const Pt& a, const Pt& c) { return a.y < c.y; });
    build(Range{2 * r.node + 1, r.b, mid}, depth + 1, stop_depth, tasks);
    build(Range{2 * r.node + 2, mid, r.e}, depth + 1, stop_depth, tasks);
  }

  std::uint32_t n_;
  BigVector<Pt> p_;
  std::vector<Box4> box_;
};

// The knee of the sorted curve d (ascending, n >= 3), as documented in hotspot/cluster.hpp.
KDistanceKnee knee_of(const std::vector<double>& d, int k) {
  const std::size_t n = d.size();
  KDistanceKnee out;
  out.k = k;
  const double lo = d.front(), hi = d.back();
  if (!(hi > lo)) {
    if (!(hi > 0))
      throw ParameterError("eps", "auto: every incident has its " + std::to_string(k) +
                                      " nearest neighbours at distance 0 (all at one place)");
    out.eps = hi;
    out.index = n - 1;
    return out;
  }
  // Both axes scaled to [0, 1]; the curve rises and bends upwards, so it lies under the chord
  // from its first to its last point, and the knee is where it is farthest below: max of x - y.
  double best = -1;
  for (std::size_t i = 0; i < n; ++i) {
    const double xi = static_cast<double>(i) / static_cast<double>(n - 1);
    const double yi = (d[i] - lo) / (hi - lo);
    if (xi - yi > best) {
      best = xi - yi;
      out.index = i;
    }
  }
  out.eps = d[out.index];
  if (!(out.eps > 0)) {
    // The knee lies among duplicates: the first positive distance is the smallest usable eps.
    auto it = std::upper_bound(d.begin(), d.end(), 0.0);
    out.index = static_cast<std::size_t>(it - d.begin());
    out.eps = *it;
  }
  return out;
}

// The knee from the points whose k-distance is above eps (the tail of the curve, computed) and
// the smallest of the others (lo): the c points within eps fill ranks 0..c-1, where x - y is at
// most (c - 1) / (n - 1) (y >= 0, and rounding keeps both bounds). When the tail reaches above
// that, the knee is the tail's, the same index and distance as from the whole curve. Else, or
// when the hint does not fit the distances found, nothing (the caller computes every distance).
bool knee_from_tail(const KnnTree& tree, int k, int threads, double eps,
                    const std::vector<std::uint8_t>& within, KDistanceKnee* out) {
  const std::uint32_t n = tree.size();
  const double eps2 = eps * eps;
  std::vector<double> tail;
  std::vector<std::vector<double>> tails(static_cast<std::size_t>(std::max(1, threads)));
  std::vector<double> lo2(tails.size(), kInf);
  std::vector<char> misfit(tails.size(), 0);
  parallel_ranges(n, threads, [&](std::size_t b, std::size_t e, int t) {
    const auto ti = static_cast<std::size_t>(t);
    std::vector<double> best(static_cast<std::size_t>(k));
    for (auto q = static_cast<std::uint32_t>(b); q < e; ++q) {
      if (within[tree.input(q)]) {
        // Only the smallest of these matters: a search capped at the smallest so far is short.
        lo2[ti] = std::min(lo2[ti], tree.kth_d2(q, k, best.data(), lo2[ti]));
      } else {
        const double d2 = tree.kth_d2(q, k, best.data());
        if (!(d2 > eps2)) misfit[ti] = 1;
        tails[ti].push_back(std::sqrt(d2));
      }
    }
  });
  double lo_d2 = kInf;
  for (std::size_t t = 0; t < tails.size(); ++t) {
    if (misfit[t]) return false;
    lo_d2 = std::min(lo_d2, lo2[t]);
    tail.insert(tail.end(), tails[t].begin(), tails[t].end());
    tails[t] = {};
  }
  const std::size_t c = n - tail.size();
  if (c == 0 || tail.empty() || !(lo_d2 <= eps2)) return false;
  std::sort(tail.begin(), tail.end());
  const double lo = std::sqrt(lo_d2), hi = tail.back();
  if (!(hi > lo)) return false;  // d2 above eps^2 can still round to the same root
  double best = -1;
  std::size_t index = 0;
  for (std::size_t j = 0; j < tail.size(); ++j) {
    const std::size_t i = c + j;
    const double xi = static_cast<double>(i) / static_cast<double>(n - 1);
    const double yi = (tail[j] - lo) / (hi - lo);
    if (xi - yi > best) {
      best = xi - yi;
      index = i;
    }
  }
  if (!(best > static_cast<double>(c - 1) / static_cast<double>(n - 1))) return false;
  out->k = k;
  out->index = index;
  out->eps = tail[index - c];  // > eps > 0
  return true;
}

KDistanceKnee knee(const std::vector<double>& x, const std::vector<double>& y, int k, int threads,
                   double eps, const std::vector<std::uint8_t>* within) {
  if (k < 1) throw ParameterError("min_points", "must be at least 1 (got " + std::to_string(k) + ")");
  const std::size_t n = x.size();
  if (n < 3)
    throw ParameterError("eps", "auto needs at least 3 incidents (got " + std::to_string(n) + ")");
  if (within && within->size() != n) throw InternalError("k_distance_knee: hint of another size");
  const int kk = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(k), n));
  const int workers = resolve_threads(threads);
  const KnnTree tree(x, y, workers);
  KDistanceKnee out;
  if (within && kk == k && eps > 0 && knee_from_tail(tree, kk, workers, eps, *within, &out)) return out;
  std::vector<double> d(n);
  parallel_ranges(n, workers, [&](std::size_t b, std::size_t e, int) {
    std::vector<double> best(static_cast<std::size_t>(kk));
    for (std::size_t p = b; p < e; ++p)
      d[p] = std::sqrt(tree.kth_d2(static_cast<std::uint32_t>(p), kk, best.data()));
  });
  std::sort(d.begin(), d.end());
  return knee_of(d, kk);
}

}  // namespace

KDistanceKnee k_distance_knee(const std::vector<double>& x, const std::vector<double>& y, int k, int threads) {
  return knee(x, y, k, threads, 0, nullptr);
}

KDistanceKnee k_distance_knee(const std::vector<double>& x, const std::vector<double>& y, int k, int threads,
                              double eps, const std::vector<std::uint8_t>& within_eps) {
  return knee(x, y, k, threads, eps, &within_eps);
}

}  // namespace hotspot
