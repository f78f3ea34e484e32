// run --check and validate --config: everything that can be known before the heavy work. Each
// source is opened, its layers and fields are looked up, its CRS is parsed, and the first 1,000
// incident rows go through the very reader the run uses; every problem names its JSON path.
#include "run/check.hpp"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

#include "crs/transform.hpp"
#include "hotspot/error.hpp"
#include "hotspot/ingest.hpp"
#include "hotspot/run.hpp"
#include "io/csv_reader.hpp"
#include "io/dbf_text.hpp"
#include "io/gdal_util.hpp"
#include "io/gpkg_writer.hpp"
#include "io/incidents.hpp"
#include "jobs/load.hpp"
#include "run/plan.hpp"
#include "run/spelling.hpp"
#include "util/text.hpp"

namespace hotspot {

namespace fs = std::filesystem;

namespace {

// "(time_format 'dmy' reads values like '01/09/2025 00:10')", when one format reads the samples.
std::string time_format_hint(const std::vector<std::string>& samples) {
  const std::optional<std::string> format = detect_time_format(samples);
  if (!format || samples.empty()) return "";
  return " (time_format '" + *format + "' reads values like '" + samples.front() + "')";
}

constexpr std::int64_t kHeadRows = 1000;

std::string field_list(OGRFeatureDefn* defn) {
  std::vector<std::string> names;
  for (int k = 0; k < defn->GetFieldCount(); ++k)
    names.emplace_back(defn->GetFieldDefn(k)->GetNameRef());
  return names.empty() ? "none" : name_list(names);
}

// The field `name` of the layer (as the readers find it: exact, then GDAL's case-insensitive
// match), or -1.
int field_index(OGRFeatureDefn* defn, const std::string& name) {
  return name.empty() ? -1 : defn->GetFieldIndex(name.c_str());
}

void require_field(OGRFeatureDefn* defn, const std::string& name, const std::string& where) {
  if (!name.empty() && field_index(defn, name) < 0)
    throw UsageError(where + ": no field '" + name + "' (fields: " + field_list(defn) + ")");
}

struct OpenLayer {
  DatasetPtr ds;
  OGRLayer* layer = nullptr;
};

// Opens `path` and picks its layer; the errors name `at`.path or `at`.layer.
OpenLayer open_layer(const std::string& path, const std::string& layer, const std::string& what,
                     const std::string& at) {
  register_gdal_once();
  OpenLayer o;
  try {
    o.ds = open_vector(path, what);
  } catch (const IoError& e) {
    throw IoError(at + ".path: " + e.what());
  }
  try {
    o.layer = pick_layer(*o.ds, layer, what);
  } catch (const Error& e) {  // a layer named but missing (usage), or none at all (input)
    if (e.kind() != ErrorKind::kUsage && e.kind() != ErrorKind::kInput) throw;
    throw UsageError(at + ".layer: " + e.what());
  }
  return o;
}

std::string crs_text(const Crs& c) { return c.label(); }

// Returns the layer's CRS.
Crs check_polygons(const PolygonOptions& p, const std::string& what, bool population,
                   ConfigCheck& out) {
  const std::string at = "inputs." + what;
  register_gdal_once();
  PolygonSource src;
  try {
    src = open_polygon_source(p, what, at + ".encoding");
  } catch (const IoError& e) {
    throw IoError(at + ".path: " + e.what());
  } catch (const Error& e) {  // a layer named but missing (usage), or none at all (input)
    if (e.kind() != ErrorKind::kUsage && e.kind() != ErrorKind::kInput) throw;
    throw UsageError(at + ".layer: " + e.what());
  }
  auto require = [&](const std::string& name, const std::string& where) {
    if (!name.empty() && src.field_index(name) < 0)
      throw UsageError(where + ": no field '" + name + "' (fields: " + src.field_list() +
                       (is_utf8_name(src.encoding) ? "" : "; read as " + src.encoding) + ")");
  };
  require(p.id_field, at + ".id_field");
  require(p.name_field, at + ".name_field");
  OGRLayer* layer = src.layer;
  if (population && !p.population_field.empty()) {
    require(p.population_field, at + ".population_field");
    const OGRFieldType t =
        layer->GetLayerDefn()->GetFieldDefn(src.field_index(p.population_field))->GetType();
    if (t != OFTInteger && t != OFTInteger64 && t != OFTReal)
      throw UsageError(at + ".population_field: field '" + p.population_field +
                       "' is not numeric (" + OGRFieldDefn::GetFieldTypeName(t) + ")");
  }
  const OGRwkbGeometryType g = wkbFlatten(layer->GetGeomType());
  if (g == wkbPoint || g == wkbMultiPoint || g == wkbLineString || g == wkbMultiLineString ||
      g == wkbNone)
    throw InputError(at + ": layer '" + layer->GetName() + "' holds " +
                     (g == wkbNone ? std::string("no geometries")
                                   : std::string(OGRGeometryTypeToName(g)) + " geometries") +
                     ", not polygons");
  const Crs crs = layer_crs(*src.ds, *layer, p.crs, what, at + ".crs");
  // The text of the first features, decoded as the run will: invalid text is said now.
  GdalErrorScope errors;
  layer->ResetReading();
  std::int64_t n = 0;
  OGRFeatureDefn* defn = layer->GetLayerDefn();
  for (FeaturePtr f(layer->GetNextFeature()); f && n < kHeadRows; f.reset(layer->GetNextFeature())) {
    ++n;
    for (int k = 0; k < defn->GetFieldCount(); ++k)
      if (defn->GetFieldDefn(k)->GetType() == OFTString && f->IsFieldSetAndNotNull(k))
        src.text(f->GetFieldAsString(k));
  }
  throw_read_errors(errors, what, p.path, 0);
  if (n == 0) throw InputError(at + ": layer '" + std::string(layer->GetName()) + "' is empty");
  for (const auto& w : src.warnings) out.warnings.push_back(w);
  if (std::string w = src.invalid_text_warning(what, p.path, at + ".encoding"); !w.empty())
    out.warnings.push_back(w);
  out.checks.push_back(at + ": layer '" + layer->GetName() + "', " +
                       std::to_string(layer->GetFeatureCount(FALSE)) + " features, CRS " +
                       crs_text(crs) + ", text " + src.encoding +
                       (src.encoding_from.empty() ? "" : " (from " + src.encoding_from + ")"));
  return crs;
}

// The analyses that need incident times, as "analyses[3] (emerging)".
std::vector<std::string> time_needs(const RunConfig& c) {
  std::vector<std::string> out;
  for (const auto& a : c.analyses) {
    const bool needs =
        a.type == "emerging" || a.type == "near_repeat" || a.type == "profiles" ||
        (a.type == "clusters" && a.options.value("method", "") == "st-dbscan") ||
        ((a.type == "kde" || a.type == "local") &&
         (a.options.contains("from") || a.options.contains("to") || a.options.contains("hours") ||
          a.options.contains("days")));
    if (needs) out.push_back(a.where + " (" + a.type + ")");
  }
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

// A field quoted for a CSV line, as the reader will read it back.
std::string csv_field(const std::string& f, char delim) {
  if (f.find_first_of(std::string("\"\r\n") + delim) == std::string::npos) return f;
  std::string q = "\"";
  for (char ch : f) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return q + "\"";
}

// The header and the first kHeadRows records of a CSV, copied byte for byte into a temporary
// .csv, so that the check reads them with the run's own reader and options.
class CsvHead {
 public:
  explicit CsvHead(const std::string& path) {
    CsvReader reader(path);
    const char* tmp = std::getenv("TMPDIR");
    path_ = std::string(tmp && *tmp ? tmp : "/tmp") + "/hotspot-check-XXXXXX.csv";
    const int fd = mkstemps(path_.data(), 4);
    if (fd < 0) throw IoError("cannot create a temporary file in " + fs::path(path_).parent_path().string());
    close(fd);
    std::ofstream out(path_, std::ios::binary);
    // The copy is UTF-8 (the reader decodes UTF-16), and keeps Excel's "sep=" line, so its
    // delimiter and line numbers are the file's.
    utf16_ = !reader.utf16().empty();
    if (reader.delimiter_declared()) out << "sep=" << reader.delimiter() << "\n";
    for (std::size_t i = 0; i < reader.header().size(); ++i)
      out << (i ? std::string(1, reader.delimiter()) : "")
          << csv_field(reader.header()[i], reader.delimiter());
    out << "\n";
    CsvRecord rec;
    while (rows_ < kHeadRows && reader.next(rec)) {
      out.write(rec.raw.data(), static_cast<std::streamsize>(rec.raw.size()));
      out << "\n";
      ++rows_;
    }
    if (!out) throw IoError("cannot write the temporary file '" + path_ + "'");
  }
  ~CsvHead() { std::remove(path_.c_str()); }
  CsvHead(const CsvHead&) = delete;
  CsvHead& operator=(const CsvHead&) = delete;
  const std::string& path() const { return path_; }
  bool utf16() const { return utf16_; }  // the file was UTF-16; the copy is UTF-8

 private:
  std::string path_;
  bool utf16_ = false;
  std::int64_t rows_ = 0;
};

bool is_csv_path(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  for (char& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return ext == ".csv";
}

// The most frequent reject reason of `rep` with its count and first example.
std::string top_reason(const IngestReport& rep) {
  std::map<std::string, std::int64_t> count;
  for (const auto& r : rep.rejected) ++count[reason_code(r.reason)];
  std::string best;
  for (const auto& [reason, n] : count)
    if (best.empty() || n > count[best]) best = reason;
  for (const auto& r : rep.rejected)
    if (reason_code(r.reason) == best)
      return std::to_string(count[best]) + " " + best + " (line " + std::to_string(r.line) + ": " +
             r.message + ")";
  return "";
}

// What the check saw of the incidents: their CRS, and the first rows' positions when those are
// longitude/latitude (from which the run may choose its working CRS).
struct IncidentsSeen {
  Crs crs;
  std::vector<double> lon, lat;
};

IncidentsSeen check_incidents(const InputOptions& in, const std::vector<std::string>& needs_time,
                              ConfigCheck& out) {
  const IncidentOptions& opt = in.incidents;
  IncidentRead r;
  std::string source = "'" + fs::path(opt.path).filename().string() + "'";
  if (is_csv_path(opt.path)) {
    std::unique_ptr<CsvHead> head;
    try {
      head = std::make_unique<CsvHead>(opt.path);
    } catch (const IoError& e) {
      throw IoError("inputs.incidents.path: " + std::string(e.what()));
    }
    IncidentOptions first = opt;
    first.path = head->path();
    if (head->utf16()) first.encoding.clear();
    try {
      r = read_incidents(first);
    } catch (const Error& e) {  // name the file the user gave, not the copy
      std::string m = e.what();
      for (auto at = m.find(head->path()); at != std::string::npos; at = m.find(head->path()))
        m.replace(at, head->path().size(), opt.path);
      if (e.kind() == ErrorKind::kUsage) throw UsageError(m);
      if (e.kind() == ErrorKind::kIo) throw IoError(m);
      throw InputError(m);
    }
  } else {
    OpenLayer o = open_layer(opt.path, opt.layer, "incidents", "inputs.incidents");
    OGRFeatureDefn* defn = o.layer->GetLayerDefn();
    for (const auto& [name, key] :
         {std::pair<const std::string&, const char*>{opt.id_field, "id_field"},
          {opt.time_field, "time_field"},
          {opt.category_field, "category_field"},
          {opt.weight_field, "weight_field"}})
      require_field(defn, name, std::string("inputs.incidents.") + key);
    // A large layer is not read whole here: its fields and CRS are what can go wrong up front.
    if (o.layer->GetFeatureCount(FALSE) > kHeadRows) {
      IncidentsSeen seen{
          layer_crs(*o.ds, *o.layer, opt.crs, "incidents", "inputs.incidents.crs"), {}, {}};
      bool has_time = !opt.time_field.empty();
      for (const char* c : {"time", "timestamp", "datetime", "date", "occurred_at"})
        has_time |= field_index(defn, c) >= 0;
      if (!needs_time.empty() && !has_time)
        throw UsageError(join(needs_time) + " need incident times, but inputs.incidents has no " +
                         "time field (fields: " + field_list(defn) +
                         "); name it with inputs.incidents.time_field");
      out.checks.push_back("inputs.incidents: layer '" + std::string(o.layer->GetName()) + "', " +
                           std::to_string(o.layer->GetFeatureCount(FALSE)) + " features");
      return seen;
    }
    r = read_incidents(opt);
  }
  const IngestReport& rep = r.report;
  if (!needs_time.empty() && rep.time_field.empty())
    throw UsageError(join(needs_time) + (needs_time.size() > 1 ? " need" : " needs") +
                     " incident times, but inputs.incidents " + source +
                     " has no time column (looked for time, timestamp, datetime, date, "
                     "occurred_at); name it with inputs.incidents.time_field");
  std::int64_t bad_time = 0;
  const RejectedRow* first_bad = nullptr;
  for (const auto& row : rep.rejected)
    if (row.reason == RejectReason::kBadTimestamp && ++bad_time == 1) first_bad = &row;
  // Rows whose time did not parse are kept for the spatial analyses (time_missing), not rejected.
  bad_time += rep.time_unparsed;
  if (!first_bad && rep.time_unparsed > 0 && !rep.time_notes.empty()) first_bad = &rep.time_notes.front();
  if (!needs_time.empty() && rep.read > 0 && 2 * bad_time > rep.read)
    throw InputError("inputs.incidents.time_field: " + std::to_string(bad_time) + " of the first " +
                     std::to_string(rep.read) + " values of column '" + rep.time_field +
                     "' do not parse (line " + std::to_string(first_bad->line) + ": " +
                     first_bad->message + "), and " + join(needs_time) +
                     " need times; give their format with inputs.incidents.time_format" +
                     time_format_hint(rep.bad_time_samples));
  if (rep.read > 0 && rep.accepted == 0)
    throw InputError("inputs.incidents: none of the first " + std::to_string(rep.read) +
                     " rows of " + source + " is usable: " + top_reason(rep));
  if (rep.read == 0) out.warnings.push_back("inputs.incidents: " + source + " has no data rows");
  std::string cols = "x '" + rep.x_field + "', y '" + rep.y_field + "'";
  if (!rep.time_field.empty()) cols += ", time '" + rep.time_field + "'";
  if (!rep.category_field.empty()) cols += ", category '" + rep.category_field + "'";
  if (!rep.id_field.empty()) cols += ", id '" + rep.id_field + "'";
  out.checks.push_back("inputs.incidents: " + cols + "; CRS " + crs_text(rep.source_crs) +
                       "; first " + std::to_string(rep.read) + " rows: " +
                       std::to_string(rep.accepted) + " accepted, " +
                       std::to_string(rep.rejected.size()) + " rejected");
  IncidentsSeen seen{rep.source_crs, {}, {}};
  if (rep.source_crs.geographic()) seen.lon = r.incidents.x, seen.lat = r.incidents.y;
  return seen;
}

// The datum shifts that the run will say PROJ leaves out (ignored_datum_shift_warnings), said
// now, in the working CRS the run will choose.
void check_datum_shifts(const RunConfig& c, const Crs& communes, const Crs& zones,
                        const IncidentsSeen& incidents, ConfigCheck& out) {
  std::vector<CrsSource> sources = {{&communes, "communes"}};
  if (!c.inputs.zones.path.empty()) sources.push_back({&zones, "zones"});
  sources.push_back({&incidents.crs, "incidents"});
  Crs work;
  std::string reason;
  try {
    work = choose_work_crs(
        c.inputs.work_crs, sources,
        [&] {
          if (incidents.lon.empty()) throw InputError("no longitude/latitude to choose from");
          return XY{median(incidents.lon), median(incidents.lat)};
        },
        "incidents'", &reason);
  } catch (const Error&) {
    return;  // the run chooses (or refuses) the working CRS itself, and says why
  }
  for (auto& w : ignored_datum_shift_warnings(communes, zones, incidents.crs, work))
    out.warnings.push_back(std::move(w));
}

void check_work_crs(const std::string& text, ConfigCheck& out) {
  if (text.empty()) return;
  Crs c;
  try {
    c = parse_crs(text, "work_crs");
  } catch (const UsageError&) {
    const std::string near = crs_suggestions(text, true);
    throw UsageError("work_crs: PROJ does not understand '" + text + "'" +
                     (near.empty() ? "" : "; projected CRSs of that name: " + near) +
                     ". Give an authority code of a projected CRS in metres (e.g. EPSG:9210 "
                     "VN-2000 / TM-3 105-45, EPSG:3405 VN-2000 / UTM zone 48N, EPSG:32648 "
                     "WGS 84 / UTM zone 48N)");
  }
  if (c.geographic()) {
    const std::string near = crs_suggestions(c.name, true);
    throw UsageError("work_crs: " + c.label() +
                     " is geographic; distances are never computed in degrees. Give a projected "
                     "CRS in metres" +
                     (near.empty() ? ", e.g. EPSG:9210 or EPSG:32648" : ": " + near));
  }
  if (!c.planar() && !c.metres)
    throw UsageError("work_crs: " + c.label() + " does not use metres; give a CRS in metres");
  out.checks.push_back("work_crs: " + c.label());
}

}  // namespace

ConfigCheck check_config_inputs(const RunConfig& c, const Plan& /*plan*/) {
  ConfigCheck out;
  out.inputs = c.inputs;
  try {
    check_work_crs(c.inputs.work_crs, out);
    const Crs communes = check_polygons(c.inputs.communes, "communes", true, out);
    const Crs zones =
        c.inputs.zones.path.empty() ? Crs{} : check_polygons(c.inputs.zones, "zones", false, out);
    const IncidentsSeen incidents = check_incidents(c.inputs, time_needs(c), out);
    check_datum_shifts(c, communes, zones, incidents, out);
  } catch (const Error& e) {
    rethrow_config_spelled(e);
  }
  for (auto& w : out.warnings) w = config_spelled(w);
  // A previous output that was named but is not there: its hotspots would all be new, and its
  // ids issued again (a typo, or an archive copy that did not happen).
  std::error_code ec;
  if (!c.previous.empty() && !fs::exists(c.previous, ec))
    throw IoError("previous: '" + c.previous +
                  "' does not exist; hotspot ids carry over from an earlier output (leave "
                  "previous out on a first run: the output being replaced is the default)");
  try {
    check_output_creatable(c.out);
  } catch (const IoError& e) {
    throw IoError(std::string("output.path: ") + e.what());
  }
  return out;
}

}  // namespace hotspot
