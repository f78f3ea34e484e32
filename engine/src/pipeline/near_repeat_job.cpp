// hotspot near-repeat: load -> project -> Knox test -> write.
#include <cmath>
#include <cstdio>

#include "hotspot/error.hpp"
#include "hotspot/jobs.hpp"
#include "pipeline/load.hpp"
#include "pipeline/outputs.hpp"
#include "util/timer.hpp"

namespace hotspot {

using json = nlohmann::json;

NearRepeatSummary run_near_repeat(const NearRepeatOptions& opt) {
  if (!opt.out.empty()) refuse_overwriting_inputs(opt.out, opt.inputs);
  LoadedInputs in = load_inputs(opt.inputs);
  NearRepeatSummary out;
  out.run = summarise(in);
  RunSummary& s = out.run;
  if (in.report.time_field.empty() && in.report.accepted > 0)
    throw UsageError("near-repeat needs incident times; name the time column with --time-field");
  Timer timer;
  out.knox = knox_test(in.incidents, opt.knox);
  s.timings.push_back({"knox", timer.lap()});
  if (opt.knox.permutations < 99)
    s.warnings.push_back("fewer than 99 permutations: the smallest possible p-value is 1/(N+1) = " +
                         std::to_string(1.0 / (opt.knox.permutations + 1)));
  if (opt.out.empty()) return out;

  const json inputs = input_hashes(opt.inputs);
  GpkgWriter w(opt.out);
  LayerWriter& L = w.begin_layer(
      "near_repeat", GeometryType::kNone, in.work_crs,
      {{"space_from", FieldType::Real}, {"space_to", FieldType::Real}, {"days_from", FieldType::Real},
       {"days_to", FieldType::Real}, {"observed", FieldType::Integer}, {"expected", FieldType::Real},
       {"knox_ratio", FieldType::Real}, {"p_value", FieldType::Real}},
      "Knox near-repeat test: pairs of incidents by distance and time apart, against permutations");
  for (const KnoxCell& c : out.knox.cells) {
    L.set(0, opt.knox.space_bands[static_cast<std::size_t>(c.space_band)]);
    L.set(1, opt.knox.space_bands[static_cast<std::size_t>(c.space_band) + 1]);
    L.set(2, opt.knox.time_bands_days[static_cast<std::size_t>(c.time_band)]);
    L.set(3, opt.knox.time_bands_days[static_cast<std::size_t>(c.time_band) + 1]);
    L.set(4, c.observed);
    L.set(5, c.expected);
    L.set(6, c.ratio);
    L.set(7, c.p_value);
    L.insert();
  }
  write_rejected(w, in);
  s.timings.push_back({"write", timer.lap()});
  json params = ingest_parameters(opt.inputs, in);
  params["command"] = "near-repeat";
  params["command_line"] = opt.command_line;
  params["space_bands"] = opt.knox.space_bands;
  params["time_bands_days"] = opt.knox.time_bands_days;
  params["permutations"] = opt.knox.permutations;
  json counts = {{"read", s.ingest.read}, {"accepted", s.ingest.accepted},
                 {"rejected", static_cast<std::int64_t>(s.ingest.rejected.size())},
                 {"without_time", out.knox.without_time}, {"close_pairs", out.knox.close_pairs}};
  write_run_metadata(w, in.work_crs,
                     {{"parameters", params}, {"inputs", inputs}, {"versions", versions()},
                      {"seed", opt.knox.seed}, {"counts", counts}, {"timings_s", timings_json(s.timings)},
                      {"warnings", s.warnings}});
  w.commit();
  s.timings.back().seconds += timer.lap();
  s.out = opt.out;
  s.layers = {{"near_repeat", static_cast<std::int64_t>(out.knox.cells.size())},
              {"rejected_incidents", static_cast<std::int64_t>(s.ingest.rejected.size())}};
  return out;
}

std::string format_knox_table(const KnoxResult& r, const KnoxOptions& opt) {
  const std::size_t nt = opt.time_bands_days.size() - 1;
  std::string out = "Knox ratio (observed / expected pairs), * p <= 0.05, ** p <= 0.01\n";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%-14s", "distance");
  out += buf;
  for (std::size_t t = 0; t < nt; ++t) {
    std::snprintf(buf, sizeof buf, "  %5g-%-5g d", opt.time_bands_days[t], opt.time_bands_days[t + 1]);
    out += buf;
  }
  out += '\n';
  for (std::size_t k = 0; k < r.cells.size(); ++k) {
    const KnoxCell& c = r.cells[k];
    if (c.time_band == 0) {
      std::snprintf(buf, sizeof buf, "%6g-%-7g", opt.space_bands[static_cast<std::size_t>(c.space_band)],
                    opt.space_bands[static_cast<std::size_t>(c.space_band) + 1]);
      out += buf;
    }
    const char* mark = c.p_value <= 0.01 ? "**" : c.p_value <= 0.05 ? "* " : "  ";
    if (std::isnan(c.ratio))
      std::snprintf(buf, sizeof buf, "  %9s%s", "-", mark);
    else
      std::snprintf(buf, sizeof buf, "  %9.2f%s", c.ratio, mark);
    out += buf;
    if (static_cast<std::size_t>(c.time_band) + 1 == nt) out += '\n';
  }
  std::snprintf(buf, sizeof buf, "%lld incidents with a time, %lld close pairs\n",
                static_cast<long long>(r.incidents_used), static_cast<long long>(r.close_pairs));
  return out + buf;
}

}  // namespace hotspot
