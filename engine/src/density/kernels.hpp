#pragma once
// The six kernels as small functors. shape(u²), u² = (d/h)², is the definition (kernel_value() in
// hotspot/density.hpp, the edge correction and the brute-force twin use it). splat() is the same
// kernel in the form kde()'s inner loop evaluates, a vector of cells at a time, in metres:
//
// For a cell at distance d from a point, with R = support · h the support radius and
// a = R² − dy² (one value per grid row), t = a − dx² = R² − d² is positive exactly inside the
// support, and each compact kernel's shape is a power of t: quartic (1 − u²)² = t² / h⁴ (R = h).
// So the loop adds splat(dx², row) = t^p and the cell is scaled once by norm / h² / unit(h).
// The triangular kernel needs the distance itself; the Gaussian is the product of a column
// factor e = exp(−dx²/2h²) and a row factor exp(−dy²/2h²), still truncated on t.
//
// V is a GCC vector of doubles (V2, V4 or V8); every lane does the same IEEE operations.
// splat() writes its result to `v`: vectors passed by value between code built for different
// widths would change the ABI (GCC warns), so they go by reference.
#include <algorithm>
#include <cmath>
#include <immintrin.h>
#include <numbers>

namespace hotspot::kernels {

// The vector widths: SSE2 (baseline x86-64), AVX2 and AVX-512.
typedef double V2 __attribute__((vector_size(16)));
typedef double V4 __attribute__((vector_size(32)));
typedef double V8 __attribute__((vector_size(64)));

// A grid row's terms for splat(): a = R² − dy², the row's squared distance dy², the row factor
// (weight × exp(−dy²/2h²), Gaussian only) and h (triangular only).
struct RowTerms {
  double a = 0, dy2 = 0, wy = 1, h = 1;
};

// 1 − e^{−12.5}: the mass of the 2-D standard Gaussian within 5σ.
inline const double kGaussMass = -std::expm1(-12.5);
constexpr double kGaussSupport = 5.0;

struct Quartic {
  static constexpr double kNorm = 3.0 / std::numbers::pi;
  static constexpr double kSupport2 = 1.0;
  static double shape(double u2) {
    double t = std::max(0.0, 1.0 - u2);
    return t * t;
  }
  static double unit(double h) { return h * h * h * h; }
  template <class V>
  static void splat(V& v, const V& dx2, const RowTerms& r, const V&) {
    const V t = r.a - dx2;
    v = t > 0 ? t * t : V{};
  }
};
struct Epanechnikov {
  static constexpr double kNorm = 2.0 / std::numbers::pi;
  static constexpr double kSupport2 = 1.0;
  static double shape(double u2) { return std::max(0.0, 1.0 - u2); }
  static double unit(double h) { return h * h; }
  template <class V>
  static void splat(V& v, const V& dx2, const RowTerms& r, const V&) {
    const V t = r.a - dx2;
    v = t > 0 ? t : V{};
  }
};
struct Triweight {
  static constexpr double kNorm = 4.0 / std::numbers::pi;
  static constexpr double kSupport2 = 1.0;
  static double shape(double u2) {
    double t = std::max(0.0, 1.0 - u2);
    return t * t * t;
  }
  static double unit(double h) { return h * h * h * h * h * h; }
  template <class V>
  static void splat(V& v, const V& dx2, const RowTerms& r, const V&) {
    const V t = r.a - dx2;
    v = t > 0 ? t * t * t : V{};
  }
};
// √ of each lane, IEEE-rounded like std::sqrt. Called out of line from the generic loop: the
// intrinsics need their width's target, which the generic template does not have.
// (the masked form: GCC 12 reports _mm512_sqrt_pd's undefined source as uninitialised)
__attribute__((target("avx512f"))) inline void sqrt_lanes(V8& v) { v = _mm512_mask_sqrt_pd(v, 0xFF, v); }
__attribute__((target("avx"))) inline void sqrt_lanes(V4& v) { v = _mm256_sqrt_pd(v); }
inline void sqrt_lanes(V2& v) { v = _mm_sqrt_pd(v); }

struct Triangular {
  static constexpr double kNorm = 3.0 / std::numbers::pi;
  static constexpr double kSupport2 = 1.0;
  static double shape(double u2) { return std::max(0.0, 1.0 - std::sqrt(u2)); }
  static double unit(double h) { return h; }
  // h − d: a square root per lane.
  template <class V>
  static void splat(V& v, const V& dx2, const RowTerms& r, const V&) {
    V d = dx2 + r.dy2;
    sqrt_lanes(d);
    d = r.h - d;
    v = d > 0 ? d : V{};
  }
};
struct Uniform {
  static constexpr double kNorm = 1.0 / std::numbers::pi;
  static constexpr double kSupport2 = 1.0;
  static double shape(double u2) { return u2 < 1.0 ? 1.0 : 0.0; }
  static double unit(double) { return 1; }
  template <class V>
  static void splat(V& v, const V& dx2, const RowTerms& r, const V&) {
    v = r.a - dx2 > 0 ? V{} + 1.0 : V{};
  }
};
struct Gaussian {
  static constexpr double kSupport2 = kGaussSupport * kGaussSupport;
  static double norm() { return 1.0 / (2.0 * std::numbers::pi * kGaussMass); }
  static double shape(double u2) { return u2 < kSupport2 ? std::exp(-0.5 * u2) : 0.0; }
  static double unit(double) { return 1; }
  template <class V>
  static void splat(V& v, const V& dx2, const RowTerms& r, const V& e) {
    v = r.a - dx2 > 0 ? r.wy * e : V{};
  }
};

template <class K>
double norm() {
  if constexpr (requires { K::kNorm; }) return K::kNorm;
  else return K::norm();
}

}  // namespace hotspot::kernels
