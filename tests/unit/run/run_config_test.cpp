// The run configuration: the sample is valid, and every kind of mistake exits 2 with a message
// that names the JSON path and the problem.
#include "run/plan.hpp"
#include "run/run_config.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/temp_dir.hpp"

namespace hotspot {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

const std::string kSample = std::string(HOTSPOT_SOURCE_DIR) + "/data/sample";

json sample() {
  std::ifstream f(kSample + "/run.json");
  return json::parse(f);
}

// Writes `doc` into data/sample's directory layout (a temp dir with absolute input paths).
std::string write_config(const test::TempDir& dir, json doc) {
  for (const char* k : {"communes", "zones", "incidents", "roads"})
    if (doc["inputs"].contains(k) && doc["inputs"][k].contains("path"))
      doc["inputs"][k]["path"] = kSample + "/" + doc["inputs"][k]["path"].get<std::string>();
  doc["output"]["path"] = dir.file("out.gpkg");
  const std::string path = dir.file("run.json");
  std::ofstream(path) << doc.dump(2);
  return path;
}

std::string error_of(const test::TempDir& dir, const json& doc) {
  try {
    load_run_config(write_config(dir, doc));
  } catch (const UsageError& e) {
    return e.what();
  } catch (const IoError& e) {  // a missing input: exit 4, still named by its JSON path
    return e.what();
  }
  return "(no error)";
}

TEST(RunConfig, TheSampleIsValidAndPathsAreRelativeToTheConfig) {
  RunConfig c = load_run_config(kSample + "/run.json");
  EXPECT_EQ(fs::path(c.inputs.incidents.path), (fs::path(kSample) / "incidents.csv").lexically_normal());
  EXPECT_EQ(fs::path(c.out), (fs::path(kSample) / "../../out/demo.gpkg").lexically_normal());
  EXPECT_EQ(c.inputs.communes.population_field, "population");
  EXPECT_EQ(c.inputs.incidents.utc_offset_minutes, 7 * 60);
  EXPECT_EQ(c.analyses.size(), 8u);
  EXPECT_EQ(c.analyses[2].type, "kde");
  EXPECT_EQ(c.analyses[2].where, "analyses[2]");
  EXPECT_EQ(c.sha256.size(), 64u);
}

TEST(RunConfig, HashIgnoresSpacingAndKeyOrder) {
  test::TempDir dir;
  json doc = sample();
  const std::string a = load_run_config(write_config(dir, doc)).sha256;
  const json written = json::parse(std::ifstream(dir.file("run.json")));
  std::ofstream(dir.file("run.json")) << written.dump();  // no spacing
  EXPECT_EQ(load_run_config(dir.file("run.json")).sha256, a);
  doc["analyses"][2]["cell_size"] = 60;
  EXPECT_NE(load_run_config(write_config(dir, doc)).sha256, a);
}

TEST(RunConfig, ErrorsNameTheJsonPath) {
  test::TempDir dir;
  struct Case {
    std::function<void(json&)> edit;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {[](json& d) { d["analyses"][2]["cell_size"] = 0; }, "analyses[2].cell_size: must be > 0 (got 0)"},
      {[](json& d) { d["analyses"][2]["bandwidth"] = -5; }, "analyses[2].bandwidth: must be metres, or auto | scott | cv"},
      {[](json& d) { d["analyses"][2].erase("cell_size"); }, "analyses[2].cell_size: is required"},
      {[](json& d) { d["analyses"][3]["eps"] = "far"; }, "analyses[3].eps: must be metres, or auto"},
      {[](json& d) { d["analyses"][4]["units"] = "county"; }, "analyses[4].units: must be one of communes, grid (got \"county\")"},
      {[](json& d) { d["analyses"][5]["weights"] = "knn:0"; }, "analyses[5].weights: not valid (got \"knn:0\")"},
      {[](json& d) { d["analyses"][6]["alpha"] = 1; }, "analyses[6].alpha: must be < 1 (got 1)"},
      {[](json& d) { d["analyses"][1]["type"] = "prof"; }, "analyses[1].type: must be one of aggregate, kde, clusters"},
      {[](json& d) { d["analyses"][3]["method"] = "st-dbscan"; }, "analyses[3].eps_time: is required"},
      {[](json& d) { d["threads"] = -1; }, "threads: must be >= 0 (got -1)"},
      {[](json& d) { d["bogus"] = 1; }, "bogus: unknown key"},
      {[](json& d) { d["analyses"][0]["zone_bufer_m"] = 5; }, "analyses[0].zone_bufer_m: unknown key (known: zone_buffer_m)"},
      {[](json& d) { d["analyses"] = json::array(); }, "analyses: "},
      {[](json& d) { d["inputs"]["incidents"]["utc_offset"] = "+7"; }, "inputs.incidents.utc_offset: not valid (got \"+7\")"},
      {[](json& d) { d["inputs"]["incidents"]["path"] = "missing.csv"; }, "inputs.incidents.path: no such file"},
      {[](json& d) { d["analyses"].push_back({{"type", "kde"}, {"cell_size", 10}}); }, "analyses[8].type: a second unnamed 'kde' analysis (the first is analyses[2])"},
      // Several kde and local analyses, one per named window: names unique per type, layers apart.
      {[](json& d) {
         d["analyses"][2]["name"] = "night";
         d["analyses"].push_back({{"type", "kde"}, {"cell_size", 10}, {"name", "night"}});
       },
       "analyses[8].name: 'night' is also the name of analyses[2] (kde)"},
      {[](json& d) {
         d["analyses"][4]["name"] = "night";
         d["analyses"][5]["name"] = "night";
       },
       "analyses[5].name: 'night' is also the name of analyses[4] (local)"},
      {[](json& d) { d["analyses"][2]["name"] = "Night"; }, "analyses[2].name: not valid (got \"Night\")"},
      {[](json& d) { d["analyses"][2]["name"] = "a_name_longer_than_24_chars"; }, "analyses[2].name: not valid"},
      {[](json& d) { d["analyses"][5]["layer"] = "hotspot_zones_day"; }, "analyses[5].layer: 'hotspot_zones_day' is reserved"},
      {[](json& d) {
         d["analyses"][4]["name"] = "x";
         d["analyses"][5]["layer"] = "local_communes_x";
       },
       "analyses[5].layer: 'local_communes_x' is also written by analyses[4]"},
      {[](json& d) { d["analyses"][5]["layer"] = "local_communes"; }, "analyses[5].layer: 'local_communes' is also written by analyses[4]"},
  };
  for (const auto& c : cases) {
    json doc = sample();
    c.edit(doc);
    const std::string got = error_of(dir, doc);
    EXPECT_EQ(got.rfind(c.expected, 0), 0u) << "expected a message starting with:\n  " << c.expected << "\ngot:\n  " << got;
  }
}

// A run with several kde analyses: each named, each with its own layers; a kde and a local
// analysis of one name must share the window (hotspot top --window counts in one).
TEST(RunConfig, NamedAnalysesAndTheirWindows) {
  test::TempDir dir;
  json doc = sample();
  doc["analyses"].push_back({{"type", "kde"}, {"cell_size", 50}, {"name", "night"}, {"hours", "22:00-06:00"},
                             {"top_percent", 20}});
  doc["analyses"].push_back({{"type", "local"}, {"units", "grid"}, {"grid", "hex:500"}, {"weights", "queen"},
                             {"name", "night"}, {"hours", "22:00-06:00"}});
  const RunConfig c = load_run_config(write_config(dir, doc));
  EXPECT_EQ(c.analyses[8].step(), "kde_night");
  EXPECT_EQ(c.analyses[9].step(), "local_grid_night");
  EXPECT_EQ(c.analyses[2].step(), "kde");
  const Plan plan = make_plan(c);
  ASSERT_EQ(plan.kdes.size(), 2u);
  EXPECT_EQ(plan.primary_kde(), &plan.kdes[0]);  // the unnamed one, wherever it is
  EXPECT_TRUE(plan.kdes[1].window.by_hours);
  EXPECT_EQ(plan.locals.back().second, "local_grid_night");
  EXPECT_TRUE(plan.locals.back().first.window.by_hours);

  doc["analyses"][9]["hours"] = "21:00-06:00";
  try {
    make_plan(load_run_config(write_config(dir, doc)));
    FAIL() << "a kde and a local analysis named night with different windows were accepted";
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("analyses[9]: named 'night' like analyses[8], but its window", 0), 0u)
        << e.what();
  }
  // The same window spelled otherwise is the same window.
  doc["analyses"][8]["days"] = "mon,tue,wed,thu,fri,sat,sun";
  doc["analyses"][9]["hours"] = "22:00-06:00";
  EXPECT_NO_THROW(make_plan(load_run_config(write_config(dir, doc))));

