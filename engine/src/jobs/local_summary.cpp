// hotspot local's words: the detail lines a run prints and the command's summary.
#include <cstdio>

#include "jobs/local_units.hpp"
#include "util/text.hpp"

namespace hotspot {

// What the statistics found, one line each: the part of format_local_summary between the
// incidents and the working CRS.
std::vector<std::string> detail_lines(const LocalSummary& s) {
  std::vector<std::string> out;
  char buf[512];
  auto line = [&](const char* f, auto... args) {
    std::snprintf(buf, sizeof buf, f, args...);
    out.emplace_back(buf);
  };
  line("units      %lld %s, value %s%s", static_cast<long long>(s.units), s.units_kind.c_str(),
       s.value_field.c_str(),
       s.units_dropped.empty() ? ""
                               : (", dropped " + std::to_string(s.units_dropped.size())).c_str());
  for (const auto& d : s.units_dropped) line("  dropped %s", d.c_str());
  const char* unit = length_unit(s.planar);
  if (s.cell_size_m > 0) line("cell size  %g %s", s.cell_size_m, unit);
  for (auto [d, z] : s.isa)
    line("  incremental spatial autocorrelation: band %g %s, Moran z %.3f%s", d, unit, z,
         d == s.band ? "  <- used" : "");
  line("weights    %s", s.weights.c_str());
  line("           %lld links, %.2f neighbours on average", static_cast<long long>(s.links),
       s.mean_neighbours);
  if (s.islands.empty()) {
    line("islands    none");
  } else {
    std::string ids;
    for (std::size_t k = 0; k < s.islands.size() && k < 20; ++k)
      ids += (k ? ", " : "") + s.islands[k];
    if (s.islands.size() > 20) ids += ", ...";
    line("islands    %zu (%s): %s", s.islands.size(), s.islands_policy.c_str(), ids.c_str());
  }
  if (s.has_global && s.moran_defined)
    line("Global Moran's I %.6f (E %.6f, Var %.6g, z %.3f, p %.3g; randomisation)", s.moran_I,
         s.moran_E, s.moran_V, s.moran_z, s.moran_p);
  else if (s.has_global)
    line("Global Moran's I undefined (zero or non-finite variance; z and p null)");
  if (s.gi_undefined + s.lisa_undefined > 0)
    line("undefined  Gi* %lld, Local Moran %lld unit(s) (null z and p)",
         static_cast<long long>(s.gi_undefined), static_cast<long long>(s.lisa_undefined));
  if (s.permutations > 0)
    line("inference  %d conditional permutations, seed %llu, folded pseudo p%s", s.permutations,
         static_cast<unsigned long long>(s.seed), s.fdr ? ", Benjamini-Hochberg FDR" : "");
  else
    line("inference  analytic (normal) p-values%s", s.fdr ? ", Benjamini-Hochberg FDR" : "");
  if (!s.gi_bins.empty()) {
    std::string t;
    for (const auto& [k, v] : s.gi_bins) t += (t.empty() ? "" : ", ") + k + " " + std::to_string(v);
    line("Gi_Bin     %s", t.c_str());
  }
  if (!s.cotypes.empty()) {
    std::string t;
    for (const auto& [k, v] : s.cotypes) t += (t.empty() ? "" : ", ") + k + " " + std::to_string(v);
    line("COType     %s", t.c_str());
  }
  return out;
}


// Without the warnings: the CLI prints them on stderr.
std::string format_local_summary(const LocalSummary& s) {
  std::string out;
  char buf[512];
  auto line = [&](const char* f, auto... args) {
    std::snprintf(buf, sizeof buf, f, args...);
    out += buf;
    out += '\n';
  };
  if (s.ingest.read > 0)
    line(
        "incidents  read %lld = accepted %lld + rejected %zu; counted %lld, outside the study area "
        "%lld",
        static_cast<long long>(s.ingest.read), static_cast<long long>(s.ingest.accepted),
        s.ingest.rejected.size(), static_cast<long long>(s.incidents_counted),
        static_cast<long long>(s.incidents_outside));
  for (const auto& d : detail_lines(s)) out += d + '\n';
  line("work CRS   %s (%s)", s.work_crs.c_str(), s.work_crs_reason.c_str());
  double total = 0;
  std::string steps;
  for (const auto& t : s.timings) {
    total += t.seconds;
    std::snprintf(buf, sizeof buf, "%s%s %.2fs", steps.empty() ? "" : ", ", t.step.c_str(),
                  t.seconds);
    steps += buf;
  }
  line("time       %.2fs (%s)", total, steps.c_str());
  if (!s.out.empty())
    line("wrote      %s (local_stats %lld)", s.out.c_str(), static_cast<long long>(s.units));
  return out;
}

}  // namespace hotspot
