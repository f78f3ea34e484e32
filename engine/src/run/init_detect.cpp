#include "run/init_detect.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <limits>

#include "util/text.hpp"

namespace hotspot {

namespace {

bool parse_double(std::string s, double* v) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '"')) s.erase(s.begin());
  while (!s.empty() && (s.back() == ' ' || s.back() == '"' || s.back() == '\r')) s.pop_back();
  if (s.find(',') != std::string::npos && s.find('.') == std::string::npos)
    std::replace(s.begin(), s.end(), ',', '.');
  if (!s.empty() && s.front() == '+') s.erase(s.begin());
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return !s.empty() && ec == std::errc() && end == s.data() + s.size() && std::isfinite(*v);
}

bool inside(const Ranges& r, const Box& b, double slack) {
  const double dx = (b.xmax - b.xmin) * slack, dy = (b.ymax - b.ymin) * slack;
  return r.xmin >= b.xmin - dx && r.xmax <= b.xmax + dx && r.ymin >= b.ymin - dy &&
         r.ymax <= b.ymax + dy;
}

std::string range_text(const Ranges& r) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "x %.6g..%.6g, y %.6g..%.6g", r.xmin, r.xmax, r.ymin, r.ymax);
  return buf;
}

// Vietnam in metres: VN-2000 (and WGS 84) UTM 48N/49N and the TM-3 zones put it at easting
// 200-900 km (false easting 500 km) and northing 900-2,600 km.
bool vietnam_metres(double x_min, double x_max, double y_min, double y_max) {
  return x_min >= 150000 && x_max <= 950000 && y_min >= 800000 && y_max <= 2700000;
}

const char* kVn2000Hint =
    "VN-2000 data is in one of EPSG:9205-9218 (VN-2000 / TM-3 provincial zones, e.g. EPSG:9210 "
    "TM-3 105-45 for Hai Phong) or EPSG:3405/3406 (UTM 48N/49N); WGS 84 UTM is EPSG:32648/32649";

}  // namespace

std::string join_names(const std::vector<std::string>& names) { return name_list(names); }

Ranges value_ranges(const std::vector<std::string>& xs, const std::vector<std::string>& ys) {
  const double inf = std::numeric_limits<double>::infinity();
  Ranges r{inf, -inf, inf, -inf, 0};
  for (std::size_t i = 0; i < xs.size() && i < ys.size(); ++i) {
    double x, y;
    if (!parse_double(xs[i], &x) || !parse_double(ys[i], &y)) continue;
    r.xmin = std::min(r.xmin, x), r.xmax = std::max(r.xmax, x);
    r.ymin = std::min(r.ymin, y), r.ymax = std::max(r.ymax, y);
    ++r.n;
  }
  return r;
}

CoordinateGuess guess_crs(const Ranges& r, const Crs* communes_crs, const Box& extent) {
  CoordinateGuess g;
  if (r.n == 0) {
    g.todo = "no row of the first ones has two numeric coordinates; check the x/y columns";
    return g;
  }
  const Ranges swapped{r.ymin, r.ymax, r.xmin, r.xmax, r.n};
  auto degrees = [](const Ranges& q) {
    return q.xmin >= -180 && q.xmax <= 180 && q.ymin >= -90 && q.ymax <= 90;
  };
  // Vietnam spans longitude 102-110, latitude 8-24: degrees the other way round are swapped.
  auto vietnam_degrees = [](const Ranges& q) {
    return q.xmin >= 102 && q.xmax <= 110 && q.ymin >= 8 && q.ymax <= 24;
  };
  if (degrees(r) || degrees(swapped)) {
    g.crs = "EPSG:4326";
    g.swap = !vietnam_degrees(r) && vietnam_degrees(swapped);
    g.note = "coordinates in degrees (" + range_text(r) + "): EPSG:4326" +
             (g.swap ? "; the columns hold latitude then longitude, so x and y are swapped" : "");
    return g;
  }
  const bool projected = communes_crs && communes_crs->metres && !extent.empty();
  const std::string code = projected ? communes_crs->authority : "";
  if (projected && !code.empty() && (inside(r, extent, 0.2) || inside(swapped, extent, 0.2))) {
    g.crs = code;
    g.swap = !inside(r, extent, 0.2);
    g.note = "coordinates in metres (" + range_text(r) + ") inside the communes' extent: " +
             communes_crs->label() +
             (g.swap ? "; the columns are in surveyors' order (X = northing), so x and y are "
                       "swapped"
                     : "");
    return g;
  }
  if (vietnam_metres(r.xmin, r.xmax, r.ymin, r.ymax) ||
      vietnam_metres(r.ymin, r.ymax, r.xmin, r.xmax)) {
    const bool surveyors = !vietnam_metres(r.xmin, r.xmax, r.ymin, r.ymax);
    g.todo = "coordinates in metres (" + range_text(r) + ") in Vietnam's range" +
             (surveyors ? ", in surveyors' order (X = northing: swap x_field and y_field)" : "") +
             ", CRS unknown. " + kVn2000Hint;
    return g;
  }
  g.todo = "coordinates (" + range_text(r) + ") are neither degrees nor inside the communes; give "
           "their CRS";
  return g;
}

std::string crs_hint(const Box& e) {
  if (e.empty()) return "";
  if (e.xmin >= -180 && e.xmax <= 180 && e.ymin >= -90 && e.ymax <= 90)
    return "its coordinates look like degrees (EPSG:4326, or VN-2000 geographic EPSG:4756).";
  if (vietnam_metres(e.xmin, e.xmax, e.ymin, e.ymax))
    return std::string("its coordinates look like metres in Vietnam: ") + kVn2000Hint + ".";
  return "";
}

}  // namespace hotspot
