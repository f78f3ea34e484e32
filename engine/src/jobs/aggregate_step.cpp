// Jobs: load -> project -> index/assign -> aggregate -> write. One function per job, each reading
// only what the stage before it returned.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "hotspot/aggregate.hpp"
#include "hotspot/error.hpp"
#include "hotspot/jobs.hpp"
#include "hotspot/jobs/aggregate.hpp"
#include "hotspot/spacetime.hpp"
#include "io/gpkg_writer.hpp"
#include "io/styles.hpp"
#include "jobs/aggregate_steps.hpp"
#include "jobs/budget.hpp"
#include "jobs/load.hpp"
#include "jobs/outputs.hpp"
#include "jobs/params_util.hpp"
#include "util/text.hpp"
#include "util/time.hpp"
#include "util/timer.hpp"

namespace hotspot {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

void warn_overlaps(const PolygonLayer& layer, const char* what, bool planar,
                   std::vector<std::string>& warnings) {
  auto overlaps = find_overlaps(layer);
  if (overlaps.empty()) return;
  double total = 0;
  for (const auto& o : overlaps) total += o.area_km2;
  const auto& first = overlaps.front();
  char buf[512];
  std::snprintf(
      buf, sizeof buf,
      "%zu pairs of %s overlap (%.4f %s in all; e.g. '%s' and '%s', %.4f %s); incidents in an "
      "overlap count for the one listed first",
      overlaps.size(), what, total, km2_unit(planar),
      layer.id[static_cast<std::size_t>(first.a)].c_str(),
      layer.id[static_cast<std::size_t>(first.b)].c_str(), first.area_km2, km2_unit(planar));
  warnings.emplace_back(buf);
}

// The communes layer has one count field per category (the first kMaxCategoryColumns of them).
constexpr std::size_t kMaxCategoryColumns = 40;

std::vector<FieldDef> communes_fixed_fields() {
  return {{"commune_id", FieldType::kText},   {"name", FieldType::kText},
          {"population", FieldType::kReal},   {"area_km2", FieldType::kReal},
          {"incidents", FieldType::kInteger}, {"per_km2", FieldType::kReal},
          {"per_1000", FieldType::kReal}};
}

// The category count fields of the communes layer: n_<category>, unique and valid whatever the
// categories (theft/Theft, Trộm cắp/Trộm-cắp, names of any length), see unique_field_names.
std::vector<std::string> category_fields(const std::vector<std::string>& categories,
                                         const std::vector<FieldDef>& fixed) {
  std::vector<std::string> wide(categories.begin(),
                                categories.begin() + static_cast<std::ptrdiff_t>(std::min(
                                                         categories.size(), kMaxCategoryColumns)));
  std::vector<std::string> taken;
  for (const auto& f : fixed) taken.push_back(f.name);
  return unique_field_names(wide, "n_", taken);
}

// Each writer returns the default style it stored, for the QGIS project.
std::string write_communes(GpkgWriter& w, const LoadedInputs& in, const CommuneStats& cs) {
  const auto& cats = in.incidents.categories.labels();
  std::vector<FieldDef> fields = communes_fixed_fields();
  const std::vector<std::string> names = category_fields(cats, fields);
  const std::size_t wide = names.size();
  for (const auto& n : names) fields.push_back({n, FieldType::kInteger});
  LayerWriter& L = w.begin_layer("communes", GeometryType::kMultiPolygon, in.work_crs, fields,
                                 "Incident counts and rates per commune");
  const auto& c = in.communes;
  for (std::size_t i = 0; i < c.size(); ++i) {
    L.set_geometry(c.geom[i]);
    L.set(0, std::string_view(c.id[i]));
    L.set(1, std::string_view(c.name[i]));
    L.set(2, c.population.empty() ? std::nan("") : c.population[i]);
    L.set(3, cs.area_km2[i]);
    L.set(4, cs.count[i]);
    L.set(5, cs.per_km2[i]);
    L.set(6, cs.per_1000[i]);
    for (std::size_t k = 0; k < wide; ++k)
      L.set(static_cast<int>(7 + k), cs.by_category[i * cs.n_categories + k]);
    L.insert();
  }
  // Long form, complete whatever the number of categories; QGIS can join it on commune_id.
  LayerWriter& T = w.begin_layer("commune_category_counts", GeometryType::kNone, in.work_crs,
                                 {{"commune_id", FieldType::kText},
                                  {"category", FieldType::kText},
                                  {"incidents", FieldType::kInteger}},
                                 "Incidents per commune and category");
  for (std::size_t i = 0; i < c.size(); ++i)
    for (std::size_t k = 0; k < cats.size(); ++k) {
      T.set(0, std::string_view(c.id[i]));
      T.set(1, std::string_view(cats[k]));
      T.set(2, cs.by_category[i * cs.n_categories + k]);
      T.insert();
    }
  const std::string per = std::string("per ") + km2_unit(in.work_crs.planar());
  const std::string qml =
      graduated_fill_qml("per_km2", quantile_breaks(cs.per_km2, 5), "name", per);
  w.add_style("communes", "incidents " + per, qml);
  return qml;
}

// Returns the styles of zones and zone_communes.
std::pair<std::string, std::string> write_zones(GpkgWriter& w, const LoadedInputs& in,
                                                const ZoneStats& zs, double buffer_m) {
  const auto& z = in.zones;
  LayerWriter& L = w.begin_layer("zones", GeometryType::kMultiPolygon, in.work_crs,
                                 {{"zone_id", FieldType::kText},
                                  {"name", FieldType::kText},
                                  {"area_ha", FieldType::kReal},
                                  {"incidents_inside", FieldType::kInteger},
                                  {"per_ha", FieldType::kReal},
                                  {"buffer_m", FieldType::kReal},
                                  {"ring_area_ha", FieldType::kReal},
                                  {"incidents_ring", FieldType::kInteger},
                                  {"communes", FieldType::kText}},
                                 "Industrial zones: incidents inside and in the buffer ring");
  for (std::size_t i = 0; i < z.size(); ++i) {
    std::string communes;
    for (const auto& link : zs.links)
      if (link.zone == static_cast<std::int32_t>(i))
        communes += (communes.empty() ? "" : ", ") +
                    in.communes.name[static_cast<std::size_t>(link.commune)];
    L.set_geometry(z.geom[i]);
    L.set(0, std::string_view(z.id[i]));
    L.set(1, std::string_view(z.name[i]));
    L.set(2, zs.area_ha[i]);
    L.set(3, zs.count_inside[i]);
    L.set(4, zs.per_ha[i]);
    L.set(5, buffer_m);
    L.set(6, zs.ring_area_ha[i]);
    L.set(7, zs.count_ring[i]);
    L.set(8, std::string_view(communes));
    L.insert();
  }
  const std::string zones_qml = categorized_qml("name", z.name, false, "name", true);
  w.add_style("zones", "industrial zones", zones_qml);

  LayerWriter& Z =
      w.begin_layer("zone_communes", GeometryType::kMultiPolygon, in.work_crs,
                    {{"zone_id", FieldType::kText},
                     {"zone_name", FieldType::kText},
                     {"commune_id", FieldType::kText},
                     {"commune_name", FieldType::kText},
                     {"shared_area_km2", FieldType::kReal},
                     {"ring_area_km2", FieldType::kReal},
                     {"fence_length_m", FieldType::kReal},
                     {"incidents_shared", FieldType::kInteger},
                     {"incidents_ring", FieldType::kInteger}},
                    "Communes that meet each industrial zone or its buffer: who patrols together");
  for (const auto& link : zs.links) {
    auto zi = static_cast<std::size_t>(link.zone), ci = static_cast<std::size_t>(link.commune);
    Z.set_geometry(link.geom);
    Z.set(0, std::string_view(z.id[zi]));
    Z.set(1, std::string_view(z.name[zi]));
    Z.set(2, std::string_view(in.communes.id[ci]));
    Z.set(3, std::string_view(in.communes.name[ci]));
    Z.set(4, link.shared_area_km2);
    Z.set(5, link.ring_area_km2);
    Z.set(6, link.fence_length_m);
    Z.set(7, link.incidents_shared);
    Z.set(8, link.incidents_ring);
    Z.insert();
  }
  const std::string links_qml = categorized_qml("zone_name", z.name, false, "commune_name");
  w.add_style("zone_communes", "zone partners", links_qml);
  return {zones_qml, links_qml};
}

// Pass-through column names: as in the source, with _2, _3 ... only where one collides (SQLite
// compares names ignoring ASCII case) with ours, the writer's own fid and geom (an ArcGIS FID, a
// QGIS export's fid), or an earlier one.
std::vector<std::string> passthrough_names(const std::vector<std::string>& names,
                                           const std::vector<FieldDef>& ours) {
  auto key = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  std::set<std::string> taken = {"fid", "geom"};
  for (const auto& f : ours) taken.insert(key(f.name));
  std::vector<std::string> out;
  for (std::size_t k = 0; k < names.size(); ++k) {
    std::string base = names[k].empty() ? "field_" + std::to_string(k + 1) : names[k];
    std::string name = base;
    for (int n = 2; taken.count(key(name)); ++n) name = base + "_" + std::to_string(n);
    taken.insert(key(name));
    out.push_back(name);
  }
  return out;
}

const char* precision_name(TimePrecision p) {
  return p == TimePrecision::kDay ? "day" : p == TimePrecision::kMissing ? "missing" : "second";
}

Box incidents_box(const Incidents& inc) {
  Box box;
  for (std::size_t i = 0; i < inc.size(); ++i) box.expand(XY{inc.x[i], inc.y[i]});
  return box;
}

std::string write_incidents(GpkgWriter& w, const LoadedInputs& in, const Assignment& a,
                            int utc_offset_minutes) {
  const Incidents& inc = in.incidents;
  std::vector<FieldDef> fields = {{"incident_id", FieldType::kText},
                                  {"time", FieldType::kDateTime},
                                  {"category", FieldType::kText},
                                  {"commune_id", FieldType::kText},
                                  {"zone_id", FieldType::kText},
                                  {"lon", FieldType::kReal},
                                  {"lat", FieldType::kReal},
                                  {"source_line", FieldType::kInteger},
                                  {"outside_communes", FieldType::kInteger},
                                  {"local_time", FieldType::kText},
                                  {"local_date", FieldType::kText},
                                  {"hour", FieldType::kInteger},
                                  {"weekday", FieldType::kInteger},
                                  {"time_precision", FieldType::kText},
                                  {"time_note", FieldType::kText}};
  const int first_extra = static_cast<int>(fields.size()) + (inc.weight.empty() ? 0 : 1);
  if (!inc.weight.empty()) fields.push_back({"weight", FieldType::kReal});
  for (const auto& n : passthrough_names(inc.extra_names, fields))
    fields.push_back({n, FieldType::kText});
  LayerWriter& L = w.begin_layer("incidents", GeometryType::kPoint, in.work_crs, fields,
                                 "Accepted incidents with their commune and industrial zone");
  const bool has_time = !in.report.time_field.empty();
  const auto& notes = in.report.time_notes;  // sorted by line
  char offset[32];
  std::snprintf(offset, sizeof offset, "%c%02d:%02d", utc_offset_minutes < 0 ? '-' : '+',
                std::abs(utc_offset_minutes) / 60, std::abs(utc_offset_minutes) % 60);
  const std::size_t offset_size = std::strlen(offset);
  char local_time[64];
  UtcText local_text;
  for (std::size_t i = 0; i < inc.size(); ++i) {
    L.set_point({inc.x[i], inc.y[i]});
    if (inc.id[i].empty()) {
      L.set_null(0);  // a row without an id
    } else {
      L.set(0, inc.id[i]);
    }
    L.set_time(1, inc.time_utc[i]);
    if (inc.category[i] != Dictionary::kNone)
      L.set(2, std::string_view(inc.categories[inc.category[i]]));
    if (a.commune[i] >= 0)
      L.set(3, std::string_view(in.communes.id[static_cast<std::size_t>(a.commune[i])]));
    if (a.zone[i] >= 0)
      L.set(4, std::string_view(in.zones.id[static_cast<std::size_t>(a.zone[i])]));
    L.set(5, inc.lon[i]);
    L.set(6, inc.lat[i]);
    L.set(7, inc.line[i]);
    L.set(8, std::int64_t{a.commune[i] < 0});  // kept, and flagged
    const TimePrecision p =
        inc.time_precision.empty() ? TimePrecision::kSecond : inc.time_precision[i];
    if (inc.time_utc[i] != kNoTime) {
      const std::int64_t local = inc.time_utc[i] + std::int64_t{utc_offset_minutes} * 60;
      const std::string_view iso = local_text(local);  // "2025-09-01T00:10:00Z" in local time
      if (p == TimePrecision::kSecond) {
        const std::string_view clock = iso.substr(0, 19);
        std::memcpy(local_time, clock.data(), clock.size());
        std::memcpy(local_time + clock.size(), offset, offset_size);
        L.set(9, std::string_view(local_time, clock.size() + offset_size));
      }
      L.set(10, std::string_view(iso).substr(0, 10));
      const std::int64_t day = local >= 0 ? local / 86400 : (local - 86399) / 86400;
      if (p == TimePrecision::kSecond) L.set(11, (local - day * 86400) / 3600);
      L.set(12, (day % 7 + 7 + 3) % 7);  // 1970-01-01 was a Thursday; 0 = Monday
    }
    if (has_time) L.set(13, std::string_view(precision_name(p)));
    if (p == TimePrecision::kMissing) {
      auto it = std::lower_bound(notes.begin(), notes.end(), inc.line[i],
                                 [](const RejectedRow& r, std::int64_t l) { return r.line < l; });
      L.set(14, it != notes.end() && it->line == inc.line[i] ? std::string_view(it->message)
                                                              : std::string_view("time_missing"));
    }
    if (!inc.weight.empty()) L.set(15, inc.weight[i]);
    for (std::size_t k = 0; k < inc.extra.size(); ++k)
      L.set(first_extra + static_cast<int>(k), inc.extra[k][i]);
    L.insert();
  }
  const std::string qml = categorized_qml("category", inc.categories.labels(), true, "");
  w.add_style("incidents", "category", qml);
  return qml;
}

}  // namespace

