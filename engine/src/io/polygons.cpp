#include "io/polygons.hpp"

#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "crs/transform.hpp"
#include "geom/geos.hpp"
#include "hotspot/error.hpp"
#include "io/gdal_util.hpp"
#include "io/incidents.hpp"

namespace hotspot {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string field_names(OGRFeatureDefn* defn) {
  std::string names;
  for (int k = 0; k < defn->GetFieldCount(); ++k)
    names += (k ? ", " : "") + std::string(defn->GetFieldDefn(k)->GetNameRef());
  return names.empty() ? "none" : names;
}

const std::vector<const char*> kIdFields = {"commune_id", "zone_id", "id", "code", "ma", "ma_xa"};
const std::vector<const char*> kNameFields = {"name", "ten", "ten_xa", "name_vi"};

std::string join(const std::vector<const char*>& names) {
  std::string out;
  for (const char* n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

// GDAL's CP1258 decoding (a .cpg of 1258) drops the last character of a name: "commune_id" is read
// as "commune_i". Names such a field when there is one.
std::string cut_short_hint(OGRFeatureDefn* defn, const std::vector<const char*>& candidates) {
  for (int k = 0; k < defn->GetFieldCount(); ++k) {
    const std::string name = lower(defn->GetFieldDefn(k)->GetNameRef());
    for (const char* c : candidates) {
      const std::string want(c);
      if (want.size() > 2 && name.size() + 1 == want.size() && want.compare(0, name.size(), name) == 0)
        return "; field '" + std::string(defn->GetFieldDefn(k)->GetNameRef()) + "' looks like '" +
               want + "' cut short, as GDAL decodes names when a .cpg says 1258: give the .dbf "
               "a .cpg of UTF-8 (after converting it) or name the field";
    }
  }
  return "";
}

// A configured field that the source lacks is an error naming the fields GDAL did find: when a
// .cpg code page (e.g. 1258) makes GDAL decode a field name differently, the name is "missing"
// although the user sees it in the file.
int find_field(OGRFeatureDefn* defn, const std::string& wanted,
               const std::vector<const char*>& candidates, const std::string& option,
               const std::string& what, const std::string& path) {
  if (!wanted.empty()) {
    int i = defn->GetFieldIndex(wanted.c_str());
    if (i >= 0) return i;
    throw InputError(option + ": " + what + " '" + path + "' has no field '" + wanted +
                     "' (fields as GDAL decodes them: " + field_names(defn) +
                     "; a .cpg file beside a .dbf sets how field names are decoded)");
  }
  for (const char* c : candidates)
    for (int k = 0; k < defn->GetFieldCount(); ++k)
      if (lower(defn->GetFieldDefn(k)->GetNameRef()) == c) return k;
  return -1;
}

}  // namespace

MultiPolygon valid_multipolygon(const OGRGeometry& in, const Geos& geos, bool* repaired) {
  // Curves (CurvePolygon, MultiSurface, CompoundCurve rings) are linearised with GDAL's default
  // step; rings that do not end where they start are closed (GEOS refuses to read them).
  std::unique_ptr<OGRGeometry> g(in.hasCurveGeometry(TRUE) ? in.getLinearGeometry() : in.clone());
  if (!g) return {};
  g->closeRings();
  std::vector<unsigned char> wkb(static_cast<std::size_t>(g->WkbSize()));
  g->exportToWkb(wkbNDR, wkb.data(), wkbVariantIso);
  // Still unreadable for GEOS (a ring of fewer than 4 points): no area, dropped by the caller.
  GEOSGeometry* raw = GEOSGeomFromWKB_buf_r(geos.ctx(), wkb.data(), wkb.size());
  if (!raw) {
    *repaired = true;
    return {};
  }
  Geom geom(geos.ctx(), raw);
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

  int id_i = find_field(defn, opt.id_field, kIdFields, "--" + what + "-id-field", what, opt.path);
  int name_i =
      find_field(defn, opt.name_field, kNameFields, "--" + what + "-name-field", what, opt.path);
  int pop_i = opt.population_field.empty()
                  ? -1
                  : find_field(defn, opt.population_field, {}, "--population-field", what,
                               opt.path);
  if (id_i < 0)
    out.warnings.push_back(what + " '" + opt.path + "': no id field found (looked for " +
                           join(kIdFields) + "; fields: " + field_names(defn) + ")" +
                           cut_short_hint(defn, kIdFields) +
                           "; feature numbers are the ids. Name the field with --" + what +
                           "-id-field");
  if (name_i < 0)
    out.warnings.push_back(what + " '" + opt.path + "': no name field found (looked for " +
                           join(kNameFields) + "; fields: " + field_names(defn) + ")" +
                           cut_short_hint(defn, kNameFields) +
                           "; names are empty. Name the field with --" + what + "-name-field");
  if (pop_i >= 0) {
    auto t = defn->GetFieldDefn(pop_i)->GetType();
    if (t != OFTInteger && t != OFTInteger64 && t != OFTReal && t != OFTString)
      throw UsageError("--population-field: field '" + opt.population_field + "' is not numeric");
  }
  out.id_field = id_i >= 0 ? defn->GetFieldDefn(id_i)->GetNameRef() : "fid";
  out.name_field = name_i >= 0 ? defn->GetFieldDefn(name_i)->GetNameRef() : "";
  out.population_field = pop_i >= 0 ? defn->GetFieldDefn(pop_i)->GetNameRef() : "";

  Geos geos;
  std::int64_t not_utf8 = 0;
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
    // Text as GDAL decoded it; a .dbf in TCVN3 (or any bytes GDAL passed through undecoded)
    // is not UTF-8, and invalid sequences become U+FFFD here rather than in the output.
    auto text = [&](int i) {
      std::string raw = f->GetFieldAsString(i);
      std::string fixed = sanitize_utf8(raw, raw.size() * 3 + 3);
      if (fixed != raw) ++not_utf8;
      return fixed;
    };
    out.id.push_back(id_i >= 0 && f->IsFieldSetAndNotNull(id_i) ? text(id_i)
                                                                : std::to_string(fid));
    out.name.push_back(name_i >= 0 && f->IsFieldSetAndNotNull(name_i) ? text(name_i) : "");
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
  if (not_utf8 > 0)
    out.warnings.push_back(what + " '" + opt.path + "': " + std::to_string(not_utf8) +
                           " ids or names were not valid UTF-8; invalid bytes were replaced by "
                           "U+FFFD (is the .dbf in TCVN3 or another code page? give it a .cpg "
                           "file, or convert it to UTF-8)");
  return out;
}

}  // namespace hotspot
