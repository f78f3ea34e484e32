// CsvReader: stream-parse a 1M-row incidents CSV (id,lon,lat,time,category, ~65 MB, the shape
// hotspot-datagen writes), from the page cache.
//
// The file is generated once, deterministically, at /tmp/hotspot-bench/csv_read_bench_1m.csv;
// set HOTSPOT_BENCH_CSV to read another file instead (e.g. hotspot-datagen's incidents.csv).
//   BM_CsvSplit         CsvReader::next() only: record boundaries and field splitting.
//   BM_CsvSplitParseXY  the same plus std::from_chars on the lon and lat fields (columns 1, 2).
#include <benchmark/benchmark.h>

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>

#include "io/csv_reader.hpp"

namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kRows = 1'000'000;

std::string write_csv() {
  const fs::path dir = "/tmp/hotspot-bench";
  const fs::path path = dir / "csv_read_bench_1m.csv";
  std::error_code ec;
  if (fs::exists(path, ec) && fs::file_size(path, ec) > 0) return path.string();
  fs::create_directories(dir);
  const fs::path tmp = path.string() + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) throw std::runtime_error("cannot write " + tmp.string());
  const char* const cats[] = {"theft", "assault", "drugs", "disturbance", "traffic", "fraud"};
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> lon(105.5, 107.1), lat(20.3, 21.4);
  std::uniform_int_distribution<int> cat(0, 5), step(0, 120);
  std::fputs("id,lon,lat,time,category\n", f);
  long t = 0;
  for (std::int64_t i = 1; i <= kRows; ++i) {
    t += step(rng);
    long d = 1 + t / 86400, s = t % 86400;
    std::fprintf(f, "INC%07lld,%.6f,%.6f,2024-01-%02ldT%02ld:%02ld:%02ld+07:00,%s\n", static_cast<long long>(i),
                 lon(rng), lat(rng), 1 + (d - 1) % 28, s / 3600, s / 60 % 60, s % 60, cats[cat(rng)]);
  }
  std::fclose(f);
  fs::rename(tmp, path);
  return path.string();
}

const std::string& csv_path() {
  static const std::string path = [] {
    const char* env = std::getenv("HOTSPOT_BENCH_CSV");
    return env && *env ? std::string(env) : write_csv();
  }();
  return path;
}

void BM_CsvSplit(benchmark::State& state) {
  const std::string& path = csv_path();
  std::int64_t rows = 0, fields = 0;
  for (auto _ : state) {
    hotspot::CsvReader r(path);
    hotspot::CsvRecord rec;
    rows = 0, fields = 0;
    while (r.next(rec)) {
      ++rows;
      fields += static_cast<std::int64_t>(rec.fields.size());
    }
    benchmark::DoNotOptimize(fields);
  }
  state.counters["rows"] = static_cast<double>(rows);
  state.SetItemsProcessed(state.iterations() * rows);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(fs::file_size(path)));
}

void BM_CsvSplitParseXY(benchmark::State& state) {
  const std::string& path = csv_path();
  std::int64_t rows = 0, bad = 0;
  for (auto _ : state) {
    hotspot::CsvReader r(path);
    hotspot::CsvRecord rec;
    rows = 0, bad = 0;
    double sum = 0;
    while (r.next(rec)) {
      ++rows;
      if (rec.fields.size() < 3) {
        ++bad;
        continue;
      }
      double x = 0, y = 0;
      auto fx = rec.fields[1], fy = rec.fields[2];
      bad += std::from_chars(fx.data(), fx.data() + fx.size(), x).ec != std::errc{};
      bad += std::from_chars(fy.data(), fy.data() + fy.size(), y).ec != std::errc{};
      sum += x + y;
    }
    benchmark::DoNotOptimize(sum);
  }
  state.counters["rows"] = static_cast<double>(rows);
  state.counters["bad"] = static_cast<double>(bad);
  state.SetItemsProcessed(state.iterations() * rows);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(fs::file_size(path)));
}

}  // namespace

BENCHMARK(BM_CsvSplit)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CsvSplitParseXY)->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK_MAIN();
