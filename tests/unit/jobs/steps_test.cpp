// Steps into one GeoPackage: the kde and cluster steps share one load and one writer, and
// finish_job adds what the file has once. The usage checks refuse bad options before any work.
#include "jobs/steps.hpp"

#include "hotspot/jobs/kde.hpp"

#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>

#include <filesystem>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "hotspot/error.hpp"
#include "io/gdal_util.hpp"
#include "jobs/outputs.hpp"
#include "support/temp_dir.hpp"

namespace hotspot {
namespace {

InputOptions sample_inputs() {
  const std::string dir = std::string(HOTSPOT_SOURCE_DIR) + "/data/sample/";
  InputOptions io;
  io.communes.path = dir + "communes.gpkg";
  io.zones.path = dir + "zones.geojson";
  io.incidents.path = dir + "incidents.csv";
  io.threads = 2;
  return io;
}

// One integer from a SQL query run by the GeoPackage driver (SQLite's own SQL).
std::int64_t query(GDALDataset& ds, const std::string& sql) {
  OGRLayer* result = ds.ExecuteSQL(sql.c_str(), nullptr, nullptr);
  if (!result) throw std::runtime_error("query failed: " + sql);
  FeaturePtr f(result->GetNextFeature());
  const std::int64_t v = f ? f->GetFieldAsInteger64(0) : -1;
  ds.ReleaseResultSet(result);
  return v;
}

TEST(Steps, KdeAndClustersWriteIntoOneGeoPackage) {
  const LoadedInputs in = load_inputs(sample_inputs());
  test::TempDir dir;
  const std::string out = dir.file("run.gpkg");

  KdeStepOptions kde_options;
  kde_options.utc_offset_minutes = sample_inputs().incidents.utc_offset_minutes;
  kde_options.cell_m = 50;
  kde_options.bandwidth = bandwidth_metres(300);
  kde_options.mask.kind = KdeMask::Kind::kCommunes;
  kde_options.zones = zone_rule(ZoneRule::Kind::kTopPercent, 20);
  kde_options.categories = {"theft", "robbery"};
  ClusterOptions cluster_options;
  cluster_options.method = ClusterMethod::kDbscan;
  cluster_options.eps_m = 60;
  cluster_options.min_points = 12;

  KdeArtifacts artifacts;
  std::vector<StepResult> steps;
  {
    GpkgWriter w(out);
    const StepContext ctx{in, w, "run.gpkg", 2, {}, {}, nullptr};
    steps.push_back(kde_step(ctx, kde_options, &artifacts));
    steps.push_back(cluster_step(ctx, cluster_options, "cluster_members", /*members_only=*/true));
    finish_job(w, in, summarise(in), steps,
               {{{"command", "run"}}, input_hashes(sample_inputs()), {}, nullptr, "hotspot run", {}},
               sample_inputs().incidents.utc_offset_minutes);
  }
  const StepResult& kde = steps[0];
  const StepResult& clusters = steps[1];
  EXPECT_EQ(kde.name, "kde");
  EXPECT_EQ(clusters.name, "clusters");
  const auto zones = static_cast<std::int64_t>(artifacts.zones.size());
  const std::int64_t n_clusters = clusters.counts["clusters"].get<std::int64_t>();
  const std::int64_t clustered = clusters.counts["clustered"].get<std::int64_t>();
  ASSERT_GT(zones, 0);
  ASSERT_GT(n_clusters, 0);
  EXPECT_GT(kde.counts["filtered_category"].get<std::int64_t>(), 0);
  // The project lists the zones above the density, and the points above their footprints.
  ASSERT_EQ(kde.project.size(), 2u);
  EXPECT_EQ(kde.project[0].id, "hotspot_zones");
  EXPECT_EQ(kde.project[1].datasource, "GPKG:./run.gpkg:density");
  ASSERT_EQ(clusters.project.size(), 2u);
  EXPECT_EQ(clusters.project[0].datasource, "./run.gpkg|layername=cluster_members");
  EXPECT_EQ(clusters.project[1].id, "clusters");
  for (const StepResult* s : {&kde, &clusters}) {
    ASSERT_EQ(s->profiles.size(), 1u);
    ASSERT_EQ(s->profiles[0].feature_of.size(), in.incidents.size());
  }
  // Incidents left out by the category filter are in no zone's profile.
  std::int64_t in_zones = 0;
  for (std::size_t i = 0; i < in.incidents.size(); ++i) {
    if (kde.profiles[0].feature_of[i] < 0) continue;
    ++in_zones;
    const std::string category = in.incidents.categories[in.incidents.category[i]];
    EXPECT_TRUE(category == "theft" || category == "robbery") << category;
  }

  register_gdal_once();
  DatasetPtr raster(static_cast<GDALDataset*>(
      GDALOpenEx(("GPKG:" + out + ":density").c_str(), GDAL_OF_RASTER, nullptr, nullptr, nullptr)));
  ASSERT_TRUE(raster);
  EXPECT_EQ(raster->GetRasterXSize(), artifacts.raster.grid.cols);
  EXPECT_EQ(raster->GetRasterYSize(), artifacts.raster.grid.rows);

  DatasetPtr ds(static_cast<GDALDataset*>(
      GDALOpenEx(out.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr)));
  ASSERT_TRUE(ds);
  for (const char* name : {"hotspot_zones", "clusters", "cluster_members", "temporal_profiles",
                           "peak_hours", "rejected_incidents", "run_metadata"})
    EXPECT_NE(ds->GetLayerByName(name), nullptr) << name;
  EXPECT_EQ(ds->GetLayerByName("incidents"), nullptr);

  OGRLayer* hz = ds->GetLayerByName("hotspot_zones");
  ASSERT_NE(hz, nullptr);
  EXPECT_EQ(hz->GetFeatureCount(), zones);
  std::int64_t k = 0;
  for (auto& f : *hz) {
    ++k;
    EXPECT_EQ(std::string(f->GetFieldAsString("hotspot_id")), "Z" + std::to_string(k));
    EXPECT_STREQ(f->GetFieldAsString("status"), "new");
    EXPECT_EQ(f->GetFieldAsInteger64("days_active"), 1);
  }
  OGRLayer* cl = ds->GetLayerByName("clusters");
  ASSERT_NE(cl, nullptr);
  EXPECT_EQ(cl->GetFeatureCount(), n_clusters);
  for (auto& f : *cl) {
    EXPECT_EQ(std::string(f->GetFieldAsString("hotspot_id")),
              "C" + std::to_string(f->GetFieldAsInteger64("CLUSTER_ID") + 1));
    EXPECT_STREQ(f->GetFieldAsString("status"), "new");
  }

  // Only clustered incidents are members.
  EXPECT_EQ(query(*ds, "SELECT count(*) FROM cluster_members"), clustered);
  EXPECT_EQ(query(*ds, "SELECT count(*) FROM cluster_members WHERE CLUSTER_ID < 0"), 0);
  EXPECT_EQ(query(*ds, "SELECT sum(count) FROM clusters"), clustered);

  // Each step's features have their 168 profile cells, and every incident in a feature is counted.
  EXPECT_EQ(query(*ds, "SELECT count(*) FROM temporal_profiles WHERE layer = 'hotspot_zones'"),
            zones * 168);
  EXPECT_EQ(query(*ds, "SELECT count(*) FROM temporal_profiles WHERE layer = 'clusters'"),
            n_clusters * 168);
  EXPECT_EQ(query(*ds, "SELECT count(*) FROM peak_hours"), zones + n_clusters);
  EXPECT_EQ(query(*ds, "SELECT sum(incidents) FROM hotspot_zones"), in_zones);
  EXPECT_EQ(
      query(*ds, "SELECT sum(incidents) FROM temporal_profiles WHERE layer = 'hotspot_zones'"),
      query(*ds, "SELECT sum(incidents) FROM hotspot_zones"));
  EXPECT_EQ(query(*ds, "SELECT sum(incidents) FROM temporal_profiles WHERE layer = 'clusters'"),
            query(*ds, "SELECT count(*) FROM cluster_members WHERE time IS NOT NULL"));

  EXPECT_EQ(query(*ds, "SELECT count(*) FROM qgis_projects WHERE name = 'hotspot'"), 1);
  EXPECT_EQ(query(*ds, "SELECT count(*) FROM rejected_incidents"),
            static_cast<std::int64_t>(in.report.rejected.size()));
}

// A valid kde analysis as a configuration gives it; each bad value below is refused by the
// table, with no file touched.
nlohmann::json valid_kde() {
  return {{"cell_size", 50},       {"bandwidth", "500m"},  {"top_percent", 10},
          {"extent", "0,0,1000,1000"}, {"from", "2024-01-01"}, {"to", "2024-12-31"},
          {"hours", "22:00-06:00"},    {"mask", "communes"},   {"edge_correction", true}};
}

KdeStepOptions kde_from(const nlohmann::json& values) {
  KdeStepOptions o;
  apply_params(kde_params(), values, ParamScope::kCliOnly, o, [](const ParamInfo* p) { return p ? p->name : ""; });
  return o;
}

TEST(Steps, KdeParamsRefuseBadValuesWithoutTouchingFiles) {
  test::TempDir dir;
  nlohmann::json ok = valid_kde();
  EXPECT_NO_THROW(kde_from(ok));  // no --out and no input file needed
  ok["mask"] = dir.file("mask.geojson");  // never opened
  const KdeStepOptions o = kde_from(ok);
  EXPECT_EQ(o.mask.kind, KdeMask::Kind::kFile);
  EXPECT_EQ(o.bandwidth.rule, BandwidthRule::kGiven);
  EXPECT_EQ(o.bandwidth.metres, 500);
  EXPECT_EQ(o.zones.kind, ZoneRule::Kind::kTopPercent);
  ASSERT_TRUE(o.extent.has_value());
  EXPECT_EQ(o.extent->xmax, 1000);
  EXPECT_TRUE(o.window.by_hours);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));

