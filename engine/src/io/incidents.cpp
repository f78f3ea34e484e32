#include "io/incidents.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>

#include "crs/transform.hpp"
#include "hotspot/error.hpp"
#include "io/csv_reader.hpp"
#include "io/gdal_util.hpp"
#include "util/time.hpp"

namespace hotspot {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Index of the column named `wanted`, or of the first of `candidates` present; -1 if none.
// A name the user gave must exist.
int find_column(const std::vector<std::string>& header, const std::string& wanted,
                std::initializer_list<const char*> candidates, const char* option) {
  if (!wanted.empty()) {
    for (std::size_t i = 0; i < header.size(); ++i)
      if (header[i] == wanted) return static_cast<int>(i);
    for (std::size_t i = 0; i < header.size(); ++i)
      if (lower(header[i]) == lower(wanted)) return static_cast<int>(i);
    std::string names;
    for (const auto& h : header) names += (names.empty() ? "" : ", ") + h;
    throw UsageError(std::string(option) + ": no column named '" + wanted + "' (columns: " + names +
                     ")");
  }
  for (const char* c : candidates)
    for (std::size_t i = 0; i < header.size(); ++i)
      if (lower(header[i]) == c) return static_cast<int>(i);
  return -1;
}

// The attribute columns both sources share (id, time, category, weight), found by name, and
// recorded in the report.
struct AttributeColumns {
  int id = -1, time = -1, category = -1, weight = -1;
};

AttributeColumns find_attribute_columns(const std::vector<std::string>& header,
                                        const IncidentOptions& opt, IngestReport& rep) {
  AttributeColumns c;
  c.id = find_column(header, opt.id_field, {"id", "incident_id", "case_id"}, "--id-field");
  c.time = find_column(header, opt.time_field,
                       {"time", "timestamp", "datetime", "date", "occurred_at"}, "--time-field");
  c.category =
      find_column(header, opt.category_field,
                  {"category", "type", "offence", "offense", "crime_type"}, "--category-field");
  c.weight =
      opt.weight_field.empty() ? -1 : find_column(header, opt.weight_field, {}, "--weight-field");
  auto name = [&](int i) { return i < 0 ? std::string() : header[static_cast<std::size_t>(i)]; };
  rep.id_field = name(c.id), rep.time_field = name(c.time);
  rep.category_field = name(c.category), rep.weight_field = name(c.weight);
  return c;
}

enum class NumberStatus { kOk, kEmpty, kBad };

// Parses a decimal number. With decimal_comma, "106,5" reads as 106.5 (for ';'-separated files).
NumberStatus parse_number(std::string_view s, bool decimal_comma, double* out, std::string* why) {
  s = trim(s);
  if (s.empty()) return NumberStatus::kEmpty;
  if (s.front() == '+') s.remove_prefix(1);
  char buf[64];
  if (decimal_comma && s.size() < sizeof buf && s.find(',') != std::string_view::npos &&
      s.find('.') == std::string_view::npos) {
    std::memcpy(buf, s.data(), s.size());
    std::replace(buf, buf + s.size(), ',', '.');
    s = std::string_view(buf, s.size());
  }
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc::result_out_of_range) {
    *why = "'" + std::string(s) + "' is out of the range of a double";
    return NumberStatus::kBad;
  }
  if (ec != std::errc() || end != s.data() + s.size()) {
    *why = "'" + std::string(s.substr(0, 40)) + "' is not a number";
    return NumberStatus::kBad;
  }
  if (!std::isfinite(v)) {
    *why = "'" + std::string(s) + "' is not a finite number";
    return NumberStatus::kBad;
  }
  *out = v;
  return NumberStatus::kOk;
}

