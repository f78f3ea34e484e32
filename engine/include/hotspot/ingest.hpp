#pragma once
// Reading incidents (CSV or any OGR point layer) and polygon layers (any OGR source).
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hotspot/crs.hpp"
#include "hotspot/geometry.hpp"
#include "hotspot/table.hpp"

namespace hotspot {

// Why a row was not accepted. The code strings (reason_code) are part of the output contract.
enum class RejectReason {
  kBadRow,             // malformed record: wrong number of fields, unterminated quote
  kBadNumber,          // unparsable number, NaN, inf, beyond kMaxInputMagnitude, or a
                       // negative weight (unless allowed)
  kMissingCoordinate,  // empty x or y
  kOutsideArea,        // outside the area of use of the input or working CRS
  kSwappedAxes,        // lat/lon apparently swapped (repaired instead with fix_swapped_axes)
  kBadTimestamp,       // not ISO 8601, impossible date, or empty
  kDuplicateId,        // an earlier accepted row has the same id
  kBadText,            // a value is not valid in the declared encoding (only with --encoding)
};
const char* reason_code(RejectReason r);

// The largest magnitude of an input value (a weight, a unit's value, a population). Beyond it the
// sums of squares the statistics take overflow or lose every digit of the smaller values
// (1e200² is inf), so such a row is a bad_number. Coordinates have their own checks (CRS area).
constexpr double kMaxInputMagnitude = 1e15;

struct RejectedRow {
  std::int64_t line = 0;  // CSV: physical line where the record starts (header = 1); OGR: fid
  std::string raw;        // CSV: the record as read (valid UTF-8, capped); OGR: "fid=N"
  RejectReason reason = RejectReason::kBadRow;
  std::string message;
};

// How category spellings that differ only in case are treated.
enum class CategoryCase {
  kFold,  // THEFT, Theft, theft are one category, labelled with its most frequent spelling
  kKeep,  // each spelling is its own category
};

struct IncidentOptions {
  std::string path;
  std::string layer;  // OGR sources only; DEFAULT: the first layer
  // Column names. DEFAULT (empty): detected. x: lon, longitude, lng, x; y: lat, latitude, y;
  // id: id, incident_id; time: time, timestamp, datetime, date; category: category, type.
  // With date_field set, time_field names the time-of-day column that goes with it (optional:
  // without it every incident is date-only).
  std::string x_field, y_field, id_field, time_field, category_field, weight_field;
  std::string date_field;           // DEFAULT: none (the date is in time_field)
  // How times are written: a preset (iso, dmy, mdy, excel-serial, epoch-s, epoch-ms) or strftime
  // directives (%Y %m %d %H %M %S %y %b %p %z %%). With date_field: the date column's format,
  // optionally followed by the time column's, e.g. "%d/%m/%Y %H:%M". DEFAULT: iso.
  std::string time_format;
  CategoryCase category_case = CategoryCase::kFold;  // DEFAULT: fold
  // Canonical category -> the spellings that mean it (matched after trim, NFC and case folding).
  std::map<std::string, std::vector<std::string>> category_aliases;  // DEFAULT: none
  // Text encoding of a CSV or DBF: utf-8, cp1258, latin1, or any iconv name. DEFAULT (empty):
  // UTF-8 for CSV; for a Shapefile the .cpg, else the DBF language byte (unless the text is
  // UTF-8), else UTF-8; the .dbf is decoded by hotspot (io/dbf_text.hpp), not by GDAL.
  std::string encoding;
  // validate, run and the single commands stop (exit 3) before analysing when more than this
  // share of the rows is rejected. DEFAULT: 0.5; 1 turns the gate off.
  double max_reject_share = 0.5;
  std::string crs;                  // DEFAULT: the source's; EPSG:4326 for CSV
  bool fix_swapped_axes = false;    // DEFAULT: false (reject swapped rows)
  // A negative weight is a bad_number row unless allowed; then a density may be negative.
  bool allow_negative_weights = false;  // DEFAULT: false
  int utc_offset_minutes = 7 * 60;  // for naive timestamps; DEFAULT: +07:00
};

// The --time-format value (a preset name, else a strftime pattern) that parses every non-empty
// sample, else the one that parses most of them (at least half); nullopt when none does. Samples
// are raw cell values ("01/09/2025 00:10", "45901.25", "2025-09-01T00:10:00+07:00").
std::optional<std::string> detect_time_format(const std::vector<std::string>& samples);

// Checks a --time-format value (preset or strftime pattern); throws ParameterError naming
// "time_format" when it has an unknown directive or no date.
void check_time_format(const std::string& format);

// "fold" / "keep"; throws ParameterError naming "category_case".
CategoryCase parse_category_case(const std::string& text);

// How precise an incident's time is.
enum class TimePrecision : std::uint8_t {
  kSecond,   // date and time of day
  kDay,      // date only: time_utc is local midnight; left out of hour-of-day work
  kMissing,  // no usable time (empty or unparseable with a time column): time_utc is kNoTime
};

// "+07:00" -> 420: ±HH:MM with HH <= 14 and MM <= 59. Throws UsageError naming `option`.
int parse_utc_offset(const std::string& text, const std::string& option);

constexpr std::int64_t kNoTime = std::numeric_limits<std::int64_t>::min();

// Incidents as columns. After load_incidents, x/y are in the working CRS.
struct Incidents {
  std::vector<double> x, y;
  std::vector<double> lon, lat;         // WGS 84 (NaN for planar input)
  std::vector<std::int64_t> time_utc;   // seconds since 1970-01-01T00:00:00Z, or kNoTime
  std::vector<std::uint32_t> category;  // code into categories, or Dictionary::kNone
  std::vector<double> weight;           // empty when no weight field
  std::vector<std::int64_t> line;       // source line (CSV) or fid (OGR)
  // One per incident when the source has a time column; empty otherwise (all kSecond).
  std::vector<TimePrecision> time_precision;
  StringColumn id;
  Dictionary categories;
  // The source's other columns, passed through as text (names unique against our own fields).
  std::vector<std::string> extra_names;
  std::vector<StringColumn> extra;
  // category label -> the spellings found in the source that were folded or aliased into it.
  std::map<std::string, std::vector<std::string>> category_spellings;

