// Legend numbers and class breaks for the QGIS styles and the quick-look: rounded, with units.
#include "io/styles.hpp"

#include <gtest/gtest.h>

namespace hotspot {

TEST(Styles, LegendNumbersAreGroupedAndNeverExponents) {
  EXPECT_EQ(legend_number(2000), "2,000");
  EXPECT_EQ(legend_number(1234567), "1,234,567");
  EXPECT_EQ(legend_number(150), "150");
  EXPECT_EQ(legend_number(29.35), "29");
  EXPECT_EQ(legend_number(2.5), "2.5");
  EXPECT_EQ(legend_number(0.35), "0.35");
  EXPECT_EQ(legend_number(2.8e-07), "0.00000028");
  EXPECT_EQ(legend_number(0), "0");
}

TEST(Styles, NiceBreaksKeepEveryValueInsideAndHaveTwoSignificantDigits) {
  // The example: 1,035.594482 at the top, 0.000000285 at the bottom.
  const std::vector<double> b = nice_breaks({2.85e-07, 210.4, 488.2, 731.9, 1035.594482});
  ASSERT_EQ(b.size(), 5u);
  EXPECT_DOUBLE_EQ(b.front(), 2.8e-07);  // rounded down
  EXPECT_DOUBLE_EQ(b[1], 210);
  EXPECT_DOUBLE_EQ(b[2], 490);
  EXPECT_DOUBLE_EQ(b[3], 730);
  EXPECT_DOUBLE_EQ(b.back(), 1100);  // rounded up
  // Close breaks collapse instead of repeating ("29.35 – 29.39" becomes one class).
  const std::vector<double> c = nice_breaks({29.35, 29.37, 29.39});
  EXPECT_EQ(c, (std::vector<double>{29, 30}));
  EXPECT_EQ(round_2sig(4049, 1), 4100);
  EXPECT_EQ(round_2sig(4049, -1), 4000);
  EXPECT_EQ(round_2sig(-12.3, 0), -12);
}

TEST(Styles, GraduatedLegendCarriesUnitsAndRoundedBounds) {
  const std::string qml = graduated_fill_qml("per_km2", {12.3, 1999.7, 4012.1}, "name", "per km²");
  EXPECT_NE(qml.find("label=\"12 – 2,000 per km²\""), std::string::npos) << qml;
  EXPECT_NE(qml.find("label=\"2,000 – 4,100 per km²\""), std::string::npos) << qml;
  // Fills at most 40 % opaque.
  EXPECT_EQ(qml.find(",220\""), std::string::npos);
  EXPECT_NE(qml.find(",102\""), std::string::npos);
}

TEST(Styles, ClusterLegendUsesHotspotIdsAndNamesNoise) {
  // CLUSTER_ID 0 and 1 are the footprints C7 and C2 (ids matched to a previous run).
  const std::string points = cluster_qml({"C7", "C2"}, true, /*noise=*/true);
  EXPECT_NE(points.find("value=\"0\" symbol=\"0\" label=\"C7\""), std::string::npos) << points;
  EXPECT_NE(points.find("value=\"1\" symbol=\"1\" label=\"C2\""), std::string::npos) << points;
  EXPECT_NE(points.find("value=\"-1\" symbol=\"2\" label=\"noise\""), std::string::npos) << points;
  EXPECT_EQ(points.find("(other)"), std::string::npos) << points;
  // Members only (a run's cluster_members): no noise entry; footprints labelled by hotspot_id.
  const std::string footprints = cluster_qml({"C1"}, false, false);
  EXPECT_EQ(footprints.find("noise"), std::string::npos) << footprints;
  EXPECT_NE(footprints.find("fieldName=\"hotspot_id\""), std::string::npos) << footprints;
  // Past 48 clusters the rest share one grey entry, which says what it holds.
  std::vector<std::string> many;
  for (int c = 1; c <= 50; ++c) many.push_back("C" + std::to_string(c));
  const std::string crowded = cluster_qml(many, true, true);
  EXPECT_NE(crowded.find("label=\"C48\""), std::string::npos);
  EXPECT_EQ(crowded.find("label=\"C49\""), std::string::npos);
  EXPECT_NE(crowded.find("value=\"\" symbol=\"48\" label=\"2 smaller clusters\""),
            std::string::npos)
      << crowded;
  EXPECT_NE(crowded.find("value=\"-1\" symbol=\"49\" label=\"noise\""), std::string::npos);
}

TEST(Styles, DensityClassesAreDiscreteAndRounded) {
  const std::string xml = density_renderer_xml({2.85e-07, 210.4, 488.2, 731.9, 1035.594482});
  EXPECT_NE(xml.find("colorRampType=\"DISCRETE\""), std::string::npos);
  EXPECT_NE(xml.find("label=\"up to 210\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("label=\"730 – 1,100\""), std::string::npos) << xml;
  EXPECT_EQ(xml.find("e-07"), std::string::npos);
}

TEST(Styles, ProjectHasAValidCrsGroupsAndAnOsmLayerOff) {
  ProjectLayer a{"hotspot_zones", "Hotspot zones", "./x.gpkg|layername=hotspot_zones", false,
                 graduated_fill_qml("pai", {1, 2}, "hotspot_id"), Box{0, 0, 1, 1}, "Hotspots", true};
  ProjectLayer b{"incidents", "Incidents", "./x.gpkg|layername=incidents", false,
                 graduated_fill_qml("n", {1, 2}, ""), Box{0, 0, 1, 1}, "Details", false};
  const std::string xml = qgis_project_xml("t", "EPSG:9210", "WKT", {b, a}, /*basemap=*/true);
  EXPECT_NE(xml.find("<ProjectionsEnabled type=\"int\">1</ProjectionsEnabled>"), std::string::npos);
  EXPECT_LT(xml.find("name=\"Hotspots\""), xml.find("name=\"Details\""));  // fixed group order
  EXPECT_NE(xml.find("name=\"Incidents\" checked=\"Qt::Unchecked\""), std::string::npos);
  EXPECT_NE(xml.find("tile.openstreetmap.org"), std::string::npos);
  EXPECT_NE(xml.find("name=\"OpenStreetMap (needs internet)\" checked=\"Qt::Unchecked\""), std::string::npos);
  // Planar data cannot line up with web tiles: no basemap.
  const std::string planar = qgis_project_xml("t", "", "", {b, a}, /*basemap=*/false);
  EXPECT_EQ(planar.find("openstreetmap"), std::string::npos);
  EXPECT_NE(planar.find("name=\"Incidents\""), std::string::npos);
}

}  // namespace hotspot
