#include "run/identity.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <filesystem>
#include <optional>

#include "geom/geos.hpp"
#include "hotspot/error.hpp"
#include "io/gdal_util.hpp"
#include "io/polygons.hpp"
#include "io/styles.hpp"
#include "jobs/outputs.hpp"
#include "util/time.hpp"

namespace hotspot {

namespace {

// Days since 1970-01-01 of a YYYY-MM-DD date; nullopt for anything else (a previous output is
// user data: its first_seen may have been edited).
std::optional<std::int64_t> day_number(const std::string& date) {
  try {
    return local_midnight(date, 0, "date") / 86400;
  } catch (const UsageError&) {
    return std::nullopt;
  }
}

// The number of an id written by hotspot: "Z12" -> 12 for prefix "Z". nullopt for anything else,
// and for numbers above kMaxHotspotNumber (an edited file; counting on from there would overflow).
std::optional<std::int64_t> id_number(const std::string& id, const std::string& prefix) {
  if (id.size() <= prefix.size() || id.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  std::int64_t n = 0;
  for (std::size_t k = prefix.size(); k < id.size(); ++k) {
    const char c = id[k];
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
    if (n > kMaxHotspotNumber) return std::nullopt;
  }
  return n;
}

// "Z" or "C" and more digits than kMaxHotspotNumber has.
bool oversized(const std::string& id) {
  return id.size() > 16 && (id[0] == 'Z' || id[0] == 'C') &&
         id.find_first_not_of("0123456789", 1) == std::string::npos;
}

}  // namespace

std::map<std::string, std::int64_t> HotspotHistory::issued() const {
  std::map<std::string, std::int64_t> out = issued_;
  for (const char* prefix : {"Z", "C"})
    for (const auto& used : used_ids_)
      if (auto n = id_number(used, prefix)) out[prefix] = std::max(out[prefix], *n);
  return out;
}

std::int64_t days_active(const std::string& from, const std::string& to) {
  const auto a = day_number(from), b = day_number(to);
  if (!a || !b) return 1;
  return std::max<std::int64_t>(1, *b - *a + 1);
}

HotspotHistory HotspotHistory::read(const std::string& path, const Crs& work,
                                    std::vector<std::string>& warnings) {
  HotspotHistory h;
  std::error_code ec;
  if (path.empty() || !std::filesystem::exists(path, ec)) return h;
  DatasetPtr ds;
  try {
    ds = open_vector(path, "previous output");
  } catch (const IoError&) {
    warnings.push_back("previous output '" + path + "' cannot be read; every hotspot is new");
    return h;
  }
  const nlohmann::json meta = read_run_metadata(path);
  if (meta.is_object() && meta.contains("as_of") && meta["as_of"].is_string())
    h.previous_as_of_ = meta["as_of"].get<std::string>();
  // The highest number each prefix has issued, so an id that vanished runs ago is not reused.
  if (meta.is_object() && meta.contains("hotspot_ids_issued") &&
      meta["hotspot_ids_issued"].is_object())
    for (const auto& [prefix, n] : meta["hotspot_ids_issued"].items())
      if (n.is_number_integer() && n.get<std::int64_t>() > 0 &&
          n.get<std::int64_t>() <= kMaxHotspotNumber)
        h.issued_[prefix] = n.get<std::int64_t>();
  Geos geos;
  // A damaged previous output is not read in part: its ids still count as used (never issued
  // again), but no hotspot is carried over from it, as for one that cannot be opened.
  try {
    // The zones of every kde analysis (a named one's are hotspot_zones_NAME): each layer's
    // hotspots are matched against the same layer of this run only.
    std::vector<std::string> names = {"hotspot_zones", "clusters", "vanished_hotspots"};
    for (int i = 0; i < ds->GetLayerCount(); ++i)
      if (const std::string n = ds->GetLayer(i)->GetName(); n.rfind("hotspot_zones_", 0) == 0)
        names.push_back(n);
    for (const std::string& lname : names) {
      OGRLayer* layer = ds->GetLayerByName(lname.c_str());
      if (!layer || layer->FindFieldIndex("hotspot_id", TRUE) < 0) continue;
      const bool vanished = lname == "vanished_hotspots";  // only its ids count: kept for one run
      bool skip_geometry = false;
      if (!vanished) {
        bool same = false;
        try {
          same = layer_crs(*ds, *layer, "", "previous output", "--previous").same_as(work);
        } catch (const CrsError&) {
        }
        if (!same) {
          warnings.push_back("previous output '" + path + "' layer " + lname +
                             " is in another CRS; its hotspots are not carried over");
          // Its ids still count as used: a new hotspot never takes an old one's id.
          skip_geometry = true;
        }
      }
      std::int64_t huge = 0;
      std::string huge_example;
      for_each_feature(*layer, "previous output layer " + lname, path, [&](OGRFeature& feature) {
        OGRFeature* f = &feature;
        const std::string id = f->GetFieldAsString("hotspot_id");
        if (id.empty()) return;
        h.used_ids_.insert(id);
        if (oversized(id)) {
          ++huge;
          huge_example = id;
        }
        const OGRGeometry* g = f->GetGeometryRef();
        if (vanished || skip_geometry || !g || g->IsEmpty()) return;
        PreviousHotspot p;
        p.layer = lname;
        p.hotspot_id = id;
        const int fs = f->GetFieldIndex("first_seen");
        if (fs >= 0 && f->IsFieldSetAndNotNull(fs) && day_number(f->GetFieldAsString(fs)))
          p.first_seen = f->GetFieldAsString(fs);
        bool repaired = false;
        p.geom = valid_multipolygon(*g, geos, &repaired);
        h.previous_.push_back(std::move(p));
      });
      if (huge > 0)
        warnings.push_back("previous output '" + path + "' layer " + lname + ": " +
                           std::to_string(huge) + " hotspot ids such as '" + huge_example +
                           "' are not ids hotspot issues (a number above " +
                           std::to_string(kMaxHotspotNumber) +
                           "?); they keep their hotspots but new ids are numbered without them");
    }
  } catch (const Error& e) {
    warnings.push_back("previous output '" + path + "' is damaged (" + e.what() +
                       "); every hotspot is new");
    h.previous_.clear();
  }
  return h;
}

std::vector<HotspotIdentity> HotspotHistory::match(const std::string& layer,
                                                   const std::vector<MultiPolygon>& now,
                                                   const std::string& as_of) {
  Geos geos;
  std::vector<Geom> cur;
  std::vector<double> cur_area;
  for (const auto& g : now) {
    cur.push_back(geos.from(g));
    cur_area.push_back(geos.area(cur.back().get()));
  }
  struct Candidate {
    double overlap;
    std::size_t now, before;
  };
  std::vector<Candidate> candidates;
  std::vector<double> before_area(previous_.size(), 0);
  for (std::size_t j = 0; j < previous_.size(); ++j) {
    const PreviousHotspot& p = previous_[j];
    if (p.layer != layer || p.matched) continue;
    const Box pb = bounds(p.geom);
    Geom pg = geos.from(p.geom);
    before_area[j] = geos.area(pg.get());
    for (std::size_t i = 0; i < now.size(); ++i) {
      const Box nb = bounds(now[i]);
      if (nb.xmin > pb.xmax || nb.xmax < pb.xmin || nb.ymin > pb.ymax || nb.ymax < pb.ymin)
        continue;
      const double inter = geos.area(geos.intersection(cur[i].get(), pg.get()).get());
      if (inter > 0 && inter >= kMinOverlap * std::min(cur_area[i], before_area[j]))
        candidates.push_back({inter, i, j});
    }
  }
  // Largest overlap first; ties by index, so the result does not depend on anything else.
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    if (a.overlap != b.overlap) return a.overlap > b.overlap;
    return a.now != b.now ? a.now < b.now : a.before < b.before;
  });
  std::vector<HotspotIdentity> ids(now.size());
  std::vector<char> done(now.size(), 0);
  for (const Candidate& c : candidates) {
    PreviousHotspot& p = previous_[c.before];
    if (done[c.now] || p.matched) continue;
    done[c.now] = 1;
    p.matched = true;
    HotspotIdentity& id = ids[c.now];
    id.hotspot_id = p.hotspot_id;
    id.first_seen = p.first_seen.empty() ? as_of : p.first_seen;
    id.days_active = days_active(id.first_seen, as_of);
    const double ratio = before_area[c.before] > 0 ? cur_area[c.now] / before_area[c.before] : 1;
    id.status = ratio > kGrowth ? "grown" : ratio < 1 / kGrowth ? "shrunk" : "persisting";
  }
  const std::string prefix = hotspot_id_prefix(layer);
  std::int64_t next = issued_[prefix];
  for (const auto& used : used_ids_)
    if (auto n = id_number(used, prefix)) next = std::max(next, *n);
  for (std::size_t i = 0; i < now.size(); ++i) {
    if (done[i]) continue;
    std::string id;
    do {
      if (next >= kMaxHotspotNumber)
        throw InputError("hotspot ids with prefix " + prefix + " are exhausted (" +
                         std::to_string(kMaxHotspotNumber) +
                         " issued); start a new history without --previous");
      id = prefix + std::to_string(++next);
    } while (used_ids_.count(id));
    ids[i] = {id, "new", as_of, 1};
    used_ids_.insert(id);
  }
  issued_[prefix] = next;
  return ids;
}

