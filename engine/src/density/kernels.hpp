#pragma once
// Kernel evaluation inside the splatting loops. Each kernel is a small functor on u² = (d/h)² so
// the inner loop is branch-free and the compiler can vectorise it; kernel_value() in
// hotspot/density.hpp is the same formulas, one call at a time.
#include <algorithm>
#include <cmath>
#include <numbers>

namespace hotspot::kernels {

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
};
struct Epanechnikov {
  static constexpr double kNorm = 2.0 / std::numbers::pi;
  static constexpr double kSupport2 = 1.0;
  static double shape(double u2) { return std::max(0.0, 1.0 - u2); }
};
struct Triweight {
  static constexpr double kNorm = 4.0 / std::numbers::pi;
  static constexpr double kSupport2 = 1.0;
  static double shape(double u2) {
    double t = std::max(0.0, 1.0 - u2);
    return t * t * t;
  }
};
struct Triangular {
  static constexpr double kNorm = 3.0 / std::numbers::pi;
  static constexpr double kSupport2 = 1.0;
  static double shape(double u2) { return std::max(0.0, 1.0 - std::sqrt(u2)); }
};
struct Uniform {
  static constexpr double kNorm = 1.0 / std::numbers::pi;
  static constexpr double kSupport2 = 1.0;
  static double shape(double u2) { return u2 < 1.0 ? 1.0 : 0.0; }
};
struct Gaussian {
  static constexpr double kSupport2 = kGaussSupport * kGaussSupport;
  static double norm() { return 1.0 / (2.0 * std::numbers::pi * kGaussMass); }
  static double shape(double u2) { return u2 < kSupport2 ? std::exp(-0.5 * u2) : 0.0; }
};

template <class K>
double norm() {
  if constexpr (requires { K::kNorm; }) return K::kNorm;
  else return K::norm();
}

}  // namespace hotspot::kernels