// Open-addressing set of incident ids (indices into the id column); no allocation per id. Each
// slot keeps 32 bits of the hash, so most probes are settled without touching the id's bytes.
class IdSet {
 public:
  explicit IdSet(const StringColumn& ids) : ids_(ids) {}
  // Inserts ids_[last]; returns false when an equal id is present already.
  bool insert_last() {
    auto index = static_cast<std::uint32_t>(ids_.size() - 1);
    if (slots_.size() < 2 * (count_ + 1)) rehash(std::max<std::size_t>(1024, slots_.size() * 2));
    std::string_view id = ids_[index];
    const std::size_t h = std::hash<std::string_view>{}(id);
    const auto tag = static_cast<std::uint32_t>(h >> 32);
    std::size_t k = h & (slots_.size() - 1);
    while (slots_[k].index != kEmpty) {
      if (slots_[k].tag == tag && ids_[slots_[k].index] == id) return false;
      k = (k + 1) & (slots_.size() - 1);
    }
    slots_[k] = {index, tag};
    ++count_;
    return true;
  }

 private:
  static constexpr std::uint32_t kEmpty = 0xFFFFFFFFu;
  struct Slot {
    std::uint32_t index = kEmpty, tag = 0;
  };
  void rehash(std::size_t n) {
    std::vector<Slot> old(n);
    old.swap(slots_);
    for (const Slot& s : old) {
      if (s.index == kEmpty) continue;
      std::size_t k = std::hash<std::string_view>{}(ids_[s.index]) & (slots_.size() - 1);
      while (slots_[k].index != kEmpty) k = (k + 1) & (slots_.size() - 1);
      slots_[k] = s;
    }
  }
  const StringColumn& ids_;
  std::vector<Slot> slots_;
  std::size_t count_ = 0;
};

// The values of one row as text, whatever the source. x/y may already be numbers (OGR points).
struct RowText {
  std::string_view x, y, id, time, category, weight;
  bool has_xy_numbers = false;
  double xn = 0, yn = 0;
  bool has_time_value = false;  // OGR date-time fields arrive typed
  std::int64_t time_value = 0;
};

// Checks one row and appends it to the columns, or records why it is rejected.
class RowChecker {
 public:
  RowChecker(const IncidentOptions& opt, IncidentRead& out, bool has_id, bool has_time,
             bool has_weight, bool decimal_comma)
      : opt_(opt),
        out_(out),
        ids_(out.incidents.id),
        has_id_(has_id),
        has_time_(has_time),
        has_weight_(has_weight),
        decimal_comma_(decimal_comma) {}

