#pragma once
// Shared pieces of the clustering algorithms: union-find and the deterministic cluster numbering.
#include <atomic>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "hotspot/cluster.hpp"

namespace hotspot::cluster_detail {

class UnionFind {
 public:
  explicit UnionFind(std::size_t n) : parent_(n) {
    for (std::size_t i = 0; i < n; ++i) parent_[i] = static_cast<std::uint32_t>(i);
  }
  std::uint32_t find(std::uint32_t a) {
    while (parent_[a] != a) {
      parent_[a] = parent_[parent_[a]];
      a = parent_[a];
    }
    return a;
  }
  // The smaller root becomes the parent, so roots do not depend on the order of unions.
  bool unite(std::uint32_t a, std::uint32_t b) {
    a = find(a);
    b = find(b);
    if (a == b) return false;
    if (a < b)
      parent_[b] = a;
    else
      parent_[a] = b;
    return true;
  }

 private:
  std::vector<std::uint32_t> parent_;
};

// Union-find that threads may share: links always point from the larger root to the smaller, set
// by compare-and-swap, so each component's root is its smallest member whatever the order of the
// unions (and the result is the same at any thread count).
class ConcurrentUnionFind {
 public:
  explicit ConcurrentUnionFind(std::size_t n) : parent_(n) {
    for (std::size_t i = 0; i < n; ++i) parent_[i].store(static_cast<std::uint32_t>(i), std::memory_order_relaxed);
  }
  std::uint32_t find(std::uint32_t a) {
    while (true) {
      std::uint32_t p = parent_[a].load(std::memory_order_acquire);
      if (p == a) return a;
      std::uint32_t gp = parent_[p].load(std::memory_order_acquire);
      if (gp != p) parent_[a].compare_exchange_weak(p, gp, std::memory_order_acq_rel);  // path halving
      a = gp;
    }
  }
  void unite(std::uint32_t a, std::uint32_t b) {
    while (true) {
      a = find(a);
      b = find(b);
      if (a == b) return;
      if (a > b) std::swap(a, b);
      std::uint32_t expected = b;
      if (parent_[b].compare_exchange_strong(expected, a, std::memory_order_acq_rel)) return;
    }
  }

 private:
  std::vector<std::atomic<std::uint32_t>> parent_;
};

// raw[i]: any non-negative group key per point (-1 noise). Returns the Clustering labels and sizes
// with ids ordered by size descending, ties by the smallest point index in the group.
void number_clusters(std::span<const std::int64_t> raw, Clustering& out);

}  // namespace hotspot::cluster_detail
