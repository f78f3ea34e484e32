#include "io/incidents.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <memory>

#include "crs/transform.hpp"
#include "hotspot/error.hpp"
#include "io/categories.hpp"
#include "io/csv_reader.hpp"
#include "io/encoding.hpp"
#include "io/field_roles.hpp"
#include "io/incident_rows.hpp"
#include "io/gdal_util.hpp"
#include "util/text.hpp"
#include "util/time.hpp"
#include "util/time_format.hpp"

namespace hotspot {

namespace {

using namespace incident_rows;


// The header decoded from the declared encoding and NFC-normalised. A header that is not valid
// in it leaves a hint for the column errors: the file, the line and the --encoding to try.
std::vector<std::string> decode_header(const std::vector<std::string>& raw, const IncidentOptions& opt,
                                       Decoder* decoder) {
  std::vector<std::string> out;
  bool bad = false;
  for (const auto& h : raw) {
    std::string text = h;
    if (decoder && !decoder->decode(h, text)) bad = true;
    if (!decoder && !valid_utf8(h)) bad = true;
    out.push_back(nfc(sanitize_utf8(text, text.size() * 3 + 3)));
  }
  g_header_hint.clear();
  const bool utf8_multibyte = std::any_of(raw.begin(), raw.end(), [](const std::string& h) {
    return valid_utf8(h) && std::any_of(h.begin(), h.end(), [](char c) { return (c & 0x80) != 0; });
  });
  if (decoder && !bad && utf8_multibyte &&
      std::all_of(raw.begin(), raw.end(), [](const std::string& h) { return valid_utf8(h); }))
    g_header_hint = "; the header of '" + opt.path + "' (line 1) is UTF-8, but --encoding says " +
                    opt.encoding + ": leave --encoding out (or give utf-8)";
  if (bad)
    g_header_hint = "; the header of '" + opt.path + "' (line 1) is not valid " +
                    (decoder ? opt.encoding : std::string("UTF-8")) +
                    ": is the file in another encoding? Give it with --encoding (e.g. " +
                    (decoder ? "utf-8" : "cp1258") + ")";
  return out;
}

// What the file has, for the error when its coordinate columns are not found: its columns, and
// the ones hotspot init would take for x and y ("Kinh độ", "Vĩ độ").
std::string coordinate_columns_hint(const std::vector<std::string>& header) {
  std::string columns;
  for (std::size_t i = 0; i < header.size() && i < 20; ++i)
    columns += (i ? ", '" : "'") + truncate_to_width(header[i], 40) + "'";  // a binary file's line
  if (header.size() > 20) columns += ", ...";
  std::string hint = "; the file's columns: " + columns;
  const int x = find_field_by_role(header, FieldRole::kX),
            y = find_field_by_role(header, FieldRole::kY);
  if (x >= 0 && y >= 0 && x != y)
    hint += ". '" + header[static_cast<std::size_t>(x)] + "' and '" +
            header[static_cast<std::size_t>(y)] +
            "' look like the coordinates: --x-field '" + header[static_cast<std::size_t>(x)] +
            "' --y-field '" + header[static_cast<std::size_t>(y)] +
            "' (hotspot init writes a configuration with every column it recognises)";
  return hint;
}

// utf-16, UTF-16LE, ucs-2, utf-32, ...: encodings whose text holds NUL bytes, which cannot be
// split into fields before decoding.
bool is_wide_encoding_name(const std::string& e) {
  std::string k;
  for (char c : e)
    if (c != '-' && c != '_') k += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return k.rfind("utf16", 0) == 0 || k.rfind("utf32", 0) == 0 || k.rfind("ucs2", 0) == 0 ||
         k.rfind("ucs4", 0) == 0;
}

// The reason of a record whose quoted field is never closed: where it opened, and how much it
// would have taken in.
std::string open_quote_message(const CsvRecord& rec, const CsvLimits& limits) {
  const std::string where = "a quoted field opened on line " + std::to_string(rec.quote_open_line);
  const std::string lines =
      std::to_string(rec.quote_open_lines) + " line" + (rec.quote_open_lines == 1 ? "" : "s");
  if (rec.quote_open_lines <= 1) return where + " is not closed before the end of the file";
  return where + " is not closed " +
         (rec.quote_open_at_limit ? "within " + byte_size_text(limits.record_bytes) +
                                        ", the limit for one record (" + lines + ")"
                                  : "before the end of the file (" + lines + " to the end)") +
         "; only that line is rejected, and reading resumes on the next line";
}

struct ChosenColumn {
  int index;         // -1: not used
  const char* role;  // "y coordinate"
  const char* flag;  // "--y-field"
};

// A column chosen for a role whose name the header repeats (id,lon,lat,lat: an export that
// joined two tables) is warned about, not refused: the names are the same, so no --y-field can
// pick the other, and refusing would leave only editing the file. The first is used (the others
// pass through as lat_2, ...); the warning says so and how to use another. Names compare as
// SQLite compares them (ASCII case ignored), as the pass-through columns are renamed.
void warn_duplicated_columns(const std::vector<std::string>& header,
                             std::initializer_list<ChosenColumn> chosen, const std::string& path,
                             IngestReport& rep) {
  auto same = [](const std::string& a, const std::string& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char p, char q) {
             return std::tolower(static_cast<unsigned char>(p)) ==
                    std::tolower(static_cast<unsigned char>(q));
           });
  };
  for (const ChosenColumn& c : chosen) {
    if (c.index < 0) continue;
    const std::string& name = header[static_cast<std::size_t>(c.index)];
    std::string others;
    for (std::size_t k = 0; k < header.size(); ++k)
      if (static_cast<int>(k) != c.index && same(header[k], name))
        others += (others.empty() ? "" : ", ") + std::to_string(k + 1);
    if (others.empty()) continue;
    rep.warnings.push_back("incidents '" + path + "': the header names more than one column '" +
                           name + "' (columns " + std::to_string(c.index + 1) + " and " + others +
                           "); column " + std::to_string(c.index + 1) + " is the " + c.role +
                           ", the others pass through under new names. If another holds it, rename "
                           "the columns in the header and name the right one with " +
                           c.flag);
  }
}

