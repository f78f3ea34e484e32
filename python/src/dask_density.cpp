// hotspot.dask's density parts: KDE in windows of kde()'s own blocks and the emerging cube's
// cell of each incident (hotspot/distribute.hpp). The workers' calls, with the GIL released, and
// the driver's hooks (RunDistribution::kde and ::emerging_cells), which call back into
// hotspot/dask/_density.py and join the results in window or tile order.
#include <Python.h>

#include <algorithm>
#include <optional>
#include <string>

#include "bind.hpp"
#include "hotspot/distribute.hpp"
#include "hotspot/run.hpp"

namespace hotspot::py_bind {
namespace {

template <class T>
py::array_t<T> copy_of(std::span<const T> v) {
  return py::array_t<T>(static_cast<py::ssize_t>(v.size()), v.data());
}

// (xmin, ymax, cell, cols, rows): the grid exactly as the driver's engine chose it.
Grid grid_of(const py::tuple& t) {
  if (t.size() != 5) throw ParameterError("grid", "must be (xmin, ymax, cell, cols, rows)");
  Grid g;
  g.xmin = t[0].cast<double>();
  g.ymax = t[1].cast<double>();
  g.cell = t[2].cast<double>();
  g.cols = t[3].cast<std::int64_t>();
  g.rows = t[4].cast<std::int64_t>();
  if (!(g.cell > 0) || g.cols < 0 || g.rows < 0) throw ParameterError("grid", "cell > 0, cols and rows >= 0");
  return g;
}

py::tuple grid_tuple(const Grid& g) { return py::make_tuple(g.xmin, g.ymax, g.cell, g.cols, g.rows); }

KdeOptions kde_options(const py::dict& d) {
  KdeOptions o;
  o.kernel = parse_kernel(d["kernel"].cast<std::string>());
  o.bandwidth_m = d["bandwidth_m"].cast<double>();
  o.area_scale = d["area_scale"].cast<double>();
  o.edge_correction = d["edge_correction"].cast<bool>();
  o.tile = d["tile"].cast<int>();
  return o;
}

py::dict options_dict(const KdeOptions& o) {
  py::dict d;
  d["kernel"] = kernel_name(o.kernel);
  d["bandwidth_m"] = o.bandwidth_m;
  d["area_scale"] = o.area_scale;
  d["edge_correction"] = o.edge_correction;
  d["tile"] = o.tile;
  d["support_m"] = kernel_support(o.kernel) * o.bandwidth_m;  // for the windows' cost model only
  return d;
}

// ---- worker side --------------------------------------------------------------------------------

// (block_cols, block_rows, blocks_across, blocks_down) of kde() on a grid of cols × rows cells.
py::tuple kde_blocks_of(std::int64_t cols, std::int64_t rows, int tile) {
  Grid g;
  g.cols = cols, g.rows = rows;
  KdeOptions o;
  o.tile = tile;
  const KdeBlocks b = kde_blocks(g, o);
  return py::make_tuple(b.cols, b.rows, b.nbx, b.nby);
}

// The window's cells (rows × cols, float32) of kde() on the driver's grid and mask.
py::array_t<float> kde_window_of(const F64& px, const F64& py_, const std::optional<F64>& pw, const py::tuple& grid,
                                 const std::optional<U8>& mask, const py::dict& options, const py::tuple& window,
                                 int threads) {
  const Grid g = grid_of(grid);
  KdeOptions o = kde_options(options);
  o.threads = threads_arg(threads);
  if (window.size() != 4) throw ParameterError("window", "must be (bx0, bx1, by0, by1)");
  const KdeWindow win{window[0].cast<std::int64_t>(), window[1].cast<std::int64_t>(), window[2].cast<std::int64_t>(),
                      window[3].cast<std::int64_t>()};
  const std::span<const double> x = view(px, "x"), y = view(py_, "y", px.shape(0));
  std::span<const double> w;
  if (pw) w = view(*pw, "weights", px.shape(0));
  std::vector<std::uint8_t> m;
  if (mask) m = column(*mask, "mask", static_cast<py::ssize_t>(g.size()), "the grid");
  std::vector<float> v;
  {
    py::gil_scoped_release nogil;
    v = kde_window(x, y, w, g, m, o, win);
  }
  const KdeBlocks b = kde_blocks(g, o);
  const auto rows = static_cast<py::ssize_t>(std::min(win.by1 * b.rows, g.rows) - win.by0 * b.rows);
  const auto cols = static_cast<py::ssize_t>(std::min(win.bx1 * b.cols, g.cols) - win.bx0 * b.cols);
  return to_numpy(std::move(v)).reshape({rows, cols});
}

// The emerging cell of each point (locate_cells), with the cells exactly as the driver made them.
py::array_t<std::int32_t> locate_cells_of(const F64& px, const F64& py_, const py::tuple& cells, int threads) {
  const std::span<const double> x = view(px, "x"), y = view(py_, "y", px.shape(0));
  const std::vector<MultiPolygon> c =
      unpack_exact(cells[0].cast<F64>(), cells[1].cast<I64>(), cells[2].cast<I64>(), cells[3].cast<I64>(), "cells");
  threads = threads_arg(threads);
  std::vector<std::int32_t> r;
  {
    py::gil_scoped_release nogil;
    r = locate_cells(c, x, y, threads);
  }
  return to_numpy(std::move(r));
}

}  // namespace

// ---- driver side --------------------------------------------------------------------------------

// hooks.kde(x, y, w, grid, mask, options) -> the whole raster's float32 cells, and
// hooks.emerging_cells(x, y, cells) -> the int32 cell of each incident.
void install_density_hooks(RunDistribution& d, const py::object* h) {
  d.kde = [h](std::span<const double> x, std::span<const double> y, std::span<const double> w, const Grid& g,
              const std::vector<std::uint8_t>& mask, const KdeOptions& o) {
    py::gil_scoped_acquire gil;
    try {
      const py::object mask_arg =
          mask.empty() ? py::object(py::none()) : py::object(copy_of(std::span<const std::uint8_t>(mask)));
      const py::object w_arg = w.empty() ? py::object(py::none()) : py::object(copy_of(w));
      const py::object r = h->attr("kde")(copy_of(x), copy_of(y), w_arg, grid_tuple(g), mask_arg, options_dict(o));
      DensityRaster out;
      out.grid = g;
      out.values = column(r.cast<py::array_t<float, py::array::c_style | py::array::forcecast>>(), "density",
                          static_cast<py::ssize_t>(g.size()), "the grid");
      return out;
    } catch (py::error_already_set& e) {
      rethrow_engine(e, "kde");
    }
  };
  d.emerging_cells = [h](const std::vector<double>& x, const std::vector<double>& y,
                         const std::vector<MultiPolygon>& cells) {
    py::gil_scoped_acquire gil;
    try {
      const py::object r = h->attr("emerging_cells")(copy_of(std::span<const double>(x)),
                                                     copy_of(std::span<const double>(y)), pack(cells));
      return column(r.cast<I32>(), "cells", static_cast<py::ssize_t>(x.size()), "x");
    } catch (py::error_already_set& e) {
      rethrow_engine(e, "emerging");
    }
  };
}

void bind_dask_density(py::module_& m) {
  m.def("dask_kde_blocks", &kde_blocks_of, py::arg("cols"), py::arg("rows"), py::arg("tile"));
  m.def("dask_kde_window", &kde_window_of, py::arg("x"), py::arg("y"), py::arg("weights"), py::arg("grid"),
        py::arg("mask"), py::arg("options"), py::arg("window"), py::arg("threads"));
  m.def("dask_locate_cells", &locate_cells_of, py::arg("x"), py::arg("y"), py::arg("cells"), py::arg("threads"));
}

}  // namespace hotspot::py_bind
