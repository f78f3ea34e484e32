#include "run/run_config.hpp"

#include <cstdio>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include "hotspot/error.hpp"
#include "jobs/outputs.hpp"
#include "run_schema.hpp"  // generated: kRunSchema, the text of schemas/run.schema.json
#include "util/hash.hpp"
#include "util/text.hpp"

namespace hotspot {

using json = nlohmann::json;
namespace fs = std::filesystem;

const char* run_schema_text() { return kRunSchema; }

std::string AnalysisConfig::name() const {
  const auto it = options.find("name");
  return it != options.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string local_layer(const json& options) {
  const auto name = options.find("name");
  const std::string suffix = name != options.end() && name->is_string() ? "_" + name->get<std::string>() : "";
  return options.value("layer", "local_" + options.value("units", std::string()) + suffix);
}

std::string AnalysisConfig::step() const {
  if (type == "local") return local_layer(options);
  const std::string n = name();
  return n.empty() ? type : type + "_" + n;
}

namespace {

// Why `layer` cannot be a local analysis's output layer, or "": hotspot run writes these tables
// itself, and GeoPackage and SQLite keep their own (SQLite compares table names ignoring case).
std::string reserved_layer(std::string layer) {
  for (char& ch : layer) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  static const char* const kRunLayers[] = {
      "communes",         "zones",          "incidents",       "rejected_incidents",
      "run_metadata",     "zone_communes",  "commune_category_counts", "temporal_profiles",
      "peak_hours",       "hotspot_zones",  "density",         "clusters",
      "cluster_members",  "emerging",       "emerging_cube",   "near_repeat",
      "vanished_hotspots", "layer_styles",  "qgis_projects"};
  for (const char* name : kRunLayers)
    if (layer == name) return "a layer hotspot run writes itself";
  for (const char* prefix : {"density_", "hotspot_zones_"})  // a named kde's layers
    if (layer.rfind(prefix, 0) == 0)
      return std::string("reserved: a named kde analysis writes the layers named ") + prefix + "*";
  for (const char* prefix : {"gpkg_", "rtree_", "sqlite_"})
    if (layer.rfind(prefix, 0) == 0)
      return std::string("reserved: GeoPackage and SQLite own the tables named ") + prefix + "*";
  return "";
}

const json& schema_document() {
  static const json schema = json::parse(kRunSchema);
  return schema;
}

// "#/definitions/x" -> the definition; anything else is returned as it is.
const json* resolve(const json* node) {
  const json& root = schema_document();
  while (node && node->is_object() && node->contains("$ref")) {
    const std::string ref = (*node)["$ref"].get<std::string>();
    const std::string prefix = "#/definitions/";
    if (ref.rfind(prefix, 0) != 0) return nullptr;
    auto it = root["definitions"].find(ref.substr(prefix.size()));
    node = it == root["definitions"].end() ? nullptr : &*it;
  }
  return node;
}

// The subschema for one analysis is chosen by its "type".
const json* for_analysis(const json* node, const json* doc) {
  const json& defs = schema_document()["definitions"];
  if (node == &defs["analysis"] && doc && doc->is_object() && doc->contains("type") &&
      (*doc)["type"].is_string()) {
    auto it = defs.find((*doc)["type"].get<std::string>());
    if (it != defs.end()) return &*it;
  }
  return node;
}

// A key as it goes into a message: control characters escaped JSON-style, so a key such as
// "\u0000a" can neither cut the message short nor move the terminal's cursor.
std::string printable(const std::string& key) {
  std::string out;
  for (unsigned char ch : key) {
    if (ch < 0x20 || ch == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", ch);
      out += buf;
    } else {
      out += static_cast<char>(ch);
    }
  }
  return out;
}

struct Located {
  const json* schema = nullptr;  // null when the path leaves the schema
  const json* value = nullptr;   // null when the document has nothing there
};

// Walks the schema and the document along a valijson context ("<root>", "[analyses]", "[2]", ...).
Located locate(const json& doc, const std::vector<std::string>& context, std::string* path) {
  Located at{&schema_document(), &doc};
  for (const auto& part : context) {
    if (part == "<root>") continue;
    const std::string key =
        part.size() >= 2 && part.front() == '[' ? part.substr(1, part.size() - 2) : part;
    at.schema = for_analysis(resolve(at.schema), at.value);
    const bool index = !key.empty() && key.find_first_not_of("0123456789") == std::string::npos &&
                       at.value && at.value->is_array();
    if (index) {
      *path += "[" + key + "]";
      const std::size_t i = std::stoul(key);
      at.value = i < at.value->size() ? &(*at.value)[i] : nullptr;
      at.schema = at.schema && at.schema->contains("items") ? &(*at.schema)["items"] : nullptr;
    } else {
      *path += (path->empty() ? "" : ".") + printable(key);
      at.value = at.value && at.value->is_object() && at.value->contains(key) ? &(*at.value)[key]
                                                                              : nullptr;
      const json* props =
          at.schema && at.schema->contains("properties") ? &(*at.schema)["properties"] : nullptr;
      at.schema = props && props->contains(key) ? &(*props)[key] : nullptr;
    }
  }
  at.schema = for_analysis(resolve(at.schema), at.value);
  return at;
}

std::string number_text(const std::string& s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", std::strtod(s.c_str(), nullptr));
  return buf;
}

std::string type_name(const json& v) {
  if (v.is_number_integer()) return "an integer";
  if (v.is_number()) return "a number";
  if (v.is_string()) return "a string";
  if (v.is_boolean()) return "true/false";
  if (v.is_array()) return "an array";
  if (v.is_object()) return "an object";
  return "null";
}

// A string member of a schema node, or "" (a node may lack it, or hold another type).
std::string schema_string(const json* s, const char* key) {
  if (!s || !s->is_object() || !s->contains(key) || !(*s)[key].is_string()) return "";
  return (*s)[key].get<std::string>();
}

// valijson's description turned into what a person reads; "" for the errors that only repeat a
// child's error ("Failed to validate against child schema #2"). The messages that quote a key
// from the document are matched first, so that no key can pass for another message.
std::string explain(const std::string& d, const Located& at, std::string& path) {
  const std::string missing = "Missing required property '";
  if (d.rfind(missing, 0) == 0 && d.size() >= missing.size() + 2) {
    path += (path.empty() ? "" : ".") +
            printable(d.substr(missing.size(), d.size() - missing.size() - 2));
    return "is required";
  }
  const std::string unknown =
      "Object contains a property that could not be validated using 'properties' or "
      "'additionalProperties' constraints: '";
  if (d.rfind(unknown, 0) == 0 && d.size() >= unknown.size() + 2) {
    path += (path.empty() ? "" : ".") +
            printable(d.substr(unknown.size(), d.size() - unknown.size() - 2));
    std::string known;
    if (at.schema && at.schema->contains("properties"))
      for (const auto& [name, sub] : (*at.schema)["properties"].items())
        if (name != "type" && name != "$schema") known += (known.empty() ? "" : ", ") + name;
    return "unknown key" + (known.empty() ? std::string() : " (known: " + known + ")");
  }
  if (d.rfind("Failed to validate", 0) == 0) return "";
  const std::string got =
      at.value ? " (got " + at.value->dump(-1, ' ', false, json::error_handler_t::replace) + ")"
               : "";
  const json* s = at.schema;
  if (s && s->contains("oneOf") && !schema_string(s, "description").empty())
    return "must be " + schema_string(s, "description") + got;
  struct Bound {
    const char* text;
    const char* op;
  };
  for (Bound b : {Bound{"Expected number greater than or equal to ", ">="},
                  Bound{"Expected number greater than ", ">"},
                  Bound{"Expected number less than or equal to ", "<="},
                  Bound{"Expected number less than ", "<"}})
    if (d.rfind(b.text, 0) == 0)
      return std::string("must be ") + b.op + " " + number_text(d.substr(std::strlen(b.text))) +
             got;
  if (d == "Failed to match against any enum values." && s && s->contains("enum") &&
      (*s)["enum"].is_array()) {
    std::string options;
    for (const auto& e : (*s)["enum"])
      options += (options.empty() ? "" : ", ") + (e.is_string() ? e.get<std::string>() : e.dump());
    return "must be one of " + options + got;
  }
  if (d == "Value type not permitted by 'type' constraint." && !schema_string(s, "type").empty()) {
    const std::string want = schema_string(s, "type");
    return "must be " +
           std::string(want == "integer" || want == "object" || want == "array" ? "an " : "a ") +
           want + (at.value ? " (got " + type_name(*at.value) + ")" : "");
  }
  if (d == "Failed to match regex specified by 'pattern' constraint.") {
    std::string what = schema_string(s, "description");
    if (what.empty()) what = "must match " + schema_string(s, "pattern");
    return "not valid" + got + ": " + what;
  }
  std::string out = d;
  if (!out.empty()) out[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[0])));
  if (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

std::string resolve_path(const fs::path& dir, const std::string& p) {
  if (p.empty()) return p;
  fs::path path(p);
  return (path.is_absolute() ? path : dir / path).lexically_normal().string();
}

// A missing or unreadable input is an I/O failure (exit 4), not a configuration error.
void require_file(const std::string& path, const std::string& where) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw IoError(where + ": no such file '" + printable(path) + "'");
  if (fs::is_directory(path, ec)) return;  // a Shapefile folder, a FileGDB
  std::ifstream probe(path, std::ios::binary);
  if (!probe) throw IoError(where + ": cannot read '" + printable(path) + "' (permissions?)");
}

PolygonOptions polygons(const json& j, const fs::path& dir) {
  PolygonOptions p;
  p.path = resolve_path(dir, j.value("path", ""));
  p.layer = j.value("layer", "");
  p.id_field = j.value("id_field", "");
  p.name_field = j.value("name_field", "");
  p.crs = j.value("crs", "");
  p.encoding = j.value("encoding", "");
  return p;
}

}  // namespace

void validate_against_schema(const json& document) {
  valijson::Schema schema;
  valijson::SchemaParser parser;
  valijson::adapters::NlohmannJsonAdapter schema_adapter(schema_document());
  parser.populateSchema(schema_adapter, schema);
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter doc_adapter(document);
  if (validator.validate(schema, doc_adapter, &results)) return;
  std::vector<std::string> lines;
  std::set<std::string> seen_paths;
  valijson::ValidationResults::Error e;
  while (results.popError(e)) {
    std::string path;
    Located at = locate(document, e.context, &path);
    std::string why = explain(e.description, at, path);
    if (why.empty() || !seen_paths.insert(path).second) continue;
    lines.push_back((path.empty() ? "(top level)" : path) + ": " + why);
  }
  if (lines.empty()) lines.push_back("(top level): does not match schemas/run.schema.json");
  std::string message = lines.front();
  for (std::size_t i = 1; i < lines.size() && i < 6; ++i) message += "\n  " + lines[i];
  if (lines.size() > 6) message += "\n  ... and " + std::to_string(lines.size() - 6) + " more";
  throw UsageError(message);
}

IncidentOptions incident_options(const json& inc, const std::string& config_path) {
  IncidentOptions io;
  const fs::path dir = fs::path(config_path).parent_path();
  io.path = resolve_path(dir, inc.value("path", ""));
  io.layer = inc.value("layer", "");
  io.crs = inc.value("crs", "");
  io.x_field = inc.value("x_field", "");
  io.y_field = inc.value("y_field", "");
  io.id_field = inc.value("id_field", io.id_field);
  io.time_field = inc.value("time_field", "");
  io.category_field = inc.value("category_field", "");
  io.weight_field = inc.value("weight_field", "");
  io.fix_swapped_axes = inc.value("fix_swapped_axes", false);
  io.allow_negative_weights = inc.value("allow_negative_weights", false);
  io.date_field = inc.value("date_field", "");
  io.time_format = inc.value("time_format", "");
  io.encoding = inc.value("encoding", "");
  io.max_reject_share = inc.value("max_reject_share", 0.5);
  io.category_case = parse_category_case(inc.value("category_case", "fold"));
  if (inc.contains("categories"))
    io.category_aliases = inc["categories"].get<std::map<std::string, std::vector<std::string>>>();
  try {
    check_time_format(io.time_format);
  } catch (const ParameterError& e) {
    throw UsageError("inputs.incidents.time_format: " + e.problem());
  }
  io.utc_offset_minutes =
      parse_utc_offset(inc.value("utc_offset", "+07:00"), "inputs.incidents.utc_offset");
  return io;
}

RunConfig load_run_config(const std::string& path) {
  std::error_code ec;
  // An ifstream opens a directory and reads nothing: it would be "not valid JSON".
  if (std::filesystem::is_directory(path, ec))
    throw IoError("--config '" + path +
                  "': is a directory; give the run configuration's JSON file");
  std::ifstream f(path, std::ios::binary);
  if (!f) throw IoError("--config '" + path + "': cannot read the file");
  std::stringstream text;
  text << f.rdbuf();
  return parse_run_config(text.str(), path);
}

RunConfig parse_run_config(const std::string& text, const std::string& path) {
  RunConfig c;
  c.path = path;
  if (json_nesting_depth(text) > kMaxJsonDepth)
    throw UsageError("--config '" + path + "': arrays and objects nest deeper than " +
                     std::to_string(kMaxJsonDepth) +
                     " levels; a run configuration needs a handful");
  try {
    c.document = json::parse(text);
  } catch (const json::parse_error& e) {
    // e.byte is 1-based; count lines up to it.
    std::size_t line = 1, col = 1;
    for (std::size_t i = 0; i + 1 < e.byte && i < text.size(); ++i)
      text[i] == '\n' ? (++line, col = 1) : ++col;
    throw UsageError("--config '" + path + "': not valid JSON at line " + std::to_string(line) +
                     ", column " + std::to_string(col));
  } catch (const json::exception& e) {  // e.g. a number beyond double's range (found by the fuzzer)
    throw UsageError("--config '" + path + "': not valid JSON: " + e.what());
  }
  // Before the schema: its message for maxItems would list every analysis.
  if (c.document.is_object() && c.document.contains("analyses") &&
      c.document["analyses"].is_array() && c.document["analyses"].size() > kMaxAnalyses)
    throw UsageError("analyses: " + std::to_string(c.document["analyses"].size()) +
                     " analyses; the limit is " + std::to_string(kMaxAnalyses) +
                     " (each writes its own layers into one GeoPackage); split the run");
  validate_against_schema(c.document);
  c.sha256 = sha256_text(c.document.dump());

  const json& d = c.document;
  const fs::path dir = fs::path(path).parent_path();
  c.title = d.value("title", c.title);
  const json& in = d["inputs"];
  c.inputs.communes = polygons(in["communes"], dir);
  c.inputs.communes.population_field = in["communes"].value("population_field", "");
  if (in.contains("zones")) c.inputs.zones = polygons(in["zones"], dir);
  if (in.contains("roads"))
    c.roads = {resolve_path(dir, in["roads"].value("path", "")), in["roads"].value("layer", ""),
               in["roads"].value("crs", "")};
  c.inputs.incidents = incident_options(in["incidents"], path);
  const IncidentOptions& io = c.inputs.incidents;
  c.inputs.work_crs = d.value("work_crs", "");
  c.inputs.threads = d.value("threads", 0);
  if (d.contains("max_memory")) {
    try {
      c.inputs.max_memory = parse_memory_size(d["max_memory"].get<std::string>());
    } catch (const UsageError& e) {
      throw UsageError(std::string("max_memory: ") + e.what());
    }
  }
  c.out = resolve_path(dir, d["output"]["path"].get<std::string>());
  c.quicklook = d["output"].value("quicklook", true);
  c.quicklook_width = d["output"].value("quicklook_width", 1600);
  c.previous = resolve_path(dir, d.value("previous", ""));
  if (d.contains("briefings")) {
    const std::string stem = (fs::path(c.out).parent_path() / fs::path(c.out).stem()).string();
    for (std::size_t k = 0; k < d["briefings"].size(); ++k) {
      const json& b = d["briefings"][k];
      const std::string where = "briefings[" + std::to_string(k) + "]";
      BriefOptions o;
      o.in = c.out;
      o.out = stem + "-" + b["name"].get<std::string>() + ".pdf";
      o.n = b.value("n", 5);
      o.lang = b.value("lang", "vi");
      o.title = c.title + " — " + b["name"].get<std::string>();
      try {
        set_window_from(o.window, b.value("from", ""));
        set_window_to(o.window, b.value("to", ""));
        set_window_hours(o.window, b.value("hours", ""));
        set_window_days(o.window, b.value("days", ""));
        check_window(o.window);
      } catch (const ParameterError& e) {
        throw UsageError(where + "." + e.parameter() + ": " + e.problem());
      }
      c.briefings.emplace_back(b["name"].get<std::string>(), std::move(o));
    }
  }

  require_file(c.inputs.communes.path, "inputs.communes.path");
  if (!c.inputs.zones.path.empty()) require_file(c.inputs.zones.path, "inputs.zones.path");
  if (!c.roads.path.empty()) require_file(c.roads.path, "inputs.roads.path");
  require_file(io.path, "inputs.incidents.path");
  for (const auto& [where, p] :
       {std::pair<const char*, const std::string&>{"inputs.communes.path", c.inputs.communes.path},
        {"inputs.zones.path", c.inputs.zones.path},
        {"inputs.roads.path", c.roads.path},
        {"inputs.incidents.path", io.path}}) {
    if (p.empty()) continue;
    if (const std::string hit = overwritten_input(c.out, {p}); !hit.empty())
      throw UsageError(std::string("output.path: is the same file as ") + where + " ('" + hit +
                       "')");
    // The quick-look map is written beside the GeoPackage, as OUT.png.
    const std::string png = std::filesystem::path(c.out).replace_extension(".png").string();
    if (const std::string hit = overwritten_input(png, {p}); c.quicklook && !hit.empty())
      throw UsageError(std::string("output.quicklook: the map '") + png +
                       "' would replace " + where + " ('" + hit +
                       "'); rename the output or set output.quicklook to false");
  }

  // A run may hold several kde and local analyses, one per named window; each must write its own
  // layers. first_of: "kde:NAME", "local:NAME" (names unique per type), "local-layer:LAYER" or
  // the type of the others -> where.
  std::map<std::string, std::string> first_of;
  for (std::size_t k = 0; k < d["analyses"].size(); ++k) {
    AnalysisConfig a;
    a.options = d["analyses"][k];
    a.type = a.options["type"].get<std::string>();
    a.where = "analyses[" + std::to_string(k) + "]";
    const std::string name = a.name();
    std::vector<std::pair<std::string, std::string>> keys;  // key, the message's path and problem
    if (a.type == "kde" || a.type == "local") {
      if (!name.empty())
        keys.push_back({a.type + ":" + name, ".name: '" + name + "' is also the name of "});
      else if (a.type == "kde")
        keys.push_back({"kde:", ".type: a second unnamed 'kde' analysis (the first is "});
    } else {
      keys.push_back({a.type, ".type: a second '" + a.type + "' analysis (the first is "});
    }
    if (a.type == "local") {
      const std::string layer = local_layer(a.options);
      if (const std::string why = reserved_layer(layer); !why.empty())
        throw UsageError(a.where + ".layer: '" + layer + "' is " + why +
                         "; give the local analysis another layer name (e.g. local_" + layer + ")");
      keys.push_back({"local-layer:" + layer,
                      ".layer: '" + layer + "' is also written by "});
    }
    for (const auto& [key, problem] : keys) {
      if (!first_of.count(key)) continue;
      if (key == "kde:")
        throw UsageError(a.where + problem + first_of[key] +
                         "); each writes the same layers: give each kde a name (\"name\": \"night\")");
      if (problem.rfind(".type", 0) == 0)
        throw UsageError(a.where + problem + first_of[key] + "); each writes the same layers");
      if (key.rfind("local-layer:", 0) == 0)
        throw UsageError(a.where + problem + first_of[key] + "; give each local analysis its own layer");
      throw UsageError(a.where + problem + first_of[key] + " (" + a.type +
                       "); the names of one type's analyses must differ");
    }
    for (const auto& kv : keys) first_of[kv.first] = a.where;
    c.analyses.push_back(std::move(a));
  }
  return c;
}

}  // namespace hotspot
