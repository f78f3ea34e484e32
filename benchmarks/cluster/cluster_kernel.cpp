// hotspot-cluster-kernel: runs one clustering on coordinates from a raw file and prints what it
// found, as JSON. Used by benchmarks/compare/ so that the peer and hotspot read the same doubles
// and each runs in its own process (peak RSS measured per process).
//   hotspot-cluster-kernel FILE dbscan EPS MIN_POINTS THREADS
//   hotspot-cluster-kernel FILE hdbscan MIN_CLUSTER_SIZE THREADS
// FILE: int64 n, then n float64 x, then n float64 y (little-endian, as numpy's tofile writes).
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "hotspot/cluster.hpp"

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s FILE dbscan EPS MIN_POINTS THREADS | FILE hdbscan MIN_CLUSTER_SIZE THREADS\n", argv[0]);
    return 2;
  }
  std::FILE* f = std::fopen(argv[1], "rb");
  if (!f) return 4;
  std::int64_t n = 0;
  if (std::fread(&n, sizeof n, 1, f) != 1 || n < 0) return 4;
  std::vector<double> x(static_cast<std::size_t>(n)), y(static_cast<std::size_t>(n));
  if (std::fread(x.data(), sizeof(double), x.size(), f) != x.size() ||
      std::fread(y.data(), sizeof(double), y.size(), f) != y.size())
    return 4;
  std::fclose(f);
  const std::string method = argv[2];
  auto t0 = std::chrono::steady_clock::now();
  hotspot::Clustering c;
  if (method == "dbscan" && argc >= 6) {
    c = hotspot::dbscan(x, y, {std::atof(argv[3]), std::atoi(argv[4]), std::atoi(argv[5])});
  } else if (method == "hdbscan") {
    hotspot::HdbscanOptions o;
    o.min_cluster_size = std::atoi(argv[3]);
    o.threads = std::atoi(argv[4]);
    c = hotspot::hdbscan(x, y, o);
  } else {
    return 2;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  long long noise = 0, core = 0;
  for (auto l : c.label) noise += l < 0;
  for (auto k : c.core) core += k;
  std::printf("{\"n\": %lld, \"seconds\": %.6f, \"clusters\": %d, \"noise\": %lld, \"core\": %lld}\n",
              static_cast<long long>(n), secs, c.clusters(), noise, core);
  // Labels for agreement checks, one per line, when asked.
  if (const char* out = std::getenv("HOTSPOT_LABELS_OUT")) {
    std::FILE* o = std::fopen(out, "w");
    if (!o) return 4;
    for (auto l : c.label) std::fprintf(o, "%d\n", l);
    std::fclose(o);
  }
  return 0;
}
