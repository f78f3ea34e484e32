// What every job writes and reads back: run_metadata read from a file that nests too deep is
// refused before nlohmann's recursive parser could overflow the stack.
#include "jobs/outputs.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <string>
#include <vector>

#include "hotspot/error.hpp"
#include "support/temp_dir.hpp"
#include "util/text.hpp"

namespace hotspot {
namespace {

std::string metadata_file(const test::TempDir& dir, const std::string& value) {
  const std::string path = dir.file("meta.gpkg");
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_exec(db, "CREATE TABLE run_metadata (key TEXT PRIMARY KEY, value TEXT)", nullptr, nullptr,
               nullptr);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO run_metadata VALUES ('parameters', ?1)", -1, &st, nullptr);
  sqlite3_bind_text(st, 1, value.c_str(), -1, SQLITE_TRANSIENT);
  EXPECT_EQ(sqlite3_step(st), SQLITE_DONE);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return path;
}

TEST(ReadRunMetadata, NestingBeyondTheLimitIsAnInputError) {
  test::TempDir dir;
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  try {
    read_run_metadata(metadata_file(dir, deep));
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("nests deeper than 64"), std::string::npos) << e.what();
  }
}

TEST(ReadRunMetadata, NestingAtTheLimitIsRead) {
  test::TempDir dir;
  const std::string ok = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  EXPECT_TRUE(read_run_metadata(metadata_file(dir, ok))["parameters"].is_array());
}

TEST(JsonNestingDepth, CountsBracketsOutsideStringsOnly) {
  EXPECT_EQ(json_nesting_depth("{}"), 1u);
  EXPECT_EQ(json_nesting_depth("{\"a\": [1, {\"b\": []}]}"), 4u);
  EXPECT_EQ(json_nesting_depth("{\"a\": \"[[[[{{{\\\"[[[\"}"),
            1u);  // brackets and an escaped quote in a string
  EXPECT_EQ(json_nesting_depth(std::string(1000000, '[')), kMaxJsonDepth + 1);  // stops early
  EXPECT_EQ(json_nesting_depth("no json at all"), 0u);
}

TEST(OverwrittenInput, AShapefileIsReadWithItsSidecars) {
  const auto files = files_read_with("/data/xa.shp");
  for (const char* f : {"/data/xa.shp", "/data/xa.dbf", "/data/xa.shx", "/data/xa.prj",
                        "/data/xa.cpg", "/data/xa.CPG", "/data/xa.DBF", "/data/xa.qix"})
    EXPECT_NE(std::find(files.begin(), files.end(), f), files.end()) << f;
  EXPECT_EQ(files_read_with("/data/xa.gpkg"), std::vector<std::string>{"/data/xa.gpkg"});
  // Named by its .dbf, the same set.
  const auto by_dbf = files_read_with("/data/xa.dbf");
  EXPECT_NE(std::find(by_dbf.begin(), by_dbf.end(), "/data/xa.shp"), by_dbf.end());
}

TEST(OverwrittenInput, OutputsClashWithSidecarsAndPathsSpelledDifferently) {
  test::TempDir dir;
  const std::string shp = dir.file("xa.shp");
  EXPECT_EQ(overwritten_input(dir.file("xa.dbf"), {"", shp}), dir.file("xa.dbf"));
  EXPECT_EQ(overwritten_input(dir.file("xa.prj"), {shp}), dir.file("xa.prj"));
  EXPECT_EQ(overwritten_input(dir.file("sub/../xa.cpg"), {shp}), dir.file("xa.cpg"));
  EXPECT_EQ(overwritten_input(dir.file("xa.gpkg"), {shp}), "");
  EXPECT_EQ(overwritten_input(dir.file("zones.png"), {dir.file("zones.png")}), dir.file("zones.png"));
  EXPECT_THROW(refuse_overwriting_inputs(dir.file("xa.shx"), {shp}), UsageError);
  EXPECT_NO_THROW(refuse_overwriting_inputs(dir.file("out.gpkg"), {shp}));
}

}  // namespace
}  // namespace hotspot
