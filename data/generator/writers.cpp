#include "writers.hpp"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal_priv.h>
#include <ogr_geometry.h>
#include <ogrsf_frmts.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <stdexcept>

namespace datagen {
namespace {

[[noreturn]] void gdal_fail(const std::string& what) {
  throw std::runtime_error("GDAL: " + what + ": " + CPLGetLastErrorMsg());
}

struct DatasetCloser {
  void operator()(GDALDataset* ds) const {
    if (ds) GDALClose(ds);
  }
};
using DatasetPtr = std::unique_ptr<GDALDataset, DatasetCloser>;

// A fresh file every time: updating one in place would leave the bytes depending on history.
DatasetPtr create(const char* driver_name, const std::string& path) {
  GDALDriver* drv = GetGDALDriverManager()->GetDriverByName(driver_name);
  if (!drv) gdal_fail(std::string("no ") + driver_name + " driver");
  VSIStatBufL st;
  if (VSIStatL(path.c_str(), &st) == 0 && VSIUnlink(path.c_str()) != 0)
    gdal_fail("cannot remove " + path);
  DatasetPtr ds(drv->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
  if (!ds) gdal_fail("cannot create " + path);
  return ds;
}

OGRSpatialReference srs(int epsg) {
  OGRSpatialReference s;
  s.importFromEPSG(epsg);
  s.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);  // x = easting / longitude
  return s;
}

void add_field(OGRLayer* lyr, const char* name, OGRFieldType type) {
  OGRFieldDefn f(name, type);
  if (lyr->CreateField(&f) != OGRERR_NONE) gdal_fail(std::string("cannot add field ") + name);
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x",
                    static_cast<unsigned>(static_cast<unsigned char>(c)));
      out += buf;
    } else {
      out += c;
    }
  }
  return out + '"';
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string lonlat(Pt p) {
  char buf[80];
  std::snprintf(buf, sizeof buf, "[%.6f, %.6f]", p.x, p.y);
  return buf;
}

void write_text(const std::string& path, const std::string& text) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throw std::runtime_error("cannot write " + path);
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  if (std::fclose(f) != 0 || !ok) throw std::runtime_error("write error on " + path);
}

double area_ha(const Zone& z) { return std::round(z.area_m2 / 100.0) / 100.0; }

}  // namespace

void write_communes_gpkg(const Geos& g, const District& d, const RunInfo& run,
                         const std::string& path) {
  auto ds = create("GPKG", path);
  OGRSpatialReference crs = srs(9210);
  char** lco = nullptr;
  lco = CSLSetNameValue(lco, "IDENTIFIER", "communes");
  lco = CSLSetNameValue(lco, "DESCRIPTION", run.description.c_str());
  lco = CSLSetNameValue(lco, "FID", "fid");
  lco = CSLSetNameValue(lco, "GEOMETRY_NAME", "geom");
  OGRLayer* lyr = ds->CreateLayer("communes", &crs, wkbMultiPolygon, lco);
  CSLDestroy(lco);
  if (!lyr) gdal_fail("cannot create layer communes");
  add_field(lyr, "commune_id", OFTString);
  add_field(lyr, "name", OFTString);
  add_field(lyr, "population", OFTInteger64);  // SQL type INTEGER

  if (ds->StartTransaction() != OGRERR_NONE) gdal_fail("cannot start a transaction");
  for (std::size_t i = 0; i < d.communes.size(); ++i) {
    const Commune& c = d.communes[i];
    OGRFeature f(lyr->GetLayerDefn());
    f.SetFID(static_cast<GIntBig>(i + 1));
    f.SetField("commune_id", c.id.c_str());
    f.SetField("name", c.name.c_str());
    f.SetField("population", static_cast<GIntBig>(c.population));
    const auto wkb = g.wkb(c.geom.get());
    OGRGeometry* geom = nullptr;
    if (OGRGeometryFactory::createFromWkb(wkb.data(), nullptr, &geom, wkb.size()) != OGRERR_NONE)
      gdal_fail("cannot read back the WKB of " + c.id);
    f.SetGeometryDirectly(OGRGeometryFactory::forceToMultiPolygon(geom));
    if (lyr->CreateFeature(&f) != OGRERR_NONE) gdal_fail("cannot write commune " + c.id);
  }
  if (ds->CommitTransaction() != OGRERR_NONE) gdal_fail("cannot commit " + path);
  CPLErrorReset();
  ds.reset();  // GDALClose: the GeoPackage is complete only now
  if (CPLGetLastErrorType() == CE_Failure) gdal_fail("closing " + path);
}

