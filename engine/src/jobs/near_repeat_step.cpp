// hotspot near-repeat: load -> project -> Knox test -> write.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>

#include "hotspot/distribute.hpp"
#include "hotspot/error.hpp"
#include "hotspot/jobs/near_repeat.hpp"
#include "jobs/budget.hpp"
#include "jobs/load.hpp"
#include "jobs/outputs.hpp"
#include "jobs/params_util.hpp"
#include "jobs/steps.hpp"
#include "util/parallel.hpp"
#include "util/text.hpp"
#include "util/timer.hpp"

namespace hotspot {

using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

// The Knox test on the loaded incidents; its timing and warning go to r.
KnoxResult knox_on(const LoadedInputs& in, const KnoxOptions& opt, int threads, StepResult& r,
                   const std::function<void(const std::string&)>& log = {},
                   const KnoxLanesFn& count_lanes = {}) {
  // Required whether or not any row was read: a header without a time column is refused as the
  // same file with rows would be.
  if (in.report.time_field.empty())
    throw UsageError("near-repeat needs incident times; name the time column with --time-field");
  KnoxOptions knox = opt;
  knox.threads = threads;
  if (log) knox.note = log;
  Timer timer;
  KnoxResult result = knox_test(in.incidents, knox, count_lanes);
  r.timings.push_back({"knox", timer.lap()});
  if (in.report.time_missing > 0)
    r.warnings.push_back(std::to_string(in.report.time_missing) +
                         " incidents without a usable time were left out of near-repeat");
  if (opt.permutations < 99)
    r.warnings.push_back("fewer than 99 permutations: the smallest possible p-value is 1/(N+1) = " +
                         std::to_string(1.0 / (opt.permutations + 1)));
  return result;
}

}  // namespace

const ParamTable<KnoxOptions>& near_repeat_params() {
  static const ParamTable<KnoxOptions> table{
      "near_repeat",
      {{"space_bands", ParamType::kNumberList, "Distance band edges, metres (data units if planar)",
        "0,100,200,400", false,
        [](KnoxOptions& o, const json& v) { o.space_bands = v.get<std::vector<double>>(); }},
       {"time_bands", ParamType::kNumberList, "Time band edges, days", "0,7,14,28", false,
        [](KnoxOptions& o, const json& v) { o.time_bands_days = v.get<std::vector<double>>(); }},
       {"permutations", ParamType::kInteger, "Monte Carlo permutations of the times", "99", false,
        [](KnoxOptions& o, const json& v) {
          o.permutations = static_cast<int>(int_in_range(v, 0, kMaxPermutations));
        }},
       {"seed", ParamType::kInteger, "Random seed (recorded in the output)", "20240101", false,
        [](KnoxOptions& o, const json& v) { o.seed = seed_value(v); }},
       {"categories", ParamType::kTextList, "Only these categories (repeat the option for several)",
        "", false,
        [](KnoxOptions& o, const json& v) { o.categories = v.get<std::vector<std::string>>(); },
        "category"},
       {"from", ParamType::kText, "First local date, YYYY-MM-DD (inclusive)", "", false,
        [](KnoxOptions& o, const json& v) { set_window_from(o.window, param_text(v)); }},
       {"to", ParamType::kText, "Last local date, YYYY-MM-DD (inclusive)", "", false,
        [](KnoxOptions& o, const json& v) { set_window_to(o.window, param_text(v)); }}},
      [](const KnoxOptions& o) {
        check_knox_options(o);
        check_window(o.window);
      }};
  return table;
}

