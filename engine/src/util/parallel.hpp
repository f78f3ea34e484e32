#pragma once
// Static, contiguous split of [0, n) over threads. Each index is handled by exactly one thread
// and the result of each index depends only on that index, so output never depends on the
// thread count.
#include <algorithm>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace hotspot {

inline int hardware_threads() {
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

// 0 means all cores; more threads than the hardware has are clamped to it (results never depend
// on the thread count, and 2147483647 threads would only exhaust memory).
inline int resolve_threads(int requested) {
  if (requested > 0) return std::min(requested, hardware_threads());
  return hardware_threads();
}

// fn(begin, end, thread_index). A thread gets at least min_per_thread indices (cheap work is not
// worth a thread); give 1 where each index is heavy (a permutation, a tile).
template <class F>
void parallel_ranges(std::size_t n, int threads, F&& fn, std::size_t min_per_thread = 4096) {
  auto t = static_cast<std::size_t>(std::max(1, threads));
  t = std::min(t, std::max<std::size_t>(1, n / std::max<std::size_t>(1, min_per_thread)));
  if (t <= 1) {
    fn(std::size_t{0}, n, 0);
    return;
  }
  std::vector<std::thread> pool;
  std::vector<std::exception_ptr> errors(t);
  for (std::size_t k = 0; k < t; ++k) {
    pool.emplace_back([&, k] {
      try {
        fn(n * k / t, n * (k + 1) / t, static_cast<int>(k));
      } catch (...) {
        errors[k] = std::current_exception();
      }
    });
  }
  for (auto& th : pool) th.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace hotspot

#include <atomic>

namespace hotspot {

// Tasks 0..n-1 handed out one at a time to `threads` workers: fn(task, thread_index). For work
// whose pieces write disjoint outputs (raster tiles), so the result never depends on which
// thread ran a task; unlike parallel_ranges there is no minimum task count per thread.
template <class F>
void parallel_tasks(std::size_t n, int threads, F&& fn) {
  auto t = std::min(static_cast<std::size_t>(std::max(1, threads)), std::max<std::size_t>(1, n));
  if (t <= 1) {
    for (std::size_t i = 0; i < n; ++i) fn(i, 0);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> pool;
  std::vector<std::exception_ptr> errors(t);
  for (std::size_t k = 0; k < t; ++k) {
    pool.emplace_back([&, k] {
      try {
        for (std::size_t i; (i = next.fetch_add(1)) < n;) fn(i, static_cast<int>(k));
      } catch (...) {
        errors[k] = std::current_exception();
        next = n;
      }
    });
  }
  for (auto& th : pool) th.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace hotspot