void write_zones_geojson(const District& d, const RunInfo& run, const std::string& path) {
  auto ds = create("GeoJSON", path);
  OGRSpatialReference crs = srs(4326);
  char** lco = nullptr;
  lco = CSLSetNameValue(lco, "RFC7946", "YES");  // lon/lat, 7 decimals, CCW shells
  lco = CSLSetNameValue(lco, "DESCRIPTION", run.description.c_str());
  OGRLayer* lyr = ds->CreateLayer("zones", &crs, wkbPolygon, lco);
  CSLDestroy(lco);
  if (!lyr) gdal_fail("cannot create layer zones");
  add_field(lyr, "zone_id", OFTString);
  add_field(lyr, "name", OFTString);
  add_field(lyr, "area_ha", OFTReal);
  for (const Zone& z : d.zones) {
    OGRFeature f(lyr->GetLayerDefn());
    f.SetField("zone_id", z.id.c_str());
    f.SetField("name", z.name.c_str());
    f.SetField("area_ha", area_ha(z));
    auto ring = std::make_unique<OGRLinearRing>();
    for (const Pt& p : z.lonlat) ring->addPoint(p.x, p.y);
    auto poly = std::make_unique<OGRPolygon>();
    poly->addRingDirectly(ring.release());
    f.SetGeometryDirectly(poly.release());
    if (lyr->CreateFeature(&f) != OGRERR_NONE) gdal_fail("cannot write zone " + z.id);
  }
  ds.reset();
}

void write_roads_geojson(const District& d, Projector& proj, const RunInfo& run, const std::string& path) {
  auto ds = create("GeoJSON", path);
  OGRSpatialReference crs = srs(4326);
  char** lco = nullptr;
  lco = CSLSetNameValue(lco, "RFC7946", "YES");
  lco = CSLSetNameValue(lco, "DESCRIPTION", run.description.c_str());
  OGRLayer* lyr = ds->CreateLayer("roads", &crs, wkbLineString, lco);
  CSLDestroy(lco);
  if (!lyr) gdal_fail("cannot create layer roads");
  add_field(lyr, "road_id", OFTString);
  add_field(lyr, "length_m", OFTReal);
  for (std::size_t r = 0; r < d.roads.size(); ++r) {
    const Road& road = d.roads[r];
    std::vector<double> x, y;
    for (const Pt& p : road.pts) {
      x.push_back(p.x);
      y.push_back(p.y);
    }
    proj.to_lonlat(x, y);
    OGRFeature f(lyr->GetLayerDefn());
    const std::string id = "R" + std::to_string(r + 1);
    f.SetField("road_id", id.c_str());
    f.SetField("length_m", std::round(road.length_m()));
    auto line = std::make_unique<OGRLineString>();
    for (std::size_t i = 0; i < x.size(); ++i) line->addPoint(x[i], y[i]);
    f.SetGeometryDirectly(line.release());
    if (lyr->CreateFeature(&f) != OGRERR_NONE) gdal_fail("cannot write road " + id);
  }
  ds.reset();
}

