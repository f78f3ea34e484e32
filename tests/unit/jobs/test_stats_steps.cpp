// The statistics as steps of one job: local on the communes and on a hex grid, emerging hot spots
// and near-repeat run on one load of data/sample into one GeoPackage; read back with OGR and
// checked against a point-in-polygon count and against run_local on the same counts.
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>

#include "hotspot/aggregate.hpp"
#include "hotspot/error.hpp"
#include "hotspot/aggregate.hpp"
#include "io/gdal_util.hpp"
#include "jobs/outputs.hpp"
#include "jobs/steps.hpp"
#include "support/temp_dir.hpp"

namespace hotspot {
namespace {

namespace fs = std::filesystem;

const std::string kSample = std::string(HOTSPOT_SOURCE_DIR) + "/data/sample";

InputOptions sample_inputs() {
  InputOptions io;
  io.communes.path = kSample + "/communes.gpkg";
  io.zones.path = kSample + "/zones.geojson";
  io.incidents.path = kSample + "/incidents.csv";
  return io;
}

LocalOptions local_options(const std::string& source) {
  LocalOptions o;
  o.units_source = source == "grid"       ? UnitsSource::kGrid
                   : source == "communes" ? UnitsSource::kCommunes
                                          : UnitsSource::kFile;
  if (source == "grid") o.grid = parse_grid_spec("hex:1000", "grid");
  o.weights = parse_weights_spec("queen");
  o.weights_given = true;
  o.stats.permutations = 99;
  o.stats.seed = 7;
  return o;
}

// Emerging options through their table, as a configuration gives them.
EmergingStepOptions emerging_options(const nlohmann::json& values = {{"grid", "hex:1000"}, {"time_step", "1w"}}) {
  EmergingStepOptions o;
  o.emerging.utc_offset_minutes = sample_inputs().incidents.utc_offset_minutes;
  apply_params(emerging_params(), values, ParamScope::kConfigOnly, o,
               [](const ParamInfo* p) { return p ? p->name : std::string("emerging"); });
  return o;
}

KnoxOptions knox_options() {
  KnoxOptions o;
  o.space_bands = {0, 25, 50};
  o.time_bands_days = {0, 7, 14};
  o.permutations = 19;
  o.seed = 3;
  return o;
}

DatasetPtr open_vector(const std::string& path) {
  register_gdal_once();
  return DatasetPtr(static_cast<GDALDataset*>(
      GDALOpenEx(path.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr)));
}

std::int64_t feature_count(GDALDataset& ds, const std::string& layer) {
  OGRLayer* l = ds.GetLayerByName(layer.c_str());
  return l ? l->GetFeatureCount() : -1;
}

// One field of every feature, in fid order (NaN where null).
std::vector<double> numbers(GDALDataset& ds, const std::string& layer, const std::string& field) {
  std::vector<double> out;
  OGRLayer* l = ds.GetLayerByName(layer.c_str());
  if (!l) return out;
  l->ResetReading();
  for (FeaturePtr f(l->GetNextFeature()); f; f.reset(l->GetNextFeature())) {
    const int i = f->GetFieldIndex(field.c_str());
    out.push_back(i >= 0 && f->IsFieldSetAndNotNull(i) ? f->GetFieldAsDouble(i) : std::nan(""));
  }
  return out;
}

std::vector<std::string> texts(GDALDataset& ds, const std::string& layer,
                               const std::string& field) {
  std::vector<std::string> out;
  OGRLayer* l = ds.GetLayerByName(layer.c_str());
  if (!l) return out;
  l->ResetReading();
  for (FeaturePtr f(l->GetNextFeature()); f; f.reset(l->GetNextFeature()))
    out.emplace_back(f->GetFieldAsString(field.c_str()));
  return out;
}

void expect_same(const std::vector<double>& got, const std::vector<double>& want,
                 const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << what << " " << i;
      continue;
    }
    EXPECT_NEAR(got[i], want[i], 1e-12 * std::max(1.0, std::abs(want[i]))) << what << " " << i;
  }
}

