#include "jobs/outputs.hpp"

#include <gdal.h>
#include <geos_c.h>
#include <proj.h>
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>

#include "hotspot/error.hpp"
#include "hotspot/spacetime.hpp"
#include "util/hash.hpp"
#include "util/text.hpp"

#ifndef HOTSPOT_VERSION
#define HOTSPOT_VERSION "unknown"
#endif

namespace hotspot {

namespace fs = std::filesystem;
using json = nlohmann::json;

std::vector<std::string> input_paths(const InputOptions& in) {
  return {in.communes.path, in.zones.path, in.incidents.path};
}

std::vector<std::string> files_read_with(const std::string& input) {
  std::vector<std::string> out{input};
  fs::path p(input);
  std::string ext = p.extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == ".shp" || ext == ".shx" || ext == ".dbf") {
    // A Shapefile is read from its siblings too; each may be spelled in either case.
    for (const char* sidecar : {".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx"}) {
      std::string upper(sidecar);
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      for (const std::string& e : {std::string(sidecar), upper}) {
        fs::path q = p;
        q.replace_extension(e);
        if (q != p) out.push_back(q.string());
      }
    }
  }
  return out;
}

std::string overwritten_input(const std::string& out, const std::vector<std::string>& inputs) {
  std::error_code ec;
  const fs::path out_abs = fs::absolute(out, ec).lexically_normal();
  const bool out_exists = fs::exists(out, ec);
  for (const auto& input : inputs) {
    if (input.empty()) continue;
    for (const auto& p : files_read_with(input)) {
      if ((out_exists && fs::exists(p, ec) && fs::equivalent(out, p, ec)) ||
          out_abs == fs::absolute(p, ec).lexically_normal())
        return p;
    }
  }
  return "";
}

void refuse_overwriting_inputs(const std::string& out, const std::vector<std::string>& inputs,
                               const std::string& out_name) {
  const std::string p = overwritten_input(out, inputs);
  if (!p.empty())
    throw UsageError(out_name + " '" + out + "' is the same file as the input '" + p +
                     "'; choose another output");
}

json load_counts(const RunSummary& s) {
  return {{"read", s.ingest.read},
          {"accepted", s.ingest.accepted},
          {"rejected", static_cast<std::int64_t>(s.ingest.rejected.size())}};
}

namespace {

std::string lower_text(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::vector<std::string> source_files(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<std::string> out;
  if (fs::is_directory(path, ec)) {  // a Shapefile folder, a FileGDB
    for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec))
      if (it->is_regular_file(ec)) out.push_back(it->path().string());
    std::sort(out.begin(), out.end());
    return out;
  }
  const fs::path p(path);
  const std::string ext = lower_text(p.extension().string());
  std::vector<std::string> sidecars;
  if (ext == ".shp" || ext == ".dbf" || ext == ".shx")
    sidecars = {".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".qpj"};
  else if (ext == ".tab")
    sidecars = {".tab", ".dat", ".map", ".id", ".ind"};
  if (!sidecars.empty()) {
    // Sidecars share the stem whatever the case of their extension ("A.SHP", "a.dbf" is not one).
    const std::string stem = p.stem().string();
    const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      const fs::path q = it->path();
      if (q.stem().string() != stem || !it->is_regular_file(ec)) continue;
      const std::string e = lower_text(q.extension().string());
      if (std::find(sidecars.begin(), sidecars.end(), e) != sidecars.end())
        out.push_back(p.has_parent_path() ? q.string() : q.filename().string());
    }
    if (std::find(out.begin(), out.end(), path) == out.end()) out.push_back(path);
    std::sort(out.begin(), out.end());
    return out;
  }
  out.push_back(path);
  if (ext == ".gpkg" || ext == ".sqlite") {  // committed pages not yet checkpointed live in -wal
    if (fs::is_regular_file(path + "-wal", ec)) out.push_back(path + "-wal");
  }
  return out;
}

json input_json(const std::string& path, const std::string& known_sha256) {
  if (path.empty()) return nullptr;
  json files = json::object();
  std::string lines;
  const std::vector<std::string> parts = source_files(path);
  for (const auto& f : parts) {
    const std::string sha = parts.size() == 1 && !known_sha256.empty() ? known_sha256 : sha256_file(f);
    // Keyed by the name within the source: "communes.dbf", or "a/b.shp" inside a folder.
    const fs::path base = fs::is_directory(path) ? fs::path(path) : fs::path(path).parent_path();
    const std::string rel = base.empty() ? f : fs::path(f).lexically_relative(base).string();
    const std::string key = rel.empty() ? f : rel;
    files[key] = sha;
    lines += key + " " + sha + "\n";
  }
  // One file: its own hash; several: the hash of the "name sha256" lines, so that a change to
  // any of them (populations in the .dbf, a new .prj) changes the source's hash.
  const std::string sha = parts.size() == 1 ? files.begin()->get<std::string>() : sha256_text(lines);
  return {{"path", path}, {"sha256", sha}, {"files", files}};
}