void write_expected_rejects(const IncidentReport& rep, const RunInfo& run,
                            const std::string& path) {
  std::map<std::string, int> counts;
  for (const char* r : kRejectReasons) counts[r] = 0;
  std::int64_t rejected = 0;
  for (const EdgeRow& e : rep.edge_rows) {
    if (e.reason == "accepted" || e.reason == "time_missing") continue;
    ++counts[e.reason];
    ++rejected;
  }
  std::string s = "{\n";
  s += "  \"synthetic\": true,\n";
  s += "  \"seed\": " + std::to_string(run.seed) + ",\n";
  s += "  \"rows\": " + std::to_string(rep.rows) + ",\n";
  s += "  \"accepted\": " + std::to_string(rep.accepted) + ",\n";
  s += "  \"rejected_total\": " + std::to_string(rejected) + ",\n";
  s += "  \"rejected\": {";
  for (std::size_t i = 0; i < std::size(kRejectReasons); ++i)
    s += std::string(i ? ", " : "") + json_string(kRejectReasons[i]) + ": " +
         std::to_string(counts[kRejectReasons[i]]);
  s += "},\n";
  s += "  \"edge_rows\": [";
  for (std::size_t i = 0; i < rep.edge_rows.size(); ++i) {
    const EdgeRow& e = rep.edge_rows[i];
    s += std::string(i ? "," : "") + "\n    {\"line\": " + std::to_string(e.line) +
         ", \"id\": " + json_string(e.id) + ", \"reason\": " + json_string(e.reason) +
         ", \"note\": " + json_string(e.note) + "}";
  }
  s += rep.edge_rows.empty() ? "]\n}\n" : "\n  ]\n}\n";
  write_text(path, s);
}

void write_planted(const District& d, Projector& proj, const IncidentReport& rep,
                   const RunInfo& run, const std::string& path) {
  std::string s = "{\n";
  s += "  \"synthetic\": true,\n";
  s += "  \"description\": " + json_string(run.description) + ",\n";
  s += "  \"seed\": " + std::to_string(run.seed) + ",\n";
  s += "  \"district\": {\"crs\": \"EPSG:9210\", \"area_km2\": " +
       fixed(d.outline_area_m2 / 1e6, 3) + ", \"communes\": " + std::to_string(d.communes.size()) +
       ", \"centre_lonlat\": " + lonlat(proj.to_lonlat(d.centre)) + "},\n";
  s += "  \"incidents\": {\"good\": " + std::to_string(run.incidents) +
       ", \"gate_clusters\": " + std::to_string(rep.gate) +
       ", \"night_robbery_roads\": " + std::to_string(rep.road) +
       ", \"background\": " + std::to_string(rep.background) +
       ", \"repeated_address_rows\": " + std::to_string(rep.repeated_address_rows) +
       ", \"repeated_addresses\": " + std::to_string(rep.repeated_addresses) + "},\n";
  s += "  \"zones\": [";
  for (std::size_t i = 0; i < d.zones.size(); ++i) {
    const Zone& z = d.zones[i];
    s += std::string(i ? "," : "") + "\n    {\"zone_id\": " + json_string(z.id) +
         ", \"name\": " + json_string(z.name) + ", \"area_ha\": " + fixed(area_ha(z), 2) +
         ", \"communes\": [";
    for (std::size_t k = 0; k < z.communes.size(); ++k)
      s += std::string(k ? ", " : "") + json_string(z.communes[k]);
    s += "], \"gates_lonlat\": [" + lonlat(proj.to_lonlat(z.gates[0])) + ", " +
         lonlat(proj.to_lonlat(z.gates[1])) + "]}";
  }
  s += "\n  ],\n";
  s += "  \"roads_lonlat\": [";
  for (std::size_t i = 0; i < d.roads.size(); ++i) {
    s += std::string(i ? "," : "") + "\n    [";
    for (std::size_t k = 0; k < d.roads[i].pts.size(); ++k)
      s += std::string(k ? ", " : "") + lonlat(proj.to_lonlat(d.roads[i].pts[k]));
    s += "]";
  }
  s += "\n  ]\n}\n";
  write_text(path, s);
}

}  // namespace datagen
