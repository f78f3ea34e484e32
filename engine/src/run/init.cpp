// hotspot init: a starter run configuration from the inputs themselves. Fields are found by their
// names (English and Vietnamese, with or without diacritics), CRSs from the sources (a CSV's from
// its coordinate ranges), the time format from the first values; every analysis is present with
// its defaults. What cannot be detected is named, never guessed silently.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>

#include "crs/transform.hpp"
#include "hotspot/error.hpp"
#include "hotspot/ingest.hpp"
#include "hotspot/jobs/aggregate.hpp"
#include "hotspot/jobs/cluster.hpp"
#include "hotspot/jobs/emerging.hpp"
#include "hotspot/jobs/kde.hpp"
#include "hotspot/jobs/local.hpp"
#include "hotspot/jobs/near_repeat.hpp"
#include "hotspot/run.hpp"
#include "io/csv_reader.hpp"
#include "io/dbf_text.hpp"
#include "io/encoding.hpp"
#include "io/gdal_util.hpp"
#include "io/incidents.hpp"
#include "run/init_detect.hpp"
#include "run/plan.hpp"
#include "run/run_config.hpp"
#include "stats/emerging.hpp"
#include "util/text.hpp"
#include "util/time.hpp"

namespace hotspot {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr std::size_t kSampleRows = 1000;

// Whether the compiled schema has `key` under inputs.incidents (keys another part of the program
// adds appear here as soon as the schema has them).
bool incidents_key(const std::string& key) {
  static const json schema = json::parse(run_schema_text());
  return schema["definitions"]["incidents"]["properties"].contains(key);
}

struct Polygons {
  json config = json::object();
  Crs crs;
  bool has_crs = false;
  Box extent;  // in the layer's own CRS
};

Polygons detect_polygons(const std::string& path, const std::string& role, InitResult& out) {
  Polygons p;
  p.config["path"] = path;
  register_gdal_once();
  const std::string at = "inputs." + role;
  PolygonOptions opt;
  opt.path = path;
  PolygonSource src;
  try {
    src = open_polygon_source(opt, role, at + ".encoding");
    // No encoding declared and text that is not UTF-8: Windows-1258 when it reads as Vietnamese.
    if (src.encoding_from.empty()) {
      OGRFeatureDefn* defn = src.layer->GetLayerDefn();
      std::size_t n = 0;
      for (FeaturePtr f(src.layer->GetNextFeature()); f && n < kSampleRows;
           f.reset(src.layer->GetNextFeature()), ++n)
        for (int k = 0; k < defn->GetFieldCount(); ++k)
          if (defn->GetFieldDefn(k)->GetType() == OFTString && f->IsFieldSetAndNotNull(k))
            src.text(f->GetFieldAsString(k));
      if (src.invalid > 0 && !guess_vietnamese_encoding(src.first_invalid).empty()) {
        opt.encoding = "cp1258";
        src = open_polygon_source(opt, role, at + ".encoding");
        p.config["encoding"] = "cp1258";
        out.notes.push_back(at + ".encoding: cp1258 (the .dbf's text is not UTF-8 and reads as "
                            "Vietnamese in Windows-1258)");
      } else if (src.invalid > 0) {
        out.undetected.push_back(at + ".encoding: " + std::to_string(src.invalid) +
                                 " values are not UTF-8 and not Windows-1258; give the .dbf's "
                                 "encoding (any iconv name) or convert it to UTF-8");
      }
    } else if (!src.suggested.empty()) {
      opt.encoding = src.suggested;
      out.notes.push_back(at + ".encoding: " + opt.encoding + " (the .dbf's " +
                          src.encoding_from + " says " + src.encoding +
                          ", but its text reads as Vietnamese in Windows-1258)");
      src = open_polygon_source(opt, role, at + ".encoding");
      p.config["encoding"] = opt.encoding;
    } else {
      out.notes.push_back(at + ": text " + src.encoding + " (from " + src.encoding_from + ")");
    }
  } catch (const IoError& e) {
    throw IoError("--" + role + ": " + e.what());
  }
  for (const auto& w : src.warnings) out.notes.push_back(w);
  GDALDataset* ds = src.ds.get();
  OGRLayer* layer = src.layer;
  if (ds->GetLayerCount() > 1) {
    p.config["layer"] = layer->GetName();
    out.notes.push_back("inputs." + role + ".layer: '" + layer->GetName() + "', the first of " +
                        std::to_string(ds->GetLayerCount()) + " layers");
  }
  const std::vector<std::string> fields = src.fields;
  const bool communes = role == "communes";
  auto pick = [&](const char* key, FieldRole r, bool required) {
    const int i = find_field_by_role(fields, r);
    if (i >= 0) {
      p.config[key] = fields[static_cast<std::size_t>(i)];
    } else if (required) {
      out.undetected.push_back(at + "." + key + ": no field looks like one (fields: " +
                               join_names(fields) + ")");
    }
  };
  pick("id_field", communes ? FieldRole::kCommuneId : FieldRole::kZoneId, true);
  pick("name_field", communes ? FieldRole::kCommuneName : FieldRole::kZoneName, true);
  if (communes) pick("population_field", FieldRole::kPopulation, true);
  OGREnvelope env;
  if (layer->GetExtent(&env, TRUE) == OGRERR_NONE) p.extent = {env.MinX, env.MinY, env.MaxX, env.MaxY};
  try {
    p.crs = layer_crs(*ds, *layer, "", role, at + ".crs");
    p.has_crs = true;
    out.notes.push_back(at + ": CRS " + p.crs.label() + " (from the source)");
    if (auto shift = ignored_datum_shift(p.crs))
      out.notes.push_back(at + ": the CRS carries its own TOWGS84 (" + shift->towgs84 +
                          "), which PROJ does not apply beside the EPSG code (" +
                          metres_text(std::round(shift->metres)) +
                          " from its registered shift); run --check says whether the run needs it");
  } catch (const InputError&) {
    out.undetected.push_back(at + ".crs: the source has no CRS (no .prj?); " +
                             crs_hint(p.extent) + " Set it");
  }
  return p;
}

// The incidents' columns and values, from the header and the first rows of a CSV.
struct CsvSample {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  char delimiter = ',';
};

CsvSample sample_csv(const std::string& path) {
  CsvSample s;
  CsvReader reader(path);
  s.header = reader.header();
  s.delimiter = reader.delimiter();
  CsvRecord rec;
  while (s.rows.size() < kSampleRows && reader.next(rec)) {
    if (rec.fields.size() != s.header.size()) continue;
    s.rows.emplace_back(rec.fields.begin(), rec.fields.end());
  }
  return s;
}

std::vector<std::string> column(const CsvSample& s, int i) {
  std::vector<std::string> v;
  if (i < 0) return v;
  for (const auto& r : s.rows)
    if (!r[static_cast<std::size_t>(i)].empty()) v.push_back(r[static_cast<std::size_t>(i)]);
  return v;
}

void detect_times(const CsvSample& s, json& inc, InitResult& out) {
  const int datetime = find_field_by_role(s.header, FieldRole::kDateTime);
  const int date = find_field_by_role(s.header, FieldRole::kDate);
  const int clock = find_field_by_role(s.header, FieldRole::kTimeOfDay);
  std::vector<std::string> samples;
  if (datetime >= 0) {
    inc["time_field"] = s.header[static_cast<std::size_t>(datetime)];
    samples = column(s, datetime);
  } else if (date >= 0 && incidents_key("date_field")) {
    inc["date_field"] = s.header[static_cast<std::size_t>(date)];
    if (clock >= 0 && clock != date) inc["time_field"] = s.header[static_cast<std::size_t>(clock)];
    for (const auto& r : s.rows) {
      std::string v = r[static_cast<std::size_t>(date)];
      if (clock >= 0 && clock != date && !r[static_cast<std::size_t>(clock)].empty())
        v += " " + r[static_cast<std::size_t>(clock)];
      if (!v.empty()) samples.push_back(v);
    }
  } else if (date >= 0) {
    inc["time_field"] = s.header[static_cast<std::size_t>(date)];
    samples = column(s, date);
  } else {
    out.undetected.push_back(
        "inputs.incidents.time_field: no column looks like a time or a date (columns: " +
        join_names(s.header) + "); the analyses that need times are left out");
    return;
  }
  const std::optional<std::string> format = detect_time_format(samples);
  if (!format) {
    out.undetected.push_back("inputs.incidents.time_format: the first values (e.g. '" +
                             (samples.empty() ? std::string() : samples.front()) +
                             "') match no known format; give it as strftime directives");
  } else if (*format != "iso") {
    inc["time_format"] = *format;
  }
}

// A header or values that are not UTF-8: Windows-1258 when they read as Vietnamese in it (the
// sample is then decoded, so the fields detected next carry their real names).
void detect_csv_encoding(CsvSample& s, json& inc, InitResult& out) {
  std::string bad;
  for (const auto& h : s.header)
    if (bad.empty() && !valid_utf8(h)) bad = h;
  for (const auto& r : s.rows)
    for (const auto& v : r)
      if (bad.empty() && !valid_utf8(v)) bad = v;
  if (bad.empty()) return;
  if (guess_vietnamese_encoding(bad).empty()) {
    out.undetected.push_back("inputs.incidents.encoding: the file is not UTF-8 and not "
                             "Windows-1258 (e.g. '" + sanitize_utf8(bad, 60) +
                             "'); give its encoding (any iconv name)");
    return;
  }
  Decoder d("CP1258", "inputs.incidents.encoding");
  std::string t, example = bad;
  d.decode(bad, example);
  auto decode = [&](std::string& v) {
    if (d.decode(v, t)) v = nfc(t);
  };
  for (auto& h : s.header) decode(h);
  for (auto& r : s.rows)
    for (auto& v : r) decode(v);
  inc["encoding"] = "cp1258";
  out.notes.push_back("inputs.incidents.encoding: cp1258 (the text is not UTF-8 and reads as "
                      "Vietnamese in Windows-1258, e.g. '" + nfc(example) + "')");
}

// x and y from their names; the CRS from their ranges (and the communes' extent).
void detect_coordinates(const CsvSample& s, json& inc, const Polygons& communes, InitResult& out) {
  int xi = find_field_by_role(s.header, FieldRole::kX);
  int yi = find_field_by_role(s.header, FieldRole::kY);
  if (xi < 0 || yi < 0 || xi == yi) {
    out.undetected.push_back("inputs.incidents.x_field, y_field: no columns look like coordinates "
                             "(columns: " + join_names(s.header) + ")");
    return;
  }
  std::vector<std::string> xs, ys;
  for (const auto& row : s.rows)
    xs.push_back(row[static_cast<std::size_t>(xi)]), ys.push_back(row[static_cast<std::size_t>(yi)]);
  const Ranges r = value_ranges(xs, ys);
  const CoordinateGuess g = guess_crs(r, communes.has_crs ? &communes.crs : nullptr, communes.extent);
  if (g.swap) std::swap(xi, yi);
  inc["x_field"] = s.header[static_cast<std::size_t>(xi)];
  inc["y_field"] = s.header[static_cast<std::size_t>(yi)];
  if (!g.crs.empty()) inc["crs"] = g.crs;
  if (!g.note.empty()) out.notes.push_back("inputs.incidents: " + g.note);
  if (!g.todo.empty()) out.undetected.push_back("inputs.incidents.crs: " + g.todo);
}

json incidents_config(const std::string& path, const Polygons& communes, bool* has_time,
                      InitResult& out) {
  json inc = {{"path", path}};
  std::string ext = fs::path(path).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext != ".csv") {  // an OGR point layer: its geometries and CRS are the source's
    DatasetPtr ds = open_vector(path, "incidents");
    OGRLayer* layer = pick_layer(*ds, "", "incidents");
    std::vector<std::string> fields;
    for (int i = 0; i < layer->GetLayerDefn()->GetFieldCount(); ++i)
      fields.emplace_back(layer->GetLayerDefn()->GetFieldDefn(i)->GetNameRef());
    const int t = find_field_by_role(fields, FieldRole::kDateTime) >= 0
                      ? find_field_by_role(fields, FieldRole::kDateTime)
                      : find_field_by_role(fields, FieldRole::kDate);
    if (t >= 0) inc["time_field"] = fields[static_cast<std::size_t>(t)];
    const int c = find_field_by_role(fields, FieldRole::kCategory);
    if (c >= 0) inc["category_field"] = fields[static_cast<std::size_t>(c)];
    *has_time = t >= 0;
    return inc;
  }
  CsvSample s;
  try {
    s = sample_csv(path);
  } catch (const IoError& e) {
    throw IoError(std::string("--incidents: ") + e.what());
  }
  detect_csv_encoding(s, inc, out);
  detect_coordinates(s, inc, communes, out);
  const int id = find_field_by_role(s.header, FieldRole::kIncidentId);
  if (id >= 0) inc["id_field"] = s.header[static_cast<std::size_t>(id)];
  const int cat = find_field_by_role(s.header, FieldRole::kCategory);
  if (cat >= 0)
    inc["category_field"] = s.header[static_cast<std::size_t>(cat)];
  else
    out.undetected.push_back("inputs.incidents.category_field: no column looks like a category");
  detect_times(s, inc, out);
  *has_time = inc.contains("time_field") || inc.contains("date_field");
  inc["utc_offset"] = "+07:00";
  return inc;
}

