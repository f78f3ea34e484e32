// HDBSCAN* (Campello, Moulavi & Sander 2013; McInnes & Healy 2017 for the Boruvka MST):
//   1. core distance = distance to the min_samples-th nearest point (itself counted), kd-tree;
//   2. exact minimum spanning tree of the mutual-reachability graph
//        d_mr(a, b) = max(core(a), core(b), |a - b|)
//      by Boruvka: each round every component finds its lightest outgoing edge with kd-tree
//      queries that skip nodes wholly inside the component (node annotation) or farther than the
//      component's best edge so far (lower bound max(core(a), min core in node, box distance));
//   3. single-linkage dendrogram from the sorted MST, condensed with min_cluster_size;
//   4. excess-of-mass (or leaf) selection, labels, membership probabilities and GLOSH scores.
// Components are processed one per task (static split over components, points in tree order),
// so every round's edges, and thus the result, are the same at any thread count. Everything is
// computed in squared distances; square roots are taken only for the dendrogram heights.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "cluster/kdtree.hpp"
#include "cluster/labels.hpp"
#include "cluster/mst.hpp"
#include "hotspot/cluster.hpp"
#include "hotspot/error.hpp"
#include "util/parallel.hpp"

namespace hotspot {

using namespace cluster_detail;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

struct Edge {
  std::uint32_t a, b;  // tree positions
  double w2;           // squared mutual-reachability distance
};

std::vector<Edge> boruvka_mst(const KdTree& tree, const std::vector<double>& core2, int threads) {
  const auto n = static_cast<std::uint32_t>(tree.x.size());
  std::vector<Edge> mst;
  mst.reserve(n);
  if (n < 2) return mst;
  // Minimum core distance under each node (static) and the component a node lies wholly in.
  const std::size_t nn = tree.nodes.size();
  std::vector<double> node_core(nn);
  std::vector<std::int64_t> node_comp(nn);
  for (std::size_t k = nn; k-- > 0;) {
    const auto& nd = tree.nodes[k];
    if (nd.left < 0) {
      double m = kInf;
      for (std::uint32_t p = nd.begin; p < nd.end; ++p) m = std::min(m, core2[p]);
      node_core[k] = m;
    } else {
      node_core[k] = std::min(node_core[static_cast<std::size_t>(nd.left)],
                              node_core[static_cast<std::size_t>(nd.right)]);
    }
  }
  UnionFind uf(n);
  std::vector<std::uint32_t> comp(n);
  for (std::uint32_t p = 0; p < n; ++p) comp[p] = p;
  std::vector<std::uint32_t> members(n), comp_start;
  std::vector<std::uint32_t> roots;
  while (mst.size() + 1 < n) {
    // Children come after parents in the node array, so a reverse sweep is bottom-up.
    for (std::size_t k = nn; k-- > 0;) {
      const auto& nd = tree.nodes[k];
      if (nd.left < 0) {
        std::int64_t c = comp[nd.begin];
        for (std::uint32_t p = nd.begin + 1; p < nd.end && c >= 0; ++p)
          if (comp[p] != c) c = -1;
        node_comp[k] = c;
      } else {
        auto l = node_comp[static_cast<std::size_t>(nd.left)],
             r = node_comp[static_cast<std::size_t>(nd.right)];
        node_comp[k] = l == r ? l : -1;
      }
    }
    // Group the points by component (roots ascending), tree order inside a component.
    roots.clear();
    std::vector<std::uint32_t> slot(n, 0);
    for (std::uint32_t p = 0; p < n; ++p)
      if (comp[p] == p) {
        slot[p] = static_cast<std::uint32_t>(roots.size());
        roots.push_back(p);
      }
    comp_start.assign(roots.size() + 1, 0);
    for (std::uint32_t p = 0; p < n; ++p) ++comp_start[slot[comp[p]] + 1];
    for (std::size_t c = 0; c < roots.size(); ++c) comp_start[c + 1] += comp_start[c];
    {
      std::vector<std::uint32_t> fill(comp_start.begin(), comp_start.end() - 1);
      for (std::uint32_t p = 0; p < n; ++p) members[fill[slot[comp[p]]]++] = p;
    }
    std::vector<Edge> best(roots.size(), Edge{0, 0, kInf});
    parallel_ranges(roots.size(), threads, [&](std::size_t b, std::size_t e, int) {
      std::vector<std::int32_t> stack;
      stack.reserve(128);
      for (std::size_t c = b; c < e; ++c) {
        const std::int64_t me = roots[c];
        Edge& bc = best[c];
        for (std::uint32_t m = comp_start[c]; m < comp_start[c + 1]; ++m) {
          const std::uint32_t p = members[m];
          const double cp = core2[p];
          if (cp >= bc.w2) continue;  // every edge from p weighs at least core(p)
          const double qx = tree.x[p], qy = tree.y[p];
          stack.assign(1, 0);
          while (!stack.empty()) {
            const auto k = static_cast<std::size_t>(stack.back());
            stack.pop_back();
            if (node_comp[k] == me) continue;
            const auto& nd = tree.nodes[k];
            if (std::max({cp, node_core[k], tree.box_d2(nd, qx, qy)}) >= bc.w2) continue;
            if (nd.left < 0) {
              for (std::uint32_t q = nd.begin; q < nd.end; ++q) {
                if (comp[q] == me) continue;
                const double dx = qx - tree.x[q], dy = qy - tree.y[q];
                const double w = std::max({cp, core2[q], dx * dx + dy * dy});
                if (w < bc.w2) bc = {p, q, w};
              }
              continue;
            }
            const auto& a = tree.nodes[static_cast<std::size_t>(nd.left)];
            const auto& bn = tree.nodes[static_cast<std::size_t>(nd.right)];
            if (tree.box_d2(a, qx, qy) <= tree.box_d2(bn, qx, qy)) {
              stack.push_back(nd.right);
              stack.push_back(nd.left);
            } else {
              stack.push_back(nd.left);
              stack.push_back(nd.right);
            }
          }
        }
      }
    });
    std::size_t added = 0;
    for (const Edge& e : best)
      if (e.w2 < kInf && uf.unite(e.a, e.b)) {
        mst.push_back(e);
        ++added;
      }
    if (added == 0) throw InternalError("hdbscan: Boruvka round added no edge");
    for (std::uint32_t p = 0; p < n; ++p) comp[p] = uf.find(p);
  }
  return mst;
}

struct CondensedRow {
  std::int64_t parent, child;  // clusters are numbered from n (the root); points are < n
  double lambda;
  std::int64_t size;
};

}  // namespace

