#pragma once
// Shared plumbing of the _hotspot extension: numpy columns in and out, packed polygons, threads.
// No statistics live here; every number comes from the typed engine API (engine/include/hotspot).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "hotspot/error.hpp"
#include "hotspot/geometry.hpp"
#include "hotspot/spacetime.hpp"

namespace hotspot {
struct RunDistribution;  // hotspot/distribute.hpp
}

namespace hotspot::py_bind {

namespace py = pybind11;

// c_style | forcecast: a C-contiguous array of the right dtype is used as it is; anything else is
// converted once (the Python layer checks dtypes and raises for text or objects first).
using F64 = py::array_t<double, py::array::c_style | py::array::forcecast>;
using I64 = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;
using I32 = py::array_t<std::int32_t, py::array::c_style | py::array::forcecast>;
using U8 = py::array_t<std::uint8_t, py::array::c_style | py::array::forcecast>;

// A 1-D column without a copy, for the engine calls that take spans: numpy keeps the array alive
// (and py::array_t holds a reference) while the engine reads it without the GIL. `n` (when not
// -1) is the length it must have, `other` the parameter that set it; errors name `name`.
template <class T>
std::span<const T> view(const py::array_t<T, py::array::c_style | py::array::forcecast>& a,
                        const char* name, py::ssize_t n = -1, const char* other = "x") {
  if (a.ndim() != 1)
    throw ParameterError(name,
                         "must be a 1-D array (got " + std::to_string(a.ndim()) + " dimensions)");
  if (n >= 0 && a.shape(0) != n)
    throw ParameterError(name, "has " + std::to_string(a.shape(0)) + " values but " + other +
                                   " has " + std::to_string(n));
  return {a.data(), static_cast<std::size_t>(a.shape(0))};
}

// A copy, for the engine calls that keep or change the column (std::vector arguments).
template <class T>
std::vector<T> column(const py::array_t<T, py::array::c_style | py::array::forcecast>& a,
                      const char* name, py::ssize_t n = -1, const char* other = "x") {
  const auto v = view(a, name, n, other);
  return std::vector<T>(v.begin(), v.end());
}

// A vector handed to numpy without a copy: numpy owns it through a capsule.
template <class T, class A>
py::array_t<T> to_numpy(std::vector<T, A>&& v) {
  auto* owned = new std::vector<T, A>(std::move(v));
  py::capsule owner(owned, [](void* p) { delete static_cast<std::vector<T, A>*>(p); });
  return py::array_t<T>(static_cast<py::ssize_t>(owned->size()), owned->data(), owner);
}

// Polygons packed as flat arrays (the layout of geoarrow): every vertex in `coords` (n × 2),
// `ring_end[r]` the end of ring r in vertices, `poly_end[p]` the end of polygon p in rings (its
// first ring is the shell), `geom_end[g]` the end of geometry g in polygons. Built by
// hotspot/_geometry.py from shapely objects, read back there too.
std::vector<MultiPolygon> unpack(const F64& coords, const I64& ring_end, const I64& poly_end,
                                 const I64& geom_end, const char* name);
// unpack without the repair: polygons the engine itself made valid (hotspot.dask sends the
// driver's loaded layers to workers).
std::vector<MultiPolygon> unpack_exact(const F64& coords, const I64& ring_end, const I64& poly_end,
                                       const I64& geom_end, const char* name);
py::tuple pack(const std::vector<MultiPolygon>& geoms);

// Knox's options and incidents from Python's arguments (hs.knox and the Dask workers' lanes).
KnoxOptions knox_options(const std::vector<double>& space_bands,
                         const std::vector<double>& time_bands, int permutations,
                         std::uint64_t seed, int threads);
Incidents knox_incidents(const F64& px, const F64& py_, const I64& pt);

// Threads from Python: >= 1 (the Python layer turns None into the number of cores).
int threads_arg(int threads);

void bind_density(py::module_& m);
void bind_cluster(py::module_& m);
void bind_stats(py::module_& m);
void bind_areas(py::module_& m);
void bind_dask_parts(py::module_& m);
void bind_dask_clusters(py::module_& m);
// The run's clusters hooks (dbscan, st-dbscan by tiles; hdbscan whole) on the Python object
// `hooks` (hotspot/dask/_clusters.py), in dask_clusters.cpp.
void install_cluster_hooks(RunDistribution& d, const py::object* hooks);
void bind_dask_density(py::module_& m);

// hotspot.dask: a hook's Python failure as the engine's error (dask_parts.cpp), and the density
// hooks of a distributed run (dask_density.cpp); `hooks` outlives the run.
[[noreturn]] void rethrow_engine(py::error_already_set& e, const char* part);
void install_density_hooks(RunDistribution& d, const py::object* hooks);

}  // namespace hotspot::py_bind
