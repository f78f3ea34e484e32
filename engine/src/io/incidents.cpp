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

void read_csv(const IncidentOptions& opt, IncidentRead& out) {
  CsvReader reader(opt.path);
  std::unique_ptr<Decoder> decoder;
  if (!is_utf8_name(opt.encoding)) decoder = std::make_unique<Decoder>(opt.encoding, "--encoding");
  out.report.encoding = decoder ? opt.encoding : "utf-8";
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
  rep.source_crs = parse_crs(opt.crs.empty() ? "EPSG:4326" : opt.crs, "--incidents-crs");
  const std::vector<int> extra_cols = extra_columns(header, {xi, yi, id, ti, ci, wi, di});
  for (int k : extra_cols) out.incidents.extra_names.push_back(header[static_cast<std::size_t>(k)]);
  std::vector<std::string_view> extra(extra_cols.size());

  RowChecker checker(opt, out, id >= 0, cols, reader.delimiter() == ';', extra_cols.size(),
                     reader.estimated_records());
  checker.decoder_ = decoder.get();
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