  template <class RawFn>
  void add(std::int64_t line, const RowText& r, RawFn&& raw) {
    ++out_.report.read;
    auto reject = [&](RejectReason why, std::string message) {
      out_.report.rejected.push_back({line, raw(), why, std::move(message)});
    };
    double x = r.xn, y = r.yn;
    if (!r.has_xy_numbers) {
      std::string why;
      auto sx = parse_number(r.x, decimal_comma_, &x, &why);
      if (sx == NumberStatus::kBad) return reject(RejectReason::kBadNumber, "x: " + why);
      auto sy = parse_number(r.y, decimal_comma_, &y, &why);
      if (sy == NumberStatus::kBad) return reject(RejectReason::kBadNumber, "y: " + why);
      if (sx == NumberStatus::kEmpty || sy == NumberStatus::kEmpty)
        return reject(RejectReason::kMissingCoordinate,
                      sx == NumberStatus::kEmpty && sy == NumberStatus::kEmpty ? "x and y are empty"
                      : sx == NumberStatus::kEmpty                             ? "x is empty"
                                                                               : "y is empty");
    }
    double w = 1;
    if (has_weight_) {
      std::string why;
      auto sw = parse_number(r.weight, decimal_comma_, &w, &why);
      if (sw == NumberStatus::kBad) return reject(RejectReason::kBadNumber, "weight: " + why);
      if (sw == NumberStatus::kEmpty) return reject(RejectReason::kBadNumber, "weight is empty");
    }
    std::int64_t t = kNoTime;
    if (r.has_time_value) {
      t = r.time_value;
      if (!time_in_range(t))
        return reject(RejectReason::kBadTimestamp, "time is outside years 0001-9999 (UTC)");
    } else if (has_time_) {
      std::string why;
      auto parsed = parse_iso8601(r.time, opt_.utc_offset_minutes, &why);
      if (!parsed)
        return reject(RejectReason::kBadTimestamp,
                      "time '" + sanitize_utf8(r.time, 60) + "': " + why);
      t = *parsed;
    }
    std::string_view cat = utf8(trim(r.category), fixed_cat_);
    if (cat.size() > kMaxCategoryBytes)
      return reject(RejectReason::kBadRow,
                    "category is " + std::to_string(cat.size()) + " bytes long; the limit is " +
                        std::to_string(kMaxCategoryBytes) + " (" + sanitize_utf8(cat, 40) + ")");
    Incidents& inc = out_.incidents;
    if (has_id_) {
      inc.id.push_back(utf8(trim(r.id), fixed_));
    } else {
      inc.id.push_back(std::to_string(line));  // no id column: the line (or fid) identifies the row
    }
    if (has_id_ && !ids_.insert_last()) {
      std::string id(inc.id[inc.id.size() - 1]);
      inc.id.pop_back();
      return reject(RejectReason::kDuplicateId,
                    "id '" + sanitize_utf8(id, 80) + "' was already accepted");
    }
    inc.x.push_back(x);
    inc.y.push_back(y);
    inc.time_utc.push_back(t);
    inc.category.push_back(cat.empty() ? Dictionary::kNone : inc.categories.intern(cat));
    if (has_weight_) inc.weight.push_back(w);
    inc.line.push_back(line);
    ++out_.report.accepted;
  }

 private:
  // Text as valid UTF-8: invalid bytes (a Latin-1 export, say) become U+FFFD and are counted, so
  // the output never holds text that QGIS or SQLite cannot decode.
  std::string_view utf8(std::string_view s, std::string& fixed) {
    bool ascii = std::all_of(s.begin(), s.end(), [](char c) {
      return (static_cast<unsigned char>(c) - 0x20u) < 0x60u || c == '\t';  // printable ASCII
    });
    if (ascii) return s;
    fixed = sanitize_utf8(s, s.size() * 3 + 3);  // room for every byte to become U+FFFD: no cut
    if (fixed != s) ++out_.report.text_repaired;
    return fixed;
  }

  const IncidentOptions& opt_;
  IncidentRead& out_;
  std::string fixed_, fixed_cat_;
  IdSet ids_;
  bool has_id_, has_time_, has_weight_, decimal_comma_;
};

bool is_csv(const std::string& path) {
  auto dot = path.rfind('.');
  return dot != std::string::npos && lower(path.substr(dot)) == ".csv";
}