// data/sample loaded once; the four steps written into one file, as hotspot run does.
class StatsSteps : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir = new test::TempDir;
    in = new LoadedInputs(load_inputs(sample_inputs()));
    out = dir->file("run.gpkg");
    GpkgWriter w(out);
    const StepContext ctx{*in, w, "run.gpkg", 2, {}, {}, nullptr};
    steps = new std::vector<StepResult>;
    steps->push_back(local_step(ctx, local_options("communes"), "local_communes"));
    steps->push_back(local_step(ctx, local_options("grid"), "local_grid"));
    steps->push_back(emerging_step(ctx, emerging_options()));
    knox = new KnoxResult;
    steps->push_back(near_repeat_step(ctx, knox_options(), knox));
    RunSummary s = summarise(*in);
    JobMetadata meta;
    meta.parameters = {{"steps", {"local_communes", "local_grid", "emerging", "near_repeat"}}};
    meta.inputs = input_hashes(sample_inputs());
    meta.counts = {{"read", in->report.read}, {"accepted", in->report.accepted}};
    meta.seed = nullptr;
    meta.project_title = "hotspot statistics";
    finish_job(w, *in, s, *steps, meta, 7 * 60);
  }
  static void TearDownTestSuite() {
    delete knox;
    delete steps;
    delete in;
    delete dir;
  }

  static test::TempDir* dir;
  static LoadedInputs* in;
  static std::string out;
  static std::vector<StepResult>* steps;
  static KnoxResult* knox;
};

test::TempDir* StatsSteps::dir = nullptr;
LoadedInputs* StatsSteps::in = nullptr;
std::string StatsSteps::out;
std::vector<StepResult>* StatsSteps::steps = nullptr;
KnoxResult* StatsSteps::knox = nullptr;

TEST_F(StatsSteps, EveryLayerIsInTheOneFileWithItsCount) {
  const auto& st = *steps;
  ASSERT_EQ(st.size(), 4u);
  EXPECT_EQ(st[0].name, "local_communes");
  EXPECT_EQ(st[1].name, "local_grid");
  EXPECT_EQ(st[2].name, "emerging");
  EXPECT_EQ(st[3].name, "near_repeat");
  DatasetPtr ds = open_vector(out);
  ASSERT_TRUE(ds);
  EXPECT_EQ(feature_count(*ds, "local_communes"), static_cast<std::int64_t>(in->communes.size()));
  const std::int64_t cells = feature_count(*ds, "local_grid");
  EXPECT_GT(cells, 20);
  EXPECT_EQ(st[1].layers,
            (std::vector<std::pair<std::string, std::int64_t>>{{"local_grid", cells}}));
  const std::int64_t emerging_cells = st[2].counts["cells"].get<std::int64_t>();
  const std::int64_t time_steps = st[2].counts["steps"].get<std::int64_t>();
  EXPECT_GE(time_steps, 2);
  EXPECT_EQ(feature_count(*ds, "emerging"), emerging_cells);
  EXPECT_EQ(feature_count(*ds, "emerging_cube"), emerging_cells * time_steps);
  EXPECT_EQ(feature_count(*ds, "near_repeat"), 4);  // 2 distance bands x 2 time bands
  EXPECT_EQ(static_cast<std::size_t>(feature_count(*ds, "near_repeat")), knox->cells.size());
  EXPECT_EQ(feature_count(*ds, "rejected_incidents"),
            static_cast<std::int64_t>(in->report.rejected.size()));
  EXPECT_EQ(feature_count(*ds, "run_metadata"), 7);
  // Each map layer's default style, and one QGIS project listing them.
  for (const char* layer : {"local_communes", "local_grid", "emerging"}) {
    OGRLayer* styles = ds->ExecuteSQL(("SELECT count(*) FROM layer_styles WHERE f_table_name = '" +
                                       std::string(layer) + "' AND useAsDefault = 1")
                                          .c_str(),
                                      nullptr, nullptr);
    ASSERT_NE(styles, nullptr);
    FeaturePtr f(styles->GetNextFeature());
    EXPECT_EQ(f->GetFieldAsInteger64(0), 1) << layer;
    f.reset();
    ds->ReleaseResultSet(styles);
  }
  OGRLayer* projects = ds->ExecuteSQL("SELECT count(*) FROM qgis_projects", nullptr, nullptr);
  ASSERT_NE(projects, nullptr);
  FeaturePtr p(projects->GetNextFeature());
  EXPECT_EQ(p->GetFieldAsInteger64(0), 1);
  p.reset();
  ds->ReleaseResultSet(projects);
  std::vector<std::string> project;
  for (const auto& s : st)
    for (const auto& l : s.project) project.push_back(l.id);
  EXPECT_EQ(project, (std::vector<std::string>{"local_communes", "local_grid", "emerging"}));
  // Summary lines for the terminal.
  EXPECT_EQ(st[0].details.front(), "units      20 communes, value incidents");
  EXPECT_EQ(st[3].details.front(),
            "Knox ratio (observed / expected pairs), * p <= 0.05, ** p <= 0.01");
  EXPECT_EQ(st[0].seed, 7u);
  EXPECT_EQ(st[2].seed, 0u);
  EXPECT_EQ(st[3].seed, 3u);
}

