// Fuzz target: polygon ingest through GDAL's in-memory files. The first byte picks the format
// (GeoJSON, or CSV with a WKT column); the rest is the file. Our code after GDAL (repair,
// MultiPolygon conversion, CRS handling) must never crash, whatever geometry GDAL hands over.
#include <cpl_vsi.h>

#include <string>

#include "hotspot/error.hpp"
#include "io/gdal_util.hpp"
#include "io/polygons.hpp"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  if (size < 1) return 0;
  hotspot::register_gdal_once();
  CPLSetConfigOption("CPL_LOG", "/dev/null");
  const std::string path = (data[0] & 1) ? "/vsimem/fuzz.csv" : "/vsimem/fuzz.geojson";
  VSILFILE* f = VSIFileFromMemBuffer(path.c_str(), const_cast<GByte*>(data + 1), size - 1, FALSE);
  if (!f) return 0;
  VSIFCloseL(f);
  try {
    hotspot::PolygonOptions opt;
    opt.path = path;
    opt.crs = (data[0] & 2) ? "EPSG:4326" : "";
    hotspot::PolygonLayer layer = hotspot::read_polygons(opt, "communes", "--communes-crs");
    if (layer.read != static_cast<std::int64_t>(layer.size() + layer.dropped.size())) __builtin_trap();
  } catch (const hotspot::Error&) {
  }
  VSIUnlink(path.c_str());
  return 0;
}
