#include "jobs/load.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <limits>
#include <memory>
#include <string>

#include "crs/transform.hpp"
#include "geom/geos.hpp"
#include "hotspot/error.hpp"
#include "io/incidents.hpp"
#include "io/polygons.hpp"
#include "jobs/budget.hpp"
#include "util/parallel.hpp"
#include "util/text.hpp"
#include "util/timer.hpp"

namespace hotspot {

namespace {

bool in_area(const Box& area, double lon, double lat) {
  if (!(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90)) return false;
  if (area.empty()) return true;
  if (lat < area.ymin || lat > area.ymax) return false;
  if (area.xmin <= area.xmax) return lon >= area.xmin && lon <= area.xmax;
  return lon >= area.xmin || lon <= area.xmax;  // the area crosses the antimeridian
}

// Keeps the incidents whose flag is false, in order.
void compact(Incidents& inc, const std::vector<char>& drop) {
  std::size_t k = 0;
  StringColumn ids;
  std::vector<StringColumn> extra(inc.extra.size());
  for (std::size_t i = 0; i < inc.size(); ++i) {
    if (drop[i]) continue;
    inc.x[k] = inc.x[i], inc.y[k] = inc.y[i], inc.lon[k] = inc.lon[i], inc.lat[k] = inc.lat[i];
    inc.time_utc[k] = inc.time_utc[i], inc.category[k] = inc.category[i], inc.line[k] = inc.line[i];
    if (!inc.weight.empty()) inc.weight[k] = inc.weight[i];
    if (!inc.time_precision.empty()) inc.time_precision[k] = inc.time_precision[i];
    ids.push_back(inc.id[i]);
    for (std::size_t c = 0; c < extra.size(); ++c) extra[c].push_back(inc.extra[c][i]);
    ++k;
  }
  for (auto* v : {&inc.x, &inc.y, &inc.lon, &inc.lat}) v->resize(k);
  inc.time_utc.resize(k), inc.category.resize(k), inc.line.resize(k);
  if (!inc.weight.empty()) inc.weight.resize(k);
  if (!inc.time_precision.empty()) inc.time_precision.resize(k);
  inc.id = std::move(ids);
  inc.extra = std::move(extra);
}

// A coordinate for messages: six decimals as usual, %g for a corrupt one (1e300 would print 300
// digits).
std::string coordinate_text(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, std::fabs(v) < 1e7 ? "%.6f" : "%.6g", v);
  return buf;
}

// Rows rejected after the read (outside an area of use, swapped, not transformable): each is
// recorded with its line, for the second read that fetches its raw text, and dropped.
struct LateRejects {
  std::vector<std::int64_t> lines;  // the source line of each
  std::vector<std::size_t> slots;   // its index in IngestReport::rejected
};
struct Rejection {
  RejectReason reason;
  std::string why;
};

// Drops every incident for which `check(i)` gives a Rejection (std::nullopt keeps it).
template <class Check>
void drop_rejected(Incidents& inc, IngestReport& rep, LateRejects& late, Check check) {
  std::vector<char> drop(inc.size(), 0);
  bool any = false;
  for (std::size_t i = 0; i < inc.size(); ++i) {
    std::optional<Rejection> r = check(i);
    if (!r) continue;
    rep.rejected.push_back({inc.line[i], "", r->reason, std::move(r->why)});
    late.lines.push_back(inc.line[i]);
    late.slots.push_back(rep.rejected.size() - 1);
    drop[i] = 1;
    any = true;
  }
  if (any) {
    compact(inc, drop);
    rep.accepted = static_cast<std::int64_t>(inc.size());
  }
}

// Planar data has no area of use; beyond ±1e15 data units a double holds no fraction of a unit
// and squared distances overflow soon after (HDBSCAN failed at 1e160): such a value is a sentinel
// or corrupt, and is rejected as out of area.
constexpr double kMaxPlanarCoordinate = 1e15;

void check_planar_range(Incidents& inc, IngestReport& rep, LateRejects& late) {
  drop_rejected(inc, rep, late, [&](std::size_t i) -> std::optional<Rejection> {
    if (std::fabs(inc.x[i]) <= kMaxPlanarCoordinate && std::fabs(inc.y[i]) <= kMaxPlanarCoordinate)
      return std::nullopt;
    return Rejection{RejectReason::kOutsideArea,
                     "x " + coordinate_text(inc.x[i]) + ", y " + coordinate_text(inc.y[i]) +
                         " lies beyond ±1e15 data units, where planar coordinates lose their "
                         "precision (a sentinel or a corrupt value?)"};
  });
}

// Area-of-use and swapped-axis checks against one CRS. A point outside `area` whose swapped
// coordinates fall inside it is a swapped row; anything else outside is out of area.
struct AreaCheck {
  const Crs& crs;
  const char* role;  // "input" or "working"
};

void check_areas(Incidents& inc, IngestReport& rep, const IncidentOptions& opt,
                 const AreaCheck& check, LateRejects& late) {
  const Box& area = check.crs.area_of_use_lonlat;
  const bool geographic_source = rep.source_crs.geographic();
  drop_rejected(inc, rep, late, [&](std::size_t i) -> std::optional<Rejection> {
    const double lon = inc.lon[i], lat = inc.lat[i];
    if (in_area(area, lon, lat)) return std::nullopt;
    char buf[512];
    if (geographic_source && in_area(area, lat, lon)) {
      if (opt.fix_swapped_axes) {
        std::swap(inc.x[i], inc.y[i]);
        std::swap(inc.lon[i], inc.lat[i]);
        ++rep.swapped_fixed;
        return std::nullopt;
      }
      std::snprintf(buf, sizeof buf,
                    "lon %s, lat %s lies outside the %s CRS's area; swapped it lies inside "
                    "(--fix-swapped-axes repairs such rows)",
                    coordinate_text(lon).c_str(), coordinate_text(lat).c_str(), check.role);
      return Rejection{RejectReason::kSwappedAxes, buf};
    }
    std::snprintf(buf, sizeof buf, "lon %s, lat %s is outside the area of use of the %s CRS %s",
                  coordinate_text(lon).c_str(), coordinate_text(lat).c_str(), check.role,
                  check.crs.label().c_str());
    return Rejection{RejectReason::kOutsideArea, buf};
  });
}

// Projected input whose every row lies outside the CRS's area of use, while all of them fit with
// X and Y swapped: surveyors write VN-2000 as X = northing, Y = easting.
std::string swapped_projected_hint(const Incidents& inc, const Crs& src) {
  if (src.planar() || src.geographic() || inc.size() == 0) return {};
  const Box& area = src.area_of_use_lonlat;
  for (std::size_t i = 0; i < inc.size(); ++i)
    if (in_area(area, inc.lon[i], inc.lat[i])) return {};
  const std::size_t n = std::min<std::size_t>(inc.size(), 1000);
  std::vector<double> x(inc.y.begin(), inc.y.begin() + static_cast<std::ptrdiff_t>(n));
  std::vector<double> y(inc.x.begin(), inc.x.begin() + static_cast<std::ptrdiff_t>(n));
  Transformer(src, parse_crs("EPSG:4326", "WGS 84")).transform(n, x.data(), y.data(), 1);
  for (std::size_t i = 0; i < n; ++i)
    if (!in_area(area, x[i], y[i])) return {};
  return "every row is outside the area of use of " + src.label() +
         ", but all of them fit with X and Y swapped: the columns look like surveyors' order "
         "(X = northing, Y = easting). Swap them: --x-field names the easting column, --y-field "
         "the northing (inputs.incidents.x_field / y_field)";
}

}  // namespace

