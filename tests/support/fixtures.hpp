#pragma once
// Small input files built in tests: square communes on a grid, in a chosen CRS.
#include <cstdio>
#include <string>

#include "support/temp_dir.hpp"

namespace hotspot::test {

// GeoJSON (always WGS 84 lon/lat) FeatureCollection of axis-aligned squares.
struct Square {
  std::string id, name;
  double x0, y0, x1, y1;
  double population = 1000;
};

inline std::string squares_geojson(const std::vector<Square>& squares, const std::string& id_field = "commune_id") {
  std::string s = "{\"type\":\"FeatureCollection\",\"features\":[\n";
  char buf[512];
  for (std::size_t i = 0; i < squares.size(); ++i) {
    const auto& q = squares[i];
    std::snprintf(buf, sizeof buf,
                  "{\"type\":\"Feature\",\"properties\":{\"%s\":\"%s\",\"name\":\"%s\",\"population\":%g},"
                  "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[%.9f,%.9f],[%.9f,%.9f],[%.9f,%.9f],[%.9f,%.9f],[%.9f,%.9f]]]}}%s\n",
                  id_field.c_str(), q.id.c_str(), q.name.c_str(), q.population, q.x0, q.y0, q.x1, q.y0, q.x1, q.y1,
                  q.x0, q.y1, q.x0, q.y0, i + 1 < squares.size() ? "," : "");
    s += buf;
  }
  return s + "]}\n";
}

// Two communes side by side near Hai Phong, split at lon 106.62.
inline std::string two_communes(const TempDir& dir) {
  return dir.write("communes.geojson",
                   squares_geojson({{"A", "An Đồng", 106.60, 20.80, 106.62, 20.82, 10000},
                                    {"B", "Hồng Phong", 106.62, 20.80, 106.64, 20.82, 5000}}));
}

}  // namespace hotspot::test
