#pragma once
// Display width of UTF-8 text for fixed-width terminal tables. Width is counted in code points, and
// combining marks (U+0300-U+036F) take none: Vietnamese names may come decomposed (NFD), where
// "ồ" is o + U+0302 + U+0300 and still one column wide.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace hotspot {

// Columns `s` takes on a terminal. A byte that does not start a valid UTF-8 sequence counts as
// one column on its own.
std::size_t display_width(std::string_view s);

// A number and its unit, for messages: every number a message shows carries its unit (issue 17).
// Up to two decimals, trailing zeros dropped ("500 m", "12.5 m", "0.75 m", "1000000 m"); below
// 0.01 or from 1e15 on, %g ("0.0001 m", "1e+300 m"); NaN and infinities as "nan m", "inf m".
// One of the planar unit reads "1 data unit".
std::string with_unit(double v, std::string_view unit);
inline std::string metres_text(double m) { return with_unit(m, "m"); }
// The unit of a length in messages: "m", or "data units" for planar data (no CRS).
inline const char* length_unit(bool planar) { return planar ? "data units" : "m"; }
// The unit of an area given in millions of square length units: "km²", or "(1000 data units)²".
inline const char* km2_unit(bool planar) { return planar ? "(1000 data units)²" : "km²"; }
// "1 day", "7 days", "0.5 days".
std::string days_text(double d);

// A name as an item of a list joined by `sep` (", "): quoted ('theft, attempted', or "…" when it
// holds a single quote) when it holds a comma or `sep`, or starts or ends with a space, so the
// list never reads as more names than it has.
std::string list_item(std::string_view name, std::string_view sep = ", ");
// `names` as list_items joined by `sep`: "theft, 'theft, attempted', drugs".
std::string name_list(const std::vector<std::string>& names, std::string_view sep = ", ");

// `s` when it fits in `width` columns; else its longest prefix that fits with "…" appended. The
// cut falls between code points, after any combining marks of the last character kept.
std::string truncate_to_width(std::string_view s, std::size_t width);

// `s` broken at spaces into lines of at most `width` columns, every line after the first starting
// with `indent` spaces. A word too long for its line is cut as truncate_to_width cuts.
std::vector<std::string> wrap_to_width(std::string_view s, std::size_t width, std::size_t indent);

// `s` fitted to exactly `width` columns: truncated, then padded with spaces on the right (or on
// the left with align_right).
std::string fit_to_width(std::string_view s, std::size_t width, bool align_right = false);

// The longest field name hotspot derives from data (n_<category>), in bytes of UTF-8. SQLite has no
// limit, but QGIS, GDAL's exports (PostgreSQL truncates at 63) and people reading attribute tables
// do.
constexpr std::size_t kMaxFieldNameBytes = 63;

// The longest prefix of `s` of at most max_bytes bytes that does not cut a UTF-8 sequence.
std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes);

// Field names made from labels: `prefix` + the label with every ASCII character other than a letter
// or digit (and any byte that is not valid UTF-8) replaced by '_', cut to kMaxFieldNameBytes on a
// code point boundary. Names are unique among themselves and against `taken`, compared as SQLite
// compares identifiers (ASCII case ignored): a clash gets _2, _3, ... in the order the labels come,
// so the same labels in the same order always get the same names.
std::vector<std::string> unique_field_names(const std::vector<std::string>& labels,
                                            std::string_view prefix,
                                            const std::vector<std::string>& taken = {});

// The deepest nesting of JSON arrays and objects hotspot reads (a run configuration, run_metadata).
// Real documents nest 5 deep; the limit keeps nlohmann's recursive parser and serializer from
// overflowing the stack on a hostile file.
constexpr std::size_t kMaxJsonDepth = 64;

// The deepest nesting of [ and { in JSON text, outside strings; `stop_after` ends the scan early
// once exceeded (the result is then stop_after + 1). Text that is not JSON gives some number.
std::size_t json_nesting_depth(std::string_view text, std::size_t stop_after = kMaxJsonDepth);

}  // namespace hotspot