std::vector<const PreviousHotspot*> HotspotHistory::vanished() const {
  std::vector<const PreviousHotspot*> out;
  for (const auto& p : previous_)
    if (!p.matched) out.push_back(&p);
  return out;
}

void write_vanished(GpkgWriter& w, const Crs& crs, const HotspotHistory& history, StepResult& r,
                    const std::string& gpkg_name) {
  auto gone = history.vanished();
  LayerWriter& L = w.begin_layer(
      "vanished_hotspots", GeometryType::kMultiPolygon, crs,
      {{"hotspot_id", FieldType::kText},
       {"layer", FieldType::kText},
       {"status", FieldType::kText},
       {"first_seen", FieldType::kText},
       {"last_seen", FieldType::kText}},
      "Hotspots of the previous run that this run no longer finds (kept for one run)");
  Box box;
  for (const PreviousHotspot* p : gone) {
    L.set_geometry(p->geom);
    L.set(0, std::string_view(p->hotspot_id));
    L.set(1, std::string_view(p->layer));
    L.set(2, std::string_view("vanished"));
    if (!p->first_seen.empty()) L.set(3, std::string_view(p->first_seen));
    if (!history.previous_as_of().empty()) L.set(4, std::string_view(history.previous_as_of()));
    L.insert();
    box.expand(bounds(p->geom));
  }
  std::vector<std::string> values = {"hotspot_zones", "clusters"},
                           labels = {"vanished hotspot zone", "vanished cluster"};
  std::vector<RGB> colors = {{150, 150, 150}, {110, 110, 140}};
  for (const PreviousHotspot* p : gone)  // a named kde's zones
    if (std::find(values.begin(), values.end(), p->layer) == values.end()) {
      values.push_back(p->layer);
      labels.push_back("vanished hotspot zone (" + p->layer.substr(std::string("hotspot_zones_").size()) + ")");
      colors.push_back({150, 150, 150});
    }
  const std::string qml = categorized_colors_qml("layer", values, labels, colors, false);
  w.add_style("vanished_hotspots", "vanished", qml);
  r.layers.push_back({"vanished_hotspots", static_cast<std::int64_t>(gone.size())});
  if (!gone.empty())
    r.project.push_back({"vanished_hotspots", "Vanished hotspots",
                         "./" + gpkg_name + "|layername=vanished_hotspots", false, qml, box, "Details",
                         false});
}

}  // namespace hotspot
