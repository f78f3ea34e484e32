// The emerging-hot-spot kernel on a cube from a file, for side-by-side runs against NumPy
// (benchmarks/compare/emerging_vs_numpy.py writes the cube and runs both).
//   emerging_kernel CUBE.f64 ROWS COLS STEPS OUT_Z.f64 [THREADS (default 2)]
// The cube is float64, step-major (x[t * cells + c]), cells on a ROWS x COLS lattice whose
// neighbours are the 8 around each cell plus itself (the band 1.5 cells). It prints the seconds of
// each stage and writes the Gi* z-scores.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <vector>

#include "stats/emerging.hpp"

using namespace hotspot;

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: emerging_kernel CUBE.f64 ROWS COLS STEPS OUT_Z.f64\n");
    return 2;
  }
  const std::size_t rows = std::strtoul(argv[2], nullptr, 10), cols = std::strtoul(argv[3], nullptr, 10);
  const std::size_t steps = std::strtoul(argv[4], nullptr, 10), cells = rows * cols;
  std::vector<double> cube(cells * steps);
  std::ifstream(argv[1], std::ios::binary).read(reinterpret_cast<char*>(cube.data()),
                                                 static_cast<std::streamsize>(cube.size() * sizeof(double)));
  auto now = [] { return std::chrono::steady_clock::now(); };
  auto secs = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
  auto t0 = now();
  std::vector<std::vector<std::int32_t>> lists(cells);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < cols; ++c)
      for (int dr = -1; dr <= 1; ++dr)
        for (int dc = -1; dc <= 1; ++dc) {
          auto rr = static_cast<std::ptrdiff_t>(r) + dr, cc = static_cast<std::ptrdiff_t>(c) + dc;
          if ((dr || dc) && rr >= 0 && cc >= 0 && rr < static_cast<std::ptrdiff_t>(rows) && cc < static_cast<std::ptrdiff_t>(cols))
            lists[r * cols + c].push_back(static_cast<std::int32_t>(rr * static_cast<std::ptrdiff_t>(cols) + cc));
        }
  SpatialWeights w = with_self(from_lists(std::move(lists)), 1.0);
  auto t1 = now();
  const int threads = argc > 6 ? std::atoi(argv[6]) : 2;
  GiStar gi = space_time_gi_star(cube, cells, steps, w, 1, threads);
  auto t2 = now();
  CellPatterns patterns = classify_cells(cube, gi, cells, steps, 0.05, threads);
  std::vector<int> counts(17, 0);
  for (Emerging e : patterns.category) ++counts[static_cast<std::size_t>(e)];
  auto t3 = now();
  std::ofstream(argv[5], std::ios::binary).write(reinterpret_cast<const char*>(gi.z.data()),
                                                  static_cast<std::streamsize>(gi.z.size() * sizeof(double)));
  std::printf("weights %.3f s, space-time Gi* %.3f s, Mann-Kendall + classes %.3f s, total %.3f s\n", secs(t0, t1),
              secs(t1, t2), secs(t2, t3), secs(t0, t3));
  std::printf("categories:");
  for (int e = 0; e < 17; ++e) std::printf(" %d", counts[static_cast<std::size_t>(e)]);
  std::printf("\n");
  return 0;
}