// "0,7,14,28" -> [0, 7, 14, 28]; nullopt unless every item is a number.
std::optional<json> number_list(const std::string& text) {
  json v = json::array();
  std::size_t at = 0;
  while (at <= text.size()) {
    const std::size_t comma = std::min(text.find(',', at), text.size());
    const std::string item = text.substr(at, comma - at);
    char* end = nullptr;
    const double x = std::strtod(item.c_str(), &end);
    if (item.empty() || !end || *end != '\0' || !std::isfinite(x)) return std::nullopt;
    if (x == std::floor(x) && std::abs(x) < 1e15)
      v.push_back(static_cast<std::int64_t>(x));
    else
      v.push_back(x);
    at = comma + 1;
  }
  return v;
}

// Every analysis with the defaults of its parameter table written out, so that the file shows
// what can be tuned. A default the table spells as prose ("all cores") is left out.
template <class Options>
void add_defaults(json& a, const ParamTable<Options>& table) {
  for (const auto& p : table.info()) {
    if (p.scope == ParamScope::kCliOnly || a.contains(p.name) || p.default_text.empty()) continue;
    const std::string& d = p.default_text;
    char* end = nullptr;
    const double v = std::strtod(d.c_str(), &end);
    const bool number = end && *end == '\0' && !d.empty() && std::isfinite(v);
    if (p.type == ParamType::kInteger && number && v == std::floor(v))
      a[p.name] = static_cast<std::int64_t>(v);
    else if ((p.type == ParamType::kNumber || p.type == ParamType::kNumberOrText) && number)
      a[p.name] = v;
    else if (p.type == ParamType::kBoolean && (d == "true" || d == "false"))
      a[p.name] = d == "true";
    else if (p.type == ParamType::kNumberList && number_list(d))
      a[p.name] = *number_list(d);  // whole numbers written as such: [0, 7, 14, 28]
    else if ((p.type == ParamType::kText || p.type == ParamType::kNumberOrText) &&
             d.find_first_of(" ()") == std::string::npos)
      a[p.name] = d;
  }
}