void record_parsed_incidents(json& hashes, const LoadedInputs& in) {
  if (in.incidents_sha256.empty() || !hashes.contains("incidents") ||
      !hashes["incidents"].is_object())
    return;
  json& h = hashes["incidents"];
  h["sha256"] = in.incidents_sha256;
  h["bytes"] = in.incidents_bytes;
  if (h.contains("files") && h["files"].size() == 1) h["files"].begin().value() = in.incidents_sha256;
}

RunSummary summarise(const LoadedInputs& in) {
  RunSummary s;
  s.ingest = in.report;
  s.work_crs = in.work_crs.label();
  s.work_crs_reason = in.work_crs_reason;
  s.communes = static_cast<std::int64_t>(in.communes.size());
  s.zones = static_cast<std::int64_t>(in.zones.size());
  s.polygons_repaired = in.communes.repaired + in.zones.repaired;
  for (const auto& d : in.communes.dropped) s.polygons_dropped.push_back("communes " + d);
  for (const auto& d : in.zones.dropped) s.polygons_dropped.push_back("zones " + d);
  s.timings = in.timings;
  s.warnings = in.report.warnings;
  for (const auto* layer : {&in.communes, &in.zones})
    s.warnings.insert(s.warnings.end(), layer->warnings.begin(), layer->warnings.end());
  if (in.work_crs.planar())
    s.warnings.push_back(
        "planar data: distances and areas are in data units; *_km2 fields hold units² / 1e6");
  return s;
}

json input_hashes(const InputOptions& io, const std::string& incidents_sha256) {
  return {{"communes", input_json(io.communes.path)},
          {"zones", input_json(io.zones.path)},
          {"incidents", input_json(io.incidents.path, incidents_sha256)}};
}

json versions() {
  PJ_INFO pj = proj_info();
  return {{"hotspot", HOTSPOT_VERSION},
          {"gdal", GDALVersionInfo("RELEASE_NAME")},
          {"geos", GEOSversion()},
          {"proj", pj.version},
          {"sqlite", sqlite3_libversion()}};
}

void write_rejected(GpkgWriter& w, const LoadedInputs& in) {
  write_rejected(w, in.report, in.work_crs);
}

void write_rejected(GpkgWriter& w, const IngestReport& report, const Crs& crs) {
  LayerWriter& L = w.begin_layer("rejected_incidents", GeometryType::kNone, crs,
                                 {{"line", FieldType::kInteger},
                                  {"reason", FieldType::kText},
                                  {"message", FieldType::kText},
                                  {"raw", FieldType::kText}},
                                 "Incident rows that were not accepted, with the reason");
  for (const auto& r : report.rejected) {
    L.set(0, r.line);
    L.set(1, std::string_view(reason_code(r.reason)));
    L.set(2, std::string_view(r.message));
    L.set(3, std::string_view(r.raw));
    L.insert();
  }
}

void write_run_metadata(GpkgWriter& w, const Crs& crs,
                        const std::vector<std::pair<std::string, json>>& rows) {
  LayerWriter& L =
      w.begin_layer("run_metadata", GeometryType::kNone, crs,
                    {{"key", FieldType::kText}, {"value", FieldType::kText}},
                    "Parameters, inputs, software versions and timings of the run (JSON values)");
  for (const auto& [k, v] : rows) {
    L.set(0, std::string_view(k));
    L.set(1, std::string_view(v.dump()));
    L.insert();
  }
}

