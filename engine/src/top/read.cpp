// hotspot top, reading: the local time recorded by the run, the hotspot layers (KDE zones, Gi*
// hot cells grouped), the incidents, communes and industrial zones of a finished output.
#include "top/read.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <unordered_set>

#include "hotspot/error.hpp"
#include "io/gdal_util.hpp"
#include "io/incidents.hpp"
#include "io/polygons.hpp"
#include "util/text.hpp"
#include "weights/weights.hpp"

namespace hotspot {

namespace {

using json = nlohmann::json;

// utc_offset_minutes from run_metadata's `parameters` (at the top, or inside a step's parameters
// in a file written by several steps).
std::optional<int> find_offset(const json& j) {
  if (!j.is_object()) return std::nullopt;
  auto it = j.find("utc_offset_minutes");
  if (it != j.end() && it->is_number_integer() && std::abs(it->get<std::int64_t>()) <= 14 * 60)
    return it->get<int>();
  for (const auto& v : j)
    if (auto found = find_offset(v)) return found;
  return std::nullopt;
}

std::optional<int> recorded_offset(GDALDataset& ds, const std::string& path) {
  OGRLayer* meta = ds.GetLayerByName("run_metadata");
  if (!meta) return std::nullopt;
  const int ki = meta->GetLayerDefn()->GetFieldIndex("key"),
            vi = meta->GetLayerDefn()->GetFieldIndex("value");
  if (ki < 0 || vi < 0) return std::nullopt;
  std::optional<int> found;
  for_each_feature(*meta, "--in run_metadata", path, [&](OGRFeature& f) {
    if (found || std::string(f.GetFieldAsString(ki)) != "parameters") return;
    found = offset_from_parameters(f.GetFieldAsString(vi));
  });
  return found;
}

// One row of run_metadata as JSON; null when absent or not JSON.
json recorded(GDALDataset& ds, const char* key) {
  OGRLayer* meta = ds.GetLayerByName("run_metadata");
  if (!meta) return nullptr;
  const int ki = meta->GetLayerDefn()->GetFieldIndex("key"),
            vi = meta->GetLayerDefn()->GetFieldIndex("value");
  if (ki < 0 || vi < 0) return nullptr;
  meta->ResetReading();
  for (FeaturePtr f(meta->GetNextFeature()); f; f.reset(meta->GetNextFeature())) {
    if (std::string(f->GetFieldAsString(ki)) != key) continue;
    const char* text = f->GetFieldAsString(vi);
    if (json_nesting_depth(text) > kMaxJsonDepth) return nullptr;
    return json::parse(text, nullptr, /*allow_exceptions=*/false);
  }
  return nullptr;
}

// run_metadata's as_of (YYYY-MM-DD, written by every job since the field existed).
std::string recorded_as_of(GDALDataset& ds) {
  const json j = recorded(ds, "as_of");
  return j.is_string() ? j.get<std::string>() : "";
}

std::string text_of(const json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

// The analysis `name` of run_metadata's "windows": its window and its hotspot layers
// (layer -> source). Throws UsageError when the run recorded no such name.
std::vector<std::pair<std::string, std::string>> named_window(const json& windows,
                                                             const std::string& name,
                                                             const std::string& path,
                                                             TopInputs& in) {
  if (!windows.is_object() || !windows.contains(name) || !windows[name].is_object()) {
    std::string known;
    if (windows.is_object())
      for (const auto& [n, w] : windows.items()) known += (known.empty() ? "" : ", ") + n;
    throw UsageError("--window " + name + ": the run that wrote '" + path +
                     "' has no analysis named '" + name + "' (" +
                     (known.empty() ? std::string("it named none; give a kde or local analysis a "
                                                  "\"name\" in the configuration")
                                    : "names: " + known) +
                     ")");
  }
  const json& w = windows[name];
  in.window_name = name;
  try {
    set_window_from(in.window, text_of(w, "from"));
    set_window_to(in.window, text_of(w, "to"));
    set_window_hours(in.window, text_of(w, "hours"));
    set_window_days(in.window, text_of(w, "days"));
  } catch (const ParameterError& e) {
    throw InputError("run_metadata 'windows' of '" + path + "': " + name + "." + e.parameter() +
                     ": " + e.problem());
  }
  if (w.contains("categories") && w["categories"].is_array())
    for (const auto& c : w["categories"])
      if (c.is_string()) in.window_categories.push_back(c.get<std::string>());
  std::vector<std::pair<std::string, std::string>> layers;
  if (w.contains("layers") && w["layers"].is_array())
    for (const auto& l : w["layers"])
      if (!text_of(l, "layer").empty()) layers.push_back({text_of(l, "layer"), text_of(l, "source")});
  return layers;
}

bool polygon_layer(OGRLayer& layer) {
  const auto t = wkbFlatten(layer.GetGeomType());
  return t == wkbPolygon || t == wkbMultiPolygon || t == wkbCurvePolygon || t == wkbMultiSurface;
}

MultiPolygon feature_polygon(OGRFeature& f, const Geos& geos) {
  const OGRGeometry* g = f.GetGeometryRef();
  if (!g || g->IsEmpty()) return {};
  bool repaired = false;
  return valid_multipolygon(*g, geos, &repaired);
}

// Each feature of hotspot_zones (KDE) is one hotspot.
std::vector<TopCandidate> read_kde_zones(OGRLayer& layer, const std::string& path,
                                         const Geos& geos) {
  const int id_i = layer.GetLayerDefn()->GetFieldIndex("hotspot_id");
  const int rank_i = layer.GetLayerDefn()->GetFieldIndex("zone_rank");
  std::vector<TopCandidate> out;
  for_each_feature(layer, std::string("--in layer ") + layer.GetName(), path, [&](OGRFeature& f) {
    MultiPolygon mp = feature_polygon(f, geos);
    if (mp.empty()) return;
    std::string id;
    if (id_i >= 0 && f.IsFieldSetAndNotNull(id_i)) id = f.GetFieldAsString(id_i);
    if (id.empty())
      id = "Z" + std::to_string(rank_i >= 0 && f.IsFieldSetAndNotNull(rank_i)
                                    ? f.GetFieldAsInteger64(rank_i)
                                    : f.GetFID());
    out.push_back({id, "zones", layer.GetName(), std::move(mp)});
  });
  return out;
}

// Cells with Gi_Bin >= 2 (hot at 95 % or more), grouped.
std::vector<TopCandidate> read_gi_groups(OGRLayer& layer, const std::string& path, const Crs& crs,
                                         const Geos& geos) {
  const int bin_i = layer.GetLayerDefn()->GetFieldIndex("Gi_Bin");
  std::vector<MultiPolygon> cells;
  for_each_feature(layer, std::string("--in layer ") + layer.GetName(), path, [&](OGRFeature& f) {
    if (!f.IsFieldSetAndNotNull(bin_i) || f.GetFieldAsInteger(bin_i) < 2) return;
    MultiPolygon mp = feature_polygon(f, geos);
    if (!mp.empty()) cells.push_back(std::move(mp));
  });
  return group_hot_cells(std::move(cells), crs, layer.GetName(), geos);
}

std::string layer_names(GDALDataset& ds) {
  std::string names;
  for (int i = 0; i < ds.GetLayerCount(); ++i)
    names += (i ? ", " : "") + std::string(ds.GetLayer(i)->GetName());
  return names;
}

void require_same_crs(const Crs& a, const Crs& b, const std::string& layer,
                      const std::string& path) {
  if (!a.same_as(b))
    throw InputError("top: layer '" + layer + "' in '" + path + "' is in " + b.label() +
                     ", the incidents in " + a.label() +
                     "; a file written by hotspot has every layer in its working CRS");
}

const char* source_text(TopSource s) {
  return s == TopSource::kZones ? "zones" : s == TopSource::kGi ? "gi" : "both";
}

}  // namespace

std::optional<int> offset_from_parameters(const std::string& text) {
  // Deeper than any run_metadata hotspot writes: refuse before the recursive parser can exhaust
  // the stack.
  if (json_nesting_depth(text) > kMaxJsonDepth)
    throw InputError("run_metadata 'parameters' is nested deeper than " +
                     std::to_string(kMaxJsonDepth) +
                     " levels; this file was not written by hotspot");
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return find_offset(j);
}

std::vector<TopCandidate> group_hot_cells(std::vector<MultiPolygon> cells, const Crs& crs,
                                          const std::string& layer, const Geos& geos) {
  if (cells.empty()) return {};
  Box extent;
  for (const auto& mp : cells) extent.expand(bounds(mp));
  const SpatialWeights w =
      contiguity_weights(cells, Contiguity::kQueen, default_snap(extent, crs.planar()));

  std::vector<std::int32_t> group(cells.size(), -1);
  std::vector<std::vector<std::int32_t>> groups;
  for (std::size_t s = 0; s < cells.size(); ++s) {
    if (group[s] >= 0) continue;
    const auto g = static_cast<std::int32_t>(groups.size());
    group[s] = g;
    auto& members = groups.emplace_back(1, static_cast<std::int32_t>(s));
    for (std::size_t k = 0; k < members.size(); ++k) {
      const auto c = static_cast<std::size_t>(members[k]);
      for (auto e = w.offset[c]; e < w.offset[c + 1]; ++e) {
        const auto nb = static_cast<std::size_t>(w.index[static_cast<std::size_t>(e)]);
        if (group[nb] >= 0) continue;
        group[nb] = g;
        members.push_back(static_cast<std::int32_t>(nb));
      }
    }
  }
  // Groups were found in the order of their first cell; stable_sort keeps it among equal sizes.
  std::stable_sort(groups.begin(), groups.end(),
                   [](const auto& a, const auto& b) { return a.size() > b.size(); });
  std::vector<TopCandidate> out;
  for (const auto& members : groups) {
    std::vector<MultiPolygon> parts;
    for (auto c : members) parts.push_back(cells[static_cast<std::size_t>(c)]);
    Geom u = geos.union_all(parts);
    out.push_back({"", "gi", layer, geos.to_multipolygon(u.get())});
  }
  return out;
}

namespace {

// Incidents written date-only (time_precision 'day'): their time is local midnight, not an hour
// of day, so the peak hours and hour windows leave them out. Matched by fid (the reader's line).
void mark_date_only(GDALDataset& ds, Incidents& inc) {
  OGRLayer* l = ds.GetLayerByName("incidents");
  if (!l || l->GetLayerDefn()->GetFieldIndex("time_precision") < 0) return;
  std::unordered_set<std::int64_t> day;
  if (l->SetAttributeFilter("time_precision = 'day'") != OGRERR_NONE) return;
  l->ResetReading();
  for (FeaturePtr f(l->GetNextFeature()); f; f.reset(l->GetNextFeature())) day.insert(f->GetFID());
  l->SetAttributeFilter(nullptr);
  if (day.empty()) return;
  inc.time_precision.assign(inc.size(), TimePrecision::kSecond);
  for (std::size_t i = 0; i < inc.size(); ++i)
    if (day.count(inc.line[i])) inc.time_precision[i] = TimePrecision::kDay;
}

}  // namespace

TopInputs read_top(const std::string& path, TopSource source, int default_utc_offset_minutes,
                   const std::string& window_name) {
  TopInputs in;
  in.in = path;
  DatasetPtr ds = open_vector(path, "--in");
  // The layers of named analyses (one per shift): ranked with --window NAME only.
  const json windows = recorded(*ds, "windows");
  std::vector<std::pair<std::string, std::string>> named_layers;  // layer, source
  if (!window_name.empty()) named_layers = named_window(windows, window_name, path, in);
  std::set<std::string> of_named;
  if (windows.is_object())
    for (const auto& [n, w] : windows.items())
      if (w.is_object() && w.contains("layers") && w["layers"].is_array())
        for (const auto& l : w["layers"]) of_named.insert(text_of(l, "layer"));

  // The local time of the run that wrote the file, else the option.
  if (auto off = recorded_offset(*ds, path)) {
    in.utc_offset_minutes = *off;
    in.utc_offset_from = "run_metadata";
  } else {
    in.utc_offset_minutes = default_utc_offset_minutes;
    in.utc_offset_from = "--utc-offset";
  }

  // Hotspot layers first: without them there is nothing to rank.
  std::vector<std::pair<OGRLayer*, std::string>> hotspot_layers;  // layer, source
  if (!window_name.empty()) {
    for (const auto& [name, layer_source] : named_layers) {
      if (layer_source == "zones" ? source == TopSource::kGi : source == TopSource::kZones) continue;
      OGRLayer* l = ds->GetLayerByName(name.c_str());
      if (!l || !polygon_layer(*l) ||
          (layer_source == "gi" && l->GetLayerDefn()->GetFieldIndex("Gi_Bin") < 0))
        throw InputError("top --window " + window_name + ": run_metadata names the layer '" +
                         name + "', which '" + path + "' does not hold as hotspot polygons");
      hotspot_layers.push_back({l, layer_source == "zones" ? "zones" : "gi"});
    }
  } else {
    if (source != TopSource::kGi)
      if (OGRLayer* z = ds->GetLayerByName("hotspot_zones"); z && polygon_layer(*z))
        hotspot_layers.push_back({z, "zones"});
    if (source != TopSource::kZones) {
      std::vector<OGRLayer*> local;
      for (int i = 0; i < ds->GetLayerCount(); ++i) {
        OGRLayer* l = ds->GetLayer(i);
        if (std::string(l->GetName()).rfind("local", 0) != 0 ||
            l->GetLayerDefn()->GetFieldIndex("Gi_Bin") < 0 || of_named.count(l->GetName()))
          continue;
        if (polygon_layer(*l))
          local.push_back(l);
        else
          in.warnings.push_back("layer '" + std::string(l->GetName()) +
                                "' has Gi_Bin but no polygons (point units); left out");
      }
      std::sort(local.begin(), local.end(),
                [](OGRLayer* a, OGRLayer* b) { return std::string(a->GetName()) < b->GetName(); });
      for (OGRLayer* l : local) hotspot_layers.push_back({l, "gi"});
    }
  }
  if (hotspot_layers.empty() && !window_name.empty())
    throw InputError("top --window " + window_name + ": the analyses named '" + window_name +
                     "' wrote no hotspot layer (--source " + source_text(source) +
                     "; a kde needs top_percent, threshold or percentile, a local analysis stat "
                     "gi or both)");
  if (hotspot_layers.empty() && !of_named.empty()) {
    std::string names;
    for (const auto& [n, w] : windows.items()) names += (names.empty() ? "" : ", ") + n;
    throw InputError("top: '" + path + "' holds the hotspot layers of named analyses only; " +
                     "choose one with --window (" + names + ")");
  }
  if (hotspot_layers.empty()) {
    const std::string expected =
        source == TopSource::kZones
            ? "a layer hotspot_zones (hotspot kde --top-percent/--threshold/--percentile)"
        : source == TopSource::kGi
            ? "a polygon layer named local* with a Gi_Bin field (hotspot local --stat gi|both)"
            : "hotspot_zones (hotspot kde --top-percent/--threshold/--percentile) or a polygon "
              "layer named local* with a Gi_Bin field (hotspot local --stat gi|both)";
    throw InputError("top: no hotspot layer in '" + path + "' (--source " + source_text(source) +
                     "): expected " + expected + "; layers present: " + layer_names(*ds));
  }

  // Incidents, in the file's working CRS.
  if (!ds->GetLayerByName("incidents"))
    throw InputError(
        "top: no layer 'incidents' in '" + path +
        "' (written by hotspot aggregate or run); layers present: " + layer_names(*ds));
  IncidentOptions io;
  io.path = path;
  io.layer = "incidents";
  io.utc_offset_minutes = in.utc_offset_minutes;
  IncidentRead read = read_incidents(io);
  in.incidents = std::move(read.incidents);
  mark_date_only(*ds, in.incidents);
  in.crs = read.report.source_crs;
  if (!read.report.rejected.empty())
    in.warnings.push_back(std::to_string(read.report.rejected.size()) +
                          " features of the incidents layer were left out (" +
                          read.report.rejected.front().message + ", ...)");

  // The as-of date relative windows are resolved from; an older file without one: the local date
  // of its latest incident, which is what a run records.
  in.as_of = recorded_as_of(*ds);
  in.as_of_from = "run_metadata";
  if (in.as_of.empty()) {
    std::int64_t latest = kNoTime;
    for (std::int64_t t : in.incidents.time_utc)
      if (t != kNoTime && (latest == kNoTime || t > latest)) latest = t;
    if (latest != kNoTime) in.as_of = day_text(local_day(latest, in.utc_offset_minutes));
    in.as_of_from = "last incident";
  }

  Geos geos;
  int next_gi = 1;
  for (auto& [layer, layer_source] : hotspot_layers) {
    require_same_crs(in.crs, layer_crs(*ds, *layer, "", "hotspot", "--in"), layer->GetName(), path);
    std::vector<TopCandidate> found = layer_source == "zones"
                                          ? read_kde_zones(*layer, path, geos)
                                          : read_gi_groups(*layer, path, in.crs, geos);
    for (auto& h : found)
      if (h.id.empty()) h.id = "G" + std::to_string(next_gi++);
    in.layers.push_back({layer->GetName(), layer_source, static_cast<std::int64_t>(found.size())});
    for (auto& h : found) in.hotspots.push_back(std::move(h));
  }

  // Communes and industrial zones, for names and the study area.
  auto read_named = [&](const char* name) {
    PolygonLayer p;
    if (!ds->GetLayerByName(name)) return p;
    PolygonOptions po;
    po.path = path;
    po.layer = name;
    p = read_polygons(po, name, "--in");
    require_same_crs(in.crs, p.source_crs, name, path);
    return p;
  };
  in.communes = read_named("communes");
  in.zones = read_named("zones");
  return in;
}

}  // namespace hotspot
