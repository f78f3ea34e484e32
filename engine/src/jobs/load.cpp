#include "jobs/load.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "crs/transform.hpp"
#include "hotspot/error.hpp"
#include "io/incidents.hpp"
#include "io/polygons.hpp"
#include "util/parallel.hpp"
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

double median(std::vector<double> v) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return *mid;
}

// Keeps the incidents whose flag is false, in order.
void compact(Incidents& inc, const std::vector<char>& drop) {
  std::size_t k = 0;
  StringColumn ids;
  for (std::size_t i = 0; i < inc.size(); ++i) {
    if (drop[i]) continue;
    inc.x[k] = inc.x[i], inc.y[k] = inc.y[i], inc.lon[k] = inc.lon[i], inc.lat[k] = inc.lat[i];
    inc.time_utc[k] = inc.time_utc[i], inc.category[k] = inc.category[i], inc.line[k] = inc.line[i];
    if (!inc.weight.empty()) inc.weight[k] = inc.weight[i];
    ids.push_back(inc.id[i]);
    ++k;
  }
  for (auto* v : {&inc.x, &inc.y, &inc.lon, &inc.lat}) v->resize(k);
  inc.time_utc.resize(k), inc.category.resize(k), inc.line.resize(k);
  if (!inc.weight.empty()) inc.weight.resize(k);
  inc.id = std::move(ids);
}

// Area-of-use and swapped-axis checks against one CRS. A point outside `area` whose swapped
// coordinates fall inside it is a swapped row; anything else outside is out of area.
struct AreaCheck {
  const Crs& crs;
  const char* role;  // "input" or "working"
};

void check_areas(Incidents& inc, IngestReport& rep, const IncidentOptions& opt,
                 const AreaCheck& check, std::vector<std::int64_t>& reread_lines,
                 std::vector<std::size_t>& reread_slots) {
  const Box& area = check.crs.area_of_use_lonlat;
  const bool geographic_source = rep.source_crs.geographic();
  std::vector<char> drop(inc.size(), 0);
  bool any = false;
  for (std::size_t i = 0; i < inc.size(); ++i) {
    double lon = inc.lon[i], lat = inc.lat[i];
    if (in_area(area, lon, lat)) continue;
    char buf[512];
    if (geographic_source && in_area(area, lat, lon)) {
      if (opt.fix_swapped_axes) {
        std::swap(inc.x[i], inc.y[i]);
        std::swap(inc.lon[i], inc.lat[i]);
        ++rep.swapped_fixed;
        continue;
      }
      std::snprintf(buf, sizeof buf,
                    "lon %.6f, lat %.6f lies outside the %s CRS's area; swapped it lies inside "
                    "(--fix-swapped-axes repairs such rows)",
                    lon, lat, check.role);
      rep.rejected.push_back({inc.line[i], "", RejectReason::kSwappedAxes, buf});
    } else {
      std::snprintf(buf, sizeof buf,
                    "lon %.6f, lat %.6f is outside the area of use of the %s CRS %s", lon, lat,
                    check.role, check.crs.label().c_str());
      rep.rejected.push_back({inc.line[i], "", RejectReason::kOutsideArea, buf});
    }
    reread_lines.push_back(inc.line[i]);
    reread_slots.push_back(rep.rejected.size() - 1);
    drop[i] = 1;
    any = true;
  }
  if (any) {
    compact(inc, drop);
    rep.accepted = static_cast<std::int64_t>(inc.size());
  }
}

}  // namespace

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

void project_polygons(PolygonLayer& layer, const Crs& work, const std::string& what) {
  if (layer.size() == 0) return;  // e.g. no zones given: its CRS is unset
  Transformer t(layer.source_crs, work);
  if (t.identity()) return;
  for (std::size_t i = 0; i < layer.size(); ++i)
    if (!transform_multipolygon(t, layer.geom[i]))
      throw CrsError(what + " '" + layer.id[i] + "' cannot be projected from " +
                     layer.source_crs.label() + " to " + work.label() + " (is its CRS right?)");
}

