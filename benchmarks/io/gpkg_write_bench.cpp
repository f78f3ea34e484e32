// GpkgWriter: N points (100k, 1M) with 5 attribute fields into a fresh GeoPackage in /tmp,
// including the bulk-filled R-tree spatial index, the triggers, the final fsync and the rename:
// the same path `hotspot aggregate` takes for its incidents layer.
//
// The attributes mimic the incidents layer: incident_id, category, commune_id (text) and
// lon, lat (real). Counters split each iteration into `rows_s` (set + insert of every row) and
// `commit_s` (the layer's finish: R-tree fill, triggers, COMMIT, fsync, rename).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "hotspot/crs.hpp"
#include "io/gpkg_writer.hpp"

namespace {

struct Row {
  double x, y, lon, lat;
  std::string id, commune;
  int category;
};

const char* const kCategories[] = {"theft", "assault", "drugs", "disturbance", "traffic", "fraud"};

std::vector<Row> make_rows(std::size_t n) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> x(507000, 667000), y(2248000, 2361000);
  std::uniform_int_distribution<int> cat(0, 5), commune(1, 2000);
  std::vector<Row> rows(n);
  char buf[32];
  for (std::size_t i = 0; i < n; ++i) {
    Row& r = rows[i];
    r.x = x(rng), r.y = y(rng);
    r.lon = 105.8 + (r.x - 507000) / 1e5,
    r.lat = 20.3 + (r.y - 2248000) / 1.1e5;  // plausible, not exact
    std::snprintf(buf, sizeof buf, "INC%07zu", i + 1);
    r.id = buf;
    std::snprintf(buf, sizeof buf, "C%04d", commune(rng));
    r.commune = buf;
    r.category = cat(rng);
  }
  return rows;
}

void BM_GpkgWritePoints(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const std::vector<Row> rows = make_rows(n);
  const hotspot::Crs crs = hotspot::parse_crs("EPSG:32648", "bench");
  const std::string path = "/tmp/hotspot-gpkg-write-bench-" + std::to_string(::getpid()) + ".gpkg";
  using clock = std::chrono::steady_clock;
  double rows_s = 0, commit_s = 0;
  for (auto _ : state) {
    std::filesystem::remove(path);
    auto t0 = clock::now();
    hotspot::GpkgWriter w(path);
    auto& L = w.begin_layer("incidents", hotspot::GeometryType::kPoint, crs,
                            {{"incident_id", hotspot::FieldType::kText},
                             {"category", hotspot::FieldType::kText},
                             {"commune_id", hotspot::FieldType::kText},
                             {"lon", hotspot::FieldType::kReal},
                             {"lat", hotspot::FieldType::kReal}},
                            "benchmark points");
    for (const Row& r : rows) {
      L.set_point({r.x, r.y});
      L.set(0, std::string_view(r.id));
      L.set(1, std::string_view(kCategories[r.category]));
      L.set(2, std::string_view(r.commune));
      L.set(3, r.lon);
      L.set(4, r.lat);
      L.insert();
    }
    auto t1 = clock::now();
    w.commit();
    auto t2 = clock::now();
    rows_s += std::chrono::duration<double>(t1 - t0).count();
    commit_s += std::chrono::duration<double>(t2 - t1).count();
  }
  state.counters["rows_s"] = benchmark::Counter(rows_s, benchmark::Counter::kAvgIterations);
  state.counters["commit_s"] = benchmark::Counter(commit_s, benchmark::Counter::kAvgIterations);
  std::error_code ec;
  state.counters["file_MB"] = static_cast<double>(std::filesystem::file_size(path, ec)) / 1e6;
  std::filesystem::remove(path, ec);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}

}  // namespace

BENCHMARK(BM_GpkgWritePoints)
    ->ArgName("points")
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();

BENCHMARK_MAIN();
