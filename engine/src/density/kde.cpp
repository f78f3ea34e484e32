// Exact kernel density by splatting in blocks. See hotspot/density.hpp for the definition.
//
// Points are sorted by grid row (a stable counting sort, so a row keeps the input order). The
// raster is cut into blocks of `tile` columns × 64 rows; a block takes the points of the rows
// within one support radius of it, adds each point's kernel to the cells of its disc in a block
// of doubles, scales and converts to Float32. A block is written by exactly one task and sums its
// points in a fixed order, so the raster is byte-identical whatever the thread count. The kernel
// is evaluated exactly at every cell centre: nothing is binned.
//
// Per point and block the work is one pass over the columns (dx², kept in S) and then, per row,
// a subtraction, compare, multiply and add per cell on whole groups of 8 cells (kernels.hpp),
// four rows at a time. The span is the widest chord for all the point's rows in the block, not
// each row's own: lanes outside the disc add exactly 0, and spans that change from row to row
// cost more in branches than the lanes they save (measured, as was an unclamped interior).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <numbers>
#include <type_traits>

#include "density/kernels.hpp"
#include "density/splat_isa.hpp"
#include "hotspot/density.hpp"
#include "hotspot/distribute.hpp"
#include "hotspot/error.hpp"
#include "hotspot/huge_pages.hpp"
#include "util/parallel.hpp"
#include "util/text.hpp"

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
    {Kernel::kQuartic, "quartic", 1, std::sqrt(1.0 / 8)},
    {Kernel::kEpanechnikov, "epanechnikov", 1, std::sqrt(1.0 / 6)},
    {Kernel::kTriweight, "triweight", 1, std::sqrt(1.0 / 10)},
    {Kernel::kTriangular, "triangular", 1, std::sqrt(3.0 / 20)},
    {Kernel::kUniform, "uniform", 1, std::sqrt(1.0 / 4)},
    {Kernel::kGaussian, "gaussian", kernels::kGaussSupport, 1.0},
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
    case Kernel::kQuartic:
      return fn(kernels::Quartic{});
    case Kernel::kEpanechnikov:
      return fn(kernels::Epanechnikov{});
    case Kernel::kTriweight:
      return fn(kernels::Triweight{});
    case Kernel::kTriangular:
      return fn(kernels::Triangular{});
    case Kernel::kUniform:
      return fn(kernels::Uniform{});
    case Kernel::kGaussian:
      return fn(kernels::Gaussian{});
  }
  throw InternalError("unknown kernel");
}

void check_options(const Grid& g, std::span<const double> x, std::span<const double> y,
                   std::span<const double> w, const std::vector<std::uint8_t>& mask,
                   const KdeOptions& o) {
  if (!(o.bandwidth_m > 0) || !std::isfinite(o.bandwidth_m))
    throw ParameterError(
        "bandwidth", "must be a positive number of metres, got " + metres_text(o.bandwidth_m));
  if (!(g.cell > 0)) throw ParameterError("cell_size", "must be positive");
  if (x.size() != y.size() || (!w.empty() && w.size() != x.size()))
    throw InternalError("kde: coordinate and weight columns differ in length");
  if (!mask.empty() && mask.size() != g.size())
    throw InternalError("kde: mask does not match the grid");
  if (o.edge_correction && mask.empty())
    throw ParameterError("edge_correction", "needs a mask (the study area)");
  if (o.tile < 16) throw InternalError("kde: tile too small");
}

