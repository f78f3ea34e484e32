#pragma once
// The vector width of kde()'s inner loop. kde() takes the widest the CPU has; every width does
// the same IEEE operations, and the tests check that with kde_with_isa() at each width the CPU
// can run.
#include "hotspot/density.hpp"
#include "hotspot/distribute.hpp"

namespace hotspot {

enum class SplatIsa { kAuto, kAvx512, kAvx2, kSse2 };

// Whether this CPU can run that width (Auto and Sse2: always).
bool cpu_has(SplatIsa isa);

// kde() at a given width; InternalError if the CPU lacks it. `sums` (optional) receives each
// cell's value in double before the conversion to Float32, where a last-bit difference between
// widths would still show.
DensityRaster kde_with_isa(std::span<const double> x, std::span<const double> y,
                           std::span<const double> w, const Grid& grid,
                           const std::vector<std::uint8_t>& mask, const KdeOptions& options,
                           SplatIsa isa, std::vector<double>* sums = nullptr);

// kde() over the blocks of one window (kde_blocks' layout in the whole grid; REQUIRES: inside
// it): cell (r, c) of the grid goes to out[(r − r0) · cols + (c − c0)], (r0, c0) the window's
// first cell and cols its width. `sums` (optional): the whole grid's, as kde_with_isa's.
void kde_splat_window(std::span<const double> x, std::span<const double> y,
                      std::span<const double> w, const Grid& grid,
                      const std::vector<std::uint8_t>& mask, const KdeOptions& options,
                      SplatIsa isa, const KdeWindow& window, float* out,
                      std::vector<double>* sums);

}  // namespace hotspot
