// Each analysis' parameter table against schemas/run.schema.json, the published contract: the
// same names, the same JSON types, the same required ones. Adding a parameter to a table without
// the schema (or the other way round) fails here. Also the spelling of errors: the CLI names the
// flag, a configuration the JSON path.
#include <gtest/gtest.h>

#include <set>

#include "hotspot/error.hpp"
#include "hotspot/jobs/aggregate.hpp"
#include "hotspot/jobs/local.hpp"
#include "hotspot/jobs/cluster.hpp"
#include "hotspot/jobs/emerging.hpp"
#include "hotspot/jobs/kde.hpp"
#include "hotspot/jobs/near_repeat.hpp"
#include "hotspot/local_stats.hpp"
#include "hotspot/spacetime.hpp"
#include "run/run_config.hpp"

namespace hotspot {
namespace {

using json = nlohmann::json;

const json& schema() {
  static const json s = json::parse(run_schema_text());
  return s;
}

// Does the schema property `p` describe values of type t?
bool schema_type_matches(const json& p, ParamType t) {
  // A shared definition ("#/definitions/date") describes the value in its place.
  const std::string ref = p.value("$ref", "");
  if (ref.rfind("#/definitions/", 0) == 0) return schema_type_matches(schema()["definitions"][ref.substr(14)], t);
  auto type_is = [&](const char* name) { return p.value("type", "") == std::string(name); };
  auto items_are = [&](const char* name) { return type_is("array") && p["items"].value("type", "") == std::string(name); };
  switch (t) {
    case ParamType::kNumber: return type_is("number");
    case ParamType::kInteger: return type_is("integer");
    case ParamType::kBoolean: return type_is("boolean");
    case ParamType::kText:
      return type_is("string") || (p.contains("enum") && p["enum"].is_array() && p["enum"][0].is_string());
    case ParamType::kNumberList: return items_are("number");
    case ParamType::kTextList: return items_are("string");
    case ParamType::kNumberOrText: return p.contains("oneOf") || p.contains("anyOf");
  }
  return false;
}

template <class Options>
void expect_table_matches_schema(const ParamTable<Options>& table) {
  SCOPED_TRACE(table.analysis);
  ASSERT_TRUE(schema()["definitions"].contains(table.analysis));
  const json& def = schema()["definitions"][table.analysis];
  std::set<std::string> in_schema, in_table, required_schema, required_table;
  for (const auto& [k, v] : def["properties"].items())
    if (k != "type") in_schema.insert(k);
  for (const auto& r : def.value("required", json::array())) required_schema.insert(r.get<std::string>());
  for (const auto& p : table.info()) {
    if (p.scope == ParamScope::kCliOnly) continue;
    in_table.insert(p.name);
    if (p.required) required_table.insert(p.name);
    if (!def["properties"].contains(p.name)) continue;
    EXPECT_TRUE(schema_type_matches(def["properties"][p.name], p.type))
        << p.name << ": table says " << param_type_name(p.type) << ", schema says " << def["properties"][p.name].dump();
  }
  EXPECT_EQ(in_table, in_schema);
  EXPECT_EQ(required_table, required_schema);
}

TEST(ParamsSchema, Aggregate) { expect_table_matches_schema(aggregate_params()); }
TEST(ParamsSchema, NearRepeat) { expect_table_matches_schema(near_repeat_params()); }
TEST(ParamsSchema, Kde) { expect_table_matches_schema(kde_params()); }
TEST(ParamsSchema, Local) { expect_table_matches_schema(local_params()); }
TEST(ParamsSchema, Clusters) { expect_table_matches_schema(cluster_params()); }
TEST(ParamsSchema, Emerging) { expect_table_matches_schema(emerging_params()); }

// The same problem, spelled for each caller.
std::string error_of(const ParamSpelling& spell, const json& values) {
  KnoxOptions o;
  try {
    apply_params(near_repeat_params(), values, ParamScope::kConfigOnly, o, spell);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

TEST(ParamsSchema, ErrorsNameTheParameterAsTheCallerSpellsIt) {
  const ParamSpelling cli = [](const ParamInfo* p) { return p ? "--" + p->flag : std::string(); };
  const ParamSpelling config = [](const ParamInfo* p) { return p ? "analyses[3]." + p->name : std::string("analyses[3]"); };
  EXPECT_EQ(error_of(cli, {{"permutations", -1}}), "--permutations: must be in 0..99999 (got -1)");
  EXPECT_EQ(error_of(config, {{"permutations", -1}}), "analyses[3].permutations: must be in 0..99999 (got -1)");
  // A check after every value is set (the algorithm's own) names the parameter it is about.
  EXPECT_EQ(error_of(cli, {{"time_bands", {7, 3}}}), "--time-bands: band edges must increase");
  EXPECT_EQ(error_of(config, {{"time_bands", {7, 3}}}), "analyses[3].time_bands: band edges must increase");
}

// One permutation limit: kMaxPermutations is the schema's maximum for local and near_repeat, and
// both parameter tables and both algorithms take it and refuse one more, with the same message.
TEST(ParamsSchema, OnePermutationLimit) {
  for (const char* analysis : {"local", "near_repeat"})
    EXPECT_EQ(schema()["definitions"][analysis]["properties"]["permutations"]["maximum"].get<int>(),
              kMaxPermutations)
        << analysis;
  const ParamSpelling cli = [](const ParamInfo* p) { return p ? "--" + p->flag : std::string(); };
  const std::string refused = "--permutations: must be in 0..99999 (got 100000)";
  auto local_error = [&](int perms) {
    LocalOptions o;
    try {
      apply_params(local_params(), {{"permutations", perms}, {"units", "communes"}, {"weights", "queen"}},
                   ParamScope::kConfigOnly, o, cli);
    } catch (const UsageError& e) {
      return std::string(e.what());
    }
    EXPECT_EQ(o.stats.permutations, perms);
    return std::string();
  };
  EXPECT_EQ(local_error(kMaxPermutations), "");
  EXPECT_EQ(local_error(kMaxPermutations + 1), refused);
  EXPECT_EQ(error_of(cli, {{"permutations", kMaxPermutations}}), "");
  EXPECT_EQ(error_of(cli, {{"permutations", kMaxPermutations + 1}}), refused);
  // The algorithms called directly (the Python module, the library) refuse it too.
  KnoxOptions knox;
  knox.permutations = kMaxPermutations + 1;
  try {
    check_knox_options(knox);
    ADD_FAILURE() << "knox accepted " << knox.permutations;
  } catch (const ParameterError& e) {
    EXPECT_EQ(std::string(e.what()), "permutations: must be in 0..99999 (got 100000)");
  }
  LocalStatsOptions stats;
  stats.permutations = kMaxPermutations + 1;
  try {
    local_stats({1, 2}, SpatialWeights{}, stats);
    ADD_FAILURE() << "local_stats accepted " << stats.permutations;
  } catch (const ParameterError& e) {
    EXPECT_EQ(std::string(e.what()), "permutations: must be in 0..99999 (got 100000)");
  }
}

TEST(ParamsSchema, CliTextBecomesTheParameterType) {
  EXPECT_EQ(param_value_from_text(ParamType::kNumberList, {"0,50,100"}), json({0.0, 50.0, 100.0}));
  EXPECT_EQ(param_value_from_text(ParamType::kNumberOrText, {"500"}), json(500.0));
  EXPECT_EQ(param_value_from_text(ParamType::kNumberOrText, {"500m"}), json("500m"));
  EXPECT_EQ(param_value_from_text(ParamType::kInteger, {"999"}), json(999));
  EXPECT_THROW(param_value_from_text(ParamType::kNumber, {"nan"}), UsageError);
  EXPECT_THROW(param_value_from_text(ParamType::kNumber, {"1e999"}), UsageError);
  EXPECT_THROW(param_value_from_text(ParamType::kNumber, {"12abc"}), UsageError);
  EXPECT_THROW(param_value_from_text(ParamType::kInteger, {"9.5"}), UsageError);
}

}  // namespace
}  // namespace hotspot
