// The engine calls hs.dbscan and hs.kde make, from C++ on the same points: the baseline of
// benchmarks/python/overhead.py. Reads N x values then N y values (raw float64) from argv[1] and
// prints "dbscan SECONDS" and "kde SECONDS", each the best of `repeats` runs.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <vector>

#include "hotspot/cluster.hpp"
#include "hotspot/density.hpp"

namespace {

template <class F>
double best_of(int repeats, F&& f) {
  double best = 1e300;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 8) {
    std::fprintf(stderr, "usage: %s POINTS.f64 EPS MIN_POINTS CELL BANDWIDTH THREADS REPEATS\n", argv[0]);
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary | std::ios::ate);
  const auto bytes = static_cast<std::size_t>(in.tellg());
  const std::size_t n = bytes / 16;
  std::vector<double> x(n), y(n);
  in.seekg(0);
  in.read(reinterpret_cast<char*>(x.data()), static_cast<std::streamsize>(n * 8));
  in.read(reinterpret_cast<char*>(y.data()), static_cast<std::streamsize>(n * 8));
  const double eps = std::atof(argv[2]), cell = std::atof(argv[4]), h = std::atof(argv[5]);
  const int min_points = std::atoi(argv[3]), threads = std::atoi(argv[6]), repeats = std::atoi(argv[7]);

  std::size_t clusters = 0;
  const double t_dbscan = best_of(repeats, [&] {
    clusters = static_cast<std::size_t>(hotspot::dbscan(x, y, {eps, min_points, threads}).clusters());
  });
  float peak = 0;
  const double t_kde = best_of(repeats, [&] {
    // As hs.kde: bandwidth, grid (the points' box grown by one bandwidth), surface.
    hotspot::Box box;
    for (std::size_t i = 0; i < n; ++i) box.expand(hotspot::XY{x[i], y[i]});
    const auto bw = hotspot::choose_bandwidth(
        hotspot::bandwidth_metres(h), hotspot::Kernel::kQuartic, x, y, {}, box, threads, "m");
    const auto grid = hotspot::choose_grid(std::nullopt, box, bw.bandwidth_m, cell, "m");
    hotspot::KdeOptions o;
    o.bandwidth_m = bw.bandwidth_m;
    o.threads = threads;
    const auto r = hotspot::kde(x, y, {}, grid, {}, o);
    peak = *std::max_element(r.values.begin(), r.values.end());
  });
  std::printf("dbscan %.6f clusters %zu\nkde %.6f peak %g\n", t_dbscan, clusters, t_kde, static_cast<double>(peak));
  return 0;
}