// The share of the kernel centred on each cell that lies in the mask (see the header), for the
// cells of rows [row_a, row_b). prefix[(r − lo) * (cols + 1) + c] = inside cells in row r before
// column c, for the rows those cells' kernels reach.
class EdgeShare {
 public:
  EdgeShare(const Grid& g, const std::vector<std::uint8_t>& mask, Kernel k, double h, int64_t row_a,
            int64_t row_b)
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
          double dx = static_cast<double>(i - m_) * g.cell,
                 dy = static_cast<double>(j - m_) * g.cell;
          double v = decltype(K)::shape((dx * dx + dy * dy) * inv_h2);
          weights_[static_cast<std::size_t>(j * width + i)] = v;
          row_sum_[static_cast<std::size_t>(j)] += v;
        }
    });
    total_ = 0;
    for (double s : row_sum_) total_ += s;
    lo_ = std::max<int64_t>(row_a - m_, 0);
    const int64_t hi = std::min(row_b + m_, g.rows);
    prefix_.assign(static_cast<std::size_t>((hi - lo_) * (g.cols + 1)), 0);
    for (int64_t r = lo_; r < hi; ++r) {
      std::int32_t* p = &prefix_[static_cast<std::size_t>((r - lo_) * (g.cols + 1))];
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
      const std::int32_t* p = &prefix_[static_cast<std::size_t>((rr - lo_) * (g_.cols + 1))];
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
  int64_t m_ = 0, lo_ = 0;
  std::vector<double> weights_, row_sum_;
  double total_ = 0;
  std::vector<std::int32_t> prefix_;
};

// The points that can reach the grid, sorted by grid row (a stable counting sort: within a row,
// input order). key = row + 1 with rows above and below the grid clamped to 0 and rows + 1, so
// the points of rows [r0, r1] are [start[r0 + 1], start[r1 + 2]).
struct SortedPoints {
  BigVector<double> x, y, w;  // w: empty without weights (see hotspot/huge_pages.hpp)
  std::vector<std::size_t> start;
};

// One block of the raster being summed: column and row centres, the accumulator (rows × stride,
// stride = 8 · groups) and scratch for the current point. X, S, E and acc are 64-byte aligned, so
// a group of 8 cells is one cache line.
struct Block {
  const double* X = nullptr;  // groups · 8 column centres (past the block's cols: unused cells)
  const double* Y = nullptr;
  int64_t cols = 0, rows = 0, groups = 0;
  double* acc = nullptr;
  double* S = nullptr;  // dx² of the current point
  double* E = nullptr;  // exp(−dx²/2h²) of the current point (Gaussian)
  double* F = nullptr;  // exp(−dy²/2h²) of the current point, per row (Gaussian)
};

struct Reach {
  double h = 0, R = 0, cell = 0;
};

// ⌊v⌋ for the index ranges below, clamped to [-4, hi]. v + 4 can round up to the next integer
// when v is within an ulp of it: the ranges have a cell of margin for that.
int64_t floor_index(double v, int64_t hi) {
  if (!(v > -4)) return -4;  // and NaN
  if (v >= static_cast<double>(hi)) return hi;
  return static_cast<int64_t>(v + 4) - 4;
}

// f[i] = exp(−(d + (i − k)·step)² / 2h²) for i in [lo, hi), where d is the offset at index k,
// the nearest to the point (so the values fall away from k). Three exps, then two multiplications
// per step: the ratio of neighbours is exp(−(2·dᵢ·step + step²)/2h²), and it changes by the
// constant factor exp(−step²/h²). Each step adds a couple of ulp of relative error (below 1e−13
// over a block's width or height), far inside the exactness rule; the operations are scalar and
// the same at every vector width.
void gauss_run(double* f, int64_t lo, int64_t hi, int64_t k, double d, double step,
               double inv_2h2) {
  f[k] = std::exp(-d * d * inv_2h2);
  const double rho = std::exp(-2 * step * step * inv_2h2);
  double q = std::exp(-(2 * d * step + step * step) * inv_2h2);
  for (int64_t i = k; i + 1 < hi; ++i) {
    f[i + 1] = f[i] * q;
    q *= rho;
  }
  q = std::exp(-(step * step - 2 * d * step) * inv_2h2);
  for (int64_t i = k; i > lo; --i) {
    f[i - 1] = f[i] * q;
    q *= rho;
  }
}

