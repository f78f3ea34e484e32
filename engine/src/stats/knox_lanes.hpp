#pragma once
// The inner count of the Knox test (stats/knox.cpp): close pairs against every permutation lane
// of the time table at once.
#include <cstddef>
#include <cstdint>

namespace hotspot {

// For every pair (rows + a[p], rows + b[p]) and lane g: s = |t_a - t_b|; adds 1 to
// acc[k * width + g] when lower <= s <= upper[k] (nt cumulative time bands; width a multiple of
// 8; every upper[k] < INT32_MAX).
void count_batch(const std::int32_t* rows, std::size_t width, const std::size_t* a,
                 const std::size_t* b, std::size_t pairs, std::int32_t lower,
                 const std::int32_t* upper, std::size_t nt, std::int32_t* acc);

}  // namespace hotspot
