// hotspot.dask: a run whose heavy parts are computed by Dask workers (hotspot/run.hpp's
// RunDistribution), and the range-restricted engine calls the workers make. The driver runs the
// engine's own run pipeline (load, steps, the one GeoPackage, quick-look, summary); at each hook
// the engine calls back into Python, which splits the work into tasks and joins their results in
// a fixed order. The workers' calls release the GIL.
#include <Python.h>

#include <cstdio>
#include <string>

#include "bind.hpp"
#include "hotspot/aggregate.hpp"
#include "hotspot/local_stats.hpp"
#include "hotspot/run.hpp"
#include "hotspot/spacetime.hpp"

namespace hotspot::py_bind {
namespace {

// ---- worker side --------------------------------------------------------------------------------

// CSR arrays the driver's engine built (with_self or row-standardised weights): taken as they are,
// checked only so that a mix-up cannot read out of bounds.
SpatialWeights csr_of(const py::object& t, const char* name) {
  const auto tup = t.cast<py::tuple>();
  SpatialWeights w;
  w.offset = column(tup[0].cast<I64>(), name);
  w.index = column(tup[1].cast<I32>(), name);
  w.weight = column(tup[2].cast<F64>(), name, static_cast<py::ssize_t>(w.index.size()), "its index");
  const auto n = static_cast<std::int64_t>(w.size());
  if (w.offset.empty() || w.offset.front() != 0 || w.offset.back() != static_cast<std::int64_t>(w.index.size()))
    throw ParameterError(name, "row offsets must start at 0 and end at the number of entries");
  for (std::size_t i = 0; i + 1 < w.offset.size(); ++i)
    if (w.offset[i + 1] < w.offset[i]) throw ParameterError(name, "row offsets must not decrease");
  for (auto j : w.index)
    if (j < 0 || j >= n) throw ParameterError(name, "neighbour index out of range");
  return w;
}

py::tuple local_pvalues(const F64& values, const py::object& gi_w, const py::object& lisa_w, int permutations,
                        std::uint64_t seed, std::int64_t first, std::int64_t last, int threads) {
  const auto x = column(values, "values");
  SpatialWeights gw, lw;
  const bool gi = !gi_w.is_none(), lisa = !lisa_w.is_none();
  if (gi) gw = csr_of(gi_w, "gi_w");
  if (lisa) lw = csr_of(lisa_w, "lisa_w");
  if ((gi && gw.size() != x.size()) || (lisa && lw.size() != x.size()))
    throw ParameterError("values", "one value per weights row");
  if (first < 0 || last < first) throw ParameterError("first", "unit range must be 0 <= first <= last");
  threads = threads_arg(threads);
  LocalPValues r;
  {
    py::gil_scoped_release nogil;
    r = local_permutation_pvalues(x, gi ? &gw : nullptr, lisa ? &lw : nullptr, permutations, seed, threads,
                                  static_cast<std::size_t>(first), static_cast<std::size_t>(last));
  }
  return py::make_tuple(to_numpy(std::move(r.gi_p)), to_numpy(std::move(r.lisa_p)));
}

py::tuple knox_lanes(const F64& px, const F64& py_, const I64& pt, const std::vector<double>& space_bands,
                     const std::vector<double>& time_bands, int permutations, std::uint64_t seed,
                     std::int64_t first, std::int64_t last, int threads, std::int64_t times_budget_bytes) {
  KnoxOptions o = knox_options(space_bands, time_bands, permutations, seed, threads);
  if (times_budget_bytes > 0) o.times_budget_bytes = static_cast<std::size_t>(times_budget_bytes);
  if (first < 0 || last < first) throw ParameterError("first", "lane range must be 0 <= first <= last");
  KnoxLaneCounts r;
  {
    // The columns are copied without the GIL as well (every incident that takes part: millions on
    // a national run); knox_incidents only reads the arrays, which px, py_ and pt hold.
    py::gil_scoped_release nogil;
    Incidents inc = knox_incidents(px, py_, pt);
    inc.category.assign(inc.x.size(), Dictionary::kNone);
    r = knox_lane_counts(inc, o, static_cast<std::size_t>(first), static_cast<std::size_t>(last));
  }
  return py::make_tuple(to_numpy(std::move(r.counts)), r.close_pairs);
}

PolygonLayer layer_exact(const py::object& packed, const char* name) {
  PolygonLayer l;
  if (packed.is_none()) return l;
  const auto t = packed.cast<py::tuple>();
  l.geom = unpack_exact(t[0].cast<F64>(), t[1].cast<I64>(), t[2].cast<I64>(), t[3].cast<I64>(), name);
  return l;
}

// The communes and zones of points (assign_incidents on a tile), with the polygons exactly as the
// driver loaded them (no second repair). The tile's columns are copied without the GIL too: a tile
// of millions of points takes a second to copy on a loaded machine, and the worker's event loop
// must not wait for it (tests/dask_ops/test_unresponsive.py).
py::tuple assign_points(const F64& px, const F64& py_, const py::object& communes, const py::object& zones,
                        int threads) {
  const auto vx = view(px, "x"), vy = view(py_, "y", px.shape(0));  // px, py_ hold the arrays
  const PolygonLayer c = layer_exact(communes, "communes"), z = layer_exact(zones, "zones");
  threads = threads_arg(threads);
  Assignment a;
  {
    py::gil_scoped_release nogil;
    Incidents inc;
    inc.x.assign(vx.begin(), vx.end());
    inc.y.assign(vy.begin(), vy.end());
    a = assign_incidents(inc, c, z, threads);
  }
  return py::make_tuple(to_numpy(std::move(a.commune)), to_numpy(std::move(a.zone)));
}

// ---- driver side --------------------------------------------------------------------------------

template <class T>
py::array_t<T> copy_of(const std::vector<T>& v) {
  return py::array_t<T>(static_cast<py::ssize_t>(v.size()), v.data());
}

py::object csr_tuple(const SpatialWeights* w) {
  if (!w) return py::none();
  return py::make_tuple(copy_of(w->offset), copy_of(w->index), copy_of(w->weight));
}

py::object packed_layer(const PolygonLayer& l) {
  return l.size() ? py::object(pack(l.geom)) : py::object(py::none());
}

}  // namespace

// A hook's Python failure as the engine's error: hotspot's own errors keep their kind (and exit
// code); anything else (a lost scheduler, a task that failed on every retry) is the cluster's
// I/O failure, exit 4, and ends the run with nothing written.
[[noreturn]] void rethrow_engine(py::error_already_set& e, const char* part) {
  const py::module_ errors = py::module_::import("hotspot._errors");
  const std::string what = py::str(e.value());
  if (e.matches(errors.attr("UsageError"))) throw UsageError(what);
  if (e.matches(errors.attr("InputError"))) throw InputError(what);
  const std::string type = py::str(py::type::handle_of(e.value()).attr("__name__"));
  throw IoError(std::string("the Dask cluster failed during ") + part + ": " + type +
                (what.empty() ? std::string() : ": " + what));
}

namespace {

std::vector<double> doubles(const py::handle& a) {
  if (a.is_none()) return {};
  return column(a.cast<F64>(), "p");
}

// hooks: a Python object with the methods assign(x, y, communes, zones) -> (commune, zone) or None
// (declined: the engine assigns them itself),
// local_permutations(values, gi_w, lisa_w, permutations, seed) -> (gi_p, lisa_p) and
// knox_lanes(x, y, t, space_bands, time_bands, permutations, seed, times_budget) ->
// (counts, close_pairs). log_level: 0 error .. 3 debug (stderr, as hotspot run prints).
// strict, overwrite, if_changed, previous: hotspot run's --strict, --overwrite, --if-changed and
// --previous (RunJobOptions).
py::dict run_distributed(const std::string& config, int threads, const py::object& hooks, int log_level,
                         bool strict, bool overwrite, bool if_changed, const std::string& previous) {
  RunJobOptions o;
  o.config = config;
  o.threads = threads;
  o.strict = strict;
  o.overwrite = overwrite;
  o.if_changed = if_changed;
  o.previous = previous;
  // Captured as a pointer: the functions are copied by the engine without the GIL, and a pointer
  // copies without touching a reference count. `hooks` outlives the call.
  const py::object* h = &hooks;
  o.log = [log_level](LogLevel l, const std::string& m) {
    static const char* names[] = {"error", "warning", "info", "debug"};
    if (static_cast<int>(l) <= log_level) std::fprintf(stderr, "hotspot: %s: %s\n", names[static_cast<int>(l)], m.c_str());
  };
  o.distribution.assign = [h](const Incidents& inc, const PolygonLayer& communes,
                              const PolygonLayer& zones) -> std::optional<Assignment> {
    py::gil_scoped_acquire gil;
    try {
      const py::object got = h->attr("assign")(copy_of(inc.x), copy_of(inc.y), packed_layer(communes),
                                               packed_layer(zones));
      if (got.is_none()) return std::nullopt;  // declined: the engine assigns them here
      const py::tuple r = got.cast<py::tuple>();
      Assignment a;
      a.commune = column(r[0].cast<I32>(), "commune");
      a.zone = column(r[1].cast<I32>(), "zone");
      for (auto c : a.commune) a.outside_communes += c < 0;
      return a;
    } catch (py::error_already_set& e) {
      rethrow_engine(e, "assign");
    }
  };
  o.distribution.local_permutations = [h](const std::vector<double>& x, const SpatialWeights* gw,
                                          const SpatialWeights* lw, int permutations, std::uint64_t seed) {
    py::gil_scoped_acquire gil;
    try {
      const py::tuple r =
          h->attr("local_permutations")(copy_of(x), csr_tuple(gw), csr_tuple(lw), permutations, seed);
      LocalPValues p;
      p.gi_p = doubles(r[0]);
      p.lisa_p = doubles(r[1]);
      return p;
    } catch (py::error_already_set& e) {
      rethrow_engine(e, "the local permutations");
    }
  };
  o.distribution.knox_lanes = [h](const Incidents& used, const KnoxOptions& k) {
    py::gil_scoped_acquire gil;
    try {
      const py::tuple r = h->attr("knox_lanes")(copy_of(used.x), copy_of(used.y), copy_of(used.time_utc),
                                                k.space_bands, k.time_bands_days, k.permutations, k.seed,
                                                static_cast<std::int64_t>(k.times_budget_bytes));
      KnoxLaneCounts c;
      c.counts = column(r[0].cast<I64>(), "counts");
      c.close_pairs = r[1].cast<std::int64_t>();
      return c;
    } catch (py::error_already_set& e) {
      rethrow_engine(e, "near_repeat");
    }
  };
  install_cluster_hooks(o.distribution, h);
  install_density_hooks(o.distribution, h);  // kde and emerging (dask_density.cpp)
  RunJobResult r;
  {
    py::gil_scoped_release nogil;
    r = run_job(o);
  }
  py::dict d;
  d["summary"] = py::module_::import("json").attr("loads")(r.summary_json);
  std::string text = r.skipped ? "unchanged  " + r.skip_reason + "; nothing to do\n" : format_summary(r.run);
  if (!r.skipped && !r.quicklook.empty()) text += "map        " + r.quicklook + "\n";
  d["text"] = text;
  d["warnings"] = r.run.warnings;
  d["exit_code"] = r.run.failed.empty() ? 0 : kExitPartial;
  return d;
}

}  // namespace

void bind_dask_parts(py::module_& m) {
  m.def("dask_run", &run_distributed, py::arg("config"), py::arg("threads"), py::arg("hooks"),
        py::arg("log_level"), py::arg("strict") = false, py::arg("overwrite") = false,
        py::arg("if_changed") = false, py::arg("previous") = "");
  m.def("dask_local_pvalues", &local_pvalues, py::arg("values"), py::arg("gi_w"), py::arg("lisa_w"),
        py::arg("permutations"), py::arg("seed"), py::arg("first"), py::arg("last"), py::arg("threads"));
  m.def("dask_knox_lanes", &knox_lanes, py::arg("x"), py::arg("y"), py::arg("t"), py::arg("space_bands"),
        py::arg("time_bands"), py::arg("permutations"), py::arg("seed"), py::arg("first"), py::arg("last"),
        py::arg("threads"), py::arg("times_budget_bytes"));
  m.def("dask_assign", &assign_points, py::arg("x"), py::arg("y"), py::arg("communes"), py::arg("zones"),
        py::arg("threads"));
}

}  // namespace hotspot::py_bind