  // Without an unnamed kde, the first one is primary; the sample's briefing, which ranks the
  // unnamed kde's zones, is then refused.
  doc["analyses"].erase(2);
  EXPECT_THROW(make_plan(load_run_config(write_config(dir, doc))), UsageError);
  doc.erase("briefings");
  EXPECT_EQ(make_plan(load_run_config(write_config(dir, doc))).primary_kde()->name, "night");
}

TEST(RunConfig, SeveralProblemsAreAllListed) {
  test::TempDir dir;
  json doc = sample();
  doc["analyses"][2]["cell_size"] = 0;
  doc["analyses"][6]["alpha"] = 2;
  const std::string got = error_of(dir, doc);
  EXPECT_NE(got.find("analyses[2].cell_size"), std::string::npos) << got;
  EXPECT_NE(got.find("analyses[6].alpha"), std::string::npos) << got;
}

TEST(RunConfig, UnreadableOrInvalidJson) {
  test::TempDir dir;
  EXPECT_THROW(load_run_config(dir.file("none.json")), IoError);
  std::ofstream(dir.file("bad.json")) << "{\n  \"inputs\": {,\n}";
  try {
    load_run_config(dir.file("bad.json"));
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("not valid JSON at line 2"), std::string::npos) << e.what();
  }
}

TEST(RunConfig, ANumberBeyondDoubleIsAUsageError) {  // found by tests/fuzz/config_fuzz.cpp
  EXPECT_THROW(parse_run_config("{\"threads\": 12E345}", "/nowhere/run.json"), UsageError);
}

TEST(RunConfig, TheOutputMayNotBeAnInput) {
  test::TempDir dir;
  json doc = sample();
  const std::string path = write_config(dir, doc);
  json d = json::parse(std::ifstream(path));
  d["output"]["path"] = kSample + "/communes.gpkg";
  std::ofstream(path) << d.dump();
  try {
    load_run_config(path);
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("output.path: is the same file as inputs.communes.path", 0), 0u) << e.what();
  }
}

}  // namespace
}  // namespace hotspot