const char* reason_code(RejectReason r) {
  switch (r) {
    case RejectReason::kBadRow:
      return "bad_row";
    case RejectReason::kBadNumber:
      return "bad_number";
    case RejectReason::kMissingCoordinate:
      return "missing_coordinate";
    case RejectReason::kOutsideArea:
      return "outside_area";
    case RejectReason::kSwappedAxes:
      return "swapped_axes";
    case RejectReason::kBadTimestamp:
      return "bad_timestamp";
    case RejectReason::kDuplicateId:
      return "duplicate_id";
    case RejectReason::kBadText:
      return "bad_text";
  }
  return "unknown";
}

namespace {

// What validate and aggregate share: load, assign, check the polygon layers.
struct Assigned {
  LoadedInputs in;
  Assignment a;
  RunSummary s;
};

Assigned load_and_assign(const InputOptions& options) {
  Assigned r{load_inputs(options), {}, {}};
  Timer timer;
  r.a = assign_incidents(r.in.incidents, r.in.communes, r.in.zones, options.threads);
  r.s = summarise(r.in);
  r.s.outside_communes = r.a.outside_communes;
  warn_outside_communes(r.in, r.a.outside_communes, r.s.warnings);
  r.s.timings.push_back({"assign", timer.lap()});
  warn_overlaps(r.in.communes, "communes", r.in.work_crs.planar(), r.s.warnings);
  warn_overlaps(r.in.zones, "zones", r.in.work_crs.planar(), r.s.warnings);
  r.s.timings.push_back({"check overlaps", timer.lap()});
  return r;
}

}  // namespace