  bool date_only(std::size_t i) const {
    return !time_precision.empty() && time_precision[i] == TimePrecision::kDay;
  }

  std::size_t size() const { return x.size(); }
};

struct IngestReport {
  std::int64_t read = 0;  // data rows read (blank lines are not rows)
  std::int64_t accepted = 0;
  std::vector<RejectedRow> rejected;
  std::int64_t swapped_fixed = 0;
  std::int64_t text_repaired = 0;  // ids/categories whose invalid UTF-8 bytes became U+FFFD
  std::int64_t date_only = 0;      // accepted incidents with a date but no time of day
  std::int64_t time_missing = 0;   // accepted incidents kept without a usable time
  std::int64_t time_unparsed = 0;  // of which the time was given but did not parse
  std::string time_format;         // as given, or detected from the first values
  std::string encoding;            // the encoding the text was read in
  std::string date_field;
  // Accepted rows kept because their time, although given, did not parse (reason
  // kBadTimestamp; raw is kept for the first few only). Spatial steps use these incidents,
  // time steps count them as left out.
  std::vector<RejectedRow> time_notes;
  // Set when every row is outside the source CRS's area of use but all would fit with X and Y
  // swapped (VN-2000 surveyors' order, X = northing): what to do about it.
  std::string swapped_hint;
  std::vector<std::string> bad_time_samples;  // the first time values that did not parse (<= 1000)
  Crs source_crs;
  std::string x_field, y_field, id_field, time_field, category_field, weight_field;
  std::vector<std::string> warnings;
};

// The reject gate: throws InputError (exit 3) when rejected rows, plus kept rows whose time did
// not parse, are more than max_reject_share of the rows read. The message names the top reason
// and its count, two example lines and a hint for that reason (for bad_timestamp, the format
// detected from the failing values and the --time-format that reads them). `source` names the
// file.
void enforce_reject_gate(const IngestReport& report, double max_reject_share,
                         const std::string& source);

struct PolygonOptions {
  std::string path;
  std::string layer;             // DEFAULT: the first layer
  std::string id_field;          // DEFAULT: detected (commune_id, zone_id, id, code, ma), else fid
  std::string name_field;        // DEFAULT: detected (name, ten, ten_xa), else empty names
  std::string population_field;  // DEFAULT: none
  std::string crs;               // DEFAULT: the source's
  // Text encoding of a Shapefile's .dbf: utf-8, cp1258, latin1, or any iconv name. DEFAULT
  // (empty): the .cpg, else the DBF language byte (unless the text is UTF-8), else UTF-8.
  std::string encoding;
};

struct PolygonLayer {
  std::vector<std::string> id, name;
  std::vector<double> population;  // NaN where missing; empty without a population field
  std::vector<MultiPolygon> geom;  // in the working CRS after projection
  std::vector<std::int64_t> fid;
  std::int64_t read = 0;
  std::int64_t repaired = 0;         // invalid geometries fixed by make-valid
  std::vector<std::string> dropped;  // null / empty geometries: "fid 12: null geometry"
  // Populations that are bad_number (NaN, inf, negative, beyond kMaxInputMagnitude): missing.
  std::int64_t bad_population = 0;
  std::vector<std::string> warnings;  // id/name fields not found, ids/names not valid UTF-8
  Crs source_crs;
  std::string id_field, name_field, population_field;

  std::size_t size() const { return geom.size(); }
};

}  // namespace hotspot
