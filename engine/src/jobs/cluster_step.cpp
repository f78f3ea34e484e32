// The cluster step and job: cluster -> footprints -> write.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "cluster/footprint.hpp"
#include "geom/geos.hpp"
#include "hotspot/aggregate.hpp"
#include "hotspot/cluster.hpp"
#include "hotspot/error.hpp"
#include "io/gpkg_writer.hpp"
#include "io/styles.hpp"
#include "jobs/outputs.hpp"
#include "jobs/load.hpp"
#include "jobs/steps.hpp"
#include "util/parallel.hpp"
#include "util/time.hpp"
#include "util/timer.hpp"

namespace hotspot {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

const char* method_name(ClusterMethod m) {
  switch (m) {
    case ClusterMethod::kDbscan: return "dbscan";
    case ClusterMethod::kHdbscan: return "hdbscan";
    case ClusterMethod::kStDbscan: return "st-dbscan";
  }
  return "?";
}

// Per cluster: time range, dominant category, communes and zones its footprint touches.
struct ClusterFacts {
  std::int64_t first = kNoTime, last = kNoTime;
  std::string category;
  double category_share = std::nan("");
  std::string communes, zones;
};

// Names of the polygons (converted to GEOS once) that a footprint intersects, in layer order.
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
  std::string touched(const Geos& geos, const GEOSGeometry* fp, const Box& fb) const {
    std::string out;
    for (std::size_t p = 0; p < geom.size(); ++p) {
      if (!box[p].intersects(fb) || !geos.intersects(fp, geom[p].get())) continue;
      const std::string& name = layer.name[p].empty() ? layer.id[p] : layer.name[p];
      out += (out.empty() ? "" : ", ") + name;
    }
    return out;
  }
};

std::vector<ClusterFacts> cluster_facts(const LoadedInputs& in, const Clustering& cl, const std::vector<Footprint>& fps) {
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
      facts[c].communes = communes.touched(geos, fp.get(), fb);
      facts[c].zones = zones.touched(geos, fp.get(), fb);
    }
  }
  return facts;
}

std::vector<std::string> id_values(std::int32_t clusters) {
  // Colours for the largest clusters; the rest and noise fall into the grey "other" class.
  constexpr std::int32_t kStyled = 48;
  std::vector<std::string> v;
  for (std::int32_t c = 0; c < std::min(clusters, kStyled); ++c) v.push_back(std::to_string(c));
  return v;
}

}  // namespace

std::int64_t parse_duration_seconds(const std::string& text, const std::string& option) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  const std::string unit = text.substr(used);
  double mult = 0;
  if (unit.empty() || unit == "s") mult = 1;
  else if (unit == "min" || unit == "m") mult = 60;
  else if (unit == "h") mult = 3600;
  else if (unit == "d") mult = 86400;
  else if (unit == "w") mult = 7 * 86400;
  const double s = v * mult;
  if (used == 0 || mult == 0 || !(s >= 0) || s > 1e15 || s != std::floor(s))
    throw UsageError(option + ": '" + text + "' is not a duration (a whole number of seconds, or N s|min|h|d|w)");
  return static_cast<std::int64_t>(s);
}

void check_cluster_options(const ClusterJobOptions& opt) {
  if (opt.method != ClusterMethod::kHdbscan) {
    if (!(opt.eps_m > 0) || !std::isfinite(opt.eps_m))
      throw UsageError(std::string("cluster: --eps must be positive for ") + method_name(opt.method));
    if (opt.min_points < 1)
      throw UsageError("cluster: --min-points must be at least 1, got " + std::to_string(opt.min_points));
  }
  if (opt.method == ClusterMethod::kStDbscan && (opt.eps_time_s <= 0 || opt.eps_time_s > (std::int64_t{1} << 50)))
    throw UsageError("cluster: st-dbscan needs a positive --eps-time of at most 2^50 seconds, got " +
                     std::to_string(opt.eps_time_s));
  if (opt.method == ClusterMethod::kHdbscan) {
    if (opt.hdbscan.min_cluster_size < 2)
      throw UsageError("cluster: --min-cluster-size must be at least 2, got " +
                       std::to_string(opt.hdbscan.min_cluster_size));
    if (opt.hdbscan.min_samples < 0)
      throw UsageError("cluster: --min-samples must be positive, got " + std::to_string(opt.hdbscan.min_samples));
  }
  if (!(opt.concave_ratio >= 0 && opt.concave_ratio <= 1))
    throw UsageError("cluster: --concave-ratio must be in [0, 1], got " + std::to_string(opt.concave_ratio));
}