// Most incidents outside every commune is a sign of a mix-up (a wrong CRS, swapped columns, the
// communes of another district), not of crime beyond the boundary: the two extents say which.
void warn_outside_communes(const LoadedInputs& in, std::int64_t outside, std::vector<std::string>& warnings) {
  const auto n = static_cast<std::int64_t>(in.incidents.size());
  if (n == 0 || in.communes.size() == 0 || outside * 2 < n) return;
  Box communes, incidents;
  for (const auto& g : in.communes.geom) communes.expand(bounds(g));
  for (std::size_t i = 0; i < in.incidents.size(); ++i)
    incidents.expand(XY{in.incidents.x[i], in.incidents.y[i]});
  const bool planar = in.work_crs.planar();
  const double k = planar ? 1 : 1000;  // km, or data units
  const char* unit = planar ? " data units" : " km";
  auto extent = [&](const Box& b) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "x %.1f–%.1f, y %.1f–%.1f%s", b.xmin / k, b.xmax / k,
                  b.ymin / k, b.ymax / k, unit);
    return std::string(buf);
  };
  char share[32];
  std::snprintf(share, sizeof share, "%.0f %%", 100.0 * static_cast<double>(outside) / static_cast<double>(n));
  warnings.push_back(std::to_string(outside) + " of " + std::to_string(n) + " incidents (" + share +
                     ") lie outside every commune: are the incidents' CRS and columns right, and "
                     "the communes those of the same area? In the working CRS the communes span " +
                     extent(communes) + ", the incidents " + extent(incidents));
}

