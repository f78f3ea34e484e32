#include "io/polygons.hpp"

#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <vector>

#include "crs/transform.hpp"
#include "geom/geos.hpp"
#include "hotspot/error.hpp"
#include "io/dbf_text.hpp"
#include "io/gdal_util.hpp"
#include "io/incidents.hpp"

namespace hotspot {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

const std::vector<const char*> kIdFields = {"commune_id", "zone_id", "id", "code", "ma", "ma_xa"};
const std::vector<const char*> kNameFields = {"name", "ten", "ten_xa", "name_vi"};

std::string join(const std::vector<const char*>& names) {
  std::string out;
  for (const char* n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

// A configured field that the source lacks is an error naming the fields found (decoded in the
// layer's encoding, as the user sees them).
int find_field(const PolygonSource& src, const std::string& wanted,
               const std::vector<const char*>& candidates, const std::string& option,
               const std::string& what, const std::string& path) {
  if (!wanted.empty()) {
    int i = src.field_index(wanted);
    if (i >= 0) return i;
    throw UsageError(option + ": " + what + " '" + path + "' has no field '" + wanted +
                     "' (fields: " + src.field_list() +
                     (is_utf8_name(src.encoding) ? "" : "; read as " + src.encoding) + ")");
  }
  for (const char* c : candidates)
    for (std::size_t k = 0; k < src.fields.size(); ++k)
      if (lower(src.fields[k]) == c) return static_cast<int>(k);
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
  const std::string key = "--" + what + "-encoding";
  PolygonSource src = open_polygon_source(opt, what, key);
  OGRLayer* layer = src.layer;
  OGRFeatureDefn* defn = layer->GetLayerDefn();
  PolygonLayer out;
  out.warnings = src.warnings;

  out.source_crs = layer_crs(*src.ds, *layer, opt.crs, what, crs_option);

  int id_i = find_field(src, opt.id_field, kIdFields, "--" + what + "-id-field", what, opt.path);
  int name_i =
      find_field(src, opt.name_field, kNameFields, "--" + what + "-name-field", what, opt.path);
  int pop_i = opt.population_field.empty()
                  ? -1
                  : find_field(src, opt.population_field, {}, "--population-field", what,
                               opt.path);
  if (id_i < 0)
    out.warnings.push_back(what + " '" + opt.path + "': no id field found (looked for " +
                           join(kIdFields) + "; fields: " + src.field_list() + ")" +
                           "; feature numbers are the ids. Name the field with --" + what +
                           "-id-field");
  if (name_i < 0)
    out.warnings.push_back(what + " '" + opt.path + "': no name field found (looked for " +
                           join(kNameFields) + "; fields: " + src.field_list() + ")" +
                           "; names are empty. Name the field with --" + what + "-name-field");
  if (pop_i >= 0) {
    auto t = defn->GetFieldDefn(pop_i)->GetType();
    if (t != OFTInteger && t != OFTInteger64 && t != OFTReal && t != OFTString)
      throw UsageError("--population-field: field '" + opt.population_field + "' is not numeric");
  }
  auto field = [&](int i) { return src.fields[static_cast<std::size_t>(i)]; };
  out.id_field = id_i >= 0 ? field(id_i) : "fid";
  out.name_field = name_i >= 0 ? field(name_i) : "";
  out.population_field = pop_i >= 0 ? field(pop_i) : "";

  Geos geos;
  std::int64_t no_id = 0, first_no_id = 0;
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
    // Text decoded from the layer's encoding; a .dbf in TCVN3 (or other bytes not valid in it)
    // has its invalid sequences replaced by U+FFFD here rather than in the output.
    auto text = [&](int i) { return src.text(f->GetFieldAsString(i)); };
    // An empty id is a missing one, as NULL is: "" is what an incident outside every commune has.
    std::string id = id_i >= 0 && f->IsFieldSetAndNotNull(id_i) ? text(id_i) : "";
    if (id_i >= 0 && id.find_first_not_of(" \t") == std::string::npos) {
      if (++no_id == 1) first_no_id = fid;
      id = std::to_string(fid);
    }
    out.id.push_back(id_i >= 0 ? id : std::to_string(fid));
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
  if (std::string w = src.invalid_text_warning(what, opt.path, key); !w.empty())
    out.warnings.push_back(w);
  if (no_id > 0)
    out.warnings.push_back(what + " '" + opt.path + "': " + std::to_string(no_id) +
                           (no_id == 1 ? " feature has" : " features have") + " an empty " +
                           out.id_field + " (the first: fid " + std::to_string(first_no_id) +
                           "); " + (no_id == 1 ? "its" : "their") + " fid is " +
                           (no_id == 1 ? "its" : "their") + " id");
  // Ids shared by several features: the incidents' commune_id cannot tell them apart.
  std::map<std::string, std::size_t> first;
  std::int64_t shared = 0;
  std::string example;
  for (std::size_t k = 0; k < out.id.size(); ++k) {
    const auto [it, fresh] = first.try_emplace(out.id[k], k);
    if (fresh) continue;
    if (++shared == 1)
      example = "'" + out.id[k] + "' on fids " + std::to_string(out.fid[it->second]) + " and " +
                std::to_string(out.fid[k]);
  }
  if (shared > 0)
    out.warnings.push_back(what + " '" + opt.path + "': " + std::to_string(shared) +
                           (shared == 1 ? " feature repeats" : " features repeat") +
                           " the id of another (" + example + "), so the incidents' " +
                           (what == "zones" ? "zone_id" : "commune_id") +
                           " cannot tell them apart: give --" + what +
                           "-id-field a field whose values are unique");
  return out;
}

}  // namespace hotspot