StepResult cluster_step(const StepContext& ctx, const ClusterJobOptions& opt, const std::string& points_layer,
                        bool members_only) {
  const LoadedInputs& in = ctx.in;
  const Incidents& inc = in.incidents;
  StepResult r;
  r.name = "clusters";
  Timer timer;
  Clustering cl;
  switch (opt.method) {
    case ClusterMethod::kDbscan: cl = dbscan(inc.x, inc.y, {opt.eps_m, opt.min_points, ctx.threads}); break;
    case ClusterMethod::kStDbscan:
      cl = st_dbscan(inc.x, inc.y, inc.time_utc, {opt.eps_m, opt.eps_time_s, opt.min_points, ctx.threads});
      break;
    case ClusterMethod::kHdbscan: {
      HdbscanOptions h = opt.hdbscan;
      h.threads = ctx.threads;
      cl = hdbscan(inc.x, inc.y, h);
      break;
    }
  }
  r.timings.push_back({"cluster", timer.lap()});
  std::vector<Footprint> fps =
      cluster_footprints(inc.x, inc.y, cl.label, cl.clusters(), opt.hull, opt.concave_ratio, ctx.threads);
  std::vector<ClusterFacts> facts = cluster_facts(in, cl, fps);
  r.timings.push_back({"footprints", timer.lap()});
  std::int64_t clustered = 0, noise = 0, buffered = 0;
  for (auto l : cl.label) (l >= 0 ? clustered : noise) += 1;
  for (const auto& f : fps) buffered += f.buffered;

  const bool hd = opt.method == ClusterMethod::kHdbscan;
  std::vector<FieldDef> fields = {{"incident_id", FieldType::Text}, {"time", FieldType::DateTime},
                                  {"category", FieldType::Text}, {"CLUSTER_ID", FieldType::Integer}};
  if (hd) {
    fields.push_back({"probability", FieldType::Real});
    fields.push_back({"outlier_score", FieldType::Real});
  } else {
    fields.push_back({"core", FieldType::Integer});
  }
  LayerWriter& P = ctx.w.begin_layer(points_layer, GeometryType::kPoint, in.work_crs, fields,
                                     std::string(members_only ? "Clustered incidents" : "Incidents") + " with their " +
                                         method_name(opt.method) + " cluster" + (members_only ? "" : " (-1 = noise)"));
  std::int64_t points = 0;
  Box points_box;
  for (std::size_t i = 0; i < inc.size(); ++i) {
    if (members_only && cl.label[i] < 0) continue;
    P.set_point({inc.x[i], inc.y[i]});
    P.set(0, inc.id[i]);
    P.set_time(1, inc.time_utc[i]);
    if (inc.category[i] != Dictionary::kNone) P.set(2, std::string_view(inc.categories[inc.category[i]]));
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
  const std::string points_qml = categorized_qml("CLUSTER_ID", id_values(cl.clusters()), true, "");
  ctx.w.add_style(points_layer, "cluster", points_qml);

  std::vector<MultiPolygon> outlines;
  for (const auto& f : fps) outlines.push_back(f.geom);
  const std::vector<HotspotIdentity> ids = identify(ctx, "clusters", outlines);
  outlines = {};
  std::vector<FieldDef> cluster_fields = {
      {"CLUSTER_ID", FieldType::Integer}, {"count", FieldType::Integer},         {"area_m2", FieldType::Real},
      {"per_km2", FieldType::Real},       {"first_time", FieldType::DateTime},   {"last_time", FieldType::DateTime},
      {"category", FieldType::Text},      {"category_share", FieldType::Real},   {"communes", FieldType::Text},
      {"zones", FieldType::Text},         {"buffered", FieldType::Integer}};
  const int first_identity = static_cast<int>(cluster_fields.size());
  for (auto& fd : identity_fields()) cluster_fields.push_back(std::move(fd));
  LayerWriter& L =
      ctx.w.begin_layer("clusters", GeometryType::kMultiPolygon, in.work_crs, cluster_fields,
                        std::string("Cluster footprints (") + (opt.hull == HullKind::kConcave ? "concave" : "convex") +
                            " hulls)");
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
  const std::string clusters_qml = categorized_qml("CLUSTER_ID", id_values(cl.clusters()), false, "CLUSTER_ID");
  ctx.w.add_style("clusters", "cluster", clusters_qml);
  r.timings.push_back({"write", timer.lap()});

  // Points on top of the footprints they make.
  r.project.push_back({points_layer, points_layer, ctx.vector_source(points_layer), false, points_qml, points_box});
  r.project.push_back({"clusters", "clusters", ctx.vector_source("clusters"), false, clusters_qml, clusters_box});
  std::vector<std::string> cluster_ids;  // feature_id = CLUSTER_ID
  for (std::int32_t c = 0; c < cl.clusters(); ++c) cluster_ids.push_back(std::to_string(c));
  r.profiles.push_back({"clusters", std::move(cluster_ids), std::move(cl.label)});
  r.layers = {{points_layer, points}, {"clusters", static_cast<std::int64_t>(cl.clusters())}};
  r.details.push_back("clusters   " + std::to_string(cl.clusters()) + "; incidents clustered " +
                      std::to_string(clustered) + ", noise " + std::to_string(noise));
  if (buffered > 0)
    r.details.push_back("note: " + std::to_string(buffered) +
                        " footprints buffered (members at one place or on one line)");

  r.parameters = {{"method", method_name(opt.method)}, {"hull", opt.hull == HullKind::kConcave ? "concave" : "convex"}};
  if (opt.hull == HullKind::kConcave) r.parameters["concave_ratio"] = opt.concave_ratio;
  if (hd) {
    r.parameters["min_cluster_size"] = opt.hdbscan.min_cluster_size;
    r.parameters["min_samples"] = opt.hdbscan.min_samples > 0 ? opt.hdbscan.min_samples : opt.hdbscan.min_cluster_size;
    r.parameters["selection"] = opt.hdbscan.selection == HdbscanSelection::kLeaf ? "leaf" : "eom";
  } else {
    r.parameters["eps_m"] = opt.eps_m;
    r.parameters["min_points"] = opt.min_points;
    if (opt.method == ClusterMethod::kStDbscan) r.parameters["eps_time_s"] = opt.eps_time_s;
  }
  r.counts = {{"clusters", cl.clusters()}, {"clustered", clustered}, {"noise", noise}, {"buffered_footprints", buffered}};
  return r;
}

ClusterSummary run_cluster(const ClusterJobOptions& opt) {
  if (opt.out.empty()) throw UsageError("cluster: --out is required");
  check_cluster_options(opt);
  refuse_overwriting_inputs(opt.out, input_paths(opt.inputs));
  LoadedInputs in = load_inputs(opt.inputs);
  ClusterSummary cs;
  cs.run = summarise(in);
  RunSummary& s = cs.run;
  GpkgWriter w(opt.out);
  const StepContext ctx{in, w, fs::path(opt.out).filename().string(), resolve_threads(opt.inputs.threads), {}};
  StepResult r = cluster_step(ctx, opt);
  add_step(s, r);
  s.details = r.details;
  s.layers.push_back({"rejected_incidents", static_cast<std::int64_t>(s.ingest.rejected.size())});
  s.out = opt.out;
  cs.clusters = r.counts["clusters"].get<std::int32_t>();
  cs.clustered = r.counts["clustered"].get<std::int64_t>();
  cs.noise = r.counts["noise"].get<std::int64_t>();
  cs.buffered_footprints = r.counts["buffered_footprints"].get<std::int64_t>();

  const auto& io = opt.inputs;
  json params = {{"command", "cluster"}, {"command_line", opt.command_line},
                 {"work_crs", s.work_crs}, {"work_crs_reason", s.work_crs_reason},
                 {"threads", io.threads},
                 {"utc_offset_minutes", io.incidents.utc_offset_minutes},
                 {"incidents_crs", in.report.source_crs.label()}};
  params.update(r.parameters);
  json counts = load_counts(s);
  counts.update(r.counts);
  finish_job(w, in, s, {r}, {params, input_hashes(io), counts, nullptr, "hotspot cluster", {}},
             io.incidents.utc_offset_minutes);
  return cs;
}

// The cluster step's lines are among the run's details.
std::string format_cluster_summary(const ClusterSummary& s) { return format_summary(s.run); }

}  // namespace hotspot