  const std::vector<std::pair<std::string, nlohmann::json>> bad = {
      {"kernel", {{"kernel", "biweight"}}},
      {"area_unit", {{"area_unit", "acre"}}},
      {"cell_size", {{"cell_size", 0}}},
      {"threshold", {{"threshold", 3}}},  // a second zone rule
      {"top_percent", {{"top_percent", 0}}},
      {"top_percent", {{"top_percent", 150}}},
      {"bandwidth", {{"bandwidth", "0.005deg"}}},
      {"bandwidth", {{"bandwidth", "wide"}}},
      {"bandwidth", {{"bandwidth", "0"}}},
      {"bandwidth", {{"bandwidth", 0}}},
      {"extent", {{"extent", "1,2,3"}}},
      {"extent", {{"extent", "5,0,1,1"}}},
      {"edge_correction", {{"mask", "none"}}},
      {"from", {{"from", "2024-13-01"}}},
      {"from", {{"from", "2025-01-01"}}},  // after to
      {"hours", {{"hours", "25:00-02:00"}}},
      {"hours", {{"hours", "22:00-22:00"}}},
      {"hours", {{"hours", "22:00"}}},
  };
  for (const auto& [name, change] : bad) {
    nlohmann::json values = valid_kde();
    values.update(change);
    try {
      kde_from(values);
      ADD_FAILURE() << change.dump() << " was accepted";
    } catch (const UsageError& e) {
      EXPECT_EQ(std::string(e.what()).rfind(name + ": ", 0), 0u) << e.what();
    }
  }
  nlohmann::json percentile = valid_kde();
  percentile.erase("top_percent");
  percentile["percentile"] = 101;
  EXPECT_THROW(kde_from(percentile), UsageError);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(Steps, CheckClusterOptionsRefusesBadValues) {
  ClusterOptions ok;
  ok.method = ClusterMethod::kStDbscan;
  ok.eps_m = 60;
  ok.eps_time_s = 3600;
  EXPECT_NO_THROW(check_cluster_options(ok));
  ClusterOptions hd;
  hd.method = ClusterMethod::kHdbscan;  // needs no eps
  EXPECT_NO_THROW(check_cluster_options(hd));

  const std::vector<std::pair<std::string, void (*)(ClusterOptions&)>> bad = {
      {"eps 0", [](ClusterOptions& o) { o.eps_m = 0; }},
      {"eps negative", [](ClusterOptions& o) { o.eps_m = -1; }},
      {"eps infinite",
       [](ClusterOptions& o) { o.eps_m = std::numeric_limits<double>::infinity(); }},
      {"eps NaN", [](ClusterOptions& o) { o.eps_m = std::numeric_limits<double>::quiet_NaN(); }},
      {"min points 0", [](ClusterOptions& o) { o.min_points = 0; }},
      {"eps time 0", [](ClusterOptions& o) { o.eps_time_s = 0; }},
      {"eps time beyond 2^50 s",
       [](ClusterOptions& o) { o.eps_time_s = std::int64_t{1} << 51; }},
      {"hdbscan min cluster size 1",
       [](ClusterOptions& o) {
         o.method = ClusterMethod::kHdbscan, o.hdbscan.min_cluster_size = 1;
       }},
      {"hdbscan min samples -1",
       [](ClusterOptions& o) {
         o.method = ClusterMethod::kHdbscan, o.hdbscan.min_samples = -1;
       }},
      {"concave ratio 1.5", [](ClusterOptions& o) { o.concave_ratio = 1.5; }},
      {"concave ratio NaN",
       [](ClusterOptions& o) { o.concave_ratio = std::numeric_limits<double>::quiet_NaN(); }},
  };
  for (const auto& [what, change] : bad) {
    ClusterOptions o = ok;
    change(o);
    EXPECT_THROW(check_cluster_options(o), UsageError) << what;
  }
}

}  // namespace
}  // namespace hotspot
