// Exact kernel density by splatting in tiles. See hotspot/density.hpp for the definition.
//
// Points are bucketed by the tile they fall in (a stable counting sort, so each bucket keeps the
// input order). A tile gathers the buckets of the tiles within one support radius, adds each
// point's kernel to the cells of its disc in a tile of doubles, scales and converts to Float32.
// A tile is written by exactly one task and sums its points in a fixed order, so the raster is
// byte-identical whatever the thread count. The kernel is evaluated exactly at every cell centre:
// nothing is binned.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <numbers>
#include <type_traits>

#include "density/kernels.hpp"
#include "hotspot/density.hpp"
#include "hotspot/error.hpp"
#include "index/polygon_index.hpp"
#include "util/parallel.hpp"

namespace hotspot {

namespace {

using std::int64_t;

struct KernelInfo {
  Kernel k;
  const char* name;
  double support;
  double sigma;  // per-coordinate SD at h = 1: sqrt(E[u²] / 2)
};
// E[u²] under each kernel (h = 1): quartic 1/4, epanechnikov 1/3, triweight 1/5, triangular 3/10,
// uniform 1/2, gaussian 2 (truncation ignored: it changes σ by less than 1e−4).
const KernelInfo kKernels[] = {
    {Kernel::Quartic, "quartic", 1, std::sqrt(1.0 / 8)},
    {Kernel::Epanechnikov, "epanechnikov", 1, std::sqrt(1.0 / 6)},
    {Kernel::Triweight, "triweight", 1, std::sqrt(1.0 / 10)},
    {Kernel::Triangular, "triangular", 1, std::sqrt(3.0 / 20)},
    {Kernel::Uniform, "uniform", 1, std::sqrt(1.0 / 4)},
    {Kernel::Gaussian, "gaussian", kernels::kGaussSupport, 1.0},
};

const KernelInfo& info(Kernel k) {
  for (const auto& i : kKernels)
    if (i.k == k) return i;
  throw InternalError("unknown kernel");
}

// Calls fn(KernelType{}) with the functor type for k.
template <class F>
auto dispatch(Kernel k, F&& fn) {
  switch (k) {
    case Kernel::Quartic: return fn(kernels::Quartic{});
    case Kernel::Epanechnikov: return fn(kernels::Epanechnikov{});
    case Kernel::Triweight: return fn(kernels::Triweight{});
    case Kernel::Triangular: return fn(kernels::Triangular{});
    case Kernel::Uniform: return fn(kernels::Uniform{});
    case Kernel::Gaussian: return fn(kernels::Gaussian{});
  }
  throw InternalError("unknown kernel");
}

void check_options(const Grid& g, const std::vector<double>& x, const std::vector<double>& y,
                   const std::vector<double>& w, const std::vector<std::uint8_t>& mask, const KdeOptions& o) {
  if (!(o.bandwidth_m > 0) || !std::isfinite(o.bandwidth_m))
    throw UsageError("kde: --bandwidth must be a positive number of metres, got " + std::to_string(o.bandwidth_m));
  if (!(g.cell > 0)) throw UsageError("kde: --cell-size must be positive");
  if (x.size() != y.size() || (!w.empty() && w.size() != x.size()))
    throw InternalError("kde: coordinate and weight columns differ in length");
  if (!mask.empty() && mask.size() != g.size()) throw InternalError("kde: mask does not match the grid");
  if (o.edge_correction && mask.empty()) throw UsageError("kde: --edge-correction needs --mask");
  if (o.tile < 16) throw InternalError("kde: tile too small");
}

// The share of the kernel centred on each cell that lies in the mask (see the header), for the
// cells of one tile row range. prefix[r * (cols + 1) + c] = inside cells in row r before column c.
class EdgeShare {
 public:
  EdgeShare(const Grid& g, const std::vector<std::uint8_t>& mask, Kernel k, double h)
      : g_(g), mask_(mask) {
    const double support = info(k).support * h;
    m_ = static_cast<int64_t>(std::floor(support / g.cell)) + 1;
    const int64_t width = 2 * m_ + 1;
    weights_.assign(static_cast<std::size_t>(width * width), 0.0);
    row_sum_.assign(static_cast<std::size_t>(width), 0.0);
    const double inv_h2 = 1.0 / (h * h);
    dispatch(k, [&](auto K) {
      for (int64_t j = 0; j < width; ++j)
        for (int64_t i = 0; i < width; ++i) {
          double dx = static_cast<double>(i - m_) * g.cell, dy = static_cast<double>(j - m_) * g.cell;
          double v = decltype(K)::shape((dx * dx + dy * dy) * inv_h2);
          weights_[static_cast<std::size_t>(j * width + i)] = v;
          row_sum_[static_cast<std::size_t>(j)] += v;
        }
    });
    total_ = 0;
    for (double s : row_sum_) total_ += s;
    prefix_.assign(static_cast<std::size_t>(g.rows * (g.cols + 1)), 0);
    for (int64_t r = 0; r < g.rows; ++r) {
      std::int32_t* p = &prefix_[static_cast<std::size_t>(r * (g.cols + 1))];
      const std::uint8_t* mr = &mask_[static_cast<std::size_t>(r * g.cols)];
      for (int64_t c = 0; c < g.cols; ++c) p[c + 1] = p[c] + (mr[c] ? 1 : 0);
    }
  }

