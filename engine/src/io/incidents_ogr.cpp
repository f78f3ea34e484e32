#include <cctype>
#include <cmath>
#include <filesystem>

#include "crs/transform.hpp"
#include "io/dbf_text.hpp"
#include "io/gdal_util.hpp"
#include "io/incident_rows.hpp"

namespace hotspot::incident_rows {

namespace {

// OGR's date-time fields carry a time zone flag: 0 unknown, 1 local, 100 UTC, 100 +/- n quarters.
std::int64_t ogr_datetime(const OGRFeature& f, int i, int naive_offset_minutes) {
  int y, m, d, h, mi, tz;
  float s;
  const_cast<OGRFeature&>(f).GetFieldAsDateTime(i, &y, &m, &d, &h, &mi, &s, &tz);
  int offset = tz >= 100 ? (tz - 100) * 15 : naive_offset_minutes;
  return days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)) * 86400 + h * 3600 +
         mi * 60 + static_cast<int>(s) - offset * 60;
}

}  // namespace

void read_ogr(const IncidentOptions& opt, IncidentRead& out) {
  // A Shapefile's .dbf is read undecoded and decoded here, as for communes and zones (see
  // io/dbf_text.hpp: GDAL's CP1258 recoding drops the last letter of every value): the declared
  // encoding, else the .cpg, else the language byte (unless the text is UTF-8), else UTF-8.
  PolygonOptions popt;
  popt.path = opt.path, popt.layer = opt.layer, popt.encoding = opt.encoding;
  const std::string key = "--encoding";
  PolygonSource src = open_polygon_source(popt, "incidents", key);
  OGRLayer* layer = src.layer;
  OGRFeatureDefn* defn = layer->GetLayerDefn();
  std::vector<std::string> header = src.fields;
  // A Shapefile's values are decoded by `src` (invalid bytes become U+FFFD, counted for the
  // warning); other drivers give UTF-8, checked by the row checks as before.
  std::string ext = std::filesystem::path(opt.path).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const bool decode = ext == ".shp" || ext == ".dbf";
  if (!opt.x_field.empty() || !opt.y_field.empty())
    throw UsageError("--x-field/--y-field apply to CSV input; '" + opt.path +
                     "' is read as point geometries");
  auto& rep = out.report;
  const AttributeColumns cols = find_attribute_columns(header, opt, rep);
  const int id = cols.id, ti = cols.time, ci = cols.category, wi = cols.weight, di = cols.date;
  rep.x_field = "geometry", rep.y_field = "geometry";
  rep.source_crs = layer_crs(*src.ds, *layer, opt.crs, "incidents", "--incidents-crs");
  out.report.encoding = src.encoding;
  for (auto& w : src.warnings) rep.warnings.push_back(w);
  bool typed_time = di < 0 && ti >= 0 &&
                    (defn->GetFieldDefn(ti)->GetType() == OFTDateTime ||
                     defn->GetFieldDefn(ti)->GetType() == OFTDate);
  const std::vector<int> extra_cols = extra_columns(header, {id, ti, ci, wi, di});
  for (int k : extra_cols) out.incidents.extra_names.push_back(header[static_cast<std::size_t>(k)]);
  std::vector<std::string> extra_text(extra_cols.size());
  std::vector<std::string_view> extra(extra_cols.size());
  RowChecker checker(opt, out, id >= 0, cols, false, extra_cols.size());
  std::string sid, stime, scat, sweight, sdate;
  for_each_feature(*layer, "incidents", opt.path, [&](OGRFeature& feature) {
    OGRFeature* f = &feature;
    std::int64_t fid = f->GetFID();
    auto raw = [&] { return "fid=" + std::to_string(fid); };
    auto text = [&](int i, std::string& s) -> std::string_view {
      if (i < 0 || !f->IsFieldSetAndNotNull(i)) return {};
      s = decode ? src.text(f->GetFieldAsString(i)) : std::string(f->GetFieldAsString(i));
      return s;
    };
    RowText r;
    r.id = text(id, sid);
    r.category = text(ci, scat);
    r.weight = text(wi, sweight);
    if (typed_time && f->IsFieldSetAndNotNull(ti)) {
      r.has_time_value = true;
      r.time_value = ogr_datetime(*f, ti, opt.utc_offset_minutes);
      r.time_value_date_only = defn->GetFieldDefn(ti)->GetType() == OFTDate;
    } else {
      r.time = text(ti, stime);
      r.date = text(di, sdate);
    }
    for (std::size_t k = 0; k < extra_cols.size(); ++k) extra[k] = text(extra_cols[k], extra_text[k]);
    r.extra = &extra;
    const OGRGeometry* g = f->GetGeometryRef();
    if (g && wkbFlatten(g->getGeometryType()) == wkbMultiPoint &&
        g->toMultiPoint()->getNumGeometries() == 1)
      g = g->toMultiPoint()->getGeometryRef(0);
    if (!g || g->IsEmpty()) {
      ++rep.read;
      rep.rejected.push_back(
          {fid, raw(), RejectReason::kMissingCoordinate, "null or empty geometry"});
      return;
    }
    if (wkbFlatten(g->getGeometryType()) != wkbPoint) {
      ++rep.read;
      rep.rejected.push_back(
          {fid, raw(), RejectReason::kBadRow,
           std::string("geometry is a ") + g->getGeometryName() + ", not a point"});
      return;
    }
    const OGRPoint* p = g->toPoint();
    r.has_xy_numbers = true;
    r.xn = p->getX();
    r.yn = p->getY();
    if (!std::isfinite(r.xn) || !std::isfinite(r.yn)) {
      ++rep.read;
      rep.rejected.push_back(
          {fid, raw(), RejectReason::kBadNumber, "coordinate is NaN or infinite"});
      return;
    }
    checker.add(fid, r, raw);
  });
  checker.finish();
  if (std::string w = src.invalid_text_warning("incidents", opt.path, key, "values"); !w.empty())
    rep.warnings.push_back(w);
}

}  // namespace hotspot::incident_rows