// Adds points [begin, end) to the block. For each point: the rows its disc reaches, the groups
// of 8 columns of its widest chord over those rows, dx² for those columns (S, and E for the
// Gaussian) once, then every row adds K::splat over the same groups; lanes outside the disc add
// exactly 0 (splat is 0 where t = a − dx² ≤ 0, and a ≤ 0 skips the row). The spans are widened
// by a cell, so rounding can never drop a cell whose centre is inside the support.
template <class K, class V, bool kWeighted>
__attribute__((always_inline)) inline void splat_block(const SortedPoints& p, std::size_t begin,
                                                       std::size_t end, const Reach& k,
                                                       const Block& b) {
  constexpr int64_t W = sizeof(V) / sizeof(double);
  constexpr bool kGauss = std::is_same_v<K, kernels::Gaussian>;
  const double R = k.R, R2 = R * R, inv_cell = 1.0 / k.cell, inv_h2 = 1.0 / (k.h * k.h);
  const double x0 = b.X[0], y0 = b.Y[0];
  const double x_lo = x0 - R - k.cell, x_hi = b.X[b.cols - 1] + R + k.cell;
  const int64_t stride = b.groups * 8;
  for (std::size_t i = begin; i < end; ++i) {
    const double px = p.x[i], py = p.y[i];
    // Most candidates lie beside the block: skip them before any row.
    if (!(px >= x_lo && px <= x_hi)) continue;
    // Row r (centre y0 − r·cell) is reached when |y0 − r·cell − py| < R.
    const int64_t ra = std::max<int64_t>(floor_index((y0 - py - R) * inv_cell, b.rows), 0);
    const int64_t rb =
        std::min<int64_t>(floor_index((y0 - py + R) * inv_cell, b.rows) + 1, b.rows - 1);
    if (ra > rb) continue;
    const double dy_near = py > b.Y[ra] ? py - b.Y[ra] : py < b.Y[rb] ? b.Y[rb] - py : 0.0;
    const double widest = R2 - dy_near * dy_near;
    if (!(widest > 0)) continue;
    const double half = std::sqrt(widest);
    const int64_t ga = std::max<int64_t>(floor_index((px - half - x0) * inv_cell, stride), 0) / 8;
    const int64_t gb =
        std::min<int64_t>(floor_index((px + half - x0) * inv_cell, stride) + 1, stride - 1) / 8;
    const int64_t ca = ga * 8, cb = gb * 8 + 8;  // [ca, cb): whole groups
    for (int64_t c = ca; c < cb; ++c) {
      const double dx = b.X[c] - px;
      b.S[c] = dx * dx;
    }
    if constexpr (kGauss) {
      const int64_t kc =
          std::clamp<int64_t>(floor_index((px - x0) * inv_cell + 0.5, stride), ca, cb - 1);
      gauss_run(b.E, ca, cb, kc, b.X[kc] - px, k.cell, 0.5 * inv_h2);
      const int64_t kr =
          std::clamp<int64_t>(floor_index((y0 - py) * inv_cell + 0.5, b.rows), ra, rb);
      gauss_run(b.F, ra, rb + 1, kr, b.Y[kr] - py, -k.cell, 0.5 * inv_h2);
    }
    const double pw = kWeighted ? p.w[i] : 1.0;
    auto terms = [&](int64_t r, kernels::RowTerms& t) {
      const double dy = b.Y[r] - py;
      t.dy2 = dy * dy;
      t.a = R2 - t.dy2;
      t.h = k.h;
      if constexpr (kGauss) t.wy = pw * b.F[r];
    };
    // N rows from r at a time share the loads of S (and E). A row outside the disc (a ≤ 0) adds
    // exactly 0 in every lane, so batching it changes nothing.
    auto add_rows = [&](auto n, int64_t r) {
      constexpr int N = decltype(n)::value;
      kernels::RowTerms t[N];
      bool inside = false;
      for (int j = 0; j < N; ++j) {
        terms(r + j, t[j]);
        inside = inside || t[j].a > 0;
      }
      if (!inside) return;
      double* __restrict out = b.acc + r * stride;
      for (int64_t c = ca; c < cb; c += W) {
        V s, e{};
        std::memcpy(&s, b.S + c, sizeof s);
        if constexpr (kGauss) std::memcpy(&e, b.E + c, sizeof e);
        for (int j = 0; j < N; ++j) {
          V v, acc;
          K::splat(v, s, t[j], e);
          if constexpr (kWeighted && !kGauss) v *= pw;
          std::memcpy(&acc, out + j * stride + c, sizeof acc);
          acc += v;
          std::memcpy(out + j * stride + c, &acc, sizeof acc);
        }
      }
    };
    int64_t r = ra;
    for (; r + 3 <= rb; r += 4) add_rows(std::integral_constant<int, 4>{}, r);
    for (; r <= rb; ++r) add_rows(std::integral_constant<int, 1>{}, r);
  }
}

