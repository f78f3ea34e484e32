#pragma once
// Stable hotspot ids across runs. A run's hotspot zones and cluster footprints are matched to the
// previous output's by overlap, so that a planner can follow "Z3" from night to night.
//
// Matching, per layer (hotspot_zones, clusters): every pair (now, before) whose intersection is at
// least kMinOverlap of the smaller of the two areas is a candidate; candidates are taken greedily,
// largest intersection first, each feature at most once (a split keeps the id on its larger part,
// a merge keeps the id of the larger overlap). A matched feature keeps its id and first_seen and
// is "grown" (area > kGrowth × before), "shrunk" (area < before / kGrowth) or "persisting". An
// unmatched one is "new" with an id never used before; an unmatched previous one is "vanished" and
// is kept in the vanished_hotspots layer for this one run.
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "hotspot/crs.hpp"
#include "jobs/step.hpp"

namespace hotspot {

constexpr double kMinOverlap = 0.10;
constexpr double kGrowth = 1.25;
// The largest id number hotspot issues ("Z999999999999999"). A previous output holding a larger
// one (an edited file, "Z9223372036854775807") keeps it on its hotspot, but new ids are numbered
// without it, so counting on never overflows.
constexpr std::int64_t kMaxHotspotNumber = 999'999'999'999'999;

struct PreviousHotspot {
  std::string layer, hotspot_id, first_seen;
  MultiPolygon geom;
  bool matched = false;
};

class HotspotHistory {
 public:
  // Reads hotspot_zones and clusters (with hotspot_id) from a previous output in the working CRS,
  // and the ids of its vanished_hotspots (never reused). A missing file gives an empty history; a
  // file that is not a hotspot output, or is in another CRS, gives an empty history and a warning.
  static HotspotHistory read(const std::string& path, const Crs& work, std::vector<std::string>& warnings);

  // Identities for this run's features of `layer`, as of the local date `as_of` (YYYY-MM-DD).
  std::vector<HotspotIdentity> match(const std::string& layer, const std::vector<MultiPolygon>& now,
                                     const std::string& as_of);
  // Previous features no call to match() claimed.
  std::vector<const PreviousHotspot*> vanished() const;
  const std::string& previous_as_of() const { return previous_as_of_; }
  // The highest id number issued per prefix ("Z", "C"), this run and every run before it that
  // recorded it in run_metadata (hotspot_ids_issued): ids that vanished are never issued again.
  std::map<std::string, std::int64_t> issued() const;
  bool empty() const { return previous_.empty(); }

 private:
  std::vector<PreviousHotspot> previous_;
  std::set<std::string> used_ids_;
  std::map<std::string, std::int64_t> issued_;
  std::string previous_as_of_;
};

// The layer vanished_hotspots: the previous run's hotspots that this run no longer finds (kept
// for one run), styled and added to r's layers and QGIS project entries.
void write_vanished(GpkgWriter& w, const Crs& crs, const HotspotHistory& history, StepResult& r,
                    const std::string& gpkg_name);

// Days from `from` to `to` (YYYY-MM-DD), +1: a hotspot first seen today has been active 1 day.
std::int64_t days_active(const std::string& from, const std::string& to);

}  // namespace hotspot