  double at(int64_t r, int64_t c) const {
    const int64_t width = 2 * m_ + 1;
    double s = 0;
    for (int64_t j = 0; j < width; ++j) {
      int64_t rr = r + j - m_;
      if (rr < 0 || rr >= g_.rows) continue;
      int64_t a = c - m_, b = c + m_;  // inclusive
      int64_t ca = std::max<int64_t>(a, 0), cb = std::min<int64_t>(b, g_.cols - 1);
      const std::int32_t* p = &prefix_[static_cast<std::size_t>(rr * (g_.cols + 1))];
      std::int32_t inside = p[cb + 1] - p[ca];
      if (inside == 0) continue;
      if (ca == a && cb == b && inside == width) {
        s += row_sum_[static_cast<std::size_t>(j)];
        continue;
      }
      const std::uint8_t* mr = &mask_[static_cast<std::size_t>(rr * g_.cols)];
      const double* wr = &weights_[static_cast<std::size_t>(j * width)];
      for (int64_t cc = ca; cc <= cb; ++cc)
        if (mr[cc]) s += wr[cc - a];
    }
    return s / total_;
  }

 private:
  const Grid& g_;
  const std::vector<std::uint8_t>& mask_;
  int64_t m_ = 0;
  std::vector<double> weights_, row_sum_;
  double total_ = 0;
  std::vector<std::int32_t> prefix_;
};

struct Points {
  std::vector<double> x, y, w;
  std::vector<std::size_t> start;  // CSR over tiles
};

// Adds every point of [begin, end) to the tile's accumulator. Rows and columns of each point's
// disc are found from the support radius, widened by one cell so rounding can never drop a cell
// whose centre is inside the support: the kernel itself is exactly 0 outside it.
//
// The Gaussian is evaluated as exp(−dx²/2h²) · exp(−dy²/2h²): one exp per column and per row of
// a point's square instead of one per cell (the product differs from exp(−u²/2) by a few ulp);
// the truncation at 5σ is still decided per cell on u².
template <class K>
__attribute__((always_inline)) inline void splat(const Points& p, std::size_t begin, std::size_t end, double h,
                                                 double cell, const double* xc, const double* yc, int64_t nc,
                                                 int64_t nr, double* acc, double* ex) {
  constexpr bool kGauss = std::is_same_v<K, kernels::Gaussian>;
  const double inv_h2 = 1.0 / (h * h);
  const double R = std::sqrt(K::kSupport2) * h;
  const double R2 = R * R;
  const double x0 = xc[0], y0 = yc[0];  // centre of the tile's first column and row
  const double inv_cell = 1.0 / cell;
  const double x_lo = x0 - 2 * cell - R, x_hi = x0 + static_cast<double>(nc + 1) * cell + R;
  const double y_hi = y0 + 2 * cell + R, y_lo = y0 - static_cast<double>(nr + 1) * cell - R;
  // floor of a value known to be > −2^30 by integer conversion, shifted to be non-negative.
  constexpr double kShift = 1 << 30;
  auto ifloor = [](double v) { return static_cast<int64_t>(v + kShift) - static_cast<int64_t>(kShift); };
  for (std::size_t i = begin; i < end; ++i) {
    const double px = p.x[i], py = p.y[i], pw = p.w[i];
    // Most candidates come from neighbouring tiles and miss this one: skip them before any row.
    if (px < x_lo || px > x_hi || py > y_hi || py < y_lo) continue;
    int64_t ra = ifloor((y0 - (py + R)) * inv_cell) - 1;
    int64_t rb = ifloor((y0 - (py - R)) * inv_cell) + 2;
    ra = std::max<int64_t>(ra, 0);
    rb = std::min<int64_t>(rb, nr - 1);
    if constexpr (kGauss) {
      const int64_t wa = std::max<int64_t>(ifloor((px - R - x0) * inv_cell) - 1, 0);
      const int64_t wb = std::min<int64_t>(ifloor((px + R - x0) * inv_cell) + 2, nc - 1);
      for (int64_t c = wa; c <= wb; ++c) {
        const double dx = xc[c] - px;
        ex[c] = std::exp(-0.5 * (dx * dx) * inv_h2);
      }
    }
    for (int64_t r = ra; r <= rb; ++r) {
      const double dy = yc[r] - py;
      const double dy2 = dy * dy;
      const double rem = R2 - dy2;
      if (rem < -2 * cell * R) continue;
      const double half = std::sqrt(std::max(rem, 0.0));
      int64_t ca = ifloor((px - half - x0) * inv_cell) - 1;
      int64_t cb = ifloor((px + half - x0) * inv_cell) + 2;
      ca = std::max<int64_t>(ca, 0);
      cb = std::min<int64_t>(cb, nc - 1);
      if (ca > cb) continue;
      double* __restrict row = acc + r * nc;
      if constexpr (kGauss) {
        const double wy = pw * std::exp(-0.5 * dy2 * inv_h2);
        for (int64_t c = ca; c <= cb; ++c) {
          const double dx = xc[c] - px;
          row[c] += (dx * dx + dy2) * inv_h2 < K::kSupport2 ? wy * ex[c] : 0.0;
        }
      } else {
        for (int64_t c = ca; c <= cb; ++c) {
          const double dx = xc[c] - px;
          row[c] += pw * K::shape((dx * dx + dy2) * inv_h2);
        }
      }
    }
  }
}

// One clone per kernel for AVX-512, AVX2 and baseline x86-64, picked at run time. kde.cpp is built
// with -ffp-contract=off, so every clone does the same IEEE operations in the same order and the
// raster does not depend on the CPU's vector width (std::exp is the same scalar libm call).
#define HOTSPOT_SPLAT(NAME, KERNEL)                                                                           \
  __attribute__((target_clones("avx512f", "avx2", "default"))) void NAME(                                    \
      const Points& p, std::size_t begin, std::size_t end, double h, double cell, const double* xc,          \
      const double* yc, int64_t nc, int64_t nr, double* acc, double* ex) {                                     \
    splat<KERNEL>(p, begin, end, h, cell, xc, yc, nc, nr, acc, ex);                                           \
  }
HOTSPOT_SPLAT(splat_quartic, kernels::Quartic)
HOTSPOT_SPLAT(splat_epanechnikov, kernels::Epanechnikov)
HOTSPOT_SPLAT(splat_triweight, kernels::Triweight)
HOTSPOT_SPLAT(splat_triangular, kernels::Triangular)
HOTSPOT_SPLAT(splat_uniform, kernels::Uniform)
HOTSPOT_SPLAT(splat_gaussian, kernels::Gaussian)
#undef HOTSPOT_SPLAT

void splat_kernel(Kernel k, const Points& p, std::size_t begin, std::size_t end, double h, double cell,
                  const double* xc, const double* yc, int64_t nc, int64_t nr, double* acc, double* ex) {
  switch (k) {
    case Kernel::Quartic: return splat_quartic(p, begin, end, h, cell, xc, yc, nc, nr, acc, ex);
    case Kernel::Epanechnikov: return splat_epanechnikov(p, begin, end, h, cell, xc, yc, nc, nr, acc, ex);
    case Kernel::Triweight: return splat_triweight(p, begin, end, h, cell, xc, yc, nc, nr, acc, ex);
    case Kernel::Triangular: return splat_triangular(p, begin, end, h, cell, xc, yc, nc, nr, acc, ex);
    case Kernel::Uniform: return splat_uniform(p, begin, end, h, cell, xc, yc, nc, nr, acc, ex);
    case Kernel::Gaussian: return splat_gaussian(p, begin, end, h, cell, xc, yc, nc, nr, acc, ex);
  }
}

}  // namespace

Kernel parse_kernel(const std::string& name) {
  for (const auto& i : kKernels)
    if (name == i.name) return i.k;
  throw UsageError("--kernel '" + name + "': expected quartic, epanechnikov, triweight, triangular, uniform or gaussian");
}
const char* kernel_name(Kernel k) { return info(k).name; }
double kernel_support(Kernel k) { return info(k).support; }
double kernel_sigma(Kernel k) { return info(k).sigma; }
double kernel_value(Kernel k, double u2) {
  return dispatch(k, [&](auto K) { return kernels::norm<decltype(K)>() * decltype(K)::shape(u2); });
}

Grid grid_for_extent(const Box& e, double cell, int64_t max_cells) {
  if (!(cell > 0) || !std::isfinite(cell)) throw UsageError("kde: --cell-size must be a positive number of metres");
  if (e.empty() || !(e.xmax > e.xmin) || !(e.ymax > e.ymin))
    throw UsageError("kde: the extent is empty (xmin must be < xmax and ymin < ymax)");
  Grid g;
  g.xmin = e.xmin;
  g.ymax = e.ymax;
  g.cell = cell;
  double cols = std::ceil((e.xmax - e.xmin) / cell), rows = std::ceil((e.ymax - e.ymin) / cell);
  if (cols * rows > static_cast<double>(max_cells))
    throw UsageError("kde: a grid of " + std::to_string(static_cast<long long>(cols)) + " × " +
                     std::to_string(static_cast<long long>(rows)) + " cells of " + std::to_string(cell) +
                     " m is too large; use a larger --cell-size or a smaller --extent");
  g.cols = static_cast<int64_t>(cols);
  g.rows = static_cast<int64_t>(rows);
  return g;
}

std::vector<std::uint8_t> rasterize_mask(const std::vector<MultiPolygon>& polygons, const Grid& g, int threads) {
  PolygonIndex index(polygons);
  std::vector<std::uint8_t> mask(g.size(), 0);
  const int64_t block = 64;  // rows per task
  parallel_tasks(static_cast<std::size_t>((g.rows + block - 1) / block), resolve_threads(threads), [&](std::size_t t, int) {
    for (int64_t r = static_cast<int64_t>(t) * block; r < std::min(g.rows, static_cast<int64_t>(t + 1) * block); ++r)
      for (int64_t c = 0; c < g.cols; ++c)
        mask[static_cast<std::size_t>(r * g.cols + c)] = index.locate({g.x(c), g.y(r)}) >= 0 ? 1 : 0;
  });
  return mask;
}

DensityRaster kde(const std::vector<double>& x, const std::vector<double>& y, const std::vector<double>& w,
                  const Grid& g, const std::vector<std::uint8_t>& mask, const KdeOptions& o) {
  check_options(g, x, y, w, mask, o);
  const double h = o.bandwidth_m;
  const double R = info(o.kernel).support * h;
  const int64_t T = o.tile;
  const int64_t ntx = (g.cols + T - 1) / T, nty = (g.rows + T - 1) / T;
  const double tile_m = static_cast<double>(T) * g.cell;
  const Box box = g.box();

  // Bucket the points that can reach the grid by tile (stable counting sort).
  std::vector<std::uint32_t> tile_of(x.size(), 0xFFFFFFFFu);
  std::vector<std::size_t> count(static_cast<std::size_t>(ntx * nty) + 1, 0);
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (x[i] < box.xmin - R || x[i] > box.xmax + R || y[i] < box.ymin - R || y[i] > box.ymax + R) continue;
    if (!w.empty() && !(w[i] != 0)) continue;
    auto tx = std::clamp<int64_t>(static_cast<int64_t>(std::floor((x[i] - g.xmin) / tile_m)), 0, ntx - 1);
    auto ty = std::clamp<int64_t>(static_cast<int64_t>(std::floor((g.ymax - y[i]) / tile_m)), 0, nty - 1);
    tile_of[i] = static_cast<std::uint32_t>(ty * ntx + tx);
    ++count[tile_of[i] + 1];
  }
  Points p;
  p.start.assign(count.size(), 0);
  for (std::size_t t = 1; t < count.size(); ++t) p.start[t] = p.start[t - 1] + count[t];
  const std::size_t n_used = p.start.back();
  p.x.resize(n_used);
  p.y.resize(n_used);
  p.w.resize(n_used);
  {
    std::vector<std::size_t> pos(p.start.begin(), p.start.end() - 1);
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (tile_of[i] == 0xFFFFFFFFu) continue;
      std::size_t k = pos[tile_of[i]]++;
      p.x[k] = x[i];
      p.y[k] = y[i];
      p.w[k] = w.empty() ? 1.0 : w[i];
    }
  }
  tile_of.clear();
  tile_of.shrink_to_fit();

  const int64_t margin = static_cast<int64_t>(std::ceil(R / tile_m)) + 1;
  const double scale = dispatch(o.kernel, [](auto K) { return kernels::norm<decltype(K)>(); }) / (h * h) * o.area_scale;
  std::unique_ptr<EdgeShare> edge;
  if (o.edge_correction) edge = std::make_unique<EdgeShare>(g, mask, o.kernel, h);

  DensityRaster out;
  out.grid = g;
  out.values.assign(g.size(), 0.0f);
  const int threads = resolve_threads(o.threads);
  std::vector<std::vector<double>> acc(static_cast<std::size_t>(threads)), xs(acc.size()), ys(acc.size()), exs(acc.size());
  parallel_tasks(static_cast<std::size_t>(ntx * nty), threads, [&](std::size_t t, int thread) {
    const int64_t tx = static_cast<int64_t>(t) % ntx, ty = static_cast<int64_t>(t) / ntx;
    const int64_t c0 = tx * T, r0 = ty * T;
    const int64_t nc = std::min(T, g.cols - c0), nr = std::min(T, g.rows - r0);
    auto& a = acc[static_cast<std::size_t>(thread)];
    auto& xc = xs[static_cast<std::size_t>(thread)];
    auto& yc = ys[static_cast<std::size_t>(thread)];
    auto& ex = exs[static_cast<std::size_t>(thread)];
    ex.resize(static_cast<std::size_t>(nc));
    a.assign(static_cast<std::size_t>(nc * nr), 0.0);
    xc.resize(static_cast<std::size_t>(nc));
    yc.resize(static_cast<std::size_t>(nr));
    for (int64_t c = 0; c < nc; ++c) xc[static_cast<std::size_t>(c)] = g.x(c0 + c);
    for (int64_t r = 0; r < nr; ++r) yc[static_cast<std::size_t>(r)] = g.y(r0 + r);
    for (int64_t by = std::max<int64_t>(0, ty - margin); by <= std::min(nty - 1, ty + margin); ++by) {
      const int64_t bx0 = std::max<int64_t>(0, tx - margin), bx1 = std::min(ntx - 1, tx + margin);
      // Buckets of one tile row are contiguous in the CSR, so a row of neighbours is one range.
      std::size_t begin = p.start[static_cast<std::size_t>(by * ntx + bx0)];
      std::size_t end = p.start[static_cast<std::size_t>(by * ntx + bx1 + 1)];
      splat_kernel(o.kernel, p, begin, end, h, g.cell, xc.data(), yc.data(), nc, nr, a.data(), ex.data());
    }
    for (int64_t r = 0; r < nr; ++r)
      for (int64_t c = 0; c < nc; ++c) {
        const std::size_t cell = static_cast<std::size_t>((r0 + r) * g.cols + c0 + c);
        double v = a[static_cast<std::size_t>(r * nc + c)] * scale;
        if (!mask.empty() && !mask[cell]) {
          out.values[cell] = out.nodata;
          continue;
        }
        if (edge) v /= edge->at(r0 + r, c0 + c);
        out.values[cell] = static_cast<float>(v);
      }
  });
  return out;
}

