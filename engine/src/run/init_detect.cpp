#include "run/init_detect.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <limits>

namespace hotspot {

namespace {

// Decodes one UTF-8 code point at s[i]; advances i. Invalid bytes decode as themselves.
char32_t next_code_point(const std::string& s, std::size_t& i) {
  const auto c = static_cast<unsigned char>(s[i]);
  const int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
  if (len == 1 || i + static_cast<std::size_t>(len) > s.size()) return s[i++] & 0xFF;
  char32_t cp = c & (0xFF >> (len + 1));
  for (std::size_t k = 1; k < static_cast<std::size_t>(len); ++k)
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  i += static_cast<std::size_t>(len);
  return cp;
}

// The base letter of a Vietnamese letter with marks (lower or upper case), or 0.
char vietnamese_base(char32_t cp) {
  // Each string lists the letters (UTF-8) that fold to the base before it.
  static const struct {
    char base;
    const char* letters;
  } kTable[] = {
      {'a', "àáảãạăằắẳẵặâầấẩẫậÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ"},
      {'e', "èéẻẽẹêềếểễệÈÉẺẼẸÊỀẾỂỄỆ"},
      {'i', "ìíỉĩịÌÍỈĨỊ"},
      {'o', "òóỏõọôồốổỗộơờớởỡợÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ"},
      {'u', "ùúủũụưừứửữựÙÚỦŨỤƯỪỨỬỮỰ"},
      {'y', "ỳýỷỹỵỲÝỶỸỴ"},
      {'d', "đĐ"},
  };
  for (const auto& row : kTable) {
    const std::string letters = row.letters;
    for (std::size_t i = 0; i < letters.size();)
      if (next_code_point(letters, i) == cp) return row.base;
  }
  return 0;
}

struct Names {
  std::vector<const char*> exact;
  std::vector<const char*> prefix;
};

Names names_of(FieldRole role) {
  switch (role) {
    case FieldRole::kX:
      return {{"lon", "longitude", "lng", "long", "x", "kinh_do", "kinhdo", "toa_do_x", "x_coord",
               "easting"},
              {"kinh_do", "longitude", "toa_do_x"}};
    case FieldRole::kY:
      return {{"lat", "latitude", "y", "vi_do", "vido", "toa_do_y", "y_coord", "northing"},
              {"vi_do", "latitude", "toa_do_y"}};
    case FieldRole::kDateTime:
      return {{"time", "timestamp", "datetime", "date_time", "occurred_at", "thoi_gian",
               "thoigian", "ngay_gio", "thoi_diem"},
              {"thoi_gian", "thoi_diem", "ngay_gio", "timestamp", "datetime"}};
    case FieldRole::kDate:
      return {{"date", "ngay", "ngay_xay_ra", "ngay_vu_viec", "day"}, {"ngay", "date"}};
    case FieldRole::kTimeOfDay:
      return {{"gio", "gio_xay_ra", "hour", "time_of_day", "clock"}, {"gio"}};
    case FieldRole::kCategory:
      return {{"category", "type", "loai", "loai_vu_viec", "loai_vu", "phan_loai", "offence",
               "offense", "crime_type", "toi_danh"},
              {"loai", "category", "phan_loai"}};
    case FieldRole::kIncidentId:
      return {{"id", "incident_id", "case_id", "ma_vu", "ma_vu_viec", "so_vu", "so_hieu", "ma",
               "stt"},
              {"ma_vu", "so_hieu", "case_"}};
    case FieldRole::kCommuneId:
      return {{"commune_id", "ma_xa", "maxa", "ma_phuong", "ma", "code", "id"}, {"ma_xa"}};
    case FieldRole::kCommuneName:
      return {{"ten_xa", "tenxa", "ten_phuong", "ten", "name", "name_vi", "commune", "xa"},
              {"ten_xa", "ten"}};
    case FieldRole::kPopulation:
      return {{"population", "dan_so", "danso", "pop", "so_dan", "nhan_khau"},
              {"dan_so", "population", "pop_"}};
    case FieldRole::kZoneId:
      return {{"zone_id", "ma_kcn", "ma_ccn", "ma", "code", "id"}, {"ma_kcn"}};
    case FieldRole::kZoneName:
      return {{"ten_kcn", "ten_ccn", "ten", "name", "zone", "zone_name"}, {"ten_kcn", "ten"}};
  }
  return {{}, {}};
}

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

std::string fold_field_name(const std::string& name) {
  std::string out;
  bool gap = false;
  for (std::size_t i = 0; i < name.size();) {
    const char32_t cp = next_code_point(name, i);
    if (cp >= 0x300 && cp <= 0x36F) continue;  // a combining mark (decomposed text)
    char c = 0;
    if (cp < 0x80 && std::isalnum(static_cast<int>(cp)))
      c = static_cast<char>(std::tolower(static_cast<int>(cp)));
    else if (cp >= 0x80)
      c = vietnamese_base(cp);
    if (!c) {
      gap = !out.empty();
      continue;
    }
    if (gap) out += '_';
    gap = false;
    out += c;
  }
  return out;
}

int find_field_by_role(const std::vector<std::string>& fields, FieldRole role) {
  const Names n = names_of(role);
  std::vector<std::string> folded;
  for (const auto& f : fields) folded.push_back(fold_field_name(f));
  for (const char* want : n.exact)
    for (std::size_t i = 0; i < folded.size(); ++i)
      if (folded[i] == want) return static_cast<int>(i);
  for (const char* want : n.prefix)
    for (std::size_t i = 0; i < folded.size(); ++i)
      if (folded[i].rfind(want, 0) == 0) return static_cast<int>(i);
  return -1;
}

std::string join_names(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

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
