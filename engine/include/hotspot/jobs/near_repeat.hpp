#pragma once
// hotspot near-repeat and the run's near_repeat analysis: the Knox test (hotspot/spacetime.hpp)
// on the loaded incidents, as a command and as a step.
#include <string>

#include "hotspot/jobs.hpp"
#include "hotspot/jobs/params.hpp"
#include "hotspot/spacetime.hpp"

namespace hotspot {

// space_bands, time_bands, permutations, seed.
const ParamTable<KnoxOptions>& near_repeat_params();

struct NearRepeatOptions {
  InputOptions inputs;  // communes and zones optional
  KnoxOptions knox;
  std::string out;  // .gpkg path; DEFAULT (empty): print only
  std::string command_line;
};

struct NearRepeatSummary {
  RunSummary run;
  KnoxResult knox;
  bool planar = false;  // the space bands are in data units, not metres
};

// Knox near-repeat test; writes the near_repeat table (and rejected rows, run metadata) to `out`.
NearRepeatSummary run_near_repeat(const NearRepeatOptions& options);
// The observed/expected table an analyst reads: one row per distance band, one column per time band.
// `planar`: the distances are in data units.
std::string format_knox_table(const KnoxResult& result, const KnoxOptions& options,
                              bool planar = false);

}  // namespace hotspot