void read_csv(const IncidentOptions& opt, IncidentRead& out) {
  CsvReader reader(opt.path);
  std::unique_ptr<Decoder> decoder;
  if (!reader.utf16().empty()) {
    // The byte order mark says how the file is written; the reader has decoded it already.
    if (!is_utf8_name(opt.encoding) && !is_wide_encoding_name(opt.encoding))
      out.report.warnings.push_back("incidents '" + opt.path + "': the file starts with a " +
                                    "UTF-16 byte order mark and is read as UTF-16; --encoding " +
                                    opt.encoding + " is ignored");
  } else if (is_wide_encoding_name(opt.encoding)) {
    throw UsageError("--encoding " + opt.encoding + ": incidents '" + opt.path +
                     "' does not start with a UTF-16 byte order mark (FF FE or FE FF), which " +
                     "hotspot needs to read UTF-16; save the file as \"CSV UTF-8\" (or give " +
                     "its 8-bit encoding, e.g. cp1258)");
  } else if (!is_utf8_name(opt.encoding)) {
    decoder = std::make_unique<Decoder>(opt.encoding, "--encoding");
  }
  out.report.encoding = decoder ? opt.encoding : !reader.utf16().empty() ? reader.utf16() : "utf-8";
  const std::vector<std::string> header = decode_header(reader.header(), opt, decoder.get());
  int xi = find_column(header, opt.x_field, {"lon", "longitude", "lng", "long", "x"}, "--x-field");
  int yi = find_column(header, opt.y_field, {"lat", "latitude", "y"}, "--y-field");
  if (xi < 0 || yi < 0)
    throw UsageError("incidents '" + opt.path +
                     "': cannot find the coordinate columns (looked for " +
                     "lon/longitude/x and lat/latitude/y); name them with --x-field and --y-field" +
                     coordinate_columns_hint(header) + g_header_hint);
  auto& rep = out.report;
  const AttributeColumns cols = find_attribute_columns(header, opt, rep);
  const int id = cols.id, ti = cols.time, ci = cols.category, wi = cols.weight, di = cols.date;
  rep.x_field = header[static_cast<std::size_t>(xi)],
  rep.y_field = header[static_cast<std::size_t>(yi)];
  warn_duplicated_columns(header,
                          {{xi, "x coordinate", "--x-field"},
                           {yi, "y coordinate", "--y-field"},
                           {id, "incident id", "--id-field"},
                           {ti, "time", "--time-field"},
                           {di, "date", "--date-field"},
                           {ci, "category", "--category-field"},
                           {wi, "weight", "--weight-field"}},
                          opt.path, rep);
  rep.source_crs = parse_crs(opt.crs.empty() ? "EPSG:4326" : opt.crs, "--incidents-crs");
  const std::vector<int> extra_cols = extra_columns(header, {xi, yi, id, ti, ci, wi, di});
  for (int k : extra_cols) out.incidents.extra_names.push_back(header[static_cast<std::size_t>(k)]);
  std::vector<std::string_view> extra(extra_cols.size());

  // Decimal commas wherever the comma is not the delimiter: `;` and tab (Excel's "Unicode Text"
  // in a Vietnamese locale writes 106,62 between tabs).
  RowChecker checker(opt, out, id >= 0, cols, reader.delimiter() != ',', extra_cols.size(),
                     reader.estimated_records());
  checker.decoder_ = decoder.get();
  CsvRecord rec;
  const std::size_t nfields = header.size();
  auto field = [&](int i) {
    return i < 0 ? std::string_view() : rec.fields[static_cast<std::size_t>(i)];
  };
  while (reader.next(rec)) {
    auto raw = [&] { return sanitize_utf8(rec.raw); };
    // Separators after the last column (rows ending ";;", as Excel writes its used range): empty
    // fields beyond the header's are no data.
    if (rec.fields.size() > nfields &&
        std::all_of(rec.fields.begin() + static_cast<std::ptrdiff_t>(nfields), rec.fields.end(),
                    [](std::string_view f) { return trim(f).empty(); }))
      rec.fields.resize(nfields);
    if (rec.unterminated_quote || rec.fields.size() != nfields) {
      ++rep.read;
      rep.rejected.push_back({rec.line, raw(), RejectReason::kBadRow,
                              rec.unterminated_quote
                                  ? open_quote_message(rec, reader.limits())
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
    RowText r{field(xi), field(yi), field(id), field(ti), field(ci), field(wi), field(di)};
    for (std::size_t k = 0; k < extra_cols.size(); ++k) extra[k] = field(extra_cols[k]);
    r.extra = &extra;
    checker.add(rec.line, r, raw);
  }
  checker.finish();
  if (rep.text_repaired > 0)
    rep.warnings.push_back(
        "incidents '" + opt.path + "': " + std::to_string(rep.text_repaired) +
        " values are not valid " + out.report.encoding + " (the first on line " +
        std::to_string(checker.first_repaired_line_) +
        "); their bad bytes became U+FFFD. Give the file's encoding with --encoding (e.g. " +
        (decoder ? "utf-8" : "cp1258") + ")");
  if (checker.id_missing_ > 0)
    rep.warnings.push_back("incidents '" + opt.path + "': " + std::to_string(checker.id_missing_) +
                           (checker.id_missing_ == 1 ? " row has" : " rows have") +
                           " an empty id (the first on line " +
                           std::to_string(checker.first_id_missing_line_) +
                           "); kept with no id (a missing id is no duplicate): source_line tells "
                           "them apart");
  // The dbf reader's warning for a language byte over UTF-8 text, for a forced --encoding.
  if (decoder && checker.utf8_values_ > 0 && checker.not_utf8_values_ == 0) {
    std::string as_decoded;
    decoder->decode(checker.utf8_sample_, as_decoded);
    rep.warnings.push_back("incidents '" + opt.path + "': --encoding says " + opt.encoding +
                           ", but its text is UTF-8 (" + std::to_string(checker.utf8_values_) +
                           (checker.utf8_values_ == 1 ? " value" : " values") + ", e.g. '" +
                           sanitize_utf8(checker.utf8_sample_, 40) + "', which " + opt.encoding +
                           " reads as '" + sanitize_utf8(as_decoded, 60) + "'); read as " +
                           opt.encoding +
                           ", as asked: leave --encoding out (or give utf-8) to read it as UTF-8");
  }
  out.csv_sha256 = reader.sha256();
  out.csv_bytes = reader.bytes_read();
}


}  // namespace

bool is_csv_path(const std::string& path) {
  auto dot = path.rfind('.');
  return dot != std::string::npos && incident_rows::lower(path.substr(dot)) == ".csv";
}

IncidentRead read_incidents(const IncidentOptions& options) {
  IncidentRead out;
  out.csv = is_csv_path(options.path);
  if (out.csv && !options.layer.empty())  // not ignored: the user meant some other source
    throw UsageError("--incidents-layer '" + options.layer + "': '" + options.path +
                     "' is a CSV file, which has no layers; leave --incidents-layer out, or give "
                     "the GeoPackage or other OGR source that has that layer");
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
  CsvReader reader(path, /*hash=*/false);
  CsvRecord rec;
  std::size_t k = 0;
  while (k < lines.size() && reader.next_raw(rec)) {
    while (k < lines.size() && lines[k] == rec.line) {
      out.push_back(sanitize_utf8(rec.raw));
      ++k;
    }
  }
  out.resize(lines.size());
  return out;
}

}  // namespace hotspot
