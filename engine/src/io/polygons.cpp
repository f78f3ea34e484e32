#include "io/polygons.hpp"

#include <cmath>
#include <limits>
#include <vector>

#include "crs/transform.hpp"
#include "geom/geos.hpp"
#include "hotspot/error.hpp"
#include "io/gdal_util.hpp"

namespace hotspot {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

int find_field(OGRFeatureDefn* defn, const std::string& wanted,
               std::initializer_list<const char*> candidates, const std::string& option,
               const std::string& what) {
  if (!wanted.empty()) {
    int i = defn->GetFieldIndex(wanted.c_str());
    if (i >= 0) return i;
    std::string names;
    for (int k = 0; k < defn->GetFieldCount(); ++k)
      names += (k ? ", " : "") + std::string(defn->GetFieldDefn(k)->GetNameRef());
    throw UsageError(option + ": " + what + " has no field '" + wanted + "' (fields: " + names +
                     ")");
  }
  for (const char* c : candidates)
    for (int k = 0; k < defn->GetFieldCount(); ++k)
      if (lower(defn->GetFieldDefn(k)->GetNameRef()) == c) return k;
  return -1;
}

}  // namespace

MultiPolygon valid_multipolygon(const OGRGeometry& in, const Geos& geos, bool* repaired) {
  const OGRGeometry* g = &in;
  std::unique_ptr<OGRGeometry> linear;
  if (g->hasCurveGeometry()) {
    linear.reset(g->getLinearGeometry());
    g = linear.get();
  }
  std::vector<unsigned char> wkb(static_cast<std::size_t>(g->WkbSize()));
  g->exportToWkb(wkbNDR, wkb.data(), wkbVariantIso);
  Geom geom = geos.from_wkb(wkb.data(), wkb.size());
  *repaired = !geos.is_valid(geom.get(), nullptr);
  if (*repaired) geom = geos.make_valid(geom.get());
  return geos.to_multipolygon(geom.get());
}

PolygonLayer read_polygons(const PolygonOptions& opt, const std::string& what,
                           const std::string& crs_option) {
  DatasetPtr ds = open_vector(opt.path, what);
  OGRLayer* layer = pick_layer(*ds, opt.layer, what);
  OGRFeatureDefn* defn = layer->GetLayerDefn();
  PolygonLayer out;

  out.source_crs = layer_crs(*ds, *layer, opt.crs, what, crs_option);

  int id_i = find_field(defn, opt.id_field, {"commune_id", "zone_id", "id", "code", "ma", "ma_xa"},
                        "--" + what + "-id-field", what);
  int name_i = find_field(defn, opt.name_field, {"name", "ten", "ten_xa", "name_vi"},
                          "--" + what + "-name-field", what);
  int pop_i = opt.population_field.empty()
                  ? -1
                  : find_field(defn, opt.population_field, {}, "--population-field", what);
  if (pop_i >= 0) {
    auto t = defn->GetFieldDefn(pop_i)->GetType();
    if (t != OFTInteger && t != OFTInteger64 && t != OFTReal && t != OFTString)
      throw UsageError("--population-field: field '" + opt.population_field + "' is not numeric");
  }
  out.id_field = id_i >= 0 ? defn->GetFieldDefn(id_i)->GetNameRef() : "fid";
  out.name_field = name_i >= 0 ? defn->GetFieldDefn(name_i)->GetNameRef() : "";
  out.population_field = pop_i >= 0 ? defn->GetFieldDefn(pop_i)->GetNameRef() : "";

  Geos geos;
  for_each_feature(*layer, what, opt.path, [&](OGRFeature& feature) {
    OGRFeature* f = &feature;
    ++out.read;
    std::int64_t fid = f->GetFID();
    const OGRGeometry* g = f->GetGeometryRef();
    if (!g || g->IsEmpty()) {
      out.dropped.push_back("fid " + std::to_string(fid) + ": " + (g ? "empty" : "null") +
                            " geometry");
      return;
    }
    auto type = wkbFlatten(g->getGeometryType());
    if (type != wkbPolygon && type != wkbMultiPolygon && type != wkbCurvePolygon &&
        type != wkbMultiSurface && type != wkbGeometryCollection)
      throw InputError(what + " '" + opt.path + "' fid " + std::to_string(fid) +
                       ": geometry is a " + g->getGeometryName() + "; a polygon layer is needed");
    bool repaired = false;
    MultiPolygon mp = valid_multipolygon(*g, geos, &repaired);
    out.repaired += repaired;
    if (mp.empty()) {
      out.dropped.push_back("fid " + std::to_string(fid) + ": no area left after repair");
      return;
    }
    out.geom.push_back(std::move(mp));
    out.fid.push_back(fid);
    out.id.push_back(id_i >= 0 && f->IsFieldSetAndNotNull(id_i) ? f->GetFieldAsString(id_i)
                                                                : std::to_string(fid));
    out.name.push_back(name_i >= 0 && f->IsFieldSetAndNotNull(name_i) ? f->GetFieldAsString(name_i)
                                                                      : "");
    if (pop_i >= 0) {
      double pop = f->IsFieldSetAndNotNull(pop_i) ? f->GetFieldAsDouble(pop_i)
                                                  : std::numeric_limits<double>::quiet_NaN();
      // bad_number: not finite, negative or beyond ±1e15. Counted, and missing from here on.
      if (!std::isnan(pop) && !(pop >= 0 && pop <= kMaxInputMagnitude)) {
        ++out.bad_population;
        pop = std::numeric_limits<double>::quiet_NaN();
      }
      out.population.push_back(pop);
    }
  });
  return out;
}

}  // namespace hotspot