RunSummary run_validate(const InputOptions& options) { return load_and_assign(options).s; }

const ParamTable<AggregateStepOptions>& aggregate_params() {
  static const ParamTable<AggregateStepOptions> table{
      "aggregate",
      {{"zone_buffer_m", ParamType::kNumber, "Buffer ring around each zone, metres", "1000", false,
        [](AggregateStepOptions& o, const json& v) {
          o.zone_buffer_m = length_value(v, /*positive=*/true);
          o.zone_buffer_given = true;
        },
        "zone-buffer"}},
      {}};
  return table;
}

RunSummary run_aggregate(const AggregateOptions& opt) {
  if (opt.inputs.communes.path.empty()) throw UsageError("aggregate needs --communes");
  Assignment a;
  StepResult r;
  RunSummary s = run_single_step(
      {"aggregate",
       opt.command_line,
       opt.inputs,
       opt.out,
       {},
       "hotspot aggregate",
       [&](const StepContext& ctx) {
         Timer timer;
         a = assign_incidents(ctx.in.incidents, ctx.in.communes, ctx.in.zones, ctx.threads);
         StepResult both;
         both.name = "aggregate";
         both.timings.push_back({"assign", timer.lap()});
         warn_outside_communes(ctx.in, a.outside_communes, both.warnings);
         warn_overlaps(ctx.in.communes, "communes", ctx.in.work_crs.planar(), both.warnings);
         warn_overlaps(ctx.in.zones, "zones", ctx.in.work_crs.planar(), both.warnings);
         both.timings.push_back({"check overlaps", timer.lap()});
         merge_step(both, aggregate_step(ctx, a, opt.step));
         merge_step(both, profiles_step(ctx, a));
         return both;
       }},
      &r);
  s.outside_communes = a.outside_communes;
  s.zone_commune_links = r.counts.value("zone_commune_links", std::int64_t{0});
  return s;
}