// The incidents' times as the run will read them: every row (not only the sample), by the run's
// own reader with the options just detected.
struct TimeSpan {
  std::vector<std::int64_t> time_utc;  // kNoTime where a row has none
  std::int64_t first = 0, last = 0;    // the earliest and latest time
  int utc_offset_minutes = 0;
  std::string text;  // "the incidents span 2024-01-01 .. 2024-02-18 (49 days)"
};

// nullopt, with a note, when the times cannot be read or none parses (the run's check says why).
std::optional<TimeSpan> read_time_span(const json& inc, InitResult& out) {
  TimeSpan s;
  try {
    IncidentOptions opt = incident_options(inc, "");
    opt.max_reject_share = 1;  // the run's gate speaks for itself; init only needs the span
    s.utc_offset_minutes = opt.utc_offset_minutes;
    s.time_utc = std::move(read_incidents(opt).incidents.time_utc);
  } catch (const Error& e) {
    out.notes.push_back(std::string("analyses: the incidents' times could not be read, so emerging "
                                    "keeps its default time_step (") +
                        e.what() + ")");
    return std::nullopt;
  }
  s.first = std::numeric_limits<std::int64_t>::max();
  s.last = std::numeric_limits<std::int64_t>::min();
  for (const std::int64_t t : s.time_utc)
    if (t != kNoTime) s.first = std::min(s.first, t), s.last = std::max(s.last, t);
  if (s.first > s.last) return std::nullopt;
  const std::int64_t offset = std::int64_t{s.utc_offset_minutes} * 60;
  auto date = [&](std::int64_t t) { return format_utc(t + offset).substr(0, 10); };
  const std::int64_t days = (s.last + offset) / 86400 - (s.first + offset) / 86400 + 1;
  s.text = "the incidents span " + date(s.first) + " .. " + date(s.last) + " (" +
           std::to_string(days) + (days == 1 ? " day)" : " days)");
  return s;
}

