// hs.weights, hs.gi_star, hs.local_moran, hs.knox: hotspot/weights.hpp, local_stats.hpp and
// spacetime.hpp on numpy columns. Weights cross to Python as CSR arrays (offset, index, weight).
#include <optional>

#include "bind.hpp"
#include "hotspot/local_stats.hpp"
#include "hotspot/spacetime.hpp"
#include "hotspot/weights.hpp"

namespace hotspot::py_bind {
namespace {

py::tuple csr(BuiltWeights&& b) {
  return py::make_tuple(to_numpy(std::move(b.w.offset)), to_numpy(std::move(b.w.index)),
                        to_numpy(std::move(b.w.weight)), to_numpy(std::move(b.islands)), b.snap,
                        b.band_m, b.description);
}

WeightsSpec spec_of(const std::string& spec, std::optional<double> snap, double inverse_distance,
                    const std::string& islands) {
  WeightsSpec s = parse_weights_spec(spec);
  if (snap) s.snap = *snap;
  s.inverse_distance = inverse_distance;
  if (islands == "keep")
    s.islands = IslandPolicy::kKeep;
  else if (islands == "nearest")
    s.islands = IslandPolicy::kNearest;
  else
    throw ParameterError("islands", "must be keep or nearest (got '" + islands + "')");
  return s;
}

py::tuple weights_polygons(const py::tuple& packed, const std::string& spec,
                           std::optional<double> snap, double inverse_distance,
                           const std::string& islands, bool planar) {
  const WeightsSpec s = spec_of(spec, snap, inverse_distance, islands);
  WeightUnits u;
  u.polygons = unpack(packed[0].cast<F64>(), packed[1].cast<I64>(), packed[2].cast<I64>(),
                      packed[3].cast<I64>(), "geoms");
  u.planar = planar;
  BuiltWeights b;
  {
    py::gil_scoped_release nogil;
    u.xy = centroids(u.polygons);
    b = build_weights(s, u);
  }
  return csr(std::move(b));
}

py::tuple weights_points(const F64& px, const F64& py_, const std::string& spec,
                         std::optional<double> snap, double inverse_distance,
                         const std::string& islands, bool planar) {
  const WeightsSpec s = spec_of(spec, snap, inverse_distance, islands);
  WeightUnits u;
  u.points = true;
  u.planar = planar;
  const auto n = px.shape(0);
  const auto x = column(px, "x");
  const auto y = column(py_, "y", n);
  u.xy.resize(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) u.xy[i] = {x[i], y[i]};
  BuiltWeights b;
  {
    py::gil_scoped_release nogil;
    b = build_weights(s, u);
  }
  return csr(std::move(b));
}

// CSR from Python (a libpysal W, a scipy matrix, a Weights): checked, since the statistics index
// with it.
SpatialWeights weights_of(const I64& offset, const I32& index, const F64& weight) {
  SpatialWeights w;
  w.offset = column(offset, "w");
  w.index = column(index, "w");
  w.weight = column(weight, "w", index.shape(0), "its neighbour index");
  if (w.offset.empty() || w.offset.front() != 0 ||
      w.offset.back() != static_cast<std::int64_t>(w.index.size()))
    throw ParameterError("w", "row offsets must start at 0 and end at the number of entries");
  const auto n = static_cast<std::int64_t>(w.size());
  for (std::size_t i = 0; i < w.size(); ++i) {
    if (w.offset[i + 1] < w.offset[i]) throw ParameterError("w", "row offsets must not decrease");
    for (auto k = w.offset[i]; k < w.offset[i + 1]; ++k) {
      const auto j = w.index[static_cast<std::size_t>(k)];
      if (j < 0 || j >= n)
        throw ParameterError("w", "neighbour index out of range in row " + std::to_string(i));
      if (j == static_cast<std::int64_t>(i))
        throw ParameterError(
            "w", "unit " + std::to_string(i) + " is its own neighbour (Gi* adds the unit itself)");
      if (k > w.offset[i] && j <= w.index[static_cast<std::size_t>(k - 1)])
        throw ParameterError("w", "neighbours of row " + std::to_string(i) + " must be increasing");
    }
  }
  return w;
}

LocalStatsOptions stats_options(int permutations, std::uint64_t seed, bool fdr, int threads) {
  LocalStatsOptions o;
  o.permutations = permutations;
  o.seed = seed;
  o.fdr = fdr;
  o.threads = threads_arg(threads);
  return o;
}

// gi_star or local_moran (`stat`) on `values` with the CSR weights, without the GIL.
template <class Stat>
auto local_call(const F64& values, const I64& offset, const I32& index, const F64& weight,
                int permutations, std::uint64_t seed, bool fdr, int threads, Stat stat) {
  const SpatialWeights w = weights_of(offset, index, weight);
  const auto v = column(values, "values", static_cast<py::ssize_t>(w.size()), "w");
  const LocalStatsOptions o = stats_options(permutations, seed, fdr, threads);
  py::gil_scoped_release nogil;
  return stat(v, w, o);
}

py::dict gi_star_(const F64& values, const I64& offset, const I32& index, const F64& weight,
                  int permutations, std::uint64_t seed, bool fdr, int threads) {
  GiStarResult r =
      local_call(values, offset, index, weight, permutations, seed, fdr, threads,
                 [](const auto& v, const auto& w, const auto& o) { return gi_star(v, w, o); });
  py::dict d;
  d["GiZScore"] = to_numpy(std::move(r.z));
  d["GiPValue"] = to_numpy(std::move(r.p));
  if (fdr) d["GiPValueFDR"] = to_numpy(std::move(r.p_fdr));
  d["Gi_Bin"] = to_numpy(std::move(r.bin));
  return d;
}

py::dict local_moran_(const F64& values, const I64& offset, const I32& index, const F64& weight,
                      int permutations, std::uint64_t seed, bool fdr, int threads) {
  LocalMoranResult r =
      local_call(values, offset, index, weight, permutations, seed, fdr, threads,
                 [](const auto& v, const auto& w, const auto& o) { return local_moran(v, w, o); });
  py::dict d;
  d["LMiIndex"] = to_numpy(std::move(r.I));
  d["LMiExpected"] = to_numpy(std::move(r.E));
  d["LMiVariance"] = to_numpy(std::move(r.V));
  d["LMiZScore"] = to_numpy(std::move(r.Z));
  d["LMiPValue"] = to_numpy(std::move(r.p));
  if (fdr) d["LMiPValueFDR"] = to_numpy(std::move(r.p_fdr));
  d["COType"] = py::cast(r.cotype);
  return d;
}

py::dict knox_(const F64& px, const F64& py_, const I64& pt, const std::vector<double>& space_bands,
               const std::vector<double>& time_bands, int permutations, std::uint64_t seed,
               int threads) {
  const KnoxOptions o = knox_options(space_bands, time_bands, permutations, seed, threads);
  check_knox_options(o);
  Incidents inc = knox_incidents(px, py_, pt);
  KnoxResult r;
  {
    py::gil_scoped_release nogil;
    r = knox_test(inc, o);
  }
  const std::size_t n = r.cells.size();
  std::vector<double> s0(n), s1(n), d0(n), d1(n), expected(n), ratio(n), p(n);
  std::vector<std::int64_t> observed(n);
  for (std::size_t k = 0; k < n; ++k) {
    const KnoxCell& c = r.cells[k];
    const auto sb = static_cast<std::size_t>(c.space_band),
               tb = static_cast<std::size_t>(c.time_band);
    s0[k] = o.space_bands[sb], s1[k] = o.space_bands[sb + 1];
    d0[k] = o.time_bands_days[tb], d1[k] = o.time_bands_days[tb + 1];
    observed[k] = c.observed, expected[k] = c.expected, ratio[k] = c.ratio, p[k] = c.p_value;
  }
  py::dict d;
  d["space_from"] = to_numpy(std::move(s0));
  d["space_to"] = to_numpy(std::move(s1));
  d["days_from"] = to_numpy(std::move(d0));
  d["days_to"] = to_numpy(std::move(d1));
  d["observed"] = to_numpy(std::move(observed));
  d["expected"] = to_numpy(std::move(expected));
  d["knox_ratio"] = to_numpy(std::move(ratio));
  d["p_value"] = to_numpy(std::move(p));
  d["incidents_used"] = r.incidents_used;
  d["without_time"] = r.without_time;
  return d;
}

}  // namespace

KnoxOptions knox_options(const std::vector<double>& space_bands,
                         const std::vector<double>& time_bands, int permutations,
                         std::uint64_t seed, int threads) {
  KnoxOptions o;
  o.space_bands = space_bands;
  o.time_bands_days = time_bands;
  o.permutations = permutations;
  o.seed = seed;
  o.threads = threads_arg(threads);
  return o;
}

Incidents knox_incidents(const F64& px, const F64& py_, const I64& pt) {
  Incidents inc;
  inc.x = column(px, "x");
  inc.y = column(py_, "y", px.shape(0));
  inc.time_utc = column(pt, "t", px.shape(0));
  return inc;
}

void bind_stats(py::module_& m) {
  m.def("weights_polygons", &weights_polygons, py::arg("packed"), py::arg("spec"), py::arg("snap"),
        py::arg("inverse_distance"), py::arg("islands"), py::arg("planar"));
  m.def("weights_points", &weights_points, py::arg("x"), py::arg("y"), py::arg("spec"),
        py::arg("snap"), py::arg("inverse_distance"), py::arg("islands"), py::arg("planar"));
  m.def("gi_star", &gi_star_, py::arg("values"), py::arg("offset"), py::arg("index"),
        py::arg("weight"), py::arg("permutations"), py::arg("seed"), py::arg("fdr"),
        py::arg("threads"));
  m.def("local_moran", &local_moran_, py::arg("values"), py::arg("offset"), py::arg("index"),
        py::arg("weight"), py::arg("permutations"), py::arg("seed"), py::arg("fdr"),
        py::arg("threads"));
  m.def("knox", &knox_, py::arg("x"), py::arg("y"), py::arg("t"), py::arg("space_bands"),
        py::arg("time_bands"), py::arg("permutations"), py::arg("seed"), py::arg("threads"));
}

}  // namespace hotspot::py_bind
