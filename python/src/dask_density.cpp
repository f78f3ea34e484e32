// hotspot.dask's density parts: KDE in windows of kde()'s own blocks and the emerging cube with
// its Gi* sums in tiles of cells (hotspot/distribute.hpp). The workers' calls, with the GIL
// released, and the driver's hooks (RunDistribution::kde and ::emerging_sums), which call back
// into hotspot/dask/_density.py and join the results in window or tile order.
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

// The cells of emerging, as the driver made them: (coords, ring_end, poly_end, geom_end, cx, cy).
py::tuple cells_tuple(const EmergingCells& cells) {
  std::vector<double> cx(cells.centroid.size()), cy(cells.centroid.size());
  for (std::size_t c = 0; c < cx.size(); ++c) cx[c] = cells.centroid[c].x, cy[c] = cells.centroid[c].y;
  const py::tuple p = pack(cells.polygon);
  return py::make_tuple(p[0], p[1], p[2], p[3], to_numpy(std::move(cx)), to_numpy(std::move(cy)));
}

// One tile of emerging (emerging_tile): (count, running, neighbours, located, without_time) of
// the owned cells, count and running flat (step × owned cell).
py::tuple emerging_tile_of(const F64& px, const F64& py_, const I32& pstep, const std::optional<F64>& pw,
                           const py::tuple& cells, const I32& owned, std::size_t steps, double band_m, int window,
                           int threads) {
  const std::span<const double> x = view(px, "x"), y = view(py_, "y", px.shape(0));
  const std::span<const std::int32_t> step = view(pstep, "step", px.shape(0));
  std::span<const double> w;
  if (pw) w = view(*pw, "weights", px.shape(0));
  if (cells.size() != 6) throw ParameterError("cells", "must be (coords, ring_end, poly_end, geom_end, cx, cy)");
  const std::vector<MultiPolygon> polygons =
      unpack_exact(cells[0].cast<F64>(), cells[1].cast<I64>(), cells[2].cast<I64>(), cells[3].cast<I64>(), "cells");
  const F64 cx = cells[4].cast<F64>(), cy = cells[5].cast<F64>();
  const std::span<const double> vx = view(cx, "cells", static_cast<py::ssize_t>(polygons.size()), "the polygons"),
                                vy = view(cy, "cells", static_cast<py::ssize_t>(polygons.size()), "the polygons");
  std::vector<XY> centroid(polygons.size());
  for (std::size_t c = 0; c < centroid.size(); ++c) centroid[c] = {vx[c], vy[c]};
  const std::span<const std::int32_t> own = view(owned, "owned");
  threads = threads_arg(threads);
  EmergingSums r;
  {
    py::gil_scoped_release nogil;
    r = emerging_tile(x, y, step, w, polygons, centroid, own, steps, band_m, window, threads);
  }
  return py::make_tuple(to_numpy(std::move(r.count)), to_numpy(std::move(r.running)),
                        to_numpy(std::move(r.neighbours)), r.located, r.without_time);
}

}  // namespace

// ---- driver side --------------------------------------------------------------------------------

// hooks.kde(x, y, w, grid, mask, options) -> the whole raster's float32 cells, and
// hooks.emerging_sums(x, y, step, w, cells, steps, band_m, window) -> (count, running, neighbours,
// located, without_time) of every cell (EmergingSums; count and running step × cell).
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
  d.emerging_sums = [h](std::span<const double> x, std::span<const double> y, std::span<const std::int32_t> step,
                        std::span<const double> w, const EmergingCells& cells, std::size_t steps, double band_m,
                        int window) {
    py::gil_scoped_acquire gil;
    try {
      const py::object w_arg = w.empty() ? py::object(py::none()) : py::object(copy_of(w));
      const py::tuple r =
          h->attr("emerging_sums")(copy_of(x), copy_of(y), copy_of(step), w_arg, cells_tuple(cells), steps, band_m,
                                   window);
      const auto bins = static_cast<py::ssize_t>(cells.polygon.size() * steps);
      EmergingSums out;
      out.count = column(r[0].cast<F64>(), "count", bins, "the cube");
      out.running = column(r[1].cast<F64>(), "running", bins, "the cube");
      out.neighbours = column(r[2].cast<I32>(), "neighbours", static_cast<py::ssize_t>(cells.polygon.size()), "cells");
      out.located = r[3].cast<std::int64_t>();
      out.without_time = r[4].cast<std::int64_t>();
      return out;
    } catch (py::error_already_set& e) {
      rethrow_engine(e, "emerging");
    }
  };
}

void bind_dask_density(py::module_& m) {
  m.def("dask_kde_blocks", &kde_blocks_of, py::arg("cols"), py::arg("rows"), py::arg("tile"));
  m.def("dask_kde_window", &kde_window_of, py::arg("x"), py::arg("y"), py::arg("weights"), py::arg("grid"),
        py::arg("mask"), py::arg("options"), py::arg("window"), py::arg("threads"));
  m.def("dask_emerging_tile", &emerging_tile_of, py::arg("x"), py::arg("y"), py::arg("step"), py::arg("weights"),
        py::arg("cells"), py::arg("owned"), py::arg("steps"), py::arg("band_m"), py::arg("window"), py::arg("threads"));
}

}  // namespace hotspot::py_bind
