#pragma once
// Display width of UTF-8 text for fixed-width terminal tables. Width is counted in code points, and
// combining marks (U+0300-U+036F) take none: Vietnamese names may come decomposed (NFD), where
// "ồ" is o + U+0302 + U+0300 and still one column wide.
#include <cstddef>
#include <string>
#include <string_view>

namespace hotspot {

// Columns `s` takes on a terminal. A byte that does not start a valid UTF-8 sequence counts as
// one column on its own.
std::size_t display_width(std::string_view s);

// `s` when it fits in `width` columns; else its longest prefix that fits with "…" appended. The
// cut falls between code points, after any combining marks of the last character kept.
std::string truncate_to_width(std::string_view s, std::size_t width);

// `s` fitted to exactly `width` columns: truncated, then padded with spaces on the right (or on
// the left with align_right).
std::string fit_to_width(std::string_view s, std::size_t width, bool align_right = false);

}  // namespace hotspot