TEST_F(StatsSteps, CommuneValuesAreTheirIncidentCounts) {
  const Assignment a = assign_incidents(in->incidents, in->communes, PolygonLayer{}, 1);
  std::map<std::string, double> expected;
  for (const auto& id : in->communes.id) expected[id] = 0;
  for (auto c : a.commune)
    if (c >= 0) ++expected[in->communes.id[static_cast<std::size_t>(c)]];
  DatasetPtr ds = open_vector(out);
  ASSERT_TRUE(ds);
  const std::vector<std::string> ids = texts(*ds, "local_communes", "commune_id");
  const std::vector<double> counts = numbers(*ds, "local_communes", "incidents");
  ASSERT_EQ(ids.size(), in->communes.size());
  std::map<std::string, double> got;
  for (std::size_t k = 0; k < ids.size(); ++k) got[ids[k]] = counts[k];
  EXPECT_EQ(got, expected);
  EXPECT_EQ((*steps)[0].counts["incidents_outside"].get<std::int64_t>(), a.outside_communes);
  // The grid counts every incident in the study area (the communes' union) once.
  double grid_total = 0;
  for (double v : numbers(*ds, "local_grid", "incidents")) grid_total += v;
  EXPECT_EQ(grid_total + (*steps)[1].counts["incidents_outside"].get<double>(),
            static_cast<double>(in->incidents.size()));
}

TEST_F(StatsSteps, CommuneGiStarEqualsRunLocalOnTheSameCounts) {
  // The CLI path: the step's own layer as a units file, its incidents as the value field.
  LocalOptions file = local_options("file");
  file.units = out;
  file.units_layer = "local_communes";
  file.field = "incidents";
  file.out = dir->file("from_file.gpkg");
  const LocalSummary fs_summary = run_local(file);
  EXPECT_EQ(fs_summary.units, static_cast<std::int64_t>(in->communes.size()));
  // The same job through run_local on the loaded communes.
  LocalOptions communes = local_options("communes");
  communes.inputs = sample_inputs();
  communes.out = dir->file("from_communes.gpkg");
  run_local(communes);

  DatasetPtr step = open_vector(out), from_file = open_vector(file.out),
             from_communes = open_vector(communes.out);
  ASSERT_TRUE(step && from_file && from_communes);
  for (const char* field : {"GiZScore", "GiPValue", "LMiZScore", "NNeighbors"}) {
    const std::vector<double> want = numbers(*step, "local_communes", field);
    ASSERT_EQ(want.size(), in->communes.size()) << field;
    expect_same(numbers(*from_file, "local_stats", field), want,
                std::string("file units: ") + field);
    expect_same(numbers(*from_communes, "local_stats", field), want,
                std::string("run_local communes: ") + field);
  }
  EXPECT_EQ(feature_count(*from_communes, "rejected_incidents"),
            static_cast<std::int64_t>(in->report.rejected.size()));
}

TEST_F(StatsSteps, CommuneRatesPerThousandNeedAPopulation) {
  test::TempDir d;
  LocalOptions o = local_options("communes");
  o.value = UnitValue::kPer1000;
  {
    GpkgWriter w(d.file("rates.gpkg"));
    const StepContext ctx{*in, w, "rates.gpkg", 1, {}, {}, nullptr};
    EXPECT_THROW(local_step(ctx, o, "local_communes"), UsageError);  // no --population-field
  }
  EXPECT_FALSE(fs::exists(d.file("rates.gpkg")));

  LoadedInputs with_population = *in;
  with_population.communes.population.assign(in->communes.size(), 0.0);
  for (std::size_t c = 0; c < in->communes.size(); ++c)
    with_population.communes.population[c] = 1000.0 * static_cast<double>(c + 1);
  GpkgWriter w(d.file("rates.gpkg"));
  const StepContext ctx{with_population, w, "rates.gpkg", 1, {}, {}, nullptr};
  local_step(ctx, o, "local_communes");
  w.commit();
  DatasetPtr ds = open_vector(d.file("rates.gpkg"));
  ASSERT_TRUE(ds);
  const std::vector<double> counts = numbers(*ds, "local_communes", "incidents");
  const std::vector<double> rates = numbers(*ds, "local_communes", "per_1000");
  ASSERT_EQ(rates.size(), in->communes.size());
  for (std::size_t c = 0; c < rates.size(); ++c)
    EXPECT_DOUBLE_EQ(rates[c], counts[c] / static_cast<double>(c + 1));

  with_population.communes.population[3] = std::nan("");
  GpkgWriter w2(d.file("missing.gpkg"));
  const StepContext ctx2{with_population, w2, "missing.gpkg", 1, {}, {}, nullptr};
  EXPECT_THROW(local_step(ctx2, o, "local_communes"), InputError);
}

