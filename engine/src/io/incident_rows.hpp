#pragma once
// The row checks shared by the incident readers (CSV in incidents.cpp, OGR sources in
// incidents_ogr.cpp): columns found by name, numbers, times, ids and text checked per row.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hotspot/error.hpp"
#include "io/categories.hpp"
#include "io/decimal.hpp"
#include "io/encoding.hpp"
#include "io/incidents.hpp"
#include "util/text.hpp"
#include "util/time.hpp"
#include "util/time_format.hpp"

namespace hotspot::incident_rows {


inline std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Index of the column named `wanted`, or of the first of `candidates` present; -1 if none.
// A name the user gave must exist.
// Why the header may not read right: set when it is not valid in its declared encoding.
inline thread_local std::string g_header_hint;

inline int find_column(const std::vector<std::string>& header, const std::string& wanted_raw,
                std::initializer_list<const char*> candidates, const char* option) {
  if (!wanted_raw.empty()) {
    const std::string wanted = nfc(wanted_raw);
    for (std::size_t i = 0; i < header.size(); ++i)
      if (header[i] == wanted) return static_cast<int>(i);
    for (std::size_t i = 0; i < header.size(); ++i)
      if (case_fold(header[i]) == case_fold(wanted)) return static_cast<int>(i);
    std::string names;
    for (const auto& h : header)
      names += (names.empty() ? "" : ", ") + list_item(sanitize_utf8(h, 80));
    throw UsageError(std::string(option) + ": no column named '" + sanitize_utf8(wanted, 80) +
                     "' (columns: " + names + ")" + g_header_hint);
  }
  for (const char* c : candidates)
    for (std::size_t i = 0; i < header.size(); ++i)
      if (lower(header[i]) == c) return static_cast<int>(i);
  return -1;
}

// The attribute columns both sources share (id, time, category, weight), found by name, and
// recorded in the report.
struct AttributeColumns {
  int id = -1, time = -1, date = -1, category = -1, weight = -1;
  bool has_time() const { return time >= 0 || date >= 0; }
};

inline AttributeColumns find_attribute_columns(const std::vector<std::string>& header,
                                        const IncidentOptions& opt, IngestReport& rep) {
  AttributeColumns c;
  c.id = find_column(header, opt.id_field, {"id", "incident_id", "case_id"}, "--id-field");
  if (!opt.date_field.empty()) {
    c.date = find_column(header, opt.date_field, {}, "--date-field");
    c.time = opt.time_field.empty() ? -1 : find_column(header, opt.time_field, {}, "--time-field");
  } else {
    c.time = find_column(header, opt.time_field,
                         {"time", "timestamp", "datetime", "date", "occurred_at"}, "--time-field");
  }
  c.category =
      find_column(header, opt.category_field,
                  {"category", "type", "offence", "offense", "crime_type"}, "--category-field");
  c.weight =
      opt.weight_field.empty() ? -1 : find_column(header, opt.weight_field, {}, "--weight-field");
  auto name = [&](int i) { return i < 0 ? std::string() : header[static_cast<std::size_t>(i)]; };
  rep.id_field = name(c.id), rep.time_field = name(c.time);
  rep.category_field = name(c.category), rep.weight_field = name(c.weight);
  rep.date_field = name(c.date);
  if (c.date >= 0 && rep.time_field.empty()) rep.time_field = rep.date_field;
  return c;
}

enum class NumberStatus { kOk, kEmpty, kBad };

// Parses a decimal number. With decimal_comma, "106,5" reads as 106.5 (for ';'- and tab-separated
// files).
inline NumberStatus parse_number(std::string_view s, bool decimal_comma, double* out, std::string* why) {
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
  if (parse_plain_decimal(s, &v)) {  // the common shape, bit for bit what from_chars returns
    *out = v;
    return NumberStatus::kOk;
  }
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

// The set of accepted incident ids (indices into the id column), to refuse a duplicate. Ids
// usually arrive in ascending order (INC0000001, INC0000002, ... or 1, 2, ..., 10): while each id
// is greater than the one before in shortlex order (shorter first, then bytewise), all are
// distinct and nothing is hashed. The first id out of order builds the hash set from the ids so
// far, and every later id is checked in it. Open addressing, no allocation per id; each slot
// keeps 32 bits of the hash, so most probes are settled without touching the id's bytes.
class IdSet {
 public:
  // expected: about how many ids will be inserted (sizes the table once; 0 if unknown).
  explicit IdSet(const StringColumn& ids, std::size_t expected = 0) : ids_(ids), expected_(expected) {}
  // Inserts ids_[last]; returns false when an equal id is present already. An empty id is a
  // missing id, never a duplicate: it is not inserted.
  bool insert_last() {
    auto index = static_cast<std::uint32_t>(ids_.size() - 1);
    std::string_view id = ids_[index];
    if (id.empty()) return true;
    if (ascending_) {
      if (last_ == kEmpty || shortlex_less(ids_[last_], id)) return last_ = index, true;
      ascending_ = false;
      rehash(table_size(std::max<std::size_t>(expected_, index + 1)), index);
    }
    if (slots_.size() < 2 * (count_ + 1)) rehash(std::max<std::size_t>(1024, slots_.size() * 2), index);
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
  static bool shortlex_less(std::string_view a, std::string_view b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  }
  // A power of two holding n ids at most half full.
  static std::size_t table_size(std::size_t n) {
    std::size_t size = 1024;
    while (size < 2 * (n + 1)) size *= 2;
    return size;
  }
  // A table of n slots holding the ids inserted so far: the set's own slots, or, when it leaves
  // ascending order, ids_[0, first) (all distinct).
  void rehash(std::size_t n, std::uint32_t first) {
    std::vector<Slot> old(n);
    old.swap(slots_);
    auto place = [&](std::uint32_t index, std::size_t h) {
      std::size_t k = h & (slots_.size() - 1);
      while (slots_[k].index != kEmpty) k = (k + 1) & (slots_.size() - 1);
      slots_[k] = {index, static_cast<std::uint32_t>(h >> 32)};
    };
    if (old.empty() && count_ == 0) {
      for (std::uint32_t i = 0; i < first; ++i)
        if (!ids_[i].empty()) place(i, std::hash<std::string_view>{}(ids_[i])), ++count_;
      return;
    }
    for (const Slot& s : old)
      if (s.index != kEmpty) place(s.index, std::hash<std::string_view>{}(ids_[s.index]));
  }
  const StringColumn& ids_;
  std::size_t expected_;
  bool ascending_ = true;
  std::uint32_t last_ = kEmpty;  // the last id inserted while they ascend
  std::vector<Slot> slots_;
  std::size_t count_ = 0;
};

// Sizing columns (and the id table) from an estimate is only a speed-up: beyond this many rows
// they grow as before, so no estimate reserves gigabytes up front.
constexpr std::size_t kMaxSizedRows = std::size_t{1} << 24;

// The values of one row as text, whatever the source. x/y may already be numbers (OGR points).
struct RowText {
  std::string_view x, y, id, time, category, weight, date;
  const std::vector<std::string_view>* extra = nullptr;  // pass-through columns, in order
  bool has_xy_numbers = false;
  double xn = 0, yn = 0;
  bool has_time_value = false;  // OGR date-time fields arrive typed
  std::int64_t time_value = 0;
  bool time_value_date_only = false;  // an OGR Date field
};

// The raw text of the first time notes kept (the rest keep line and message only).
constexpr std::size_t kTimeNotesWithText = 100;
constexpr std::size_t kBadTimeSamples = 1000;

// Checks one row and appends it to the columns, or records why it is rejected.
class RowChecker {
 public:
  // expected_rows: about how many rows the source holds (0 if unknown); the columns are sized
  // for them once instead of growing by copies, which fault in fresh pages each time.
  RowChecker(const IncidentOptions& opt, IncidentRead& out, bool has_id, const AttributeColumns& c,
             bool decimal_comma, std::size_t n_extra, std::size_t expected_rows = 0)
      : opt_(opt),
        out_(out),
        ids_(out.incidents.id, std::min(expected_rows, kMaxSizedRows)),
        format_(compile_time_format(opt.time_format)),
        has_id_(has_id),
        has_time_(c.has_time()),
        has_date_(c.date >= 0),
        has_weight_(c.weight >= 0),
        decimal_comma_(decimal_comma) {
    out.incidents.extra.resize(n_extra);
    out.report.time_format = format_.name;
    expected_rows = std::min(expected_rows, kMaxSizedRows);
    if (expected_rows > 0) {
      Incidents& inc = out.incidents;
      for (auto* v : {&inc.x, &inc.y}) v->reserve(expected_rows);
      inc.time_utc.reserve(expected_rows), inc.category.reserve(expected_rows);
      inc.line.reserve(expected_rows);
      if (has_weight_) inc.weight.reserve(expected_rows);
      if (has_time_) inc.time_precision.reserve(expected_rows);
      inc.id.reserve(expected_rows, 0);
    }
    expected_rows_ = expected_rows;
  }

  // Groups the spellings read into categories (fold, aliases); call once after the last row.
  void finish() { group_categories(out_.incidents, spellings_, spelling_count_, opt_); }

  template <class RawFn>
  void add(std::int64_t line, const RowText& r, RawFn&& raw) {
    ++out_.report.read;
    current_line_ = line;
    bad_text_.clear();
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
      if (std::fabs(w) > kMaxInputMagnitude)
        return reject(RejectReason::kBadNumber, "weight " + sanitize_utf8(r.weight, 40) +
                                                    " is beyond ±1e15, the largest accepted");
      if (w < 0 && !opt_.allow_negative_weights)
        return reject(RejectReason::kBadNumber,
                      "weight " + sanitize_utf8(r.weight, 40) +
                          " is negative (allow_negative_weights / --allow-negative-weights)");
    }
    std::int64_t t = kNoTime;
    TimePrecision precision = TimePrecision::kSecond;
    std::string time_why;  // set when a given time did not parse
    std::string_view time_text;
    if (r.has_time_value) {
      t = r.time_value;
      precision = r.time_value_date_only ? TimePrecision::kDay : TimePrecision::kSecond;
      if (!time_in_range(t)) time_why = "time is outside years 0001-9999 (UTC)";
    } else if (has_time_) {
      time_text = trim(r.time);
      if (has_date_) {  // date column, then the time-of-day column when there is one
        const std::string_view d = trim(r.date);
        combined_.assign(d);
        if (!d.empty() && !time_text.empty()) combined_.append(" ").append(time_text);
        time_text = d.empty() ? std::string_view() : std::string_view(combined_);
      }
      if (!time_text.empty()) {
        auto parsed = parse_time(time_text, format_, opt_.utc_offset_minutes, &time_why);
        if (parsed) {
          t = parsed->utc;
          precision = parsed->date_only ? TimePrecision::kDay : TimePrecision::kSecond;
        }
      }
    }
    if (!time_why.empty() || (has_time_ && t == kNoTime)) {
      t = kNoTime;
      precision = TimePrecision::kMissing;
    }
    std::string_view cat = utf8(trim(r.category), fixed_cat_);
    if (!bad_text_.empty()) return reject(RejectReason::kBadText, "category " + bad_text_);
    if (cat.size() > kMaxCategoryBytes)
      return reject(RejectReason::kBadRow,
                    "category is " + std::to_string(cat.size()) + " bytes long; the limit is " +
                        std::to_string(kMaxCategoryBytes) + " (" + sanitize_utf8(cat, 40) + ")");
    Incidents& inc = out_.incidents;
    if (has_id_) {
      inc.id.push_back(utf8(trim(r.id), fixed_));
      if (!bad_text_.empty()) {
        inc.id.pop_back();
        return reject(RejectReason::kBadText, "id " + bad_text_);
      }
      // A row without an id keeps it empty (NULL in the output): numbering it could collide
      // with a real id, and source_line tells such rows apart.
      if (inc.id[inc.id.size() - 1].empty() && id_missing_++ == 0) first_id_missing_line_ = line;
    } else {
      inc.id.push_back(std::to_string(line));  // no id column: the line (or fid) identifies the row
    }
    if (has_id_ && !ids_.insert_last()) {
      std::string id(inc.id[inc.id.size() - 1]);
      inc.id.pop_back();
      return reject(RejectReason::kDuplicateId,
                    "id '" + sanitize_utf8(id, 80) + "' was already accepted");
    }
    if (inc.id.size() == kSizingRows && expected_rows_ > kSizingRows) reserve_text();
    inc.x.push_back(x);
    inc.y.push_back(y);
    inc.time_utc.push_back(t);
    std::uint32_t code = Dictionary::kNone;
    if (!cat.empty()) {
      code = spellings_.intern(cat);
      if (code >= spelling_count_.size()) spelling_count_.resize(code + 1, 0);
      ++spelling_count_[code];
    }
    inc.category.push_back(code);
    if (has_weight_) inc.weight.push_back(w);
    inc.line.push_back(line);
    if (has_time_) inc.time_precision.push_back(precision);
    if (r.extra)
      for (std::size_t k = 0; k < r.extra->size(); ++k) {
        std::string_view v = utf8((*r.extra)[k], fixed_extra_);
        if (!bad_text_.empty()) {  // accepted already: kept with U+FFFD for the bad bytes
          fixed_extra_ = sanitize_utf8((*r.extra)[k], (*r.extra)[k].size() * 3 + 3);
          v = fixed_extra_;
          bad_text_.clear();
          ++out_.report.text_repaired;
        }
        inc.extra[k].push_back(v);
      }
    auto& rep = out_.report;
    if (precision == TimePrecision::kDay) ++rep.date_only;
    if (precision == TimePrecision::kMissing) {
      ++rep.time_missing;
      if (!time_why.empty()) {
        ++rep.time_unparsed;
        const std::string value = sanitize_utf8(time_text, 60);
        rep.time_notes.push_back({line,
                                  rep.time_notes.size() < kTimeNotesWithText ? raw() : std::string(),
                                  RejectReason::kBadTimestamp,
                                  "time '" + value + "': " + time_why + "; kept without a time"});
        if (rep.bad_time_samples.size() < kBadTimeSamples)
          rep.bad_time_samples.emplace_back(time_text);
      }
    }
    ++rep.accepted;
  }

 private:
  static constexpr std::size_t kSizingRows = 1024;
  // The id and pass-through text columns sized for the expected rows, from the mean length of
  // their first kSizingRows values (with 1/8 to spare).
  void reserve_text() {
    Incidents& inc = out_.incidents;
    auto grow = [&](StringColumn& c) {
      if (c.size() == 0) return;
      const std::size_t chars = (c.chars() + c.size() - 1) / c.size() * expected_rows_;
      c.reserve(expected_rows_, chars + chars / 8);
    };
    grow(inc.id);
    for (auto& e : inc.extra) grow(e);
  }

  // Text as valid UTF-8: invalid bytes (a Latin-1 export, say) become U+FFFD and are counted, so
  // the output never holds text that QGIS or SQLite cannot decode.
  // With a declared encoding other than UTF-8 the text is decoded first; a value that is not
  // valid in it sets bad_text_ (the row is rejected as bad_text).
  std::string_view utf8(std::string_view s, std::string& fixed) {
    bool ascii = std::all_of(s.begin(), s.end(), [](char c) {
      return (static_cast<unsigned char>(c) - 0x20u) < 0x60u || c == '\t';  // printable ASCII
    });
    if (ascii) return s;
    if (decoder_) {
      // Text that is valid UTF-8 with multibyte characters, under a declared 8-bit encoding:
      // counted, for the warning that the file is UTF-8 after all.
      if (std::any_of(s.begin(), s.end(), [](char c) { return (c & 0x80) != 0; })) {
        if (!valid_utf8(s)) {
          ++not_utf8_values_;
        } else if (utf8_values_++ == 0) {
          utf8_sample_.assign(s.substr(0, 60));
        }
      }
      if (!decoder_->decode(s, decoded_)) {
        bad_text_ = "'" + sanitize_utf8(s, 60) + "' is not valid " + opt_.encoding;
        return {};
      }
      s = decoded_;
    }
    fixed = sanitize_utf8(s, s.size() * 3 + 3);  // room for every byte to become U+FFFD: no cut
    if (fixed != s && out_.report.text_repaired++ == 0) first_repaired_line_ = current_line_;
    return fixed;
  }

 public:
  Decoder* decoder_ = nullptr;  // CSV with a declared encoding other than UTF-8
  std::int64_t first_repaired_line_ = 0, current_line_ = 0;
  std::int64_t id_missing_ = 0, first_id_missing_line_ = 0;  // rows whose id is empty
  // With a decoder: non-ASCII values that are (not) valid UTF-8, and the first that is.
  std::int64_t utf8_values_ = 0, not_utf8_values_ = 0;
  std::string utf8_sample_;
  std::string bad_text_;

 private:

  const IncidentOptions& opt_;
  IncidentRead& out_;
  std::string fixed_, fixed_cat_, fixed_extra_, decoded_, combined_;
  IdSet ids_;
  TimeFormat format_;
  Dictionary spellings_;
  std::vector<std::int64_t> spelling_count_;
  bool has_id_, has_time_, has_date_, has_weight_, decimal_comma_;
  std::size_t expected_rows_ = 0;
};

// Columns passed through to the incidents layer: all but those read into our own fields.
inline std::vector<int> extra_columns(const std::vector<std::string>& header,
                               std::initializer_list<int> used) {
  std::vector<int> out;
  for (std::size_t i = 0; i < header.size(); ++i)
    if (std::find(used.begin(), used.end(), static_cast<int>(i)) == used.end())
      out.push_back(static_cast<int>(i));
  return out;
}

// Reads an OGR source (GeoPackage, GeoJSON, Shapefile, ...) of point incidents into `out`.
void read_ogr(const IncidentOptions& opt, IncidentRead& out);

}  // namespace hotspot::incident_rows