double median(std::vector<double> v) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return *mid;
}

Crs choose_work_crs(const std::string& given, const std::vector<CrsSource>& sources,
                    const std::function<XY()>& median_lon_lat, const std::string& median_of,
                    std::string* reason) {
  if (!given.empty()) {
    Crs c = parse_crs(given, "--work-crs");
    if (c.geographic())
      throw UsageError("--work-crs " + given +
                       " is geographic; distances are never computed in "
                       "degrees. Give a projected CRS in metres, e.g. EPSG:9210 or EPSG:32648");
    if (!c.planar() && !c.metres)
      throw UsageError("--work-crs " + given + " does not use metres; give a CRS in metres");
    *reason = "given with --work-crs";
    return c;
  }
  bool any_planar = false, all_planar = true;
  for (const auto& s : sources) {
    any_planar |= s.crs->planar();
    all_planar &= s.crs->planar();
  }
  if (any_planar) {
    if (!all_planar)
      throw CrsError(
          "some inputs are planar and others are not; planar data cannot be reprojected. "
          "Give every input's CRS, or declare all of them planar");
    *reason = "all inputs are planar";
    return Crs{};
  }
  for (const auto& s : sources) {
    if (s.crs->metres) {
      *reason = "the " + s.name + " CRS, already projected in metres";
      return *s.crs;
    }
  }
  const XY p = median_lon_lat();
  *reason = "UTM zone of the " + median_of + " median position";
  return utm_crs_for(p.x, p.y);
}

