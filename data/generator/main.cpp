// hotspot-datagen: deterministic SYNTHETIC inputs shaped like An Duong district, Hai Phong.
// The same seed and options give byte-identical files (for the same GDAL / GEOS / PROJ).
#include <cpl_conv.h>
#include <gdal_priv.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "district.hpp"
#include "incidents.hpp"
#include "writers.hpp"

namespace {
constexpr std::int64_t kSampleIncidents = 50000;
constexpr int kSampleCommunes = 20;
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "hotspot-datagen: deterministic SYNTHETIC test data shaped like An Duong district, Hai "
      "Phong, "
      "Vietnam (not real boundaries or incidents)"};
  std::string out;
  std::uint64_t seed = 20240101;
  int communes = kSampleCommunes, zones = 3;
  std::int64_t incidents = kSampleIncidents;
  bool bad_rows = false;
  app.add_option("--out", out, "Output directory (created if missing; files are overwritten)")
      ->required();
  app.add_option("--seed", seed, "Random seed")->capture_default_str();
  app.add_option("--communes", communes,
                 "Number of communes; the district grows to keep ~6.5 km2 each")
      ->capture_default_str();
  CLI::Option* zones_opt = app.add_option(
      "--zones", zones, "Number of industrial zones (default 3, or one per ~100 communes)");
  app.add_option("--incidents", incidents, "Number of good incident rows")->capture_default_str();
  CLI::Option* bad_opt = app.add_flag(
      "--bad-rows,!--no-bad-rows", bad_rows,
      "Add the 24 edge-case rows (default: only with the default --communes and --incidents)");
  CLI11_PARSE(app, argc, argv);

  if (bad_opt->count() == 0)
    bad_rows = incidents == kSampleIncidents && communes == kSampleCommunes;
  if (zones_opt->count() == 0) zones = std::max(3, static_cast<int>(std::lround(communes / 100.0)));

  try {
    const auto start = std::chrono::steady_clock::now();
    GDALAllRegister();
    // The GeoPackage records a "last change" time; pin it so that reruns are byte-identical.
    CPLSetConfigOption("OGR_CURRENT_DATE", "2026-01-01T00:00:00.000Z");
    std::filesystem::create_directories(out);
    const std::filesystem::path dir(out);

    datagen::RunInfo run;
    run.seed = seed;
    run.communes = communes;
    run.zones = zones;
    run.incidents = incidents;
    run.edge_rows = bad_rows;
    run.description =
        "SYNTHETIC test data shaped like An Duong district, Hai Phong, Vietnam: not real "
        "boundaries, "
        "populations or incidents. Made by hotspot-datagen --seed " +
        std::to_string(seed) + " --communes " + std::to_string(communes) + " --zones " +
        std::to_string(zones) + ".";

    datagen::Geos geos;
    datagen::Projector proj;
    const datagen::District d = datagen::build_district(geos, proj, {seed, communes, zones});
    datagen::write_communes_gpkg(geos, d, run, (dir / "communes.gpkg").string());
    datagen::write_zones_geojson(d, run, (dir / "zones.geojson").string());
    datagen::write_roads_geojson(d, proj, run, (dir / "roads.geojson").string());
    const datagen::IncidentReport rep = datagen::write_incidents(
        d, proj, {seed, incidents, bad_rows}, (dir / "incidents.csv").string());
    datagen::write_expected_rejects(rep, run, (dir / "expected_rejects.json").string());
    datagen::write_planted(d, proj, rep, run, (dir / "planted.json").string());

    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf(
        "hotspot-datagen: seed %llu -> %s: %d communes (%.1f km2), %d zones (KCN01 %.2f ha over "
        "%zu communes), %lld incident rows (%lld good + %lld edge-case, %lld to reject) in %.2f "
        "s\n",
        static_cast<unsigned long long>(seed), out.c_str(), communes, d.outline_area_m2 / 1e6,
        zones, d.zones[0].area_m2 / 1e4, d.zones[0].communes.size(),
        static_cast<long long>(rep.rows), static_cast<long long>(incidents),
        static_cast<long long>(rep.rows - incidents),
        static_cast<long long>(rep.rows - rep.accepted), secs);
    return 0;
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "hotspot-datagen: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hotspot-datagen: error: %s\n", e.what());
    return 1;
  }
}