StepResult incidents_step(const StepContext& ctx, const Assignment& a) {
  StepResult r;
  r.name = "incidents";
  Timer timer;
  const std::string qml = write_incidents(ctx.w, ctx.in, a, ctx.in.utc_offset_minutes);
  r.timings.push_back({"write", timer.lap()});
  r.project = {{"incidents", "Incidents", ctx.vector_source("incidents"), false, qml,
                incidents_box(ctx.in.incidents), "Details", false}};
  r.layers = {{"incidents", static_cast<std::int64_t>(ctx.in.incidents.size())}};
  r.counts = {{"features", static_cast<std::int64_t>(ctx.in.incidents.size())}};
  return r;
}

// A buffer ring is a neighbourhood of a zone: one as wide as the whole study area (the communes
// and zones) holds every commune and incident in every ring. Refused, as 0.005 ("degrees") is.
void check_zone_buffer(const LoadedInputs& in, double buffer) {
  refuse_degree_like(buffer, "zone_buffer_m", in.work_crs);
  Box area;
  for (const auto* layer : {&in.communes.geom, &in.zones.geom})
    for (const auto& g : *layer) {
      const Box b = bounds(g);
      area.expand(XY{b.xmin, b.ymin}), area.expand(XY{b.xmax, b.ymax});
    }
  if (area.empty()) return;
  const double diagonal = std::hypot(area.xmax - area.xmin, area.ymax - area.ymin);
  const char* unit = length_unit(in.work_crs.planar());
  if (diagonal > 0 && buffer >= diagonal)
    throw ParameterError("zone_buffer_m",
                         with_unit(buffer, unit) +
                             " is wider than the whole study area (the communes and zones span " +
                             with_unit(area.xmax - area.xmin, unit) + " × " +
                             with_unit(area.ymax - area.ymin, unit) + ", diagonal " +
                             with_unit(diagonal, unit) +
                             "): every zone's ring would hold every commune. Use a ring below " +
                             with_unit(diagonal, unit) +
                             ", usually a few hundred metres to a few km (default 1000 m)");
}