namespace {

// How many degrees `v` lies outside [lo, hi]; 0 inside.
double outside(double v, double lo, double hi) { return std::max({0.0, lo - v, v - hi}); }

// How many degrees of longitude `lon` lies outside the area (which may cross the antimeridian).
double lon_outside(const Box& area, double lon) {
  if (area.xmin <= area.xmax) return outside(lon, area.xmin, area.xmax);
  if (lon >= area.xmin || lon <= area.xmax) return 0;
  return std::min(area.xmin - lon, lon - area.xmax);
}

}  // namespace

void check_polygon_extent(const PolygonLayer& layer, const Crs& work, const std::string& what) {
  if (layer.source_crs.planar() || work.planar()) return;
  std::unique_ptr<Transformer> to_lonlat;
  if (!layer.source_crs.geographic())
    to_lonlat = std::make_unique<Transformer>(layer.source_crs, parse_crs("EPSG:4326", "WGS 84"));
  const Box& area = work.area_of_use_lonlat;
  for (std::size_t i = 0; i < layer.size(); ++i) {
    MultiPolygon ll = layer.geom[i];
    if (to_lonlat && !transform_multipolygon(*to_lonlat, ll))
      throw InputError(what + " '" + layer.id[i] + "' cannot be brought to longitude/latitude "
                       "from " + layer.source_crs.label() + " (is its CRS right?)");
    const Box b = bounds(ll);
    char buf[320];
    if (b.xmax - b.xmin > kMaxPolygonSpanDeg || b.ymax - b.ymin > kMaxPolygonSpanDeg) {
      std::snprintf(buf, sizeof buf, "spans %.1f x %.1f degrees (lon %.3f..%.3f, lat %.3f..%.3f)",
                    b.xmax - b.xmin, b.ymax - b.ymin, b.xmin, b.xmax, b.ymin, b.ymax);
    } else if (!area.empty() &&
               std::max({lon_outside(area, b.xmin), lon_outside(area, b.xmax),
                         outside(b.ymin, area.ymin, area.ymax),
                         outside(b.ymax, area.ymin, area.ymax)}) > kMaxPolygonOutsideAreaDeg) {
      std::snprintf(buf, sizeof buf,
                    "reaches lon %.3f..%.3f, lat %.3f..%.3f, more than %.0f degrees beyond the area "
                    "of use of the working CRS (lon %.3f..%.3f, lat %.3f..%.3f)",
                    b.xmin, b.xmax, b.ymin, b.ymax, kMaxPolygonOutsideAreaDeg, area.xmin,
                    area.xmax, area.ymin, area.ymax);
    } else {
      continue;
    }
    throw InputError(what + " '" + layer.id[i] + "' " + buf + "; it cannot be projected to " +
                     work.label() + " without folding. Is it a placeholder or world polygon, "
                     "or is the CRS of the layer wrong?");
  }
}

