// The _hotspot extension: engine errors as Python exceptions, the version, `run`, and the
// plumbing shared by the other files (packed polygons, threads).
#include <Python.h>

#include <string>

#include "bind.hpp"
#include "hotspot/geom.hpp"
#include "hotspot/run.hpp"

namespace hotspot::py_bind {

std::vector<MultiPolygon> unpack_exact(const F64& coords, const I64& ring_end, const I64& poly_end,
                                       const I64& geom_end, const char* name) {
  if (coords.ndim() != 2 || coords.shape(1) != 2)
    throw ParameterError(name, "vertices must be an (n, 2) array");
  const auto nv = coords.shape(0), nr = ring_end.shape(0), np_ = poly_end.shape(0);
  const double* c = coords.data();
  const std::int64_t *re = ring_end.data(), *pe = poly_end.data(), *ge = geom_end.data();
  std::vector<MultiPolygon> out(static_cast<std::size_t>(geom_end.shape(0)));
  std::int64_t v = 0, r = 0, p = 0;
  for (std::size_t g = 0; g < out.size(); ++g) {
    if (ge[g] < p || ge[g] > np_) throw ParameterError(name, "polygon offsets out of order");
    for (; p < ge[g]; ++p) {
      if (pe[p] <= r || pe[p] > nr) throw ParameterError(name, "ring offsets out of order");
      Polygon poly;
      for (bool shell = true; r < pe[p]; ++r, shell = false) {
        if (re[r] < v + 4 || re[r] > nv)
          throw ParameterError(name, "a ring needs 4 vertices (closed) at least");
        Ring ring;
        ring.reserve(static_cast<std::size_t>(re[r] - v));
        for (; v < re[r]; ++v) ring.push_back({c[2 * v], c[2 * v + 1]});
        (shell ? poly.shell : poly.holes.emplace_back()) = std::move(ring);
      }
      out[g].push_back(std::move(poly));
    }
  }
  return out;
}

std::vector<MultiPolygon> unpack(const F64& coords, const I64& ring_end, const I64& poly_end,
                                 const I64& geom_end, const char* name) {
  std::vector<MultiPolygon> out = unpack_exact(coords, ring_end, poly_end, geom_end, name);
  // Repaired as the readers repair polygons, so the CLI and Python analyse the same shapes.
  py::gil_scoped_release nogil;
  for (auto& mp : out) {
    bool repaired = false;
    mp = valid_polygon(mp, &repaired);
  }
  return out;
}

py::tuple pack(const std::vector<MultiPolygon>& geoms) {
  std::vector<double> coords;
  std::vector<std::int64_t> ring_end, poly_end, geom_end;
  for (const auto& mp : geoms) {
    for (const auto& poly : mp) {
      auto add = [&](const Ring& ring) {
        for (auto q : ring) coords.push_back(q.x), coords.push_back(q.y);
        ring_end.push_back(static_cast<std::int64_t>(coords.size() / 2));
      };
      add(poly.shell);
      for (const auto& h : poly.holes) add(h);
      poly_end.push_back(static_cast<std::int64_t>(ring_end.size()));
    }
    geom_end.push_back(static_cast<std::int64_t>(poly_end.size()));
  }
  const auto nv = static_cast<py::ssize_t>(coords.size() / 2);
  py::array_t<double> xy = to_numpy(std::move(coords));
  return py::make_tuple(xy.reshape({nv, py::ssize_t{2}}), to_numpy(std::move(ring_end)),
                        to_numpy(std::move(poly_end)), to_numpy(std::move(geom_end)));
}

int threads_arg(int threads) {
  if (threads < 1) throw ParameterError("threads", "must be >= 1 (got " + std::to_string(threads) + ")");
  return threads;
}

namespace {

// The exception classes of hotspot/_errors.py, held for the life of the process (never released:
// the translator may run while the interpreter shuts down).
PyObject *usage_error = nullptr, *input_error = nullptr, *io_error = nullptr;

void raise(PyObject* type, const std::string& message, const std::string& parameter) {
  py::gil_scoped_acquire gil;
  py::object e = py::reinterpret_borrow<py::object>(type)(
      message, parameter.empty() ? py::object(py::none()) : py::object(py::str(parameter)));
  PyErr_SetObject(type, e.ptr());
}

py::dict run(const std::string& config, int threads) {
  RunJobOptions o;
  o.config = config;
  o.threads = threads;
  RunJobResult r;
  {
    py::gil_scoped_release nogil;
    r = run_job(o);
  }
  return py::module_::import("json").attr("loads")(r.summary_json);
}

}  // namespace
}  // namespace hotspot::py_bind

PYBIND11_MODULE(_hotspot, m) {
  namespace py = pybind11;
  using namespace hotspot;
  using namespace hotspot::py_bind;
  m.doc() = "The hotspot engine (private: use the `hotspot` package).";
  m.attr("__version__") = HOTSPOT_VERSION;

  py::module_ errors = py::module_::import("hotspot._errors");
  usage_error = py::object(errors.attr("UsageError")).release().ptr();
  input_error = py::object(errors.attr("InputError")).release().ptr();
  io_error = py::object(errors.attr("IoError")).release().ptr();
  // One place maps engine errors to Python, as cli/main.cpp maps them to exit codes.
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ParameterError& e) {
      raise(usage_error, e.what(), e.parameter());
    } catch (const Error& e) {
      switch (e.kind()) {
        case ErrorKind::kUsage: raise(usage_error, e.what(), ""); break;
        case ErrorKind::kInput: raise(input_error, e.what(), ""); break;
        case ErrorKind::kIo: raise(io_error, e.what(), ""); break;
        case ErrorKind::kInternal: PyErr_SetString(PyExc_RuntimeError, e.what()); break;
      }
    }
  });

  m.def("run", &run, py::arg("config"), py::arg("threads"));
  bind_density(m);
  bind_cluster(m);
  bind_stats(m);
  bind_areas(m);
  bind_dask_parts(m);
  bind_dask_clusters(m);
  bind_dask_density(m);
}