// The emerging analysis' time_step: the default (1w) when it cuts the span into the steps the
// trend test needs, else the step a refused time_step suggests (the longest that does). False,
// with a note, when even one day is too long a step: emerging is then left out.
bool fit_time_step(json& emerging, const TimeSpan& span, InitResult& out) {
  std::optional<ChosenTimeStep> chosen;
  if (emerging.contains("time_step")) {
    const std::string given = emerging["time_step"].get<std::string>();
    const std::size_t steps =
        bin_times(span.time_utc, parse_time_step(given), span.utc_offset_minutes).steps();
    if (steps >= kMinEmergingSteps) chosen = ChosenTimeStep{given, steps};
  }
  if (!chosen) chosen = longest_time_step(span.time_utc, span.utc_offset_minutes);
  if (!chosen) {
    out.notes.push_back("analyses: emerging is left out: " + span.text + ", fewer than the " +
                        std::to_string(kMinEmergingSteps) +
                        " daily time steps its Mann-Kendall trend needs");
    return false;
  }
  emerging["time_step"] = chosen->time_step;
  out.notes.push_back("analyses: emerging time_step " + chosen->time_step + ": " + span.text +
                      ", " + std::to_string(chosen->steps) + " steps (the trend needs at least " +
                      std::to_string(kMinEmergingSteps) + ")");
  return true;
}