void project_polygons(PolygonLayer& layer, const Crs& work, const std::string& what) {
  if (layer.size() == 0) return;  // e.g. no zones given: its CRS is unset
  Transformer t(layer.source_crs, work);
  if (t.identity()) return;
  check_polygon_extent(layer, work, what);
  Geos geos;
  std::vector<char> keep(layer.size(), 1);
  for (std::size_t i = 0; i < layer.size(); ++i) {
    if (!transform_multipolygon(t, layer.geom[i]))
      throw CrsError(what + " '" + layer.id[i] + "' cannot be projected from " +
                     layer.source_crs.label() + " to " + work.label() + " (is its CRS right?)");
    // Validity is a property of the coordinates: what was valid in degrees can touch or cross
    // itself in metres, and every overlay later (kde masks, cluster footprints, aggregate) needs
    // valid polygons. So repair again in the working CRS.
    if (geos.revalidate(layer.geom[i])) {
      ++layer.repaired;
      if (layer.geom[i].empty()) {
        keep[i] = 0;
        layer.dropped.push_back("fid " + std::to_string(layer.fid[i]) +
                                ": no area left after repair in the working CRS");
      }
    }
  }
  if (std::find(keep.begin(), keep.end(), 0) == keep.end()) return;
  std::size_t k = 0;
  for (std::size_t i = 0; i < layer.size(); ++i) {
    if (!keep[i]) continue;
    layer.geom[k] = std::move(layer.geom[i]), layer.id[k] = std::move(layer.id[i]);
    layer.name[k] = std::move(layer.name[i]), layer.fid[k] = layer.fid[i];
    if (!layer.population.empty()) layer.population[k] = layer.population[i];
    ++k;
  }
  layer.geom.resize(k), layer.id.resize(k), layer.name.resize(k), layer.fid.resize(k);
  if (!layer.population.empty()) layer.population.resize(k);
}

// A shift is said once per CRS, whether data is transformed out of that CRS or into it (as the
// working CRS).
std::vector<std::string> ignored_datum_shift_warnings(const Crs& communes, const Crs& zones,
                                                      const Crs& incidents, const Crs& work) {
  struct Use {
    const Crs* crs;
    const char* what;
    const char* option;
  };
  const Use inputs[] = {{&communes, "the communes", "--communes-crs"},
                        {&zones, "the zones", "--zones-crs"},
                        {&incidents, "the incidents", "--incidents-crs"}};
  std::vector<std::string> warnings;
  auto joined = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : " and ") + x;
    return s;
  };
  std::vector<std::string> said;  // the WKT of the CRSs warned about
  for (const Crs* c : {inputs[0].crs, inputs[1].crs, inputs[2].crs, &work}) {
    if (std::find(said.begin(), said.end(), c->wkt) != said.end()) continue;
    const auto shift = ignored_datum_shift(*c);  // nullopt at once without a TOWGS84
    if (!shift) continue;
    said.push_back(c->wkt);
    // Applied at all: an input in this CRS, or any input when it is the working CRS, changes datum.
    bool shifted = false;
    std::vector<std::string> users, options;
    for (const auto& u : inputs) {
      if (u.crs->planar()) continue;  // planar, or not given
      if ((u.crs->wkt == c->wkt || work.wkt == c->wkt) && changes_datum(*u.crs, work))
        shifted = true;
      if (u.crs->wkt == c->wkt) users.push_back(u.what), options.push_back(u.option);
    }
    if (!shifted) continue;
    std::string used = users.empty() ? "used" : "used by " + joined(users);
    if (work.wkt == c->wkt) {
      used += users.empty() ? " as the working CRS" : " and as the working CRS";
      options.push_back("--work-crs");
    }
    warnings.push_back(
        c->label() + ", " + used + ", carries its own TOWGS84 (" + shift->towgs84 +
        "), which is not applied: with the code, PROJ uses the registered transformation to WGS "
        "84, as QGIS and ogr2ogr do. The two shifts put a point " +
        metres_text(std::round(shift->metres)) +
        " apart at the centre of the CRS's area of use. If the file's shift is the right one, "
        "give " +
        joined(options) + " '" + shift->proj + "'");
  }
  return warnings;
}