// The same loop at three vector widths: AVX-512 (8 lanes), AVX2 (4) and baseline x86-64 (SSE2,
// 2), picked at run time. Each does the same IEEE operations on the same cells in the same order
// (kde.cpp is built with -ffp-contract=off, so no clone fuses a multiply-add; std::exp and
// std::sqrt are the same scalar calls), so the raster does not depend on the CPU.
using kernels::V2;
using kernels::V4;
using kernels::V8;
using SplatFn = void (*)(const SortedPoints&, std::size_t, std::size_t, const Reach&, const Block&);

template <class K, bool kWeighted>
__attribute__((target("avx512f"))) void splat_avx512(const SortedPoints& p, std::size_t begin,
                                                     std::size_t end, const Reach& k,
                                                     const Block& b) {
  splat_block<K, V8, kWeighted>(p, begin, end, k, b);
}
template <class K, bool kWeighted>
__attribute__((target("avx2"))) void splat_avx2(const SortedPoints& p, std::size_t begin,
                                                std::size_t end, const Reach& k, const Block& b) {
  splat_block<K, V4, kWeighted>(p, begin, end, k, b);
}
template <class K, bool kWeighted>
void splat_sse2(const SortedPoints& p, std::size_t begin, std::size_t end, const Reach& k,
                const Block& b) {
  splat_block<K, V2, kWeighted>(p, begin, end, k, b);
}

template <class K, bool kWeighted>
SplatFn splat_for(SplatIsa isa) {
  switch (isa) {
    case SplatIsa::kAvx512:
      return splat_avx512<K, kWeighted>;
    case SplatIsa::kAvx2:
      return splat_avx2<K, kWeighted>;
    default:
      return splat_sse2<K, kWeighted>;
  }
}

}  // namespace

bool cpu_has(SplatIsa isa) {
  switch (isa) {
    case SplatIsa::kAuto:
      return true;
    case SplatIsa::kAvx512:
      return __builtin_cpu_supports("avx512f");
    case SplatIsa::kAvx2:
      return __builtin_cpu_supports("avx2");
    case SplatIsa::kSse2:
      return true;
  }
  return false;
}

Kernel parse_kernel(const std::string& name) {
  for (const auto& i : kKernels)
    if (name == i.name) return i.k;
  throw ParameterError(
      "kernel",
      "'" + name + "': expected quartic, epanechnikov, triweight, triangular, uniform or gaussian");
}
const char* kernel_name(Kernel k) { return info(k).name; }
double kernel_support(Kernel k) { return info(k).support; }
double kernel_sigma(Kernel k) { return info(k).sigma; }
double kernel_value(Kernel k, double u2) {
  return dispatch(k, [&](auto K) { return kernels::norm<decltype(K)>() * decltype(K)::shape(u2); });
}

