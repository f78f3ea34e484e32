#pragma once
// Analysis units for the local statistics: any OGR polygon or point layer, or a CSV of points
// (through GDAL's CSV driver), with one numeric value field. Every attribute is kept (as text
// plus its OGR type) so the output layer can carry the units' own fields.
#include <cstdint>
#include <string>
#include <vector>

#include "hotspot/crs.hpp"
#include "hotspot/geometry.hpp"

namespace hotspot {

struct UnitOptions {
  std::string path;
  std::string layer;  // DEFAULT: the first layer
  std::string crs;    // DEFAULT: the source's; EPSG:4326 for CSV
  std::string x_field,
      y_field;              // CSV only; DEFAULT: detected (x/lon/longitude/lng, y/lat/latitude)
  std::string value_field;  // required
};

struct UnitAttribute {
  std::string name;
  enum class Type { kInteger, kReal, kText } type = Type::kText;
  std::vector<std::string> values;  // as GDAL formats them
  std::vector<char> null;
};

struct UnitLayer {
  bool points = false;
  std::vector<MultiPolygon> polygons;  // polygon layers
  std::vector<XY> xy;                  // point layers
  std::vector<double> value;
  std::vector<UnitAttribute> attributes;
  std::vector<std::int64_t> fid;
  std::int64_t read = 0, repaired = 0;
  std::int64_t text_repaired = 0;  // text values whose invalid UTF-8 became U+FFFD
  std::vector<std::string> dropped;  // "fid 3: null geometry", "fid 9: null value"
  Crs source_crs;
  std::size_t size() const { return value.size(); }
};

UnitLayer read_units(const UnitOptions& options);

}  // namespace hotspot
