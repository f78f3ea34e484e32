#include "jobs/step.hpp"

#include <filesystem>

#include "hotspot/error.hpp"
#include "jobs/outputs.hpp"
#include "util/parallel.hpp"
#include "util/text.hpp"

namespace hotspot {

std::string grid_words(const std::string& spec, bool planar) {
  const auto colon = spec.find(':');
  if (colon == std::string::npos) return spec;
  const std::string shape = spec.substr(0, colon), size = spec.substr(colon + 1);
  return size + " " + length_unit(planar) + " " +
         (shape == "hex"      ? "hex"
          : shape == "square" ? "squares"
                              : shape);
}

std::string hotspot_id_prefix(const std::string& layer) { return layer == "clusters" ? "C" : "Z"; }

void add_step(RunSummary& s, const StepResult& r) {
  s.timings.insert(s.timings.end(), r.timings.begin(), r.timings.end());
  s.warnings.insert(s.warnings.end(), r.warnings.begin(), r.warnings.end());
  s.layers.insert(s.layers.end(), r.layers.begin(), r.layers.end());
}

void merge_step(StepResult& into, StepResult&& part) {
  auto append = [](auto& a, auto& b) {
    a.insert(a.end(), std::make_move_iterator(b.begin()), std::make_move_iterator(b.end()));
  };
  append(into.layers, part.layers);
  append(into.details, part.details);
  append(into.warnings, part.warnings);
  append(into.timings, part.timings);
  append(into.project, part.project);
  append(into.profiles, part.profiles);
  into.parameters.update(part.parameters);
  into.counts.update(part.counts);
  if (!into.seed) into.seed = part.seed;
}

std::vector<FieldDef> identity_fields() {
  return {{"hotspot_id", FieldType::kText},
          {"status", FieldType::kText},
          {"first_seen", FieldType::kText},
          {"days_active", FieldType::kInteger}};
}

void set_identity(LayerWriter& L, int first, const HotspotIdentity& id) {
  L.set(first, std::string_view(id.hotspot_id));
  L.set(first + 1, std::string_view(id.status));
  if (id.first_seen.empty())
    L.set_null(first + 2);
  else
    L.set(first + 2, std::string_view(id.first_seen));
  L.set(first + 3, id.days_active);
}

std::vector<HotspotIdentity> identify(const StepContext& ctx, const std::string& layer,
                                      const std::vector<MultiPolygon>& geoms) {
  if (ctx.identify) {
    auto ids = ctx.identify(layer, geoms);
    if (ids.size() != geoms.size())
      throw InternalError("identify: " + std::to_string(ids.size()) + " ids for " +
                          std::to_string(geoms.size()) + " features of " + layer);
    return ids;
  }
  const std::string prefix = hotspot_id_prefix(layer);
  std::vector<HotspotIdentity> ids(geoms.size());
  for (std::size_t k = 0; k < geoms.size(); ++k)
    ids[k] = {prefix + std::to_string(k + 1), "new", "", 1};
  return ids;
}

void finish_job(GpkgWriter& w, const LoadedInputs& in, const RunSummary& s,
                const std::vector<StepResult>& steps, const JobMetadata& meta,
                int utc_offset_minutes) {
  write_rejected(w, in);
  std::vector<ProfileSource> sources;
  std::vector<ProjectLayer> project;
  for (const auto& step : steps) {
    for (const auto& p : step.profiles) sources.push_back({p.layer, p.ids, p.feature_of});
    project.insert(project.end(), step.project.begin(), step.project.end());
  }
  if (!sources.empty()) {
    // The 24 x 7 profiles are hour-of-day work: date-only incidents are left out (counted in
    // the ingest warnings).
    std::vector<std::int64_t> hour_times;
    if (in.report.date_only > 0) {
      hour_times = in.incidents.time_utc;
      for (std::size_t i = 0; i < hour_times.size(); ++i)
        if (in.incidents.date_only(i)) hour_times[i] = kNoTime;
    }
    write_temporal_profiles(w, in.work_crs, sources,
                            hour_times.empty() ? in.incidents.time_utc : hour_times,
                            utc_offset_minutes);
  }
  if (!meta.project_title.empty() && !project.empty())
    w.add_qgis_project("hotspot", qgis_project_xml(meta.project_title, in.work_crs.authority,
                                                   in.work_crs.wkt, project,
                                                   /*basemap=*/!in.work_crs.planar()));
  std::vector<std::pair<std::string, nlohmann::json>> rows = {
      {"parameters", meta.parameters}, {"inputs", meta.inputs},
      {"versions", versions()},        {"seed", meta.seed},
      {"counts", meta.counts},         {"timings_s", timings_json(s.timings)},
      {"warnings", s.warnings}};
  rows.insert(rows.end(), meta.extra.begin(), meta.extra.end());
  write_run_metadata(w, in.work_crs, rows);
  w.commit();
}

}  // namespace hotspot

namespace hotspot {

RunSummary run_single_step(const SingleStepJob& job, StepResult* result) {
  if (job.out.empty()) throw UsageError("--out is required");
  std::vector<std::string> inputs = input_paths(job.inputs);
  for (const auto& [key, path] : job.extra_inputs) inputs.push_back(path);
  refuse_overwriting_inputs(job.out, inputs);
  check_output_replaceable(job.out, job.inputs.overwrite);

  const LoadedInputs in = load_inputs(job.inputs);
  RunSummary s = summarise(in);
  GpkgWriter w(job.out, job.inputs.overwrite);
  const StepContext ctx{in,
                        w,
                        std::filesystem::path(job.out).filename().string(),
                        resolve_threads(job.inputs.threads),
                        {},
                        {}};
  StepResult r = job.step(ctx);
  add_step(s, r);
  s.layers.push_back({"rejected_incidents", static_cast<std::int64_t>(s.ingest.rejected.size())});
  s.out = job.out;

  nlohmann::json params = ingest_parameters(job.inputs, in);
  params["command"] = job.command;
  params["command_line"] = job.command_line;
  params.update(r.parameters);
  nlohmann::json counts = load_counts(s);
  counts.update(r.counts);
  // The CSV was hashed while it was parsed: not read again here.
  nlohmann::json hashes = input_hashes(job.inputs, in.incidents_sha256);
  for (const auto& [key, path] : job.extra_inputs) hashes[key] = input_json(path);
  record_parsed_incidents(hashes, in);
  const nlohmann::json seed = r.seed ? nlohmann::json(r.seed) : nlohmann::json(nullptr);
  finish_job(w, in, s, {r}, {params, hashes, counts, seed, job.project_title, {}},
             job.inputs.incidents.utc_offset_minutes);
  if (result) *result = std::move(r);
  return s;
}

}  // namespace hotspot