void read_csv(const IncidentOptions& opt, IncidentRead& out) {
  CsvReader reader(opt.path);
  const auto& header = reader.header();
  int xi = find_column(header, opt.x_field, {"lon", "longitude", "lng", "long", "x"}, "--x-field");
  int yi = find_column(header, opt.y_field, {"lat", "latitude", "y"}, "--y-field");
  if (xi < 0 || yi < 0)
    throw UsageError("incidents '" + opt.path +
                     "': cannot find the coordinate columns (looked for " +
                     "lon/longitude/x and lat/latitude/y); name them with --x-field and --y-field");
  auto& rep = out.report;
  const AttributeColumns cols = find_attribute_columns(header, opt, rep);
  const int id = cols.id, ti = cols.time, ci = cols.category, wi = cols.weight;
  rep.x_field = header[static_cast<std::size_t>(xi)],
  rep.y_field = header[static_cast<std::size_t>(yi)];
  rep.source_crs = parse_crs(opt.crs.empty() ? "EPSG:4326" : opt.crs, "--incidents-crs");

  RowChecker checker(opt, out, id >= 0, ti >= 0, wi >= 0, reader.delimiter() == ';');
  CsvRecord rec;
  const std::size_t nfields = header.size();
  auto field = [&](int i) {
    return i < 0 ? std::string_view() : rec.fields[static_cast<std::size_t>(i)];
  };
  while (reader.next(rec)) {
    auto raw = [&] { return sanitize_utf8(rec.raw); };
    if (rec.unterminated_quote || rec.fields.size() != nfields) {
      ++rep.read;
      rep.rejected.push_back(
          {rec.line, raw(), RejectReason::kBadRow,
           rec.unterminated_quote
               ? std::string("a quoted field is not closed before the end of the file")
               : "expected " + std::to_string(nfields) + " fields, found " +
                     std::to_string(rec.fields.size())});
      continue;
    }
    if (std::memchr(rec.raw.data(), '\0', rec.raw.size())) {
      ++rep.read;
      rep.rejected.push_back({rec.line, raw(), RejectReason::kBadRow,
                              "the record holds a NUL byte (a binary or UTF-16 file?)"});
      continue;
    }
    RowText r{field(xi), field(yi), field(id), field(ti), field(ci), field(wi)};
    checker.add(rec.line, r, raw);
  }
  out.csv_sha256 = reader.sha256();
  out.csv_bytes = reader.bytes_read();
}

// OGR's date-time fields carry a time zone flag: 0 unknown, 1 local, 100 UTC, 100 +/- n quarters.
std::int64_t ogr_datetime(const OGRFeature& f, int i, int naive_offset_minutes) {
  int y, m, d, h, mi, tz;
  float s;
  const_cast<OGRFeature&>(f).GetFieldAsDateTime(i, &y, &m, &d, &h, &mi, &s, &tz);
  int offset = tz >= 100 ? (tz - 100) * 15 : naive_offset_minutes;
  return days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)) * 86400 + h * 3600 +
         mi * 60 + static_cast<int>(s) - offset * 60;
}

void read_ogr(const IncidentOptions& opt, IncidentRead& out) {
  DatasetPtr ds = open_vector(opt.path, "incidents");
  OGRLayer* layer = pick_layer(*ds, opt.layer, "incidents");
  OGRFeatureDefn* defn = layer->GetLayerDefn();
  std::vector<std::string> header;
  for (int i = 0; i < defn->GetFieldCount(); ++i)
    header.emplace_back(defn->GetFieldDefn(i)->GetNameRef());
  if (!opt.x_field.empty() || !opt.y_field.empty())
    throw UsageError("--x-field/--y-field apply to CSV input; '" + opt.path +
                     "' is read as point geometries");
  auto& rep = out.report;
  const AttributeColumns cols = find_attribute_columns(header, opt, rep);
  const int id = cols.id, ti = cols.time, ci = cols.category, wi = cols.weight;
  rep.x_field = "geometry", rep.y_field = "geometry";
  rep.source_crs = layer_crs(*ds, *layer, opt.crs, "incidents", "--incidents-crs");
  bool typed_time = ti >= 0 && (defn->GetFieldDefn(ti)->GetType() == OFTDateTime ||
                                defn->GetFieldDefn(ti)->GetType() == OFTDate);
  RowChecker checker(opt, out, id >= 0, ti >= 0, wi >= 0, false);
  std::string sid, stime, scat, sweight;
  for_each_feature(*layer, "incidents", opt.path, [&](OGRFeature& feature) {
    OGRFeature* f = &feature;
    std::int64_t fid = f->GetFID();
    auto raw = [&] { return "fid=" + std::to_string(fid); };
    auto text = [&](int i, std::string& s) -> std::string_view {
      if (i < 0 || !f->IsFieldSetAndNotNull(i)) return {};
      s = f->GetFieldAsString(i);
      return s;
    };
    RowText r;
    r.id = text(id, sid);
    r.category = text(ci, scat);
    r.weight = text(wi, sweight);
    if (typed_time && f->IsFieldSetAndNotNull(ti)) {
      r.has_time_value = true;
      r.time_value = ogr_datetime(*f, ti, opt.utc_offset_minutes);
    } else {
      r.time = text(ti, stime);
    }
    const OGRGeometry* g = f->GetGeometryRef();
    if (g && wkbFlatten(g->getGeometryType()) == wkbMultiPoint &&
        g->toMultiPoint()->getNumGeometries() == 1)
      g = g->toMultiPoint()->getGeometryRef(0);
    if (!g || g->IsEmpty()) {
      ++rep.read;
      rep.rejected.push_back(
          {fid, raw(), RejectReason::kMissingCoordinate, "null or empty geometry"});
      return;
    }
    if (wkbFlatten(g->getGeometryType()) != wkbPoint) {
      ++rep.read;
      rep.rejected.push_back(
          {fid, raw(), RejectReason::kBadRow,
           std::string("geometry is a ") + g->getGeometryName() + ", not a point"});
      return;
    }
    const OGRPoint* p = g->toPoint();
    r.has_xy_numbers = true;
    r.xn = p->getX();
    r.yn = p->getY();
    if (!std::isfinite(r.xn) || !std::isfinite(r.yn)) {
      ++rep.read;
      rep.rejected.push_back(
          {fid, raw(), RejectReason::kBadNumber, "coordinate is NaN or infinite"});
      return;
    }
    checker.add(fid, r, raw);
  });
}

}  // namespace