namespace {

// The incidents' transformation into the working CRS, started before they are read when both
// CRSs can be told already: a CSV's (or a given) CRS, and --work-crs or a polygon layer projected
// in metres (choose_work_crs's order). A wrong guess costs nothing: take() builds the right one.
PreparedTransformer prepare_incident_transform(const InputOptions& opt, const LoadedInputs& in) {
  try {
    if (!is_csv_path(opt.incidents.path) && opt.incidents.crs.empty()) return {};
    const Crs src = parse_crs(opt.incidents.crs.empty() ? "EPSG:4326" : opt.incidents.crs, "--incidents-crs");
    Crs work;
    if (!opt.work_crs.empty()) {
      work = parse_crs(opt.work_crs, "--work-crs");
    } else if (!opt.communes.path.empty() && in.communes.source_crs.metres) {
      work = in.communes.source_crs;
    } else if (!opt.zones.path.empty() && in.zones.source_crs.metres) {
      work = in.zones.source_crs;
    } else {
      return {};
    }
    return PreparedTransformer(src, work);
  } catch (const std::exception&) {
    return {};  // the real path reports it
  }
}

}  // namespace

LoadedInputs load_inputs(const InputOptions& opt) {
  LoadedInputs out;
  out.utc_offset_minutes = opt.incidents.utc_offset_minutes;
  Timer timer;
  if (!opt.communes.path.empty()) {
    out.communes = read_polygons(opt.communes, "communes", "--communes-crs");
    if (out.communes.size() == 0)
      throw InputError("communes '" + opt.communes.path + "' hold no usable polygons");
  }
  if (!opt.zones.path.empty()) out.zones = read_polygons(opt.zones, "zones", "--zones-crs");
  out.timings.push_back({"read polygons", timer.lap()});

  PreparedTransformer prepared = prepare_incident_transform(opt, out);
  IncidentRead read = read_incidents(opt.incidents);
  out.timings.push_back({"read incidents", timer.lap()});
  Incidents& inc = read.incidents;
  IngestReport& rep = read.report;
  const Crs& src = rep.source_crs;

  // Longitude/latitude of every incident, for area checks and for the output.
  inc.lon = inc.x;
  inc.lat = inc.y;
  if (src.planar()) {
    std::fill(inc.lon.begin(), inc.lon.end(), std::numeric_limits<double>::quiet_NaN());
    std::fill(inc.lat.begin(), inc.lat.end(), std::numeric_limits<double>::quiet_NaN());
  } else if (!src.geographic()) {
    Transformer(src, parse_crs("EPSG:4326", "WGS 84"))
        .transform(inc.size(), inc.lon.data(), inc.lat.data(), resolve_threads(opt.threads));
  }

  rep.swapped_hint = swapped_projected_hint(inc, src);
  if (!rep.swapped_hint.empty()) rep.warnings.push_back(rep.swapped_hint);
  LateRejects late;
  if (!src.planar())
    check_areas(inc, rep, opt.incidents, {src, "input"}, late);
  else
    check_planar_range(inc, rep, late);

  std::vector<CrsSource> sources;
  if (!opt.communes.path.empty()) sources.push_back({&out.communes.source_crs, "communes"});
  if (!opt.zones.path.empty()) sources.push_back({&out.zones.source_crs, "zones"});
  sources.push_back({&src, "incidents"});
  out.work_crs = choose_work_crs(
      opt.work_crs, sources,
      [&] {
        double lon = median(inc.lon), lat = median(inc.lat);
        if (!std::isfinite(lon)) {
          const PolygonLayer& communes = out.communes;
          Box b = !opt.communes.path.empty() && !communes.geom.empty()
                      ? bounds(communes.geom.front())
                      : Box{};
          // Communes are in a geographic CRS here (else one of them would be projected in metres).
          lon = (b.xmin + b.xmax) / 2, lat = (b.ymin + b.ymax) / 2;
        }
        // Nothing to place the working CRS by: no incident, no commune. The missing incidents
        // are the problem to tell first (a header-only CSV, every row rejected).
        if (!std::isfinite(lon) && inc.size() == 0)
          throw InputError("no incident was accepted from '" + opt.incidents.path + "' (" +
                           (rep.read == 0 ? std::string("it holds no data rows")
                                          : std::to_string(rep.read) + " rows read, all rejected") +
                           "): nothing to analyse");
        if (!std::isfinite(lon))
          throw InputError("no data to choose a working CRS from; give --work-crs");
        return XY{lon, lat};
      },
      "incidents'", &out.work_crs_reason);
  if (!src.planar() && !out.work_crs.planar())
    check_areas(inc, rep, opt.incidents, {out.work_crs, "working"}, late);

  // Into the working CRS. A point PROJ cannot transform although it passed the area checks is
  // rejected like one outside the area, never a failure of the run.
  Transformer to_work = prepared.take(src, out.work_crs);
  if (to_work.transform(inc.size(), inc.x.data(), inc.y.data(), resolve_threads(opt.threads)) > 0)
    drop_rejected(inc, rep, late, [&](std::size_t i) -> std::optional<Rejection> {
      if (!std::isnan(inc.x[i])) return std::nullopt;
      return Rejection{RejectReason::kOutsideArea,
                       "PROJ cannot transform this point to the working CRS " +
                           out.work_crs.label()};
    });

  // Rejected rows found here get their raw text from a second read of the file.
  if (read.csv) {
    std::vector<std::size_t> order(late.lines.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](auto a, auto b) { return late.lines[a] < late.lines[b]; });
    std::vector<std::int64_t> sorted;
    for (auto i : order) sorted.push_back(late.lines[i]);
    auto raws = reread_csv_records(opt.incidents.path, sorted);
    for (std::size_t k = 0; k < order.size(); ++k)
      rep.rejected[late.slots[order[k]]].raw = raws[k];
  } else {
    for (std::size_t k = 0; k < late.slots.size(); ++k)
      rep.rejected[late.slots[k]].raw = "fid=" + std::to_string(late.lines[k]);
  }
  std::stable_sort(rep.rejected.begin(), rep.rejected.end(),
                   [](const RejectedRow& a, const RejectedRow& b) { return a.line < b.line; });
  out.timings.push_back({"check and project incidents", timer.lap()});

  project_polygons(out.communes, out.work_crs, "commune");
  if (!opt.communes.path.empty() && out.communes.size() == 0)
    throw InputError("communes '" + opt.communes.path + "' hold no usable polygons");
  project_polygons(out.zones, out.work_crs, "zone");
  out.timings.push_back({"project polygons", timer.lap()});
  for (auto& w : ignored_datum_shift_warnings(out.communes.source_crs, out.zones.source_crs, src,
                                              out.work_crs))
    rep.warnings.push_back(std::move(w));

  // Before any analysis: a file most of whose rows cannot be used is a wrong option, not data.
  enforce_reject_gate(rep, opt.incidents.max_reject_share, opt.incidents.path);
  if (rep.time_unparsed > 0) {
    std::string hint;
    if (auto f = detect_time_format(rep.bad_time_samples))
      hint = " (--time-format '" + *f + "' reads them)";
    rep.warnings.push_back(std::to_string(rep.time_unparsed) +
                           " incidents have a time that does not parse as " + rep.time_format +
                           hint + "; they are kept for the spatial analyses without a time");
  }
  if (rep.time_missing > rep.time_unparsed)
    rep.warnings.push_back(std::to_string(rep.time_missing - rep.time_unparsed) +
                           " incidents have no time; they are kept for the spatial analyses");
  if (rep.date_only > 0)
    rep.warnings.push_back(std::to_string(rep.date_only) +
                           " incidents have a date but no time of day; they are left out of "
                           "hour-of-day work");
  if (rep.read > 0 && rep.accepted == 0)
    rep.warnings.push_back(
        "no incident was accepted; check the reject reasons (a wrong --incidents-crs?)");
  else if (rep.read > 10 &&
           static_cast<double>(rep.rejected.size()) > 0.5 * static_cast<double>(rep.read))
    rep.warnings.push_back(
        "more than half of the incidents were rejected; check --incidents-crs and the columns");
  if (out.communes.bad_population > 0)
    rep.warnings.push_back(std::to_string(out.communes.bad_population) +
                           " commune population(s) are bad_number (not finite, negative or beyond "
                           "1e15): treated as missing");
  out.incidents = std::move(inc);
  out.report = std::move(rep);
  out.max_memory = resolve_max_memory(opt.max_memory);
  out.incidents_sha256 = read.csv_sha256;
  out.incidents_bytes = read.csv_bytes;
  return out;
}

}  // namespace hotspot
