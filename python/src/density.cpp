// hs.kde: the kde step's choices (hotspot/density.hpp), in its order: mask -> bandwidth -> grid ->
// mask raster -> density, so the surface equals `hotspot kde`'s GeoTIFF for the same incidents.
#include "hotspot/density.hpp"

#include <optional>
#include <span>
#include <vector>

#include "bind.hpp"

namespace hotspot::py_bind {
namespace {

py::tuple kde_surface(const F64& px, const F64& py_, const std::optional<F64>& pw, double cell_size,
                      const py::object& bandwidth, const std::string& kernel_name_,
                      const std::optional<std::vector<double>>& extent,
                      const std::optional<py::tuple>& mask_packed, bool edge_correction,
                      const std::string& area_unit, int threads) {
  const Kernel kernel = parse_kernel(kernel_name_);
  const AreaUnit unit = parse_area_unit(area_unit);
  const BandwidthSpec spec = py::isinstance<py::str>(bandwidth)
                                 ? parse_bandwidth(bandwidth.cast<std::string>())
                                 : bandwidth_metres(bandwidth.cast<double>());
  threads = threads_arg(threads);
  // The numpy columns themselves (no copy); only a mask, which drops the incidents outside it,
  // needs the engine's own copy of the kept ones.
  std::span<const double> x = view(px, "x"), y = view(py_, "y", px.shape(0)), w;
  if (pw) w = view(*pw, "weights", px.shape(0));
  std::vector<MultiPolygon> mask_geom;
  if (mask_packed) {
    const auto& t = *mask_packed;
    mask_geom =
        unpack(t[0].cast<F64>(), t[1].cast<I64>(), t[2].cast<I64>(), t[3].cast<I64>(), "mask");
    if (mask_geom.empty()) throw InputError("mask holds no polygons");
  }
  if (edge_correction && !mask_packed)
    throw ParameterError("edge_correction",
                         "needs a mask (the window the correction is relative to)");
  std::optional<Box> box;
  if (extent) {
    const auto& e = *extent;
    if (e.size() != 4) throw ParameterError("extent", "must be (xmin, ymin, xmax, ymax)");
    box = Box{e[0], e[1], e[2], e[3]};
  }

  DensityRaster raster;
  BandwidthChoice bw;
  {
    py::gil_scoped_release nogil;
    const bool masked = mask_packed.has_value();
    Box mask_box;
    for (const auto& g : mask_geom) mask_box.expand(bounds(g));
    KdePoints kept;
    if (masked) {
      kept.x.assign(x.begin(), x.end());
      kept.y.assign(y.begin(), y.end());
      kept.w.assign(w.begin(), w.end());
      kept.index.resize(kept.x.size());
      for (std::size_t i = 0; i < kept.index.size(); ++i) kept.index[i] = i;
      drop_outside(kept, mask_geom, threads);
      x = kept.x;
      y = kept.y;
      w = kept.w;
    }
    if (x.empty())
      throw InputError("kde: no incident is left (none given, or none inside the mask)");
    Box data_box;
    for (std::size_t i = 0; i < x.size(); ++i) data_box.expand(XY{x[i], y[i]});
    const Box& around = masked ? mask_box : data_box;
    bw = choose_bandwidth(spec, kernel, x, y, w, around, threads, "m");
    const Grid grid = choose_grid(box, around, bw.bandwidth_m, cell_size, "m");
    std::vector<std::uint8_t> mask;
    if (masked) mask = rasterize_mask(mask_geom, grid, threads);
    KdeOptions ko;
    ko.kernel = kernel;
    ko.bandwidth_m = bw.bandwidth_m;
    ko.area_scale = area_scale(unit);
    ko.edge_correction = edge_correction;
    ko.threads = threads;
    raster = kde(x, y, w, grid, mask, ko);
  }
  const Grid g = raster.grid;
  py::array_t<float> values = to_numpy(std::move(raster.values));
  return py::make_tuple(
      values.reshape({static_cast<py::ssize_t>(g.rows), static_cast<py::ssize_t>(g.cols)}),
      py::make_tuple(g.xmin, g.cell, 0.0, g.ymax, 0.0, -g.cell), bw.bandwidth_m, bw.detail,
      raster.nodata);
}

}  // namespace

void bind_density(py::module_& m) {
  m.def("kde", &kde_surface, py::arg("x"), py::arg("y"), py::arg("weights"), py::arg("cell_size"),
        py::arg("bandwidth"), py::arg("kernel"), py::arg("extent"), py::arg("mask"),
        py::arg("edge_correction"), py::arg("area_unit"), py::arg("threads"));
}

}  // namespace hotspot::py_bind