TEST(StatsStepChecks, RejectBadValuesWithoutTouchingFiles) {
  test::TempDir d;
  // The configuration's values through the table (the CLI's go through the same setters).
  auto check = [](const nlohmann::json& v, ParamScope scope = ParamScope::kConfigOnly) {
    LocalOptions o;
    apply_params(local_params(), v, scope, o,
                 [](const ParamInfo* p) { return p ? p->name : std::string(); });
    return o;
  };
  const nlohmann::json communes = {{"units", "communes"}, {"weights", "queen"}};
  EXPECT_NO_THROW(check(communes));
  EXPECT_NO_THROW(check({{"units", "grid"}, {"grid", "hex:1000"}, {"weights", "queen"}}));
  const LocalOptions auto_grid =
      check({{"units", "grid"}, {"grid", "auto"}, {"weights_cli", "knn:4"}}, ParamScope::kCliOnly);
  EXPECT_TRUE(auto_grid.grid_auto);
  EXPECT_NO_THROW(
      check({{"grid", "auto"}}, ParamScope::kCliOnly));  // the CLI: grid auto picks a band
  auto with = [&](const nlohmann::json& change) {
    nlohmann::json v = communes;
    v.update(change);
    return v;
  };
  const std::vector<nlohmann::json> bad_local = {
      with({{"units", "tracts"}}),
      with({{"grid", "hex:500"}}),
      with({{"value", "per_ha"}}),
      with({{"units", "grid"}, {"grid", "hex:500"}, {"value", "per_km2"}}),
      with({{"units", "grid"}, {"grid", "ring:500"}}),
      with({{"units", "grid"}, {"grid", "hex:-5"}}),
      with({{"units", "grid"}}),
      with({{"stat", "moran"}}),
      with({{"islands", "drop"}}),
      with({{"permutations", -1}}),
      with({{"weights", "knn:0"}}),
      with({{"weights", "ring:3"}}),
      {{"units", "communes"}},
      with({{"inverse_distance", 1}}),  // with queen weights
      with({{"weights", "knn:4"}, {"inverse_distance", -1}}),
  };
  for (std::size_t k = 0; k < bad_local.size(); ++k)
    EXPECT_THROW(check(bad_local[k]), UsageError) << k;
  EXPECT_THROW(check({{"units_file", "u.gpkg"}, {"grid", "hex:500"}, {"weights_cli", "queen"}},
                     ParamScope::kCliOnly),
               UsageError);
  EXPECT_THROW(check({{"weights_cli", "queen"}}, ParamScope::kCliOnly), UsageError);  // no units

  EXPECT_NO_THROW(emerging_options());
  const std::vector<nlohmann::json> bad_emerging = {
      {{"time_step", "1w"}},
      {{"grid", "ring:300"}},
      {{"grid", "hex:1000"}, {"time_step", "3x"}},
      {{"grid", "hex:1000"}, {"band", -1}},
      {{"grid", "hex:1000"}, {"neighbourhood_time", -1}},
      {{"grid", "hex:1000"}, {"alpha", 1.5}},
  };
  for (std::size_t k = 0; k < bad_emerging.size(); ++k)
    EXPECT_THROW(emerging_options(bad_emerging[k]), UsageError) << k;

  EXPECT_NO_THROW(check_knox_options(knox_options()));
  auto knox = [](auto change) {
    KnoxOptions o = knox_options();
    change(o);
    return o;
  };
  const std::vector<KnoxOptions> bad_knox = {
      knox([](KnoxOptions& o) {
        o.space_bands = {0, 50, 25};
      }),
      knox([](KnoxOptions& o) { o.space_bands = {100}; }),
      knox([](KnoxOptions& o) {
        o.time_bands_days = {-1, 7};
      }),
      knox([](KnoxOptions& o) { o.permutations = -1; }),
  };
  for (std::size_t k = 0; k < bad_knox.size(); ++k)
    EXPECT_THROW(check_knox_options(bad_knox[k]), UsageError) << k;
  EXPECT_TRUE(fs::is_empty(d.path()));
}

}  // namespace
}  // namespace hotspot