json read_run_metadata(const std::string& gpkg) {
  std::error_code ec;
  if (!fs::exists(gpkg, ec)) return nullptr;
  sqlite3* db = nullptr;
  json out = nullptr;
  if (sqlite3_open_v2(gpkg.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT key, value FROM run_metadata", -1, &st, nullptr) ==
        SQLITE_OK) {
      out = json::object();
      while (sqlite3_step(st) == SQLITE_ROW) {
        const auto* k = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
        const auto* v = reinterpret_cast<const char*>(sqlite3_column_text(st, 1));
        if (!k || !v) continue;
        if (json_nesting_depth(v) > kMaxJsonDepth) {
          const std::string why = "'" + gpkg + "': run_metadata '" + k + "' nests deeper than " +
                                  std::to_string(kMaxJsonDepth) +
                                  " levels; it was not written by hotspot";
          sqlite3_finalize(st);
          sqlite3_close(db);
          throw InputError(why);
        }
        out[k] = json::parse(v, nullptr, false);
      }
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return out;
}

json ingest_parameters(const InputOptions& io, const LoadedInputs& in) {
  return {{"utc_offset_minutes", io.incidents.utc_offset_minutes},
          {"fix_swapped_axes", io.incidents.fix_swapped_axes},
          {"incident_fields",
           {{"x", in.report.x_field},
            {"y", in.report.y_field},
            {"id", in.report.id_field},
            {"time", in.report.time_field},
            {"category", in.report.category_field},
            {"weight", in.report.weight_field}}},
          {"incidents_crs", in.report.source_crs.label()},
          {"communes_crs", io.communes.path.empty() ? "" : in.communes.source_crs.label()},
          {"zones_crs", io.zones.path.empty() ? "" : in.zones.source_crs.label()},
          {"work_crs", in.work_crs.label()},
          {"work_crs_reason", in.work_crs_reason}};
}

json timings_json(const std::vector<StepTime>& timings) {
  json t = json::object();
  for (const auto& s : timings) t[s.step] = s.seconds;
  return t;
}

void write_temporal_profiles(GpkgWriter& w, const Crs& crs,
                             const std::vector<ProfileSource>& sources,
                             const std::vector<std::int64_t>& time_utc, int utc_offset_minutes) {
  std::vector<std::vector<WeekProfile>> profiles;
  for (const auto& src : sources)
    profiles.push_back(week_profiles(time_utc, src.feature_of, src.ids.size(), utc_offset_minutes));
  LayerWriter& T =
      w.begin_layer("temporal_profiles", GeometryType::kNone, crs,
                    {{"layer", FieldType::kText},
                     {"feature_id", FieldType::kText},
                     {"weekday", FieldType::kInteger},
                     {"hour", FieldType::kInteger},
                     {"incidents", FieldType::kInteger}},
                    "Incidents per weekday (0 = Monday) and hour, local time, per feature");
  for (std::size_t k = 0; k < sources.size(); ++k)
    for (std::size_t f = 0; f < profiles[k].size(); ++f)
      for (std::size_t c = 0; c < 7 * 24; ++c) {
        T.set(0, std::string_view(sources[k].layer));
        T.set(1, std::string_view(sources[k].ids[f]));
        T.set(2, static_cast<std::int64_t>(c / 24));
        T.set(3, static_cast<std::int64_t>(c % 24));
        T.set(4, profiles[k][f][c]);
        T.insert();
      }
  LayerWriter& P = w.begin_layer(
      "peak_hours", GeometryType::kNone, crs,
      {{"layer", FieldType::kText},
       {"feature_id", FieldType::kText},
       {"peak_hours", FieldType::kText},
       {"start_hour", FieldType::kInteger},
       {"incidents", FieldType::kInteger},
       {"share", FieldType::kReal},
       {"busiest_weekday", FieldType::kInteger}},
      "The 3-hour window of the day with the most incidents, per feature (local time)");
  for (std::size_t k = 0; k < sources.size(); ++k)
    for (std::size_t f = 0; f < profiles[k].size(); ++f) {
      const WeekProfile& prof = profiles[k][f];
      PeakHours peak = peak_hours(prof);
      std::int64_t best_day = 0, best = -1;
      for (int d = 0; d < 7; ++d) {
        std::int64_t n = 0;
        for (int h = 0; h < 24; ++h) n += prof[static_cast<std::size_t>(d * 24 + h)];
        if (n > best) best = n, best_day = d;
      }
      char window[32];
      std::snprintf(window, sizeof window, "%02d:00-%02d:00", peak.start_hour,
                    (peak.start_hour + peak.hours) % 24);
      P.set(0, std::string_view(sources[k].layer));
      P.set(1, std::string_view(sources[k].ids[f]));
      P.set(2, std::string_view(window));
      P.set(3, std::int64_t{peak.start_hour});
      P.set(4, peak.incidents);
      P.set(5, peak.share);
      P.set(6, best_day);
      P.insert();
    }
}

}  // namespace hotspot
