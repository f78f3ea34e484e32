// What every job writes and reads back: run_metadata read from a file that nests too deep is
// refused before nlohmann's recursive parser could overflow the stack.
#include "jobs/outputs.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

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

}  // namespace
}  // namespace hotspot