// The blocks of window `win` (kde_blocks' layout, numbered in the whole grid): cell (r, c) goes
// to out[(r − r0) · cols + (c − c0)], with (r0, c0) the window's first cell and cols its width;
// sums (optional) is the whole grid's. A block sums the same points in the same order whatever
// the window: the points that cannot reach the window are skipped here, and would add exactly 0
// to each of its cells (lanes outside the disc add +0 or −0 to a sum that starts at +0).
void kde_splat_window(std::span<const double> x, std::span<const double> y,
                      std::span<const double> w, const Grid& g, const std::vector<std::uint8_t>& mask,
                      const KdeOptions& o, SplatIsa isa, const KdeWindow& win, float* out_values,
                      std::vector<double>* sums) {
  check_options(g, x, y, w, mask, o);
  if (isa == SplatIsa::kAuto)
    isa = cpu_has(SplatIsa::kAvx512) ? SplatIsa::kAvx512
          : cpu_has(SplatIsa::kAvx2) ? SplatIsa::kAvx2
                                     : SplatIsa::kSse2;
  if (!cpu_has(isa)) throw InternalError("kde: this CPU lacks the requested vector instructions");
  const KdeBlocks L = kde_blocks(g, o);
  const bool whole = win.bx0 == 0 && win.by0 == 0 && win.bx1 == L.nbx && win.by1 == L.nby;
  const int64_t wr0 = win.by0 * L.rows, wr1 = std::min(win.by1 * L.rows, g.rows);
  const int64_t wc0 = win.bx0 * L.cols, wc1 = std::min(win.bx1 * L.cols, g.cols);
  Reach reach;
  reach.h = o.bandwidth_m;
  reach.R = info(o.kernel).support * reach.h;
  reach.cell = g.cell;
  const double R = reach.R;
  // The window's cells, grown by a cell against rounding in its edges (whole: the grid's box).
  const double e = g.cell;
  const Box box = whole ? g.box()
                        : Box{g.xmin + static_cast<double>(wc0) * e - e,
                              g.ymax - static_cast<double>(wr1) * e - e,
                              g.xmin + static_cast<double>(wc1) * e + e,
                              g.ymax - static_cast<double>(wr0) * e + e};

  // Sort the points that can reach the grid by row: count, then place (the key is computed in
  // both passes rather than stored). A row can be one off where y is within an ulp of a row edge:
  // the blocks take two rows of margin.
  const double inv_cell = 1.0 / g.cell;
  auto key_of = [&](std::size_t i) -> int64_t {  // row + 1 in [0, rows + 1], or -1: cannot reach
    if (!(x[i] >= box.xmin - R && x[i] <= box.xmax + R && y[i] >= box.ymin - R &&
          y[i] <= box.ymax + R))
      return -1;
    if (!w.empty() && !(w[i] != 0)) return -1;
    return std::max<int64_t>(floor_index((g.ymax - y[i]) * inv_cell, g.rows), -1) + 1;
  };
  SortedPoints p;
  p.start.assign(static_cast<std::size_t>(g.rows) + 3, 0);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const int64_t k = key_of(i);
    if (k >= 0) ++p.start[static_cast<std::size_t>(k) + 1];
  }
  for (std::size_t k = 1; k < p.start.size(); ++k) p.start[k] += p.start[k - 1];
  const std::size_t n_used = p.start.back();
  p.x.resize(n_used);
  p.y.resize(n_used);
  if (!w.empty()) p.w.resize(n_used);
  {
    std::vector<std::size_t> pos(p.start.begin(), p.start.end() - 1);
    for (std::size_t i = 0; i < x.size(); ++i) {
      const int64_t k = key_of(i);
      if (k < 0) continue;
      const std::size_t at = pos[static_cast<std::size_t>(k)]++;
      p.x[at] = x[i];
      p.y[at] = y[i];
      if (!w.empty()) p.w[at] = w[i];
    }
  }

  const int64_t bw = L.cols, bh = L.rows;
  const int64_t wbx = win.bx1 - win.bx0, wby = win.by1 - win.by0;
  const int64_t groups = (bw + 7) / 8;
  // A point's row is within m rows of every row its disc reaches (one for the half cell, one for
  // the sort's rounding).
  const double m_rows = std::ceil(R / g.cell) + 2;
  const int64_t m = m_rows < static_cast<double>(g.rows) ? static_cast<int64_t>(m_rows) : g.rows;
  const double scale = dispatch(o.kernel,
                                [&](auto K) {
                                  return kernels::norm<decltype(K)>() / (reach.h * reach.h) /
                                         decltype(K)::unit(reach.h);
                                }) *
                       o.area_scale;
  const bool weighted = !w.empty();
  const SplatFn splat = dispatch(o.kernel, [&](auto K) {
    return weighted ? splat_for<decltype(K), true>(isa) : splat_for<decltype(K), false>(isa);
  });
  std::unique_ptr<EdgeShare> edge;
  if (o.edge_correction) edge = std::make_unique<EdgeShare>(g, mask, o.kernel, reach.h, wr0, wr1);

  const float nodata = DensityRaster{}.nodata;
  const int64_t out_cols = wc1 - wc0;
  const int threads = resolve_threads(o.threads);
  // Per thread, in one buffer: X, S, E (stride each), Y and F (bh each, padded to 8) and the
  // accumulator, 64-byte aligned.
  const int64_t stride = groups * 8, col_len = (bh + 7) / 8 * 8;
  const std::size_t per_thread =
      static_cast<std::size_t>(3 * stride + 2 * col_len + bh * stride + 8);
  std::vector<std::vector<double>> scratch(static_cast<std::size_t>(threads));
  parallel_tasks(static_cast<std::size_t>(wbx * wby), threads, [&](std::size_t t, int thread) {
    const int64_t bx = win.bx0 + static_cast<int64_t>(t) % wbx,
                  by = win.by0 + static_cast<int64_t>(t) / wbx;
    const int64_t c0 = bx * bw, r0 = by * bh;
    auto& buf = scratch[static_cast<std::size_t>(thread)];
    buf.resize(per_thread);
    double* X = reinterpret_cast<double*>((reinterpret_cast<std::uintptr_t>(buf.data()) + 63) &
                                          ~std::uintptr_t{63});
    double* S = X + stride;
    double* E = S + stride;
    double* Y = E + stride;
    double* F = Y + col_len;
    double* acc = F + col_len;
    Block b;
    b.cols = std::min(bw, g.cols - c0);
    b.rows = std::min(bh, g.rows - r0);
    b.groups = groups;
    for (int64_t c = 0; c < stride; ++c) X[c] = g.x(c0 + c);
    for (int64_t r = 0; r < b.rows; ++r) Y[r] = g.y(r0 + r);
    std::fill(acc, acc + b.rows * stride, 0.0);
    b.X = X, b.Y = Y, b.S = S, b.E = E, b.F = F, b.acc = acc;
    // Points of rows [r0 − m, r0 + rows − 1 + m], as keys (row + 1) clamped to [0, g.rows + 1].
    const int64_t k0 = std::max<int64_t>(r0 - m + 1, 0), k1 = std::min(r0 + b.rows + m, g.rows + 1);
    splat(p, p.start[static_cast<std::size_t>(k0)], p.start[static_cast<std::size_t>(k1 + 1)],
          reach, b);
    for (int64_t r = 0; r < b.rows; ++r)
      for (int64_t c = 0; c < b.cols; ++c) {
        const std::size_t cell = static_cast<std::size_t>((r0 + r) * g.cols + c0 + c);
        double v = acc[r * stride + c] * scale;
        if (sums) (*sums)[cell] = v;
        float& o_cell =
            out_values[static_cast<std::size_t>((r0 + r - wr0) * out_cols + (c0 + c - wc0))];
        if (!mask.empty() && !mask[cell]) {
          o_cell = nodata;
          continue;
        }
        if (edge) v /= edge->at(r0 + r, c0 + c);
        o_cell = static_cast<float>(v);
      }
  });
}