StepResult aggregate_step(const StepContext& ctx, const Assignment& a,
                          const AggregateStepOptions& o) {
  const LoadedInputs& in = ctx.in;
  const double zone_buffer_m = o.zone_buffer_m;
  if (o.zone_buffer_given) check_zone_buffer(in, zone_buffer_m);
  StepResult r;
  r.name = "aggregate";
  Timer timer;
  CommuneStats cs = commune_stats(in.incidents, in.communes, a);
  ZoneStats zs = zone_stats(in.incidents, in.communes, in.zones, a, zone_buffer_m);
  r.timings.push_back({"aggregate", timer.lap()});
  const std::string communes_qml = write_communes(ctx.w, in, cs);
  const auto [zones_qml, links_qml] = write_zones(ctx.w, in, zs, zone_buffer_m);
  const std::string incidents_qml = write_incidents(ctx.w, in, a, in.utc_offset_minutes);
  r.timings.push_back({"write", timer.lap()});
  Box communes_box, zones_box;
  for (const auto& g : in.communes.geom) communes_box.expand(bounds(g));
  for (const auto& g : in.zones.geom) zones_box.expand(bounds(g));
  // The project: commune and zone outlines with every name, for orientation, on; the statistics
  // and the points under Details, off.
  r.project = {
      {"incidents", "Incidents", ctx.vector_source("incidents"), false, incidents_qml,
       incidents_box(in.incidents), "Details", false},
      {"zones", "Industrial zones", ctx.vector_source("zones"), false, zones_qml, zones_box,
       "Context", true},
      {"communes_outline", "Communes", ctx.vector_source("communes"), false,
       outline_qml({60, 60, 60}, 0.4, "name", /*label_all=*/true), communes_box, "Context", true},
      {"zone_communes", "Zone–commune pieces", ctx.vector_source("zone_communes"), false, links_qml,
       zones_box, "Details", false},
      {"communes", std::string("Incidents per ") + km2_unit(in.work_crs.planar()) + " by commune",
       ctx.vector_source("communes"), false, communes_qml, communes_box, "Details", false}};
  r.layers = {
      {"communes", static_cast<std::int64_t>(in.communes.size())},
      {"commune_category_counts",
       static_cast<std::int64_t>(in.communes.size() * in.incidents.categories.labels().size())},
      {"zones", static_cast<std::int64_t>(in.zones.size())},
      {"zone_communes", static_cast<std::int64_t>(zs.links.size())},
      {"incidents", static_cast<std::int64_t>(in.incidents.size())}};
  r.parameters = {{"zone_buffer_m", zone_buffer_m},
                  {"communes_fields",
                   {{"id", in.communes.id_field},
                    {"name", in.communes.name_field},
                    {"population", in.communes.population_field}}}};
  // Which communes field counts which category, as the names may differ from the categories.
  const auto& cats = in.incidents.categories.labels();
  const std::vector<std::string> fields = category_fields(cats, communes_fixed_fields());
  json mapping = json::array();
  for (std::size_t k = 0; k < fields.size(); ++k)
    mapping.push_back({{"category", cats[k]}, {"field", fields[k]}});
  r.parameters["category_fields"] = std::move(mapping);
  r.counts = {{"outside_communes", a.outside_communes},
              {"zone_commune_links", static_cast<std::int64_t>(zs.links.size())}};
  return r;
}

