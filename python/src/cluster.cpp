// hs.dbscan, hs.hdbscan, hs.st_dbscan: hotspot/cluster.hpp on numpy columns.
#include "hotspot/cluster.hpp"

#include "bind.hpp"
#include "hotspot/huge_pages.hpp"

namespace hotspot::py_bind {
namespace {

// labels (int64), core (bool or None), probabilities, outlier_scores (or None), sizes.
py::tuple result(Clustering&& c) {
  // int64 labels in huge pages: a fresh 8 MB array from malloc cost ~2,000 page faults per call
  // on 1M points, about a tenth of a DBSCAN call (hotspot/huge_pages.hpp).
  BigVector<std::int64_t> labels(c.label.begin(), c.label.end());
  py::object core = py::none(), prob = py::none(), outlier = py::none();
  if (!c.core.empty()) core = to_numpy(std::move(c.core)).attr("view")("bool");
  if (!c.probability.empty()) prob = to_numpy(std::move(c.probability));
  if (!c.outlier_score.empty()) outlier = to_numpy(std::move(c.outlier_score));
  return py::make_tuple(to_numpy(std::move(labels)), core, prob, outlier,
                        to_numpy(std::move(c.size)));
}

// The engine call `f` (on numpy columns: numpy keeps the arrays alive, and py::array_t holds a
// reference, while the engine reads them) without the GIL; its Clustering as result()'s tuple.
template <class F>
py::tuple without_gil(F&& f) {
  Clustering c;
  {
    py::gil_scoped_release nogil;
    c = f();
  }
  return result(std::move(c));
}

py::tuple dbscan_(const F64& px, const F64& py_, double eps, int min_points, int threads) {
  DbscanOptions o;
  o.eps = eps;
  o.min_points = min_points;
  o.threads = threads_arg(threads);
  const auto x = view(px, "x");
  const auto y = view(py_, "y", px.shape(0));
  return without_gil([&] { return dbscan(x, y, o); });
}

py::tuple hdbscan_(const F64& px, const F64& py_, int min_cluster_size, int min_samples,
                   const std::string& selection, int threads) {
  HdbscanOptions o;
  o.min_cluster_size = min_cluster_size;
  o.min_samples = min_samples;
  if (selection == "eom")
    o.selection = HdbscanSelection::kEom;
  else if (selection == "leaf")
    o.selection = HdbscanSelection::kLeaf;
  else
    throw ParameterError("selection", "must be eom or leaf (got '" + selection + "')");
  o.threads = threads_arg(threads);
  const auto x = view(px, "x");
  const auto y = view(py_, "y", px.shape(0));
  return without_gil([&] { return hdbscan(x, y, o); });
}

py::tuple st_dbscan_(const F64& px, const F64& py_, const I64& pt, double eps,
                     std::int64_t eps_time_s, int min_points, int threads) {
  StDbscanOptions o;
  o.eps = eps;
  o.eps_time_s = eps_time_s;
  o.min_points = min_points;
  o.threads = threads_arg(threads);
  const auto x = view(px, "x");
  const auto y = view(py_, "y", px.shape(0));
  const auto t = view(pt, "t", px.shape(0));
  return without_gil([&] { return st_dbscan(x, y, t, o); });
}

}  // namespace

void bind_cluster(py::module_& m) {
  m.def("dbscan", &dbscan_, py::arg("x"), py::arg("y"), py::arg("eps"), py::arg("min_points"),
        py::arg("threads"));
  m.def("hdbscan", &hdbscan_, py::arg("x"), py::arg("y"), py::arg("min_cluster_size"),
        py::arg("min_samples"), py::arg("selection"), py::arg("threads"));
  m.def("st_dbscan", &st_dbscan_, py::arg("x"), py::arg("y"), py::arg("t"), py::arg("eps"),
        py::arg("eps_time_s"), py::arg("min_points"), py::arg("threads"));
}

}  // namespace hotspot::py_bind
