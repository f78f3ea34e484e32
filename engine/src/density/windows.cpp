// kde()'s blocks and the density of a window of them (hotspot/distribute.hpp): what hotspot.dask's
// workers compute, each a window, joined on the driver into exactly kde()'s raster.
#include <algorithm>
#include <cstdint>
#include <string>

#include "density/splat_isa.hpp"
#include "hotspot/distribute.hpp"
#include "hotspot/error.hpp"

namespace hotspot {

KdeBlocks kde_blocks(const Grid& g, const KdeOptions& o) {
  // Blocks of `tile` columns by 64 rows: tall enough that a point's dx² is reused over many rows,
  // small enough that no single block holds much of the work when the threads run out of blocks.
  constexpr std::int64_t kBlockRows = 64;
  KdeBlocks b;
  b.cols = std::max(o.tile, 1);
  b.rows = std::min<std::int64_t>(b.cols, kBlockRows);
  b.nbx = (g.cols + b.cols - 1) / b.cols;
  b.nby = (g.rows + b.rows - 1) / b.rows;
  return b;
}

std::vector<float> kde_window(std::span<const double> x, std::span<const double> y,
                              std::span<const double> w, const Grid& g,
                              const std::vector<std::uint8_t>& mask, const KdeOptions& o,
                              const KdeWindow& win) {
  const KdeBlocks b = kde_blocks(g, o);
  if (!(win.bx0 >= 0 && win.bx0 < win.bx1 && win.bx1 <= b.nbx && win.by0 >= 0 &&
        win.by0 < win.by1 && win.by1 <= b.nby))
    throw ParameterError("window", "blocks [" + std::to_string(win.bx0) + ", " +
                                       std::to_string(win.bx1) + ") × [" + std::to_string(win.by0) +
                                       ", " + std::to_string(win.by1) + ") are not among the grid's " +
                                       std::to_string(b.nbx) + " × " + std::to_string(b.nby));
  const std::int64_t rows = std::min(win.by1 * b.rows, g.rows) - win.by0 * b.rows;
  const std::int64_t cols = std::min(win.bx1 * b.cols, g.cols) - win.bx0 * b.cols;
  std::vector<float> out(static_cast<std::size_t>(rows * cols), 0.0f);
  kde_splat_window(x, y, w, g, mask, o, SplatIsa::kAuto, win, out.data(), nullptr);
  return out;
}

}  // namespace hotspot
