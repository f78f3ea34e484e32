// Legend numbers and class breaks for the QGIS styles and the quick-look: rounded, with units.
#include "io/styles.hpp"

#include <algorithm>
#include <cmath>

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
  // Without a hotspot threshold: quantile classes, rounded, light to dark red.
  const DensityClasses c = density_classes_of({2.85e-07, 100, 210.4, 300, 488.2, 600, 731.9, 900, 1035.594482, 1000});
  EXPECT_EQ(c.hot, c.size());
  const std::string xml = density_renderer_xml(c);
  EXPECT_NE(xml.find("colorRampType=\"DISCRETE\""), std::string::npos);
  EXPECT_NE(xml.find("label=\"up to 100\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("label=\"900 – 1,100\""), std::string::npos) << xml;
  EXPECT_EQ(xml.find("e-07"), std::string::npos);
  EXPECT_EQ(xml.find("hotspot"), std::string::npos);
}

namespace {
// The class of `v` as both renderers find it: the first whose upper bound is >= v.
std::size_t class_of(const DensityClasses& c, double v) {
  auto it = std::lower_bound(c.bounds.begin() + 1, c.bounds.end(), v);
  return std::min<std::size_t>(static_cast<std::size_t>(it - c.bounds.begin() - 1), c.size() - 1);
}
}  // namespace

TEST(Styles, DensityClassesBreakAtTheHotspotThreshold) {
  // Like the sample's surface: a long tail of cells up to 12,000, the zones at >= 5,614.21; the
  // old quantile classes put 400 – 12,000 in one dark class, road corridors and hotspots alike.
  std::vector<double> v;
  for (int i = 0; i < 10000; ++i) v.push_back(static_cast<float>(10 * std::pow(1200.0, i / 9999.0)));
  const double threshold = 5614.21;
  const DensityClasses c = density_classes_of(v, threshold);
  ASSERT_LT(c.hot, c.size());
  EXPECT_LE(c.size(), 5u);
  EXPECT_EQ(c.hot, 3u);  // three classes below, two above
  EXPECT_EQ(c.threshold, threshold);
  for (std::size_t k = 1; k < c.bounds.size(); ++k) EXPECT_LT(c.bounds[k - 1], c.bounds[k]);
  // A cell is in a hot class exactly when it is in a hotspot zone (>= threshold), floats too.
  const float at = static_cast<float>(threshold);
  for (float f : {at, std::nextafter(at, 0.0f), std::nextafter(at, 1e9f), 5000.0f, 6000.0f, 11000.0f, 20.0f})
    EXPECT_EQ(class_of(c, f) >= c.hot, f >= threshold) << f;
  for (double x : v) EXPECT_EQ(class_of(c, x) >= c.hot, x >= threshold) << x;
  // Below: light and neutral; above: strong red.
  for (std::size_t k = 0; k < c.hot; ++k) {
    EXPECT_GE(std::min({c.colors[k].r, c.colors[k].g, c.colors[k].b}), 160) << k;
    EXPECT_LE(std::max({c.colors[k].r, c.colors[k].g, c.colors[k].b}) -
                  std::min({c.colors[k].r, c.colors[k].g, c.colors[k].b}), 30) << k;
  }
  for (std::size_t k = c.hot; k < c.size(); ++k) {
    EXPECT_GE(c.colors[k].r, 150) << k;
    EXPECT_LE(c.colors[k].g, 80) << k;
  }
  EXPECT_EQ(c.labels.front().rfind("up to ", 0), 0u) << c.labels.front();
  EXPECT_EQ(c.labels[c.hot - 1].substr(c.labels[c.hot - 1].size() - 5), "5,614") << c.labels[c.hot - 1];
  EXPECT_EQ(c.labels[c.hot].rfind("5,614 – ", 0), 0u) << c.labels[c.hot];
  EXPECT_NE(c.labels.back().find("12,000 (hotspot)"), std::string::npos) << c.labels.back();
  const std::string xml = density_renderer_xml(c);
  EXPECT_NE(xml.find("label=\"" + c.labels[c.hot] + "\""), std::string::npos) << xml;
}

TEST(Styles, DensityClassesWithoutAUsableThresholdFallBackToQuantiles) {
  std::vector<double> v;
  for (int i = 1; i <= 1000; ++i) v.push_back(i);
  for (double t : {-1.0, 0.0, 5000.0, 0.5, std::nan("")}) {
    const DensityClasses c = density_classes_of(v, t);
    EXPECT_EQ(c.hot, c.size()) << t;
    EXPECT_EQ(c.size(), 5u) << t;
    EXPECT_EQ(c.labels.back(), "800 – 1,000") << t;
  }
  EXPECT_EQ(density_classes_of({}, 3).size(), 0u);
  EXPECT_EQ(density_classes_of({0, 0, -1}, 3).size(), 0u);
  // Small densities (per m²): the threshold label has two significant digits, never an exponent.
  std::vector<double> small;
  for (int i = 1; i <= 1000; ++i) small.push_back(i * 5e-5);
  const DensityClasses s = density_classes_of(small, 0.0123);
  ASSERT_LT(s.hot, s.size());
  EXPECT_EQ(s.labels[s.hot].rfind("0.012 – ", 0), 0u) << s.labels[s.hot];
  // One value above the threshold: one hot class.
  const DensityClasses one = density_classes_of({1, 2, 3, 4, 5, 6, 100}, 50);
  EXPECT_EQ(one.size() - one.hot, 1u);
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