StepResult near_repeat_step(const StepContext& ctx, const KnoxOptions& opt, KnoxResult* result) {
  KnoxOptions told = opt;  // the estimate goes where knox_test's notes go
  if (ctx.log) told.note = ctx.log;
  knox_preflight(ctx.in, told);
  StepResult r;
  r.name = "near_repeat";
  KnoxResult knox = knox_on(ctx.in, opt, ctx.threads, r, ctx.log,
                            ctx.distribution ? ctx.distribution->knox_lanes : nullptr);
  Timer timer;
  LayerWriter& L = ctx.w.begin_layer(
      "near_repeat", GeometryType::kNone, ctx.in.work_crs,
      {{"space_from", FieldType::kReal},
       {"space_to", FieldType::kReal},
       {"days_from", FieldType::kReal},
       {"days_to", FieldType::kReal},
       {"observed", FieldType::kInteger},
       {"expected", FieldType::kReal},
       {"knox_ratio", FieldType::kReal},
       {"p_value", FieldType::kReal}},
      "Knox near-repeat test: pairs of incidents by distance and time apart, against permutations");
  for (const KnoxCell& c : knox.cells) {
    L.set(0, opt.space_bands[static_cast<std::size_t>(c.space_band)]);
    L.set(1, opt.space_bands[static_cast<std::size_t>(c.space_band) + 1]);
    L.set(2, opt.time_bands_days[static_cast<std::size_t>(c.time_band)]);
    L.set(3, opt.time_bands_days[static_cast<std::size_t>(c.time_band) + 1]);
    L.set(4, c.observed);
    L.set(5, c.expected);
    L.set(6, c.ratio);
    L.set(7, c.p_value);
    L.insert();
  }
  r.timings.push_back({"write", timer.lap()});
  r.layers = {{"near_repeat", static_cast<std::int64_t>(knox.cells.size())}};
  r.parameters = {{"space_bands", opt.space_bands},
                  {"time_bands_days", opt.time_bands_days},
                  {"permutations", opt.permutations},
                  {"categories", opt.categories},
                  {"from", opt.window.from},
                  {"to", opt.window.to}};
  r.counts = {{"without_time", knox.without_time},
              {"filtered", knox.filtered},
              {"close_pairs", knox.close_pairs}};
  r.seed = opt.permutations > 0 ? opt.seed : 0;
  const std::string table = format_knox_table(knox, opt, ctx.in.work_crs.planar());
  for (std::size_t from = 0, to; (to = table.find('\n', from)) != std::string::npos; from = to + 1)
    r.details.push_back(table.substr(from, to - from));
  if (result) *result = std::move(knox);
  return r;
}

NearRepeatSummary run_near_repeat(const NearRepeatOptions& opt) {
  check_knox_options(opt.knox);
  NearRepeatSummary out;
  if (opt.out.empty()) {  // print only
    const LoadedInputs in = load_inputs(opt.inputs);
    knox_preflight(in, opt.knox);
    out.run = summarise(in);
    out.planar = in.work_crs.planar();
    StepResult knox_only;
    out.knox = knox_on(in, opt.knox, resolve_threads(opt.inputs.threads), knox_only);
    add_step(out.run, knox_only);
    return out;
  }
  // Its details stay out of the summary: the command prints its own Knox table.
  out.run = run_single_step(
      {"near-repeat", opt.command_line, opt.inputs, opt.out, {}, "", [&](const StepContext& ctx) {
         out.planar = ctx.in.work_crs.planar();
         return near_repeat_step(ctx, opt.knox, &out.knox);
       }});
  return out;
}

std::string format_knox_table(const KnoxResult& r, const KnoxOptions& opt, bool planar) {
  const char* unit = length_unit(planar);
  const std::size_t nt = opt.time_bands_days.size() - 1;
  // Each distance band's label ("  50-100 m"), the column as wide as the widest.
  std::vector<std::string> labels;
  std::size_t width = 14;
  char buf[128];
  for (std::size_t b = 0; b + 1 < opt.space_bands.size(); ++b) {
    std::snprintf(buf, sizeof buf, "%6g-%g %s", opt.space_bands[b], opt.space_bands[b + 1], unit);
    labels.emplace_back(buf);
    width = std::max(width, labels.back().size() + 1);
  }
  std::string out = "Knox ratio (observed / expected pairs), * p <= 0.05, ** p <= 0.01\n";
  out += "distance" + std::string(width - 8, ' ');
  for (std::size_t t = 0; t < nt; ++t) {
    std::snprintf(buf, sizeof buf, "  %5g-%-5g d", opt.time_bands_days[t],
                  opt.time_bands_days[t + 1]);
    out += buf;
  }
  out += '\n';
  for (std::size_t k = 0; k < r.cells.size(); ++k) {
    const KnoxCell& c = r.cells[k];
    if (c.time_band == 0) {
      const std::string& label = labels[static_cast<std::size_t>(c.space_band)];
      out += label + std::string(width - label.size(), ' ');
    }
    const char* mark = c.p_value <= 0.01 ? "**" : c.p_value <= 0.05 ? "* " : "  ";
    if (std::isnan(c.ratio))
      std::snprintf(buf, sizeof buf, "  %9s%s", "-", mark);
    else
      std::snprintf(buf, sizeof buf, "  %9.2f%s", c.ratio, mark);
    out += buf;
    if (static_cast<std::size_t>(c.time_band) + 1 == nt) out += '\n';
  }
  std::snprintf(buf, sizeof buf, "%lld incidents with a time, %lld close pairs (within %g %s)\n",
                static_cast<long long>(r.incidents_used), static_cast<long long>(r.close_pairs),
                opt.space_bands.back(), unit);
  return out + buf;
}

}  // namespace hotspot
