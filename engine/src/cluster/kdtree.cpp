#include "cluster/kdtree.hpp"

#include <algorithm>
#include <limits>
#include <queue>

namespace hotspot::cluster_detail {

KdTree::KdTree(std::span<const double> px, std::span<const double> py, std::uint32_t leaf_size) {
  const auto n = static_cast<std::uint32_t>(px.size());
  index.resize(n);
  for (std::uint32_t i = 0; i < n; ++i) index[i] = i;
  nodes.reserve(n / leaf_size * 2 + 2);
  struct Job {
    std::uint32_t begin, end;
    std::int32_t node;
  };
  std::vector<Job> stack;
  nodes.push_back({0, 0, 0, 0, 0, n, -1, -1});
  stack.push_back({0, n, 0});
  while (!stack.empty()) {
    Job j = stack.back();
    stack.pop_back();
    double xmin = std::numeric_limits<double>::infinity(), ymin = xmin, xmax = -xmin, ymax = -xmin;
    for (std::uint32_t k = j.begin; k < j.end; ++k) {
      xmin = std::min(xmin, px[index[k]]);
      xmax = std::max(xmax, px[index[k]]);
      ymin = std::min(ymin, py[index[k]]);
      ymax = std::max(ymax, py[index[k]]);
    }
    Node& nd = nodes[static_cast<std::size_t>(j.node)];
    nd.xmin = xmin;
    nd.ymin = ymin;
    nd.xmax = xmax;
    nd.ymax = ymax;
    if (j.end - j.begin <= leaf_size) continue;
    const bool by_x = xmax - xmin >= ymax - ymin;
    const std::span<const double> c = by_x ? px : py;
    const std::uint32_t mid = j.begin + (j.end - j.begin) / 2;
    // Ties broken by index so the tree (and everything after it) is fully determined by the input.
    std::nth_element(
        index.begin() + j.begin, index.begin() + mid, index.begin() + j.end,
        [&](std::uint32_t a, std::uint32_t b) { return c[a] < c[b] || (c[a] == c[b] && a < b); });
    const auto l = static_cast<std::int32_t>(nodes.size());
    nodes[static_cast<std::size_t>(j.node)].left = l;
    nodes[static_cast<std::size_t>(j.node)].right = l + 1;
    nodes.push_back({0, 0, 0, 0, j.begin, mid, -1, -1});
    nodes.push_back({0, 0, 0, 0, mid, j.end, -1, -1});
    stack.push_back({mid, j.end, l + 1});
    stack.push_back({j.begin, mid, l});
  }
  x.resize(n);
  y.resize(n);
  for (std::uint32_t k = 0; k < n; ++k) {
    x[k] = px[index[k]];
    y[k] = py[index[k]];
  }
}

double KdTree::kth_d2(std::uint32_t p, int k) const {
  if (k <= kSmallK) return kth_d2_small(p, k);
  std::priority_queue<double> heap;  // the k smallest squared distances so far
  const double qx = x[p], qy = y[p];
  std::vector<std::int32_t> stack{0};
  stack.reserve(64);
  const auto ku = static_cast<std::size_t>(k);
  while (!stack.empty()) {
    const Node& nd = nodes[static_cast<std::size_t>(stack.back())];
    stack.pop_back();
    if (heap.size() == ku && box_d2(nd, qx, qy) >= heap.top()) continue;  // cannot improve strictly
    if (nd.left < 0) {
      for (std::uint32_t q = nd.begin; q < nd.end; ++q) {
        const double dx = qx - x[q], dy = qy - y[q], d2 = dx * dx + dy * dy;
        if (heap.size() < ku) {
          heap.push(d2);
        } else if (d2 < heap.top()) {
          heap.pop();
          heap.push(d2);
        }
      }
      continue;
    }
    const Node& a = nodes[static_cast<std::size_t>(nd.left)];
    const Node& b = nodes[static_cast<std::size_t>(nd.right)];
    // Nearer child last, so it is popped first.
    if (box_d2(a, qx, qy) <= box_d2(b, qx, qy)) {
      stack.push_back(nd.right);
      stack.push_back(nd.left);
    } else {
      stack.push_back(nd.left);
      stack.push_back(nd.right);
    }
  }
  return heap.size() < ku ? std::numeric_limits<double>::infinity() : heap.top();
}

// The same search for small k without allocating: the k-distance curve queries every incident,
// and a heap plus a stack allocated per query cost as much as the search. The k smallest squared
// distances are kept sorted in an array; the pruning and the result are those of kth_d2.
double KdTree::kth_d2_small(std::uint32_t p, int k) const {
  double best[kSmallK];  // ascending; best[m - 1] is the k-th smallest once m == k
  int m = 0;
  const double qx = x[p], qy = y[p];
  // A balanced median split: depth <= log2(n / leaf_size) + 1 < 32, two entries per level.
  std::int32_t stack[2 * 34];
  int top = 0;
  stack[top++] = 0;
  while (top > 0) {
    const Node& nd = nodes[static_cast<std::size_t>(stack[--top])];
    if (m == k && box_d2(nd, qx, qy) >= best[k - 1]) continue;  // cannot improve strictly
    if (nd.left < 0) {
      for (std::uint32_t q = nd.begin; q < nd.end; ++q) {
        const double dx = qx - x[q], dy = qy - y[q], d2 = dx * dx + dy * dy;
        if (m == k && !(d2 < best[k - 1])) continue;
        int i = m < k ? m++ : k - 1;  // the slot freed at the end, then shifted into place
        for (; i > 0 && best[i - 1] > d2; --i) best[i] = best[i - 1];
        best[i] = d2;
      }
      continue;
    }
    const Node& a = nodes[static_cast<std::size_t>(nd.left)];
    const Node& b = nodes[static_cast<std::size_t>(nd.right)];
    if (box_d2(a, qx, qy) <= box_d2(b, qx, qy)) {
      stack[top++] = nd.right;
      stack[top++] = nd.left;
    } else {
      stack[top++] = nd.left;
      stack[top++] = nd.right;
    }
  }
  return m < k ? std::numeric_limits<double>::infinity() : best[k - 1];
}

}  // namespace hotspot::cluster_detail