StepResult profiles_step(const StepContext& ctx, const Assignment& a) {
  StepResult r;
  r.name = "profiles";
  r.profiles.push_back({"communes", ctx.in.communes.id, a.commune});
  if (ctx.in.zones.size() > 0) r.profiles.push_back({"zones", ctx.in.zones.id, a.zone});
  std::int64_t rows = 0;
  for (const auto& p : r.profiles) rows += static_cast<std::int64_t>(p.ids.size());
  r.counts = {{"features", rows}};
  return r;
}

// The summary for stdout; warnings are not part of it (the CLI prints them on stderr).
std::string format_summary(const RunSummary& s) {
  std::string out;
  char buf[256];
  auto line = [&](const char* fmt, auto... args) {
    std::snprintf(buf, sizeof buf, fmt, args...);
    out += buf;
    out += '\n';
  };
  const auto& r = s.ingest;
  line("incidents  read %lld = accepted %lld + rejected %lld", static_cast<long long>(r.read),
       static_cast<long long>(r.accepted), static_cast<long long>(r.rejected.size()));
  std::map<std::string, int> by_reason;
  for (const auto& rej : r.rejected) ++by_reason[reason_code(rej.reason)];
  for (const auto& [reason, n] : by_reason) line("  rejected %-20s %d", reason.c_str(), n);
  if (r.swapped_fixed)
    line("  swapped lat/lon repaired: %lld", static_cast<long long>(r.swapped_fixed));
  if (s.outside_communes >= 0)
    line("  outside every commune: %lld", static_cast<long long>(s.outside_communes));
  if (s.communes > 0 ||
      s.zones > 0) {  // analyses on incidents alone have no polygon layers to report
    std::string links = s.zone_commune_links >= 0
                            ? ", zone-commune links " + std::to_string(s.zone_commune_links)
                            : "";
    line("communes   %lld, zones %lld%s", static_cast<long long>(s.communes),
         static_cast<long long>(s.zones), links.c_str());
    line("polygons   repaired %lld, dropped %zu", static_cast<long long>(s.polygons_repaired),
         s.polygons_dropped.size());
  }
  for (const auto& d : s.polygons_dropped) line("  dropped %s", d.c_str());
  line("work CRS   %s (%s)", s.work_crs.c_str(), s.work_crs_reason.c_str());
  double total = 0;
  for (const auto& t : s.timings) total += t.seconds;
  // Lines of any length (details, timings, layers) are appended whole, not through buf.
  std::string steps;
  for (const auto& t : s.timings) {
    std::snprintf(buf, sizeof buf, "%.2fs", t.seconds);
    steps += (steps.empty() ? "" : ", ") + t.step + " " + buf;
  }
  for (const auto& d : s.details) out += d + "\n";
  std::snprintf(buf, sizeof buf, "%.2fs", total);
  out += "time       " + std::string(buf) + " (" + steps + ")\n";
  for (const auto& f : s.failed)
    out += "FAILED     " + f.name + " (" + f.exit_class + " error, exit " +
           std::to_string(f.exit_code) + "): " + f.error + "\n";
  if (!s.out.empty()) {
    std::string layers;
    for (const auto& [name, n] : s.layers)
      layers += (layers.empty() ? "" : ", ") + name + " " + std::to_string(n);
    // hotspot run's failed briefings ("briefing night") come after the file is written.
    std::size_t briefings = 0;
    for (const auto& f : s.failed) briefings += f.name.rfind("briefing ", 0) == 0;
    const std::size_t analyses = s.failed.size() - briefings;
    std::string partial;
    if (analyses)
      partial += "; partial: " + std::to_string(analyses) +
                 (analyses == 1 ? " analysis" : " analyses") + " failed, every other layer is complete";
    if (briefings)
      partial += (analyses ? ", and " : "; partial: ") + std::to_string(briefings) +
                 (briefings == 1 ? " briefing" : " briefings") + " failed";
    out += "wrote      " + s.out + " (" + layers + ")" + partial + "\n";
  }
  return out;
}

}  // namespace hotspot