std::vector<double> kde_brute_force(const std::vector<double>& x, const std::vector<double>& y,
                                    const std::vector<double>& w, const Grid& g,
                                    const std::vector<std::uint8_t>& mask, const KdeOptions& o) {
  check_options(g, x, y, w, mask, o);
  const double h = o.bandwidth_m, inv_h2 = 1.0 / (h * h);
  const double support2 = kernel_support(o.kernel) * kernel_support(o.kernel);
  std::vector<double> out(g.size(), 0.0);
  for (int64_t r = 0; r < g.rows; ++r)
    for (int64_t c = 0; c < g.cols; ++c) {
      double s = 0;
      for (std::size_t i = 0; i < x.size(); ++i) {
        double dx = g.x(c) - x[i], dy = g.y(r) - y[i];
        double u2 = (dx * dx + dy * dy) * inv_h2;
        if (u2 < support2) s += (w.empty() ? 1.0 : w[i]) * kernel_value(o.kernel, u2);
      }
      const std::size_t cell = static_cast<std::size_t>(r * g.cols + c);
      out[cell] = s / (h * h) * o.area_scale;
      if (!mask.empty() && !mask[cell]) out[cell] = std::nan("");
    }
  if (o.edge_correction) {
    // e(c) straight from its definition: the kernel weights of the mask's cells over all weights.
    const int64_t m = static_cast<int64_t>(std::floor(kernel_support(o.kernel) * h / g.cell)) + 1;
    for (int64_t r = 0; r < g.rows; ++r)
      for (int64_t c = 0; c < g.cols; ++c) {
        const std::size_t cell = static_cast<std::size_t>(r * g.cols + c);
        if (!mask[cell]) continue;
        double in = 0, all = 0;
        for (int64_t j = -m; j <= m; ++j)
          for (int64_t i = -m; i <= m; ++i) {
            double dx = static_cast<double>(i) * g.cell, dy = static_cast<double>(j) * g.cell;
            double k = kernel_value(o.kernel, (dx * dx + dy * dy) * inv_h2);
            all += k;
            int64_t rr = r + j, cc = c + i;
            if (rr >= 0 && rr < g.rows && cc >= 0 && cc < g.cols && mask[static_cast<std::size_t>(rr * g.cols + cc)])
              in += k;
          }
        out[cell] /= in / all;
      }
  }
  return out;
}

}  // namespace hotspot
