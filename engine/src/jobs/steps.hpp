#pragma once
// The analyses as steps (see step.hpp). Each block declares, for one analysis, the usage checks
// that need no data (a run makes them all before any work starts) and the step itself. A
// standalone command is its checks, load_inputs, the step and finish_job.
#include "jobs/step.hpp"

// ---- kde and clusters (kde_step.cpp, cluster_step.cpp) ------------------------------------------
#include <string>
#include <vector>

#include "hotspot/cluster.hpp"
#include "hotspot/density.hpp"
#include "hotspot/jobs/kde.hpp"

namespace hotspot {

// The kde options are checked as they are set, through kde_params() (hotspot/jobs/kde.hpp).

// What a caller may keep of the kde step besides the layers (the quick-look map draws them).
struct KdeArtifacts {
  DensityRaster raster;
  std::vector<MultiPolygon> zones;  // hotspot zone outlines, in hotspot_zones order
  std::vector<std::string> zone_ids;  // their hotspot_id values ("Z3")
  std::int64_t used = 0;              // incidents the surface was estimated from (the window's)
  std::string unit;                 // "incidents per km²"
  double bandwidth_m = 0;
  double threshold = -1;  // the zones' density threshold (a class break of the density); -1: none
};

// filter -> bandwidth -> grid/mask -> density -> hotspot zones. Adds the layer `density` (a
// gridded coverage) and, with a zone rule, `hotspot_zones` (with the identity fields); returns the
// zones' profile source and both project entries. Threads come from the context.
StepResult kde_step(const StepContext& ctx, const KdeStepOptions& o, KdeArtifacts* artifacts = nullptr);

// cluster -> footprints. Adds the incidents with their cluster as `points_layer` (only the
// clustered ones when members_only; noise is left out) and the footprints as `clusters` (with the
// identity fields); returns the clusters' profile source and both project entries (points on top).
// Its options are checked by the table (check_cluster_options); o.threads is replaced by ctx.threads.
StepResult cluster_step(const StepContext& ctx, const ClusterOptions& o,
                        const std::string& points_layer = "incidents", bool members_only = false);

}  // namespace hotspot
// ---- end kde and clusters ---------------------------------------------------------------------

// ---- statistics: local, emerging, near-repeat (local.cpp, emerging_job.cpp, near_repeat_job.cpp)
// Their options are checked by their parameter tables: local_params (jobs/local.hpp),
// emerging_params (jobs/emerging.hpp), near_repeat_params (jobs/near_repeat.hpp).
#include <string>
#include <vector>

#include "hotspot/jobs/emerging.hpp"
#include "hotspot/jobs.hpp"
#include "hotspot/jobs/local.hpp"
#include "hotspot/spacetime.hpp"

namespace hotspot {

// Gi* / Local Moran's I on the loaded communes (o.units_source "communes") or on a grid over the
// study area (o.units_source "grid"), written as `layer` with its styles (Gi_Bin default, COType
// alternative). Units from a file are run_local's own path: they bring their own working CRS.
// `summary`, when given, receives what format_local_summary prints (all but `out`).
StepResult local_step(const StepContext& ctx, const LocalOptions& o, const std::string& layer,
                      LocalSummary* summary = nullptr);

// Emerging hot spots on a grid over the study area: layers `emerging` (styled, in the project)
// and `emerging_cube`. Time steps are cut in local time, o.emerging.utc_offset_minutes;
// o.emerging.threads is replaced by ctx.threads. `details`, when given, receives the step's
// details (the cube, the categories).
StepResult emerging_step(const StepContext& ctx, const EmergingStepOptions& o,
                         std::vector<std::string>* details = nullptr);

// The Knox near-repeat test: table `near_repeat`. o.threads is replaced by ctx.threads.
StepResult near_repeat_step(const StepContext& ctx, const KnoxOptions& o,
                            KnoxResult* result = nullptr);

}  // namespace hotspot
// ---- end statistics ----------------------------------------------------------------------------
