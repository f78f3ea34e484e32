// Fuzz target: GeoPackage and Shapefile input through GDAL's in-memory files, into our polygon
// reader (communes), our incident reader and the analysis-unit reader. The first byte picks the
// format and the reader; for a Shapefile, the next six bytes give the .shp and .shx lengths
// (24-bit little-endian each) and the rest is the .dbf. Property: whatever GDAL makes of the
// bytes, our code either reads the source whole (read = kept + dropped) or throws a typed Error.
#include <cpl_vsi.h>

#include <string>
#include <vector>

#include "hotspot/error.hpp"
#include "io/gdal_util.hpp"
#include "io/incidents.hpp"
#include "io/polygons.hpp"
#include "io/units.hpp"

namespace {

struct MemFile {
  std::string path;
  MemFile(std::string p, const unsigned char* data, std::size_t size) : path(std::move(p)) {
    VSILFILE* f = VSIFileFromMemBuffer(path.c_str(), const_cast<GByte*>(data), size, FALSE);
    if (f) VSIFCloseL(f);
  }
  ~MemFile() { VSIUnlink(path.c_str()); }
};

std::size_t u24(const unsigned char* p) {
  return static_cast<std::size_t>(p[0]) | static_cast<std::size_t>(p[1]) << 8 |
         static_cast<std::size_t>(p[2]) << 16;
}

void read_all(const std::string& path, unsigned mode) {
  try {
    if (mode == 0) {
      hotspot::PolygonOptions opt;
      opt.path = path;
      opt.crs = "EPSG:4326";
      auto layer = hotspot::read_polygons(opt, "communes", "--communes-crs");
      if (layer.read != static_cast<std::int64_t>(layer.size() + layer.dropped.size()))
        __builtin_trap();
    } else if (mode == 1) {
      hotspot::IncidentOptions opt;
      opt.path = path;
      opt.crs = "EPSG:4326";
      auto r = hotspot::read_incidents(opt);
      if (r.report.read != r.report.accepted + static_cast<std::int64_t>(r.report.rejected.size()))
        __builtin_trap();
    } else {
      hotspot::UnitOptions opt;
      opt.path = path;
      opt.crs = "EPSG:4326";
      opt.value_field = "value";
      auto u = hotspot::read_units(opt);
      if (u.read != static_cast<std::int64_t>(u.size() + u.dropped.size())) __builtin_trap();
    }
  } catch (const hotspot::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  if (size < 1) return 0;
  hotspot::register_gdal_once();
  CPLSetConfigOption("CPL_LOG", "/dev/null");
  CPLSetConfigOption("CPL_DEBUG", "OFF");
  const unsigned mode = (data[0] >> 1) % 3;
  if ((data[0] & 1) == 0) {
    MemFile gpkg("/vsimem/fuzz.gpkg", data + 1, size - 1);
    read_all(gpkg.path, mode);
    return 0;
  }
  if (size < 7) return 0;
  std::size_t shp = u24(data + 1), shx = u24(data + 4);
  const unsigned char* p = data + 7;
  std::size_t left = size - 7;
  if (shp > left) shp = left;
  if (shx > left - shp) shx = left - shp;
  MemFile a("/vsimem/fuzz.shp", p, shp), b("/vsimem/fuzz.shx", p + shp, shx),
      c("/vsimem/fuzz.dbf", p + shp + shx, left - shp - shx);
  std::vector<unsigned char> cpg{'1', '2', '5', '8'};
  if (data[0] & 0x80) {
    MemFile d("/vsimem/fuzz.cpg", cpg.data(), cpg.size());
    read_all(a.path, mode);
  } else {
    read_all(a.path, mode);
  }
  return 0;
}