LoadedInputs load_inputs(const InputOptions& opt) {
  LoadedInputs out;
  Timer timer;
  if (!opt.communes.path.empty()) {
    out.communes = read_polygons(opt.communes, "communes", "--communes-crs");
    if (out.communes.size() == 0)
      throw InputError("communes '" + opt.communes.path + "' hold no usable polygons");
  }
  if (!opt.zones.path.empty()) out.zones = read_polygons(opt.zones, "zones", "--zones-crs");
  out.timings.push_back({"read polygons", timer.lap()});

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

  std::vector<std::int64_t> reread_lines;
  std::vector<std::size_t> reread_slots;
  if (!src.planar())
    check_areas(inc, rep, opt.incidents, {src, "input"}, reread_lines, reread_slots);

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
        if (!std::isfinite(lon))
          throw InputError("no data to choose a working CRS from; give --work-crs");
        return XY{lon, lat};
      },
      "incidents'", &out.work_crs_reason);
  if (!src.planar() && !out.work_crs.planar())
    check_areas(inc, rep, opt.incidents, {out.work_crs, "working"}, reread_lines, reread_slots);

  // Into the working CRS. A point PROJ cannot transform although it passed the area checks is
  // rejected like one outside the area, never a failure of the run.
  Transformer to_work(src, out.work_crs);
  if (to_work.transform(inc.size(), inc.x.data(), inc.y.data(), resolve_threads(opt.threads)) > 0) {
    std::vector<char> drop(inc.size(), 0);
    for (std::size_t i = 0; i < inc.size(); ++i) {
      if (!std::isnan(inc.x[i])) continue;
      drop[i] = 1;
      rep.rejected.push_back(
          {inc.line[i], "", RejectReason::kOutsideArea,
           "PROJ cannot transform this point to the working CRS " + out.work_crs.label()});
      reread_lines.push_back(inc.line[i]);
      reread_slots.push_back(rep.rejected.size() - 1);
    }
    compact(inc, drop);
    rep.accepted = static_cast<std::int64_t>(inc.size());
  }

  // Rejected rows found here get their raw text from a second read of the file.
  if (read.csv) {
    std::vector<std::size_t> order(reread_lines.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](auto a, auto b) { return reread_lines[a] < reread_lines[b]; });
    std::vector<std::int64_t> sorted;
    for (auto i : order) sorted.push_back(reread_lines[i]);
    auto raws = reread_csv_records(opt.incidents.path, sorted);
    for (std::size_t k = 0; k < order.size(); ++k)
      rep.rejected[reread_slots[order[k]]].raw = raws[k];
  } else {
    for (std::size_t k = 0; k < reread_slots.size(); ++k)
      rep.rejected[reread_slots[k]].raw = "fid=" + std::to_string(reread_lines[k]);
  }
  std::stable_sort(rep.rejected.begin(), rep.rejected.end(),
                   [](const RejectedRow& a, const RejectedRow& b) { return a.line < b.line; });
  out.timings.push_back({"check and project incidents", timer.lap()});

  project_polygons(out.communes, out.work_crs, "commune");
  project_polygons(out.zones, out.work_crs, "zone");
  out.timings.push_back({"project polygons", timer.lap()});

  if (rep.text_repaired > 0)
    rep.warnings.push_back(
        std::to_string(rep.text_repaired) +
        " incident ids or categories were not valid UTF-8; invalid bytes were replaced by U+FFFD "
        "(is the file in another encoding? convert it with iconv)");
  if (rep.read > 0 && rep.accepted == 0)
    rep.warnings.push_back(
        "no incident was accepted; check the reject reasons (a wrong --incidents-crs?)");
  else if (rep.read > 10 &&
           static_cast<double>(rep.rejected.size()) > 0.5 * static_cast<double>(rep.read))
    rep.warnings.push_back(
        "more than half of the incidents were rejected; check --incidents-crs and the columns");
  out.incidents = std::move(inc);
  out.report = std::move(rep);
  out.incidents_sha256 = read.csv_sha256;
  out.incidents_bytes = read.csv_bytes;
  return out;
}

}  // namespace hotspot
