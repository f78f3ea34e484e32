// hotspot top, formatting: the ranking as a terminal table, CSV, JSON, GeoJSON, GPX or KML.
#include "hotspot/top.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "io/styles.hpp"
#include "util/text.hpp"

namespace hotspot {

namespace {

// Keys in the order written: the output is read by people as well as tools.
using json = nlohmann::ordered_json;

std::string printf_str(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string offset_text(int minutes) {
  char buf[16];
  const int a = std::abs(minutes);
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", minutes < 0 ? '-' : '+', a / 60, a % 60);
  return buf;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

std::string percent(double share) { return printf_str("%.1f%%", 100 * share); }

// `label` ("    communes:") and the names, broken after a comma into lines of at most `width`
// columns, each further line indented under the first name: a name is never split across lines,
// and every name is shown (one longer than a whole line is cut with "…"). "-" when there are none.
std::vector<std::string> wrap_names(const std::string& label, const std::vector<std::string>& names,
                                    std::size_t width) {
  if (names.empty()) return {label + " -"};
  const std::size_t indent = display_width(label) + 1;
  std::vector<std::string> lines = {label};
  std::size_t used = indent - 1;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string item = names[i] + (i + 1 < names.size() ? "," : "");
    const std::size_t w = display_width(item);
    if (used > indent - 1 && used + 1 + w > width) {
      lines.push_back(std::string(indent - 1, ' '));
      used = indent - 1;
    }
    lines.back() += " " + item;
    used += 1 + w;
  }
  for (auto& line : lines) line = truncate_to_width(line, width);
  return lines;
}

std::string categories_text(const TopHotspot& t) {
  std::vector<std::string> parts;
  for (const auto& c : t.categories)
    parts.push_back(list_item(c.category) + " " + percent(c.share));
  return join(parts, ", ");
}

// Rounded for output: the printed value is the shortest text that reads back as this double.
double rounded(double v, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(v * scale) / scale;
}

json number_or_null(double v, int decimals) {
  return std::isnan(v) ? json(nullptr) : json(rounded(v, decimals));
}

json header_json(const TopResult& r) {
  json layers = json::array();
  for (const auto& l : r.layers)
    layers.push_back({{"layer", l.name}, {"source", l.source}, {"hotspots", l.hotspots}});
  auto text_or_null = [](const std::string& s) { return s.empty() ? json(nullptr) : json(s); };
  return {{"file", r.in},
          {"window",
           {{"name", text_or_null(r.window_name)},
            {"from", text_or_null(r.from)},
            {"to", text_or_null(r.to)},
            {"hours", text_or_null(r.hours)},
            {"days", r.days.empty() ? json(nullptr) : json(r.days)},
            {"categories", r.categories.empty() ? json(nullptr) : json(r.categories)},
            {"utc_offset", offset_text(r.utc_offset_minutes)},
            {"utc_offset_from", r.utc_offset_from},
            {"as_of", text_or_null(r.as_of)},
            {"as_of_from", text_or_null(r.as_of_from)}}},
          {"incidents_total", r.incidents_total},
          {"incidents_in_window", r.incidents_in_window},
          {"incidents_without_time", r.incidents_without_time},
          {"incidents_without_hour", r.incidents_without_hour},
          {"study_area_km2", rounded(r.study_area_km2, 4)},
          {"study_area_from", r.study_area_from},
          {"planar", r.planar},  // no CRS: lengths in data units, *_km2 in (1000 data units)²
          {"layers", layers},
          {"hotspots", r.hotspots},
          {"hotspots_with_incidents", r.hotspots_with_incidents},
          {"min_pai", r.min_pai},
          {"hidden_by_min_pai", r.hidden_by_min_pai},
          {"listed", r.top.size()}};
}

json hotspot_json(const TopHotspot& t) {
  json j = {{"rank", t.rank},
            {"hotspot", t.id},
            {"source", t.source},
            {"layer", t.layer},
            {"incidents", t.incidents},
            {"share", rounded(t.share, 4)},
            {"pai", number_or_null(t.pai, 3)},
            {"area_km2", rounded(t.area_km2, 4)},
            {"lat", number_or_null(t.lat, 6)},
            {"lon", number_or_null(t.lon, 6)},
            {"peak_hours", t.peak_hours.empty() ? json(nullptr) : json(t.peak_hours)},
            {"peak_incidents", t.peak_incidents},
            {"peak_share", rounded(t.peak_share, 4)},
            {"communes", t.communes},
            {"industrial_zones", t.industrial_zones}};
  for (std::size_t k = 0; k < 2; ++k) {
    const std::string key = "category_" + std::to_string(k + 1);
    j[key] = k < t.categories.size() ? json(t.categories[k].category) : json(nullptr);
    j[key + "_share"] =
        k < t.categories.size() ? json(rounded(t.categories[k].share, 4)) : json(nullptr);
  }
  return j;
}

// RFC 4180: quote a field holding a comma, quote or line break; double its quotes.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string csv_number(double v, const char* format) {
  return std::isnan(v) ? "" : printf_str(format, v);
}

// Signed area of a ring in its own units (positive: counter-clockwise).
double signed_area(const Ring& ring) {
  double a = 0;
  for (std::size_t k = 0; k + 1 < ring.size(); ++k)
    a += ring[k].x * ring[k + 1].y - ring[k + 1].x * ring[k].y;
  return a / 2;
}

// RFC 7946: exterior rings counter-clockwise, holes clockwise; positions lon, lat.
json ring_json(const Ring& ring, bool ccw) {
  json out = json::array();
  const bool reverse = (signed_area(ring) > 0) != ccw;
  for (std::size_t k = 0; k < ring.size(); ++k) {
    const XY& p = reverse ? ring[ring.size() - 1 - k] : ring[k];
    out.push_back({rounded(p.x, 7), rounded(p.y, 7)});
  }
  return out;
}

json geometry_json(const TopHotspot& t) {
  if (!t.lonlat.empty()) {
    json polys = json::array();
    for (const auto& p : t.lonlat) {
      json rings = json::array({ring_json(p.shell, true)});
      for (const auto& h : p.holes) rings.push_back(ring_json(h, false));
      polys.push_back(rings);
    }
    return {{"type", "MultiPolygon"}, {"coordinates", polys}};
  }
  if (!std::isnan(t.lon))
    return {{"type", "Point"}, {"coordinates", {rounded(t.lon, 7), rounded(t.lat, 7)}}};
  return nullptr;
}

}  // namespace

std::string format_top_table(const TopResult& r, std::size_t width) {
  std::vector<std::string> lines;
  std::vector<std::string> window;
  window.push_back(!r.from.empty() && !r.to.empty() ? r.from + ".." + r.to
                   : !r.from.empty()                ? "from " + r.from
                   : !r.to.empty()                  ? "up to " + r.to
                                                    : std::string("all dates"));
  window.push_back(r.hours.empty() ? "all day" : r.hours);
  window.push_back(r.days.empty() ? "every day" : join(r.days, ","));
  window.push_back(r.categories.empty() ? "all categories" : name_list(r.categories));
  lines.push_back("hotspot top  " + r.in);
  // A named window is the one its analyses used, as the run recorded it.
  lines.push_back("window     " + (r.window_name.empty() ? "" : r.window_name + ": ") +
                  join(window, "; "));
  lines.push_back(
      "local time UTC" + offset_text(r.utc_offset_minutes) + " (" +
      (r.utc_offset_from == "run_metadata" ? "recorded in run_metadata" : "--utc-offset") + ")");
  lines.push_back("incidents  " + std::to_string(r.incidents_in_window) + " of " +
                  std::to_string(r.incidents_total) + " in the window" +
                  (r.incidents_without_time
                       ? " (" + std::to_string(r.incidents_without_time) + " without a time)"
                       : "") +
                  (r.incidents_without_hour
                       ? " (" + std::to_string(r.incidents_without_hour) + " without an hour: " +
                             (r.hours.empty() ? "not in peak hours" : "left out of the hours") +
                             ")"
                       : ""));
  lines.push_back("study area " + printf_str("%.2f", r.study_area_km2) + " " + km2_unit(r.planar) +
                  " (" + r.study_area_from + ")");
  std::vector<std::string> layers;
  for (const auto& l : r.layers) layers.push_back(l.name + " " + std::to_string(l.hotspots));
  lines.push_back("hotspots   " + std::to_string(r.hotspots) + " (" + join(layers, ", ") + ")");
  lines.push_back("places     " + std::to_string(r.hotspots_with_incidents) + " with window incidents" +
                  (r.hidden_by_min_pai ? "; " + std::to_string(r.hidden_by_min_pai) + " hidden (PAI ≤ " +
                                             printf_str("%g", r.min_pai) + ", --min-pai)"
                                       : std::string()));
  if (!r.as_of.empty())
    lines.push_back("as of      " + r.as_of + " (" + r.as_of_from + ")");
  lines.push_back("           Z: KDE zone; G: Gi* hot cells (95 %+); G1+Z1: both at one place");
  const std::size_t header_lines = lines.size();  // wrapped: none of their words may be lost
  lines.push_back("");
  // The ids are what a planner looks for on the map: their column widens to the longest (up to
  // 16 columns, which the 80-column table has room for) rather than cut one.
  std::size_t id_width = 8;
  for (const auto& t : r.top)
    id_width = std::max(id_width, std::min<std::size_t>(16, display_width(t.id)));
  lines.push_back(fit_to_width("#", 3, true) + " " + fit_to_width("hotspot", id_width) + " " +
                  fit_to_width("incidents", 9, true) + " " + fit_to_width("share", 6, true) + " " +
                  fit_to_width("PAI", 7, true) + "  " + fit_to_width("peak hours", 11) +
                  "  lat, lon");
  for (const auto& t : r.top) {
    const std::string where =
        std::isnan(t.lat) ? "-" : printf_str("%.5f", t.lat) + ", " + printf_str("%.5f", t.lon);
    lines.push_back(
        fit_to_width(std::to_string(t.rank), 3, true) + " " + fit_to_width(t.id, id_width) + " " +
        fit_to_width(std::to_string(t.incidents), 9, true) + " " +
        fit_to_width(percent(t.share), 6, true) + " " +
        fit_to_width(std::isnan(t.pai) ? "-" : printf_str("%.2f", t.pai), 7, true) + "  " +
        fit_to_width(t.peak_hours.empty() ? "-" : t.peak_hours, 11) + "  " + where);
    // Every commune and zone: a hotspot on a commune line or a zone fence is the one that
    // needs the neighbours' joint patrol, so no name may fall off the end of the line.
    for (auto& line : wrap_names("    communes:", t.communes, width))
      lines.push_back(std::move(line));
    if (!t.industrial_zones.empty())
      for (auto& line : wrap_names("    zones:", t.industrial_zones, width))
        lines.push_back(std::move(line));
    lines.push_back("    categories: " +
                    (t.categories.empty() ? std::string("-") : categories_text(t)));
  }
  if (r.incidents_in_window == 0)
    lines.push_back("no incidents matched the window");
  else if (r.top.empty())
    lines.push_back("no hotspot holds an incident of the window");
  std::string out;
  for (std::size_t k = 0; k < lines.size(); ++k) {
    if (k < header_lines)
      for (const auto& part : wrap_to_width(lines[k], width, 11)) out += part + "\n";
    else
      out += truncate_to_width(lines[k], width) + "\n";
  }
  return out;
}

std::string format_top_csv(const TopResult& r) {
  std::string out =
      "rank,hotspot,source,layer,incidents,share,pai,area_km2,lat,lon,peak_hours,peak_incidents,"
      "peak_share,communes,industrial_zones,category_1,category_1_share,category_2,"
      "category_2_share\r\n";
  for (const auto& t : r.top) {
    std::vector<std::string> f = {std::to_string(t.rank),
                                  t.id,
                                  t.source,
                                  t.layer,
                                  std::to_string(t.incidents),
                                  csv_number(t.share, "%.4f"),
                                  csv_number(t.pai, "%.3f"),
                                  csv_number(t.area_km2, "%.4f"),
                                  csv_number(t.lat, "%.6f"),
                                  csv_number(t.lon, "%.6f"),
                                  t.peak_hours,
                                  std::to_string(t.peak_incidents),
                                  csv_number(t.peak_share, "%.4f"),
                                  join(t.communes, ", "),
                                  join(t.industrial_zones, ", ")};
    for (std::size_t k = 0; k < 2; ++k) {
      f.push_back(k < t.categories.size() ? t.categories[k].category : "");
      f.push_back(k < t.categories.size() ? csv_number(t.categories[k].share, "%.4f") : "");
    }
    std::string line;
    for (std::size_t k = 0; k < f.size(); ++k) line += (k ? "," : "") + csv_field(f[k]);
    out += line + "\r\n";
  }
  return out;
}

std::string format_top_json(const TopResult& r) {
  json hotspots = json::array();
  for (const auto& t : r.top) hotspots.push_back(hotspot_json(t));
  return json{{"header", header_json(r)}, {"hotspots", hotspots}}.dump(
             2, ' ', false, json::error_handler_t::replace) +
         "\n";
}

std::string format_top_geojson(const TopResult& r) {
  // One feature per line, so that a diff of two outputs reads hotspot by hotspot.
  std::string out = "{\"type\": \"FeatureCollection\", \"features\": [";
  for (std::size_t k = 0; k < r.top.size(); ++k) {
    const json f = {{"type", "Feature"},
                    {"properties", hotspot_json(r.top[k])},
                    {"geometry", geometry_json(r.top[k])}};
    out += (k ? ",\n" : "\n") + f.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  return out + "\n]}\n";
}

}  // namespace hotspot

namespace hotspot {

namespace {

// What a patrol reads on the phone: rank, counts, PAI, peak hours, communes.
std::string description(const TopHotspot& t) {
  std::string d = std::to_string(t.incidents) + " incidents (" + percent(t.share) + "), PAI " +
                  (std::isnan(t.pai) ? std::string("-") : printf_str("%.2f", t.pai));
  if (!t.peak_hours.empty()) d += "; peak " + t.peak_hours;
  if (!t.communes.empty()) d += "; " + join(t.communes, ", ");
  if (!t.categories.empty()) d += "; " + categories_text(t);
  return d;
}

std::string coord(double v) { return printf_str("%.7f", v); }

}  // namespace

std::string format_top_gpx(const TopResult& r) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<gpx version=\"1.1\" creator=\"hotspot top\" xmlns=\"http://www.topografix.com/GPX/1/1\">\n";
  for (const auto& t : r.top) {
    if (std::isnan(t.lat)) continue;
    out += "  <wpt lat=\"" + coord(t.lat) + "\" lon=\"" + coord(t.lon) + "\">\n    <name>" +
           xml_escape(std::to_string(t.rank) + ". " + t.id) + "</name>\n    <desc>" +
           xml_escape(description(t)) + "</desc>\n    <type>" + xml_escape(t.source) +
           "</type>\n  </wpt>\n";
  }
  return out + "</gpx>\n";
}

std::string format_top_kml(const TopResult& r) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<kml xmlns=\"http://www.opengis.net/kml/2.2\">\n<Document>\n  <name>hotspot top</name>\n";
  auto ring = [](const Ring& rg) {
    std::string s;
    for (const auto& p : rg) s += (s.empty() ? "" : " ") + coord(p.x) + "," + coord(p.y);
    return s;
  };
  for (const auto& t : r.top) {
    if (std::isnan(t.lat)) continue;
    out += "  <Placemark>\n    <name>" + xml_escape(std::to_string(t.rank) + ". " + t.id) +
           "</name>\n    <description>" + xml_escape(description(t)) +
           "</description>\n    <MultiGeometry>\n      <Point><coordinates>" + coord(t.lon) + "," +
           coord(t.lat) + "</coordinates></Point>\n";
    for (const auto& poly : t.lonlat) {
      out += "      <Polygon><outerBoundaryIs><LinearRing><coordinates>" + ring(poly.shell) +
             "</coordinates></LinearRing></outerBoundaryIs>";
      for (const auto& h : poly.holes)
        out += "<innerBoundaryIs><LinearRing><coordinates>" + ring(h) +
               "</coordinates></LinearRing></innerBoundaryIs>";
      out += "</Polygon>\n";
    }
    out += "    </MultiGeometry>\n  </Placemark>\n";
  }
  return out + "</Document>\n</kml>\n";
}

}  // namespace hotspot