int parse_utc_offset(const std::string& s, const std::string& option) {
  int sign = 0, h = 0, m = 0;
  auto digit = [&](std::size_t i) { return std::isdigit(static_cast<unsigned char>(s[i])) != 0; };
  if (s.size() == 6 && (s[0] == '+' || s[0] == '-') && s[3] == ':' && digit(1) && digit(2) &&
      digit(4) && digit(5)) {
    sign = s[0] == '-' ? -1 : 1;
    h = (s[1] - '0') * 10 + (s[2] - '0');
    m = (s[4] - '0') * 10 + (s[5] - '0');
  }
  if (!sign || h > 14 || m > 59)
    throw UsageError(option + " '" + s + "': expected +HH:MM or -HH:MM, e.g. +07:00");
  return sign * (h * 60 + m);
}

std::string sanitize_utf8(std::string_view s, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(s.size(), max_bytes));
  std::size_t i = 0;
  while (i < s.size() && out.size() < max_bytes) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80         ? 1
                      : (c >> 5) == 6  ? 2
                      : (c >> 4) == 14 ? 3
                      : (c >> 3) == 30 ? 4
                                       : 0;
    bool ok = len > 0 && i + len <= s.size();
    for (std::size_t k = 1; ok && k < len; ++k)
      ok = (static_cast<unsigned char>(s[i + k]) >> 6) == 2;
    if (ok && c < 0x80 && c < 0x20 && c != '\t' && c != '\n' && c != '\r')
      ok = false;  // control bytes
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  if (i < s.size()) out += "...";
  return out;
}

IncidentRead read_incidents(const IncidentOptions& options) {
  IncidentRead out;
  out.csv = is_csv(options.path);
  if (out.csv) {
    read_csv(options, out);
  } else {
    read_ogr(options, out);
  }
  if (out.report.read == 0) out.report.warnings.push_back("the incidents source has no data rows");
  return out;
}

std::vector<std::string> reread_csv_records(const std::string& path,
                                            const std::vector<std::int64_t>& lines) {
  std::vector<std::string> out;
  if (lines.empty()) return out;
  CsvReader reader(path);
  CsvRecord rec;
  std::size_t k = 0;
  while (k < lines.size() && reader.next(rec)) {
    while (k < lines.size() && lines[k] == rec.line) {
      out.push_back(sanitize_utf8(rec.raw));
      ++k;
    }
  }
  out.resize(lines.size());
  return out;
}

}  // namespace hotspot
