// The cluster step and job: cluster -> footprints -> write.
#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <future>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "geom/geos.hpp"
#include "hotspot/aggregate.hpp"
#include "hotspot/distribute.hpp"
#include "hotspot/error.hpp"
#include "hotspot/jobs/cluster.hpp"
#include "io/gpkg_writer.hpp"
#include "io/styles.hpp"
#include "jobs/budget.hpp"
#include "jobs/load.hpp"
#include "jobs/params_util.hpp"
#include "jobs/steps.hpp"
#include "util/parallel.hpp"
#include "util/text.hpp"
#include "util/time.hpp"
#include "util/timer.hpp"

namespace hotspot {

using json = nlohmann::json;

namespace {

// The method names, both ways: the table reads them, the step writes them.
constexpr std::pair<const char*, ClusterMethod> kMethods[] = {
    {"dbscan", ClusterMethod::kDbscan},
    {"hdbscan", ClusterMethod::kHdbscan},
    {"st-dbscan", ClusterMethod::kStDbscan}};

const char* method_name(ClusterMethod m) {
  for (const auto& [name, method] : kMethods)
    if (method == m) return name;
  return "?";
}

ClusterMethod method_value(const json& v) {
  const std::string s = param_text(v);
  for (const auto& [name, method] : kMethods)
    if (s == name) return method;
  throw UsageError("'" + s + "': expected dbscan | hdbscan | st-dbscan");
}

// "3600", "90s", "30min", "2h", "7d" -> seconds.
std::int64_t duration_seconds(const json& value) {
  const std::string text = param_text(value);
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  const std::string unit = text.substr(used);
  double mult = 0;
  if (unit.empty() || unit == "s")
    mult = 1;
  else if (unit == "min" || unit == "m")
    mult = 60;
  else if (unit == "h")
    mult = 3600;
  else if (unit == "d")
    mult = 86400;
  else if (unit == "w")
    mult = 7 * 86400;
  const double s = v * mult;
  if (used == 0 || mult == 0 || !(s >= 0) || s > 1e15 || s != std::floor(s))
    throw UsageError("'" + text +
                     "' is not a duration (a whole number of seconds, or N s|min|h|d|w)");
  return static_cast<std::int64_t>(s);
}

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// The k-distance knee for min_points. DBSCAN's core points are those whose k-distance is at most
// eps, which lets the knee skip most of their searches (k_distance_knee's hint); the flags are
// DBSCAN's own, computed here, not those of a distributed clustering.
KDistanceKnee dbscan_knee(const Incidents& inc, const Clustering& cl, const ClusterOptions& o, int threads,
                          const RunDistribution* hooks) {
  const bool local = !hooks || !hooks->dbscan_tiles;
  if (o.method == ClusterMethod::kDbscan && local && cl.core.size() == inc.size() && o.eps_m > 0)
    return k_distance_knee(inc.x, inc.y, o.min_points, threads, o.eps_m, cl.core);
  return k_distance_knee(inc.x, inc.y, o.min_points, threads);
}

// A cluster over more than a quarter of the study area or of the incidents is rarely a hotspot:
// DBSCAN chains dense places together along corridors when eps is too large.
void oversized_warnings(const LoadedInputs& in, const Clustering& cl, const std::vector<Footprint>& fps,
                        const ClusterOptions& o, const RunDistribution* hooks,
                        std::optional<KDistanceKnee>& knee, bool knee_tried,
                        std::vector<std::string>& warnings) {
  const double n = static_cast<double>(in.incidents.size());
  if (cl.clusters() == 0 || n == 0) return;
  const bool planar = in.work_crs.planar();
  const char* length = length_unit(planar);
  double study_m2 = 0;
  std::string study = "the communes";
  if (!in.communes.geom.empty()) {
    Geos geos;
    for (const auto& g : in.communes.geom) study_m2 += geos.area(geos.from(g).get());
  } else {
    Box b;
    for (std::size_t i = 0; i < in.incidents.size(); ++i) b.expand(XY{in.incidents.x[i], in.incidents.y[i]});
    study_m2 = (b.xmax - b.xmin) * (b.ymax - b.ymin);
    study = "the incidents' bounding box";
  }
  for (std::int32_t c = 0; c < cl.clusters(); ++c) {
    const auto k = static_cast<std::size_t>(c);
    const double area_share = study_m2 > 0 ? fps[k].area / study_m2 : 0;
    const double incident_share = static_cast<double>(cl.size[k]) / n;
    if (area_share <= 0.25 && incident_share <= 0.25) continue;
    std::string advice;
    if (o.method == ClusterMethod::kHdbscan) {
      advice = "try \"selection\": \"leaf\" or a smaller min_cluster_size";
    } else {
      if (!knee && !knee_tried) {
        knee_tried = true;
        try {
          knee = dbscan_knee(in.incidents, cl, o, o.threads, hooks);
        } catch (const ParameterError&) {
          // No knee (fewer than 3 incidents, or all at one place): the advice goes without it.
        }
      }
      advice = "eps " + fmt("%g", o.eps_m) + " " + length +
               " chains dense places together; try a smaller eps" +
               (knee ? " (the knee of the k-distance curve for min_points " +
                           std::to_string(o.min_points) + " is " +
                           fmt(knee->eps >= 10 ? "%.0f" : "%.3g", knee->eps) + " " + length +
                           ", \"eps\": \"auto\")"
                     : std::string()) +
               " or method hdbscan";
    }
    // km² (or (1000 data units)²) for a city; below 1 km² the plain square unit, whole (three
    // significant digits under 100), so small (planar) data does not read "0.0 of 0.0".
    const bool km2 = study_m2 >= 1e6;
    auto area = [&](double a) {
      return km2 ? fmt("%.1f", a / 1e6) : study_m2 >= 100 ? fmt("%.0f", a) : fmt("%.3g", a);
    };
    const std::string area_unit = km2 ? km2_unit(planar) : planar ? "data units²" : "m²";
    warnings.push_back("cluster " + std::to_string(c) + " covers " + fmt("%.0f", 100 * area_share) +
                       " % of " + study + " (" + area(fps[k].area) + " of " + area(study_m2) + " " +
                       area_unit + ") and holds " + fmt("%.0f", 100 * incident_share) +
                       " % of the incidents: " + advice);
  }
}

// Whether some cluster holds more than a quarter of the incidents (oversized_warnings' count rule).
bool oversized_by_count(const Clustering& cl, std::size_t incidents) {
  const double n = static_cast<double>(incidents);
  for (auto size : cl.size)
    if (n > 0 && static_cast<double>(size) / n > 0.25) return true;
  return false;
}

// Per cluster: time range, dominant category, communes and zones its footprint meets.
struct ClusterFacts {
  std::int64_t first = kNoTime, last = kNoTime;
  std::string category;
  double category_share = std::nan("");
  std::string communes, zones;
};

// Names of the polygons (converted to GEOS once) that a footprint meets, in layer order. Meeting
// is the project's one rule (Geos::interiors_meet): a footprint that only touches a commune or a
// zone along its boundary does not meet it, as for hotspot zones.
struct PolygonSet {
  const PolygonLayer& layer;
  std::vector<Geom> geom;
  std::vector<Box> box;
  PolygonSet(const Geos& geos, const PolygonLayer& l) : layer(l) {
    for (const auto& g : l.geom) {
      geom.push_back(geos.from(g));
      box.push_back(bounds(g));
    }
  }
  std::string met(const Geos& geos, const GEOSGeometry* fp, const Box& fb) const {
    std::string out;
    for (std::size_t p = 0; p < geom.size(); ++p) {
      if (!box[p].intersects(fb) || !geos.interiors_meet(fp, geom[p].get())) continue;
      const std::string& name = layer.name[p].empty() ? layer.id[p] : layer.name[p];
      out += (out.empty() ? "" : ", ") + name;
    }
    return out;
  }
};

std::vector<ClusterFacts> cluster_facts(const LoadedInputs& in, const Clustering& cl,
                                        const std::vector<Footprint>& fps) {
  const Incidents& inc = in.incidents;
  const auto k = static_cast<std::size_t>(cl.clusters());
  std::vector<ClusterFacts> facts(k);
  const std::size_t ncat = inc.categories.labels().size();
  std::vector<std::int64_t> counts(k * (ncat + 1), 0);
  for (std::size_t i = 0; i < inc.size(); ++i) {
    if (cl.label[i] < 0) continue;
    const auto c = static_cast<std::size_t>(cl.label[i]);
    const std::int64_t t = inc.time_utc[i];
    if (t != kNoTime) {
      if (facts[c].first == kNoTime || t < facts[c].first) facts[c].first = t;
      if (facts[c].last == kNoTime || t > facts[c].last) facts[c].last = t;
    }
    const std::uint32_t cat = inc.category[i];
    ++counts[c * (ncat + 1) + (cat == Dictionary::kNone ? ncat : cat)];
  }
  for (std::size_t c = 0; c < k; ++c) {
    std::int64_t best = 0;
    std::size_t best_cat = 0;
    for (std::size_t j = 0; j < ncat; ++j)  // ties: the first category in the dictionary
      if (counts[c * (ncat + 1) + j] > best) {
        best = counts[c * (ncat + 1) + j];
        best_cat = j;
      }
    if (best > 0) {
      facts[c].category = inc.categories.labels()[best_cat];
      facts[c].category_share = static_cast<double>(best) / static_cast<double>(cl.size[c]);
    }
  }
  if (in.communes.size() + in.zones.size() > 0) {
    Geos geos;
    const PolygonSet communes(geos, in.communes), zones(geos, in.zones);
    for (std::size_t c = 0; c < k; ++c) {
      Geom fp = geos.from(fps[c].geom);
      const Box fb = bounds(fps[c].geom);
      facts[c].communes = communes.met(geos, fp.get(), fb);
      facts[c].zones = zones.met(geos, fp.get(), fb);
    }
  }
  return facts;
}

}  // namespace

const ParamTable<ClusterOptions>& cluster_params() {
  static const ParamTable<ClusterOptions> table{
      "clusters",
      {{"method", ParamType::kText, "dbscan | hdbscan | st-dbscan", "", true,
        [](ClusterOptions& o, const json& v) { o.method = method_value(v); }},
       {"eps", ParamType::kNumberOrText,
        "dbscan, st-dbscan: neighbourhood radius, metres (data units when planar), or auto (the "
        "knee of the sorted k-distance curve, k = min_points)",
        "", false,
        [](ClusterOptions& o, const json& v) {
          o.eps_auto = v.is_string() && v.get<std::string>() == "auto";
          o.eps_m = o.eps_auto ? 0 : length_value(v, /*positive=*/true);
        }},
       {"eps_time", ParamType::kText, "st-dbscan: time radius, e.g. 3600, 90min, 2h, 7d", "", false,
        [](ClusterOptions& o, const json& v) {
          o.eps_time_s = duration_seconds(v);
          if (o.eps_time_s == 0)
            throw UsageError("must be > 0 (got " + param_text(v) +
                             "): a time radius such as 3600, 90min, 2h or 7d");
        }},
       {"min_points", ParamType::kInteger,
        "dbscan, st-dbscan: neighbours for a core point, itself included", "5", false,
        [](ClusterOptions& o, const json& v) {
          o.min_points = static_cast<int>(int_in_range(v, 1, INT32_MAX));
        }},
       {"min_cluster_size", ParamType::kInteger, "hdbscan: smallest cluster", "5", false,
        [](ClusterOptions& o, const json& v) {
          o.hdbscan.min_cluster_size = static_cast<int>(int_in_range(v, 2, INT32_MAX));
        }},
       {"min_samples", ParamType::kInteger,
        "hdbscan: neighbours for the core distance, itself included (default: min_cluster_size)",
        "", false,
        [](ClusterOptions& o, const json& v) {
          o.hdbscan.min_samples = static_cast<int>(int_in_range(v, 0, INT32_MAX));
        }},
       {"selection", ParamType::kText, "hdbscan: eom (excess of mass) | leaf", "eom", false,
        [](ClusterOptions& o, const json& v) {
          o.hdbscan.selection = one_of(v, {"eom", "leaf"}) == "leaf" ? HdbscanSelection::kLeaf
                                                                     : HdbscanSelection::kEom;
        }},
       {"hull", ParamType::kText, "Cluster footprint: concave | convex", "concave", false,
        [](ClusterOptions& o, const json& v) {
          o.hull = one_of(v, {"convex", "concave"}) == "concave" ? HullKind::kConcave
                                                                 : HullKind::kConvex;
        }},
       {"concave_ratio", ParamType::kNumber,
        "Concave hull edge-length ratio, 0 (tight) .. 1 (convex)", "0.3", false,
        [](ClusterOptions& o, const json& v) {
          const double r = length_value(v, /*positive=*/false);
          if (r > 1) throw UsageError("must be in 0..1 (got " + param_text(v) + ")");
          o.concave_ratio = r;
        }}},
      check_cluster_options};
  return table;
}

// ST-DBSCAN over the incidents with a usable time: those without one, and date-only ones when
// eps_time is under a day (their hour is unknown), are left out as noise and counted.
static Clustering st_dbscan_timed(const Incidents& inc, const ClusterOptions& options,
                           const RunDistribution* hooks, std::int64_t* no_time, std::int64_t* date_only) {
  const bool hourly = options.eps_time_s < 86400;
  std::vector<std::size_t> keep;
  for (std::size_t i = 0; i < inc.size(); ++i) {
    if (inc.time_utc[i] == kNoTime) {
      ++*no_time;
    } else if (hourly && inc.date_only(i)) {
      ++*date_only;
    } else {
      keep.push_back(i);
    }
  }
  if (keep.size() == inc.size()) return cluster(inc.x, inc.y, inc.time_utc, options, hooks);
  std::vector<double> x, y;
  std::vector<std::int64_t> t;
  for (auto i : keep) x.push_back(inc.x[i]), y.push_back(inc.y[i]), t.push_back(inc.time_utc[i]);
  Clustering sub = cluster(x, y, t, options, hooks);
  Clustering cl;
  cl.label.assign(inc.size(), -1);
  cl.core.assign(inc.size(), 0);
  for (std::size_t k = 0; k < keep.size(); ++k) {
    cl.label[keep[k]] = sub.label[k];
    if (!sub.core.empty()) cl.core[keep[k]] = sub.core[k];
  }
  cl.size = std::move(sub.size);
  return cl;
}

StepResult cluster_step(const StepContext& ctx, const ClusterOptions& opt,
                        const std::string& points_layer, bool members_only) {
  const LoadedInputs& in = ctx.in;
  const Incidents& inc = in.incidents;
  StepResult r;
  r.name = "clusters";
  Timer timer;
  if (opt.method == ClusterMethod::kStDbscan && in.report.time_field.empty())
    throw UsageError("st-dbscan needs incident times; name the time column with --time-field");
  if (opt.method != ClusterMethod::kHdbscan && !opt.eps_auto)
    refuse_degree_like(opt.eps_m, "eps", in.work_crs);
  ClusterOptions options = opt;
  options.threads = ctx.threads;
  std::optional<KDistanceKnee> knee;  // eps auto, or the suggestion of an oversized-cluster warning
  bool knee_tried = false;
  if (opt.method != ClusterMethod::kHdbscan && opt.eps_auto && inc.size() > 0) {
    knee = k_distance_knee(inc.x, inc.y, opt.min_points, ctx.threads);
    options.eps_m = knee->eps;
  }
  std::int64_t no_time = 0, date_only = 0;
  // hotspot.dask's hooks (hotspot/distribute.hpp), when set, compute the same clustering elsewhere.
  Clustering cl = opt.method == ClusterMethod::kStDbscan
                      ? st_dbscan_timed(inc, options, ctx.distribution, &no_time, &date_only)
                      : cluster(inc.x, inc.y, inc.time_utc, options, ctx.distribution);
  r.timings.push_back({"cluster", timer.lap()});
  // The footprints (GEOS hulls; the largest cluster's alone takes seconds at 1M incidents) do not
  // feed the points layer, so with more than one thread they are computed on worker threads while
  // this thread writes that layer: the step's two largest costs overlap instead of adding up. The
  // layers are written in the same order, with the same rows, as when computed one after the other.
  const bool overlap = ctx.threads > 1;
  auto hulls = [&] {
    return cluster_footprints(inc.x, inc.y, cl.label, cl.clusters(), opt.hull, opt.concave_ratio,
                              ctx.threads);
  };
  std::future<std::vector<Footprint>> pending;
  if (overlap) pending = std::async(std::launch::async, hulls);
  // A cluster holding over a quarter of the incidents is known now to draw the oversized-cluster
  // warning, whose advice quotes the k-distance knee: compute it alongside too, on one thread
  // (the same knee with any number): this thread's points write is the longer task, and it
  // should not share a core with the knee's searches as well as with the footprints.
  std::future<std::optional<KDistanceKnee>> pending_knee;
  if (overlap && !knee && opt.method != ClusterMethod::kHdbscan && oversized_by_count(cl, inc.size()))
    pending_knee = std::async(std::launch::async, [&]() -> std::optional<KDistanceKnee> {
      try {
        return dbscan_knee(inc, cl, options, 1, ctx.distribution);
      } catch (const ParameterError&) {
        return std::nullopt;  // as in oversized_warnings: the advice goes without it
      }
    });

  const bool hd = opt.method == ClusterMethod::kHdbscan;
  std::vector<FieldDef> fields = {{"incident_id", FieldType::kText},
                                  {"time", FieldType::kDateTime},
                                  {"category", FieldType::kText},
                                  {"CLUSTER_ID", FieldType::kInteger}};
  if (hd) {
    fields.push_back({"probability", FieldType::kReal});
    fields.push_back({"outlier_score", FieldType::kReal});
  } else {
    fields.push_back({"core", FieldType::kInteger});
  }
  LayerWriter& P = ctx.w.begin_layer(
      points_layer, GeometryType::kPoint, in.work_crs, fields,
      std::string(members_only ? "Clustered incidents" : "Incidents") + " with their " +
          method_name(opt.method) + " cluster" + (members_only ? "" : " (-1 = noise)"));
  std::int64_t points = 0;
  Box points_box;
  for (std::size_t i = 0; i < inc.size(); ++i) {
    if (members_only && cl.label[i] < 0) continue;
    P.set_point({inc.x[i], inc.y[i]});
    if (inc.id[i].empty()) {
      P.set_null(0);  // a row without an id
    } else {
      P.set(0, inc.id[i]);
    }
    P.set_time(1, inc.time_utc[i]);
    if (inc.category[i] != Dictionary::kNone)
      P.set(2, std::string_view(inc.categories[inc.category[i]]));
    P.set(3, static_cast<std::int64_t>(cl.label[i]));
    if (hd) {
      P.set(4, cl.probability[i]);
      P.set(5, cl.outlier_score[i]);
    } else {
      P.set(4, static_cast<std::int64_t>(cl.core[i]));
    }
    P.insert();
    ++points;
    points_box.expand(XY{inc.x[i], inc.y[i]});
  }
  if (overlap) {
    // The points layer's spatial index and its pages go to the file while the footprints are
    // computed, instead of after them.
    ctx.w.finish_layer();
    ctx.w.write_ahead();
  }
  r.timings.push_back({overlap ? "write points (footprints alongside)" : "write points", timer.lap()});

  std::vector<Footprint> fps = overlap ? pending.get() : hulls();
  std::vector<ClusterFacts> facts = cluster_facts(in, cl, fps);
  r.timings.push_back({overlap ? "footprints (beyond the points write)" : "footprints", timer.lap()});
  std::int64_t clustered = 0, noise = 0, buffered = 0;
  for (auto l : cl.label) (l >= 0 ? clustered : noise) += 1;
  for (const auto& f : fps) buffered += f.buffered;

  std::vector<MultiPolygon> outlines;
  for (const auto& f : fps) outlines.push_back(f.geom);
  const std::vector<HotspotIdentity> ids = identify(ctx, "clusters", outlines);
  outlines = {};
  std::vector<FieldDef> cluster_fields = {
      {"CLUSTER_ID", FieldType::kInteger},  {"count", FieldType::kInteger},
      {"area_m2", FieldType::kReal},        {"per_km2", FieldType::kReal},
      {"first_time", FieldType::kDateTime}, {"last_time", FieldType::kDateTime},
      {"category", FieldType::kText},       {"category_share", FieldType::kReal},
      {"communes", FieldType::kText},       {"zones", FieldType::kText},
      {"buffered", FieldType::kInteger}};
  const int first_identity = static_cast<int>(cluster_fields.size());
  for (auto& fd : identity_fields()) cluster_fields.push_back(std::move(fd));
  LayerWriter& L =
      ctx.w.begin_layer("clusters", GeometryType::kMultiPolygon, in.work_crs, cluster_fields,
                        std::string("Cluster footprints (") +
                            (opt.hull == HullKind::kConcave ? "concave" : "convex") + " hulls)");
  Box clusters_box;
  for (std::size_t c = 0; c < fps.size(); ++c) {
    L.set_geometry(fps[c].geom);
    L.set(0, static_cast<std::int64_t>(c));
    L.set(1, cl.size[c]);
    L.set(2, fps[c].area);
    L.set(3, static_cast<double>(cl.size[c]) / (fps[c].area / 1e6));
    L.set_time(4, facts[c].first);
    L.set_time(5, facts[c].last);
    if (!facts[c].category.empty()) L.set(6, std::string_view(facts[c].category));
    L.set(7, facts[c].category_share);
    L.set(8, std::string_view(facts[c].communes));
    L.set(9, std::string_view(facts[c].zones));
    L.set(10, static_cast<std::int64_t>(fps[c].buffered));
    set_identity(L, first_identity, ids[c]);
    L.insert();
    clusters_box.expand(bounds(fps[c].geom));
  }
  // Members and footprints are listed under the footprints' hotspot ids (known only now: a run
  // matches them to the previous run's), so member 0 reads as cluster C1, not "0".
  std::vector<std::string> hotspot_ids;
  for (const auto& id : ids) hotspot_ids.push_back(id.hotspot_id);
  const std::string points_qml = cluster_qml(hotspot_ids, true, /*noise=*/!members_only);
  ctx.w.add_style(points_layer, "cluster", points_qml);
  ctx.w.add_style("clusters", "cluster", cluster_qml(hotspot_ids, false, false));
  r.timings.push_back({"write clusters", timer.lap()});

  // Points on top of the footprints they make.
  // In the project the footprints are graduated by size and labelled with their ids: one legend
  // entry per cluster cannot be read.
  std::vector<double> sizes(cl.size.begin(), cl.size.end());
  const std::string hull_words = opt.hull == HullKind::kConcave ? "concave hulls" : "convex hulls";
  r.project.push_back({points_layer, "Cluster members", ctx.vector_source(points_layer), false,
                       points_qml, points_box, "Details", false});
  r.project.push_back(
      {"clusters", "Clusters (" + std::string(method_name(opt.method)) + ", " + hull_words + ")",
       ctx.vector_source("clusters"), false,
       graduated_fill_qml("count", quantile_breaks(sizes, 4), "hotspot_id", "incidents"),
       clusters_box, "Details", false});
  std::vector<std::string> cluster_ids;  // feature_id = CLUSTER_ID
  for (std::int32_t c = 0; c < cl.clusters(); ++c) cluster_ids.push_back(std::to_string(c));
  r.profiles.push_back({"clusters", std::move(cluster_ids), std::move(cl.label)});
  r.layers = {{points_layer, points}, {"clusters", static_cast<std::int64_t>(cl.clusters())}};
  if (no_time > 0)
    r.details.push_back("note: " + std::to_string(no_time) +
                        " incidents without a usable time left out of st-dbscan (as noise)");
  if (date_only > 0)
    r.details.push_back("note: " + std::to_string(date_only) +
                        " date-only incidents left out of hour-of-day work (eps_time under a day)");
  r.details.push_back("clusters   " + std::to_string(cl.clusters()) + "; incidents clustered " +
                      std::to_string(clustered) + ", noise " + std::to_string(noise));
  if (buffered > 0)
    r.details.push_back("note: " + std::to_string(buffered) +
                        " footprints buffered (members at one place or on one line)");

  if (pending_knee.valid()) {
    knee = pending_knee.get();
    knee_tried = true;
  }
  oversized_warnings(in, cl, fps, options, ctx.distribution, knee, knee_tried, r.warnings);

  r.parameters = {{"method", method_name(opt.method)},
                  {"hull", opt.hull == HullKind::kConcave ? "concave" : "convex"}};
  if (opt.hull == HullKind::kConcave) r.parameters["concave_ratio"] = opt.concave_ratio;
  if (hd) {
    r.parameters["min_cluster_size"] = opt.hdbscan.min_cluster_size;
    r.parameters["min_samples"] =
        opt.hdbscan.min_samples > 0 ? opt.hdbscan.min_samples : opt.hdbscan.min_cluster_size;
    r.parameters["selection"] = opt.hdbscan.selection == HdbscanSelection::kLeaf ? "leaf" : "eom";
  } else {
    r.parameters["eps_m"] = options.eps_m;
    if (opt.eps_auto)
      r.parameters["eps_auto"] = {{"method", "knee of the sorted k-distance curve"},
                                  {"k", knee ? knee->k : opt.min_points}};
    r.parameters["min_points"] = opt.min_points;
    if (opt.method == ClusterMethod::kStDbscan) r.parameters["eps_time_s"] = opt.eps_time_s;
  }
  r.counts = {{"clusters", cl.clusters()},
              {"clustered", clustered},
              {"noise", noise},
              {"buffered_footprints", buffered}};
  return r;
}

RunSummary run_cluster(const ClusterJobOptions& opt) {
  check_cluster_options(opt.cluster);
  StepResult r;
  RunSummary s =
      run_single_step({"cluster",
                       opt.command_line,
                       opt.inputs,
                       opt.out,
                       {},
                       "hotspot cluster",
                       [&](const StepContext& ctx) { return cluster_step(ctx, opt.cluster); }},
                      &r);
  s.details = r.details;
  return s;
}

}  // namespace hotspot
