#pragma once
// The aggregate job's parts as steps of a full run (jobs/step.hpp).
#include "hotspot/aggregate.hpp"
#include "hotspot/jobs/aggregate.hpp"
#include "jobs/step.hpp"

namespace hotspot {

// communes (counts, rates, per-category columns), commune_category_counts, zones, zone_communes
// and the incidents layer with each incident's commune and zone.
// A given zone_buffer_m wider than the study area, or one that looks like degrees, is refused.
StepResult aggregate_step(const StepContext& ctx, const Assignment& a,
                          const AggregateStepOptions& o);
// The incidents layer alone (as aggregate_step writes it): a run without aggregate still has it,
// so `hotspot top` can read the output.
StepResult incidents_step(const StepContext& ctx, const Assignment& a);
// The boundaries alone, for a run without aggregate: `communes` (commune_id, name) and, when
// zones are given, `zones` (zone_id, name), without counts, under the names aggregate gives them,
// so the briefing, `hotspot top` and the QGIS project (their outlines, on) keep their context.
StepResult context_step(const StepContext& ctx);
// A warning when at least half the incidents lie outside every commune (a CRS or column mix-up,
// or the communes of another area), with both extents in the working CRS.
void warn_outside_communes(const LoadedInputs& in, std::int64_t outside,
                           std::vector<std::string>& warnings);
// Temporal profiles (24 × 7, and peak hours) of every commune and industrial zone.
StepResult profiles_step(const StepContext& ctx, const Assignment& a);

}  // namespace hotspot
