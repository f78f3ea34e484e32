// hotspot.dask's clusters: the tile entry points the workers call (dbscan_tile, st_dbscan_tile
// of hotspot/distribute.hpp, the GIL released), the merge, and the run's hooks that hand
// dbscan, st-dbscan and hdbscan to hotspot/dask/_clusters.py.
#include <Python.h>

#include <string>

#include "bind.hpp"
#include "hotspot/distribute.hpp"

namespace hotspot::py_bind {
namespace {

// A part as nine numpy columns, in ClusterTilePart's order.
py::tuple tuple_of(ClusterTilePart&& p) {
  return py::make_tuple(to_numpy(std::move(p.point)), to_numpy(std::move(p.core)), to_numpy(std::move(p.link)),
                        to_numpy(std::move(p.link_d2)), to_numpy(std::move(p.halo_component)),
                        to_numpy(std::move(p.halo_point)), to_numpy(std::move(p.cand_point)),
                        to_numpy(std::move(p.cand_core)), to_numpy(std::move(p.cand_d2)));
}

ClusterTilePart part_of(const py::handle& h) {
  const auto t = h.cast<py::tuple>();
  if (t.size() != 9) throw ParameterError("parts", "nine columns (point, core, link, ...)");
  ClusterTilePart p;
  p.point = column(t[0].cast<I64>(), "point");
  p.core = column(t[1].cast<U8>(), "core");
  p.link = column(t[2].cast<I64>(), "link");
  p.link_d2 = column(t[3].cast<F64>(), "link_d2");
  p.halo_component = column(t[4].cast<I64>(), "halo_component");
  p.halo_point = column(t[5].cast<I64>(), "halo_point");
  p.cand_point = column(t[6].cast<I64>(), "cand_point");
  p.cand_core = column(t[7].cast<I64>(), "cand_core");
  p.cand_d2 = column(t[8].cast<F64>(), "cand_d2");
  return p;
}

std::size_t owned_arg(std::int64_t owned, py::ssize_t n) {
  if (owned < 0 || owned > n) throw ParameterError("owned", "must be in 0..number of points");
  return static_cast<std::size_t>(owned);
}

// ---- worker side --------------------------------------------------------------------------------

py::tuple dbscan_tile_(const F64& px, const F64& py_, const I64& pindex, std::int64_t owned, double eps,
                       int min_points, int threads) {
  const auto x = view(px, "x");
  const auto y = view(py_, "y", px.shape(0));
  const auto index = view(pindex, "index", px.shape(0));
  const std::size_t own = owned_arg(owned, px.shape(0));
  DbscanOptions o{eps, min_points, threads_arg(threads)};
  ClusterTilePart p;
  {
    py::gil_scoped_release nogil;
    p = dbscan_tile(x, y, index, own, o);
  }
  return tuple_of(std::move(p));
}

py::tuple st_dbscan_tile_(const F64& px, const F64& py_, const I64& pt, const I64& pindex, std::int64_t owned,
                          double eps, std::int64_t eps_time_s, int min_points, int threads) {
  const auto x = view(px, "x");
  const auto y = view(py_, "y", px.shape(0));
  const auto t = view(pt, "t", px.shape(0));
  const auto index = view(pindex, "index", px.shape(0));
  const std::size_t own = owned_arg(owned, px.shape(0));
  StDbscanOptions o{eps, eps_time_s, min_points, threads_arg(threads)};
  ClusterTilePart p;
  {
    py::gil_scoped_release nogil;
    p = st_dbscan_tile(x, y, t, index, own, o);
  }
  return tuple_of(std::move(p));
}

// (labels int64, core bool) of n points from their tiles' parts, concatenated.
py::tuple merge_(std::int64_t n, const py::tuple& parts) {
  if (n < 0) throw ParameterError("n", "must be >= 0");
  const ClusterTilePart p = part_of(parts);
  Clustering c;
  {
    py::gil_scoped_release nogil;
    c = merge_cluster_tiles(static_cast<std::size_t>(n), p);
  }
  std::vector<std::int64_t> labels(c.label.begin(), c.label.end());
  return py::make_tuple(to_numpy(std::move(labels)), to_numpy(std::move(c.core)).attr("view")("bool"));
}

// ---- driver side --------------------------------------------------------------------------------

template <class T>
py::array_t<T> copy_of(std::span<const T> v) {
  return py::array_t<T>(static_cast<py::ssize_t>(v.size()), v.data());
}

// A hook's Python failure as the engine's error: hotspot's errors keep their kind and parameter
// (a worker's hdbscan refusing min_samples reads as the driver's would); anything else (a lost
// scheduler, a task failed on every retry) is the cluster's I/O failure, exit 4.
[[noreturn]] void rethrow(py::error_already_set& e, const char* part) {
  const py::module_ errors = py::module_::import("hotspot._errors");
  const std::string what = py::str(e.value());
  if (e.matches(errors.attr("UsageError"))) {
    const py::object param = e.value().attr("parameter");
    if (!param.is_none()) {
      const std::string name = py::str(param), prefix = name + ": ";
      throw ParameterError(name, what.rfind(prefix, 0) == 0 ? what.substr(prefix.size()) : what);
    }
    throw UsageError(what);
  }
  if (e.matches(errors.attr("InputError"))) throw InputError(what);
  const std::string type = py::str(py::type::handle_of(e.value()).attr("__name__"));
  throw IoError(std::string("the Dask cluster failed during ") + part + ": " + type +
                (what.empty() ? std::string() : ": " + what));
}

}  // namespace

// hooks: a Python object with dbscan_tiles(x, y, eps, min_points),
// st_dbscan_tiles(x, y, t, eps, eps_time_s, min_points) (each -> the nine columns of the tiles'
// parts, concatenated) and hdbscan(x, y, min_cluster_size, min_samples, selection) (-> hs's
// hdbscan tuple). `hooks` outlives the run.
void install_cluster_hooks(RunDistribution& d, const py::object* h) {
  d.dbscan_tiles = [h](std::span<const double> x, std::span<const double> y, const DbscanOptions& o) {
    py::gil_scoped_acquire gil;
    try {
      return part_of(h->attr("dbscan_tiles")(copy_of(x), copy_of(y), o.eps, o.min_points));
    } catch (py::error_already_set& e) {
      rethrow(e, "clusters (dbscan)");
    }
  };
  d.st_dbscan_tiles = [h](std::span<const double> x, std::span<const double> y, std::span<const std::int64_t> t,
                          const StDbscanOptions& o) {
    py::gil_scoped_acquire gil;
    try {
      return part_of(
          h->attr("st_dbscan_tiles")(copy_of(x), copy_of(y), copy_of(t), o.eps, o.eps_time_s, o.min_points));
    } catch (py::error_already_set& e) {
      rethrow(e, "clusters (st-dbscan)");
    }
  };
  d.hdbscan = [h](std::span<const double> x, std::span<const double> y, const HdbscanOptions& o) {
    py::gil_scoped_acquire gil;
    try {
      const py::tuple r = h->attr("hdbscan")(copy_of(x), copy_of(y), o.min_cluster_size, o.min_samples,
                                             o.selection == HdbscanSelection::kLeaf ? "leaf" : "eom");
      Clustering c;
      const I64 label_array = r[0].cast<I64>();  // held: the view reads its buffer
      const auto labels = view(label_array, "labels");
      c.label.reserve(labels.size());
      for (const std::int64_t l : labels) c.label.push_back(static_cast<std::int32_t>(l));
      c.probability = column(r[2].cast<F64>(), "probabilities", static_cast<py::ssize_t>(labels.size()), "labels");
      c.outlier_score = column(r[3].cast<F64>(), "outlier_scores", static_cast<py::ssize_t>(labels.size()), "labels");
      c.size = column(r[4].cast<I64>(), "sizes");
      return c;
    } catch (py::error_already_set& e) {
      rethrow(e, "clusters (hdbscan)");
    }
  };
}

void bind_dask_clusters(py::module_& m) {
  m.def("dask_dbscan_tile", &dbscan_tile_, py::arg("x"), py::arg("y"), py::arg("index"), py::arg("owned"),
        py::arg("eps"), py::arg("min_points"), py::arg("threads"));
  m.def("dask_st_dbscan_tile", &st_dbscan_tile_, py::arg("x"), py::arg("y"), py::arg("t"), py::arg("index"),
        py::arg("owned"), py::arg("eps"), py::arg("eps_time_s"), py::arg("min_points"), py::arg("threads"));
  m.def("dask_cluster_merge", &merge_, py::arg("n"), py::arg("parts"));
}

}  // namespace hotspot::py_bind