namespace cluster_detail {

std::vector<MstEdge> mutual_reachability_mst(std::span<const double> x, std::span<const double> y,
                                             int min_samples, int threads) {
  const KdTree tree(x, y);
  const std::size_t n = x.size();
  std::vector<double> core2(n);
  parallel_ranges(n, threads, [&](std::size_t b, std::size_t e, int) {
    for (std::size_t p = b; p < e; ++p)
      core2[p] = tree.kth_d2(static_cast<std::uint32_t>(p), min_samples);
  });
  std::vector<MstEdge> out;
  for (const Edge& e : boruvka_mst(tree, core2, threads))
    out.push_back({tree.index[e.a], tree.index[e.b], e.w2});
  return out;
}

}  // namespace cluster_detail

Clustering hdbscan(std::span<const double> x, std::span<const double> y,
                   const HdbscanOptions& opt) {
  const std::size_t n = x.size();
  if (y.size() != n) throw InternalError("hdbscan: x and y differ in length");
  if (opt.min_cluster_size < 2)
    throw ParameterError("min_cluster_size",
                         "must be at least 2 (got " + std::to_string(opt.min_cluster_size) + ")");
  const int min_samples = opt.min_samples > 0 ? opt.min_samples : opt.min_cluster_size;
  if (opt.min_samples < 0)
    throw ParameterError("min_samples",
                         "must be >= 0 (got " + std::to_string(opt.min_samples) + ")");
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isfinite(x[i]) || !std::isfinite(y[i]))
      throw InputError("hdbscan: point " + std::to_string(i) + " has a non-finite coordinate");
  if (n >= 0x7fffffffu) throw UsageError("hdbscan: more than 2^31 points");
  Clustering out;
  out.label.assign(n, -1);
  out.probability.assign(n, 0.0);
  out.outlier_score.assign(n, 0.0);
  if (n < 2) return out;
  if (static_cast<std::size_t>(min_samples) > n)
    throw ParameterError(opt.min_samples > 0 ? "min_samples" : "min_cluster_size",
                         std::to_string(min_samples) + " exceeds the number of points (" +
                             std::to_string(n) + ")" +
                             (opt.min_samples > 0 ? "" : " (min_samples defaults to it)"));
  const int threads = resolve_threads(opt.threads);
  const KdTree tree(x, y);

  // 1. core distances (squared), tree order
  std::vector<double> core2(n);
  parallel_ranges(n, threads, [&](std::size_t b, std::size_t e, int) {
    for (std::size_t p = b; p < e; ++p)
      core2[p] = tree.kth_d2(static_cast<std::uint32_t>(p), min_samples);
  });

  // 2. MST, 3. dendrogram: merges m = 0..n-2 make node n + m.
  std::vector<Edge> mst = boruvka_mst(tree, core2, threads);
  std::stable_sort(mst.begin(), mst.end(), [&](const Edge& a, const Edge& b) {
    if (a.w2 != b.w2) return a.w2 < b.w2;
    auto ka = std::minmax(tree.index[a.a], tree.index[a.b]),
         kb = std::minmax(tree.index[b.a], tree.index[b.b]);
    return ka < kb;
  });
  const std::size_t nm = n - 1;
  std::vector<std::int64_t> left(nm), right(nm), node_size(nm);
  std::vector<double> height(nm);
  {
    UnionFind uf(n);
    std::vector<std::int64_t> top(n);  // dendrogram node of each union-find root
    for (std::size_t p = 0; p < n; ++p) top[p] = static_cast<std::int64_t>(p);
    auto size_of = [&](std::int64_t node) {
      return node < static_cast<std::int64_t>(n) ? 1
                                                 : node_size[static_cast<std::size_t>(node) - n];
    };
    for (std::size_t m = 0; m < nm; ++m) {
      const std::uint32_t ra = uf.find(mst[m].a), rb = uf.find(mst[m].b);
      left[m] = top[ra];
      right[m] = top[rb];
      height[m] = std::sqrt(mst[m].w2);
      node_size[m] = size_of(left[m]) + size_of(right[m]);
      uf.unite(ra, rb);
      top[uf.find(ra)] = static_cast<std::int64_t>(n + m);
    }
  }
  const auto N = static_cast<std::int64_t>(n);
  auto size_of = [&](std::int64_t node) {
    return node < N ? std::int64_t{1} : node_size[static_cast<std::size_t>(node - N)];
  };

  // Condensed tree (the procedure of McInnes' hdbscan, depth-first instead of breadth-first).
  const auto mcs = static_cast<std::int64_t>(opt.min_cluster_size);
  std::vector<CondensedRow> rows;
  rows.reserve(n + n / 2);
  std::vector<std::int64_t> relabel(2 * n - 1, -1);
  std::int64_t next_label = N + 1;
  const std::int64_t root = 2 * N - 2;
  relabel[static_cast<std::size_t>(root)] = N;
  std::vector<std::int64_t> stack{root};
  // Points of a component smaller than min_cluster_size stay in the cluster until they become
  // singletons (lambda of their own dendrogram parent), capped below at the cluster's split; this
  // is R dbscan's condensation (McInnes' hdbscan drops them all at the split instead).
  std::vector<std::pair<std::int64_t, double>> sub;
  auto spill = [&](std::int64_t from, std::int64_t parent, double lambda) {
    sub.assign(1, {from, lambda});
    while (!sub.empty()) {
      auto [v, lam] = sub.back();
      sub.pop_back();
      if (v < N) {
        rows.push_back({parent, v, lam, 1});
      } else {
        const auto vm = static_cast<std::size_t>(v - N);
        const double lv = height[vm] > 0 ? 1.0 / height[vm] : kInf;
        sub.push_back({left[vm], lv});
        sub.push_back({right[vm], lv});
      }
    }
  };
  while (!stack.empty()) {
    const std::int64_t node = stack.back();
    stack.pop_back();
    if (node < N) continue;
    const auto m = static_cast<std::size_t>(node - N);
    const std::int64_t l = left[m], r = right[m], me = relabel[static_cast<std::size_t>(node)];
    const double lambda = height[m] > 0 ? 1.0 / height[m] : kInf;
    const std::int64_t nl = size_of(l), nr = size_of(r);
    if (nl >= mcs && nr >= mcs) {
      for (std::int64_t c : {l, r}) {
        relabel[static_cast<std::size_t>(c)] = next_label;
        rows.push_back({me, next_label, lambda, size_of(c)});
        ++next_label;
        stack.push_back(c);
      }
    } else if (nl < mcs && nr < mcs) {
      spill(l, me, lambda);
      spill(r, me, lambda);
    } else {
      const std::int64_t big = nl >= mcs ? l : r, small = nl >= mcs ? r : l;
      spill(small, me, lambda);
      relabel[static_cast<std::size_t>(big)] = me;
      if (big < N)
        rows.push_back({me, big, lambda, 1});
      else
        stack.push_back(big);
    }
  }

  // 4. stability, selection, labels
  const std::int64_t nclusters = next_label - N;
  std::vector<double> birth(static_cast<std::size_t>(nclusters), 0.0),
      stability(static_cast<std::size_t>(nclusters), 0.0);
  std::vector<double> max_lambda(static_cast<std::size_t>(nclusters), 0.0);
  std::vector<std::int64_t> cparent(static_cast<std::size_t>(nclusters), -1);
  std::vector<std::vector<std::int64_t>> children(static_cast<std::size_t>(nclusters));
  std::vector<std::int64_t> point_parent(n, -1);
  std::vector<double> point_lambda(n, 0.0);
  for (const auto& rw : rows) {
    if (rw.child >= N) {
      const auto c = static_cast<std::size_t>(rw.child - N);
      birth[c] = rw.lambda;
      cparent[c] = rw.parent - N;
      children[static_cast<std::size_t>(rw.parent - N)].push_back(rw.child - N);
    } else {
      point_parent[static_cast<std::size_t>(rw.child)] = rw.parent - N;
      point_lambda[static_cast<std::size_t>(rw.child)] = rw.lambda;
    }
  }
  // A point cannot outlive its cluster: cap at the lambda where the cluster splits.
  std::vector<double> death_at(static_cast<std::size_t>(nclusters), kInf);
  for (std::int64_t c = 1; c < nclusters; ++c) {
    const auto pu = static_cast<std::size_t>(cparent[static_cast<std::size_t>(c)]);
    death_at[pu] = std::min(death_at[pu], birth[static_cast<std::size_t>(c)]);
  }
  for (auto& rw : rows)
    if (rw.child < N) {
      rw.lambda = std::min(rw.lambda, death_at[static_cast<std::size_t>(rw.parent - N)]);
      point_lambda[static_cast<std::size_t>(rw.child)] = rw.lambda;
    }
  for (const auto& rw : rows) {
    const auto p = static_cast<std::size_t>(rw.parent - N);
    max_lambda[p] = std::max(max_lambda[p], rw.lambda);
    // A cluster born at lambda = inf (zero-distance split) adds nothing: inf - inf is taken as 0.
    const double gain = rw.lambda == birth[p] ? 0.0 : rw.lambda - birth[p];
    stability[p] += gain * static_cast<double>(rw.size);
  }
  std::vector<std::uint8_t> selected(static_cast<std::size_t>(nclusters), 0);
  if (opt.selection == HdbscanSelection::kLeaf) {
    for (std::int64_t c = 1; c < nclusters; ++c)
      selected[static_cast<std::size_t>(c)] = children[static_cast<std::size_t>(c)].empty();
  } else {
    std::vector<double> best = stability;
    for (std::int64_t c = nclusters - 1; c >= 1; --c) {  // children have larger labels than parents
      const auto cu = static_cast<std::size_t>(c);
      double sub_stab = 0;
      for (std::int64_t ch : children[cu]) sub_stab += best[static_cast<std::size_t>(ch)];
      if (!children[cu].empty() && sub_stab > best[cu]) {
        best[cu] = sub_stab;
      } else {
        selected[cu] = 1;
        std::vector<std::int64_t> todo(children[cu]);  // deselect everything below
        while (!todo.empty()) {
          auto d = static_cast<std::size_t>(todo.back());
          todo.pop_back();
          selected[d] = 0;
          todo.insert(todo.end(), children[d].begin(), children[d].end());
        }
      }
    }
  }
  // Nearest selected ancestor (or self) of each cluster; labels are increasing from parents down.
  std::vector<std::int64_t> owner(static_cast<std::size_t>(nclusters), -1);
  for (std::int64_t c = 0; c < nclusters; ++c) {
    const auto cu = static_cast<std::size_t>(c);
    owner[cu] =
        selected[cu] ? c : (cparent[cu] >= 0 ? owner[static_cast<std::size_t>(cparent[cu])] : -1);
  }
  // GLOSH: the largest lambda reached anywhere below each cluster.
  std::vector<double> death = max_lambda;
  for (std::int64_t c = nclusters - 1; c >= 1; --c) {
    const auto pu = static_cast<std::size_t>(cparent[static_cast<std::size_t>(c)]);
    death[pu] = std::max(death[pu], death[static_cast<std::size_t>(c)]);
  }
  std::vector<std::int64_t> raw(n, -1);
  std::vector<double> max_core(static_cast<std::size_t>(nclusters), 0.0);
  for (std::size_t p = 0; p < n; ++p) {
    const auto pc = static_cast<std::size_t>(point_parent[p]);
    const std::size_t i = tree.index[p];
    const double lam = point_lambda[p];
    const double lmax = death[pc];
    // GLOSH = 1 - eps_max / eps(p) = 1 - lambda(p) / lambda_max; 0 when the point leaves last.
    out.outlier_score[i] =
        (lmax == 0 || std::isinf(lam)) ? 0.0 : (std::isinf(lmax) ? 1.0 : (lmax - lam) / lmax);
    const std::int64_t o = owner[pc];
    if (o < 0) continue;
    raw[i] = o;
    auto& mc = max_core[static_cast<std::size_t>(o)];
    mc = std::max(mc, std::sqrt(core2[p]));
  }
  // Membership as R dbscan defines it: 1 - core distance / largest core distance in the cluster.
  for (std::size_t p = 0; p < n; ++p) {
    const std::size_t i = tree.index[p];
    if (raw[i] < 0) continue;
    const double mc = max_core[static_cast<std::size_t>(raw[i])];
    out.probability[i] = mc > 0 ? (mc - std::sqrt(core2[p])) / mc : 1.0;
  }
  number_clusters(raw, out);
  return out;
}

}  // namespace hotspot
