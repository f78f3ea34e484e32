#include "stats/knox_lanes.hpp"

#include <algorithm>
#include <cstring>

namespace hotspot {

namespace {

// Eight int32 lanes: one AVX2 register, two SSE2 ones in the default clone.
typedef std::int32_t Lanes __attribute__((vector_size(32)));

// Internal functions, always inlined: the note on passing 32-byte vectors without AVX is moot.
#pragma GCC diagnostic ignored "-Wpsabi"
__attribute__((always_inline)) inline Lanes load_lanes(const std::int32_t* p) {
  Lanes v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
__attribute__((always_inline)) inline void store_lanes(std::int32_t* p, Lanes v) { std::memcpy(p, &v, sizeof v); }

// NT (1..4) consecutive cumulative time bands of count_batch: for each block of 8 lanes, its
// NT counters stay in registers over the whole batch, so a pair costs two loads, |ta - tb| and
// one compare and one subtraction per band (a true compare is -1).
template <std::size_t NT, bool kLower>
__attribute__((always_inline)) inline void count_bands(const std::int32_t* rows, std::size_t width,
                                                       const std::size_t* a, const std::size_t* b,
                                                       std::size_t pairs, std::int32_t lower,
                                                       const std::int32_t* upper, std::int32_t* acc) {
  const Lanes above_lower = Lanes{} + (lower - 1);  // s > lower - 1: s >= lower
  std::int32_t within[NT];  // s <= upper[k]: upper[k] + 1 > s (upper < INT32_MAX)
  for (std::size_t k = 0; k < NT; ++k) within[k] = upper[k] + 1;
  for (std::size_t g = 0; g < width; g += 8) {
    Lanes c[NT];
    for (std::size_t k = 0; k < NT; ++k) c[k] = load_lanes(acc + k * width + g);
    for (std::size_t p = 0; p < pairs; ++p) {
      const Lanes d = load_lanes(rows + a[p] + g) - load_lanes(rows + b[p] + g);
      const Lanes s = d < 0 ? -d : d;
      if constexpr (kLower) {
        const Lanes in = s > above_lower;
        for (std::size_t k = 0; k < NT; ++k) c[k] -= ((Lanes{} + within[k]) > s) & in;
      } else {
        for (std::size_t k = 0; k < NT; ++k) c[k] -= (Lanes{} + within[k]) > s;
      }
    }
    for (std::size_t k = 0; k < NT; ++k) store_lanes(acc + k * width + g, c[k]);
  }
}

// Integer work only, so every width of vector unit gives the same counts; the clones let the
// CPU pick AVX2 where it has it. More than four bands go four at a time.
}  // namespace

__attribute__((target_clones("avx2", "default")))
void count_batch(const std::int32_t* rows, std::size_t width, const std::size_t* a,
                 const std::size_t* b, std::size_t pairs, std::int32_t lower,
                 const std::int32_t* upper, std::size_t nt, std::int32_t* acc) {
  for (std::size_t k0 = 0; k0 < nt; k0 += 4) {
    const std::int32_t* up = upper + k0;
    std::int32_t* out = acc + k0 * width;
    const bool low = lower > 0;
    switch (std::min<std::size_t>(4, nt - k0)) {
      case 1:
        low ? count_bands<1, true>(rows, width, a, b, pairs, lower, up, out)
            : count_bands<1, false>(rows, width, a, b, pairs, lower, up, out);
        break;
      case 2:
        low ? count_bands<2, true>(rows, width, a, b, pairs, lower, up, out)
            : count_bands<2, false>(rows, width, a, b, pairs, lower, up, out);
        break;
      case 3:
        low ? count_bands<3, true>(rows, width, a, b, pairs, lower, up, out)
            : count_bands<3, false>(rows, width, a, b, pairs, lower, up, out);
        break;
      default:
        low ? count_bands<4, true>(rows, width, a, b, pairs, lower, up, out)
            : count_bands<4, false>(rows, width, a, b, pairs, lower, up, out);
        break;
    }
  }
}

}  // namespace hotspot