DensityRaster kde_with_isa(std::span<const double> x, std::span<const double> y,
                           std::span<const double> w, const Grid& g,
                           const std::vector<std::uint8_t>& mask, const KdeOptions& o, SplatIsa isa,
                           std::vector<double>* sums) {
  const KdeBlocks b = kde_blocks(g, o);
  DensityRaster out;
  out.grid = g;
  out.values.reserve(g.size());
  advise_huge_pages(out.values.data(), g.size() * sizeof(float));
  out.values.assign(g.size(), 0.0f);
  if (sums) sums->assign(g.size(), 0.0);
  kde_splat_window(x, y, w, g, mask, o, isa, {0, b.nbx, 0, b.nby}, out.values.data(), sums);
  return out;
}

DensityRaster kde(std::span<const double> x, std::span<const double> y, std::span<const double> w,
                  const Grid& g, const std::vector<std::uint8_t>& mask, const KdeOptions& o) {
  return kde_with_isa(x, y, w, g, mask, o, SplatIsa::kAuto);
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
            if (rr >= 0 && rr < g.rows && cc >= 0 && cc < g.cols &&
                mask[static_cast<std::size_t>(rr * g.cols + cc)])
              in += k;
          }
        out[cell] /= in / all;
      }
  }
  return out;
}

}  // namespace hotspot
