#include "run/init_detect.hpp"

#include <gtest/gtest.h>

#include "run/spelling.hpp"

namespace hotspot {
namespace {

TEST(InitDetect, FoldsVietnameseNamesPrecomposedOrDecomposed) {
  EXPECT_EQ(fold_field_name("Kinh độ"), "kinh_do");
  EXPECT_EQ(fold_field_name("VĨ ĐỘ"), "vi_do");
  EXPECT_EQ(fold_field_name("Ngày"), "ngay");
  EXPECT_EQ(fold_field_name("Loại vụ việc"), "loai_vu_viec");
  EXPECT_EQ(fold_field_name("Nga\xcc\x80y"), "ngay");  // 'a' + U+0300 combining grave
  EXPECT_EQ(fold_field_name(" lon (WGS84) "), "lon_wgs84");
}

TEST(InitDetect, FieldRolesByName) {
  const std::vector<std::string> h = {"STT", "Ngày", "Giờ", "Vĩ độ", "Kinh độ", "Loại"};
  EXPECT_EQ(find_field_by_role(h, FieldRole::kX), 4);
  EXPECT_EQ(find_field_by_role(h, FieldRole::kY), 3);
  EXPECT_EQ(find_field_by_role(h, FieldRole::kDate), 1);
  EXPECT_EQ(find_field_by_role(h, FieldRole::kTimeOfDay), 2);
  EXPECT_EQ(find_field_by_role(h, FieldRole::kCategory), 5);
  EXPECT_EQ(find_field_by_role(h, FieldRole::kIncidentId), 0);
  EXPECT_EQ(find_field_by_role(h, FieldRole::kDateTime), -1);
}

TEST(InitDetect, CrsFromRanges) {
  const Ranges lonlat = value_ranges({"106.6", "106,7"}, {"20.8", "20.9"});
  EXPECT_EQ(lonlat.n, 2u);
  CoordinateGuess g = guess_crs(lonlat, nullptr, Box{});
  EXPECT_EQ(g.crs, "EPSG:4326");
  EXPECT_FALSE(g.swap);
  g = guess_crs(value_ranges({"20.8"}, {"106.6"}), nullptr, Box{});
  EXPECT_EQ(g.crs, "EPSG:4326");
  EXPECT_TRUE(g.swap);
  // VN-2000 metres with nothing to compare with: flagged, not guessed.
  g = guess_crs(value_ranges({"590000"}, {"2300000"}), nullptr, Box{});
  EXPECT_EQ(g.crs, "");
  EXPECT_NE(g.todo.find("EPSG:9210"), std::string::npos) << g.todo;
  // Inside the communes' projected extent: their CRS; northing first: swapped.
  Crs tm3 = parse_crs("EPSG:9210", "test");
  Box extent{580000, 2290000, 600000, 2310000};
  g = guess_crs(value_ranges({"2300000"}, {"590000"}), &tm3, extent);
  EXPECT_EQ(g.crs, "EPSG:9210");
  EXPECT_TRUE(g.swap);
}

TEST(ConfigSpelling, FlagsBecomeJsonPaths) {
  EXPECT_EQ(config_spelled("--zones-id-field: zones has no field 'zone_code'"),
            "inputs.zones.id_field: zones has no field 'zone_code'");
  EXPECT_EQ(config_spelled("name the time column with --time-field"),
            "name the time column with inputs.incidents.time_field");
  const FlagPaths local = {{"--permutations", "analyses[4].permutations"}, {"--fdr", "analyses[4].fdr"}};
  EXPECT_EQ(config_spelled("--fdr with 99 permutations: use --permutations 399 or more", local),
            "analyses[4].fdr with 99 permutations: use analyses[4].permutations = 399 or more");
  EXPECT_EQ(config_spelled("a--b and --unknown-flag stay"), "a--b and --unknown-flag stay");
  EXPECT_EQ(config_spelled("--zones 'z.kml'"), "inputs.zones.path 'z.kml'");
  // The run summary's work CRS came from the file, not from a flag.
  EXPECT_EQ(config_spelled("EPSG:9210 (given with --work-crs)"), "EPSG:9210 (given as work_crs)");
  EXPECT_EQ(config_spelled("given with --unknown-flag"), "given with --unknown-flag");
}

}  // namespace
}  // namespace hotspot