json analyses(bool has_time, bool has_population, const json& inc, InitResult& out) {
  json list = json::array();
  json aggregate = {{"type", "aggregate"}};
  add_defaults(aggregate, aggregate_params());
  list.push_back(aggregate);
  if (has_time) list.push_back(json{{"type", "profiles"}});
  // Zones around the densest cells that hold a fifth of the incidents (the sample's rule): without
  // a zone rule kde writes the surface alone, and top and brief have no hotspot to rank.
  json kde = {{"type", "kde"}, {"cell_size", 50}, {"mask", "communes"}, {"top_percent", 20}};
  add_defaults(kde, kde_params());
  list.push_back(kde);
  json clusters = {{"type", "clusters"}, {"method", "dbscan"}, {"eps", 100}};
  add_defaults(clusters, cluster_params());
  list.push_back(clusters);
  json local = {{"type", "local"}, {"units", "communes"}, {"weights", "queen"}};
  if (has_population) local["value"] = "per_1000";
  add_defaults(local, local_params());
  list.push_back(local);
  if (has_time) {
    const std::optional<TimeSpan> span = read_time_span(inc, out);
    json emerging = {{"type", "emerging"}, {"grid", "hex:500"}};
    add_defaults(emerging, emerging_params());
    if (!span || fit_time_step(emerging, *span, out)) list.push_back(emerging);
    json knox = {{"type", "near_repeat"}};
    add_defaults(knox, near_repeat_params());
    const double longest_band = knox["time_bands"].back().get<double>();
    if (span && static_cast<double>(span->last - span->first) < longest_band * 86400)
      out.notes.push_back("analyses: near_repeat's time bands reach " + days_text(longest_band) +
                          ", but " + span->text +
                          ": the bands beyond it stay empty (near repeats need weeks of data)");
    list.push_back(knox);
  } else {
    out.notes.push_back("analyses: profiles, emerging and near_repeat need incident times and "
                        "are left out");
  }
  return list;
}

}  // namespace

InitResult init_run_config(const InitOptions& o) {
  InitResult out;
  if (o.communes.empty()) throw UsageError("--communes is required");
  if (o.incidents.empty()) throw UsageError("--incidents is required");
  json doc = json::object();
  doc["title"] = "hotspot run";
  const Polygons communes = detect_polygons(o.communes, "communes", out);
  doc["inputs"]["communes"] = communes.config;
  if (!o.zones.empty()) doc["inputs"]["zones"] = detect_polygons(o.zones, "zones", out).config;
  bool has_time = false;
  doc["inputs"]["incidents"] = incidents_config(o.incidents, communes, &has_time, out);
  doc["output"] = {{"path", o.out}, {"quicklook", true}};
  doc["analyses"] = analyses(has_time, communes.config.contains("population_field"),
                             doc["inputs"]["incidents"], out);
  // What was written must be a configuration the run accepts: the schema and every option value.
  // A default that does not survive (a table's default text that is not a value) is dropped.
  for (int attempt = 0; attempt < 64; ++attempt) {
    try {
      validate_against_schema(doc);
      RunConfig c;
      c.analyses.clear();
      for (std::size_t k = 0; k < doc["analyses"].size(); ++k)
        c.analyses.push_back({doc["analyses"][k]["type"].get<std::string>(),
                              "analyses[" + std::to_string(k) + "]", doc["analyses"][k]});
      c.inputs.communes.population_field = communes.config.value("population_field", "");
      make_plan(c);
      break;
    } catch (const UsageError& e) {
      const std::string m = e.what();
      const std::size_t open = m.find("analyses["), close = m.find("].");
      const std::size_t colon = m.find(':', close);
      if (open != 0 || close == std::string::npos || colon == std::string::npos) throw;
      const std::size_t k = std::stoul(m.substr(9, close - 9));
      const std::string key = m.substr(close + 2, colon - close - 2);
      if (k >= doc["analyses"].size() || !doc["analyses"][k].contains(key)) throw;
      doc["analyses"][k].erase(key);
    }
  }
  out.config = doc.dump(2) + "\n";
  return out;
}

}  // namespace hotspot
