#include "io/units.hpp"

#include <algorithm>
#include <cmath>

#include "geom/geos.hpp"
#include "hotspot/error.hpp"
#include "hotspot/ingest.hpp"
#include "io/gdal_util.hpp"
#include "io/incidents.hpp"
#include "io/polygons.hpp"

namespace hotspot {

namespace {

bool ends_with_ci(const std::string& s, const std::string& suffix) {
  if (s.size() < suffix.size()) return false;
  for (std::size_t k = 0; k < suffix.size(); ++k)
    if (std::tolower(static_cast<unsigned char>(s[s.size() - suffix.size() + k])) != suffix[k])
      return false;
  return true;
}

}  // namespace

UnitLayer read_units(const UnitOptions& opt) {
  if (opt.value_field.empty()) throw UsageError("--field is required with --units");
  const bool csv = ends_with_ci(opt.path, ".csv");
  std::vector<std::string> open_options;
  if (csv) {
    open_options.push_back("X_POSSIBLE_NAMES=" + (opt.x_field.empty()
                                                      ? std::string("x,lon,longitude,lng")
                                                      : opt.x_field));
    open_options.push_back("Y_POSSIBLE_NAMES=" +
                           (opt.y_field.empty() ? std::string("y,lat,latitude") : opt.y_field));
    open_options.push_back("AUTODETECT_TYPE=YES");
  }
  DatasetPtr ds = open_vector(opt.path, "units", open_options);
  OGRLayer* layer = pick_layer(*ds, opt.layer, "units");
  OGRFeatureDefn* defn = layer->GetLayerDefn();
  UnitLayer out;
  std::string crs = opt.crs;
  if (csv && crs.empty()) crs = "EPSG:4326";
  out.source_crs = layer_crs(*ds, *layer, crs, "units", "--units-crs");

  int value_i = defn->GetFieldIndex(opt.value_field.c_str());
  if (value_i < 0) {
    std::string names;
    for (int k = 0; k < defn->GetFieldCount(); ++k)
      names += (k ? ", " : "") + std::string(defn->GetFieldDefn(k)->GetNameRef());
    throw UsageError("--field: units '" + opt.path + "' have no field '" + opt.value_field +
                     "' (fields: " + names + ")");
  }
  for (int k = 0; k < defn->GetFieldCount(); ++k) {
    UnitAttribute a;
    a.name = defn->GetFieldDefn(k)->GetNameRef();
    auto t = defn->GetFieldDefn(k)->GetType();
    a.type = (t == OFTInteger || t == OFTInteger64) ? UnitAttribute::Type::kInteger
             : t == OFTReal                         ? UnitAttribute::Type::kReal
                                                    : UnitAttribute::Type::kText;
    out.attributes.push_back(std::move(a));
  }

  Geos geos;
  int kind = 0;  // 1 polygons, 2 points
  for_each_feature(*layer, "units", opt.path, [&](OGRFeature& feature) {
    OGRFeature* f = &feature;
    ++out.read;
    const std::int64_t fid = f->GetFID();
    const OGRGeometry* g = f->GetGeometryRef();
    if (!g || g->IsEmpty()) {
      out.dropped.push_back("fid " + std::to_string(fid) + ": " + (g ? "empty" : "null") +
                            " geometry");
      return;
    }
    if (!f->IsFieldSetAndNotNull(value_i)) {
      out.dropped.push_back("fid " + std::to_string(fid) + ": null " + opt.value_field);
      return;
    }
    char* end = nullptr;
    const char* text = f->GetFieldAsString(value_i);
    double v = std::strtod(text, &end);
    if (end == text || *end != '\0' || !std::isfinite(v) || std::fabs(v) > kMaxInputMagnitude) {
      // bad_number: the unit is dropped, and counted (read = units + dropped).
      out.dropped.push_back("fid " + std::to_string(fid) + ": bad_number: " + opt.value_field +
                            " = '" + std::string(text).substr(0, 40) + "' is " +
                            (end == text || *end != '\0' ? "not a number"
                             : !std::isfinite(v)          ? "not finite"
                                                          : "beyond ±1e15, the largest accepted"));
      return;
    }
    auto type = wkbFlatten(g->getGeometryType());
    int this_kind = type == wkbPoint ? 2
                    : (type == wkbPolygon || type == wkbMultiPolygon || type == wkbCurvePolygon ||
                       type == wkbMultiSurface || type == wkbGeometryCollection)
                        ? 1
                        : 0;
    if (this_kind == 0)
      throw InputError("units '" + opt.path + "' fid " + std::to_string(fid) + ": geometry is a " +
                       g->getGeometryName() + "; polygons or points are needed");
    if (kind != 0 && this_kind != kind)
      throw InputError("units '" + opt.path + "' mix points and polygons (fid " +
                       std::to_string(fid) + ")");
    kind = this_kind;
    if (kind == 2) {
      auto* p = g->toPoint();
      out.xy.push_back({p->getX(), p->getY()});
    } else {
      bool repaired = false;
      MultiPolygon mp = valid_multipolygon(*g, geos, &repaired);
      out.repaired += repaired;
      if (mp.empty()) {
        out.dropped.push_back("fid " + std::to_string(fid) + ": no area left after repair");
        return;
      }
      out.polygons.push_back(std::move(mp));
    }
    out.value.push_back(v);
    out.fid.push_back(fid);
    for (int k = 0; k < defn->GetFieldCount(); ++k) {
      auto& a = out.attributes[static_cast<std::size_t>(k)];
      bool null = !f->IsFieldSetAndNotNull(k);
      a.null.push_back(null);
      std::string raw = null ? "" : f->GetFieldAsString(k);
      // A .dbf in TCVN3 (or other bytes GDAL passes through undecoded) is not UTF-8.
      std::string fixed = sanitize_utf8(raw, raw.size() * 3 + 3);
      if (fixed != raw) ++out.text_repaired;
      a.values.push_back(std::move(fixed));
    }
  });
  out.points = kind == 2;
  if (out.size() == 0) throw InputError("units '" + opt.path + "' hold no usable feature");
  return out;
}

}  // namespace hotspot
