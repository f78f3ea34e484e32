"""The public functions. Each converts its arguments (no copy where the dtype fits), calls one
engine function in the extension with the GIL released, and wraps what comes back."""
import os

import numpy as np

from . import _hotspot
from ._errors import InputError, UsageError
from ._geometry import crs_of, pack, unpack



def _pack_in_crs(polygons, crs, what):
    """Polygons (a GeoDataFrame, GeoSeries or a sequence of geometries) reprojected to `crs` when
    both CRSs are known, packed for the engine."""
    g = getattr(polygons, "geometry", polygons)
    if crs is not None and getattr(g, "crs", None) is not None and not crs.equals(g.crs):
        g = g.to_crs(crs)
    return pack(list(g), what)

def _threads(threads):
    if threads is None:
        return os.cpu_count() or 1
    if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)) or threads < 1:
        raise UsageError(f"threads: must be an integer >= 1 or None (got {threads!r})", "threads")
    return int(threads)


def _column(a, name, dtype=np.float64):
    """A 1-D array of `dtype`; numeric input of another dtype is converted once."""
    arr = np.asarray(a)
    if arr.dtype.kind not in "biuf":
        raise UsageError(f"{name}: must be numeric (got dtype {arr.dtype})", name)
    if arr.ndim != 1:
        raise UsageError(f"{name}: must be 1-D (got shape {arr.shape})", name)
    return np.ascontiguousarray(arr, dtype=dtype)


def _times(t, name="t"):
    """datetime64 (any unit; naive values are UTC) or int64 epoch seconds -> int64 UTC seconds.
    NaT stays NaT (the engine's "no time")."""
    arr = np.asarray(t)
    if arr.dtype.kind == "M":
        return np.ascontiguousarray(arr.astype("datetime64[s]").view(np.int64))
    if arr.dtype.kind not in "iu":
        if arr.dtype == object and len(arr) and hasattr(arr[0], "tzinfo"):  # tz-aware pandas
            import pandas as pd
            return _times(pd.to_datetime(arr, utc=True).tz_localize(None).values, name)
        raise UsageError(f"{name}: must be datetime64 or int64 epoch seconds (got dtype {arr.dtype})",
                         name)
    return _column(arr, name, np.int64)


def _seconds(v, name):
    """A duration: seconds (a number), numpy.timedelta64, datetime.timedelta or pandas Timedelta."""
    if isinstance(v, np.timedelta64):
        return int(v / np.timedelta64(1, "s"))
    if hasattr(v, "total_seconds"):
        return int(v.total_seconds())
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
        return int(v)
    raise UsageError(f"{name}: must be seconds or a timedelta (got {v!r})", name)


def run(config, threads=None):
    """Run a configuration file, as `hotspot run --config CONFIG --json`.

    config: path to run.json (schemas/run.schema.json).
    threads: worker threads; DEFAULT None: the configuration's (else every core).
    Returns the run summary (schemas/run-summary.schema.json) as a dict.
    """
    return _hotspot.run(os.fspath(config), -1 if threads is None else _threads(threads))


class Density:
    """A kernel density surface.

    values: float32 (rows, cols), top row first; cells outside a mask are NaN.
    transform: the GDAL geotransform (xmin, cell, 0, ymax, 0, -cell).
    crs: WKT of the CRS, or None for planar data.
    bandwidth: the bandwidth used, metres (data units for planar data).
    bandwidth_detail: how it was chosen.
    unit: the density unit, "incidents per km²" (area_unit).
    """

    def __init__(self, values, transform, crs, bandwidth, detail, unit):
        self.values, self.transform, self.crs = values, transform, crs
        self.bandwidth, self.bandwidth_detail, self.unit = bandwidth, detail, unit

    def __repr__(self):
        r, c = self.values.shape
        return f"<hotspot.Density {r} x {c} cells of {self.transform[1]:g}, bandwidth {self.bandwidth:g}>"

    def to_geotiff(self, path):
        """Write the surface as a Float32 GeoTIFF (nodata -9999), as `hotspot kde --out x.tif`."""
        from osgeo import gdal
        gdal.UseExceptions()
        rows, cols = self.values.shape
        ds = gdal.GetDriverByName("GTiff").Create(os.fspath(path), cols, rows, 1, gdal.GDT_Float32,
                                                  ["COMPRESS=DEFLATE", "TILED=YES"])
        ds.SetGeoTransform(self.transform)
        if self.crs:
            ds.SetProjection(self.crs)
        band = ds.GetRasterBand(1)
        band.SetNoDataValue(-9999.0)
        band.WriteArray(np.where(np.isnan(self.values), np.float32(-9999), self.values))
        ds = None


_AREA_LABEL = {"km2": "km²", "ha": "ha", "m2": "m²"}


def kde(x, y, *, cell_size, bandwidth="auto", kernel="quartic", weights=None, extent=None,
        mask=None, edge_correction=False, crs=None, area_unit="km2", threads=None):
    """Kernel density of incidents, the surface `hotspot kde` writes.

    x, y: coordinates in a projected CRS (metres) or planar units, float64 arrays (no copy).
    cell_size: raster cell size, metres. Required, > 0.
    bandwidth: "auto" (ArcGIS spatial Silverman, DEFAULT), "scott", "cv" (likelihood
        cross-validation, up to 20,000 incidents), or a length in metres (500, "500m", "0.5km").
    kernel: quartic (DEFAULT), epanechnikov, triweight, triangular, uniform or gaussian.
    weights: per-incident weights; DEFAULT None: each incident counts 1.
    extent: (xmin, ymin, xmax, ymax) in metres; DEFAULT: the data (or the mask) grown by one
        bandwidth on every side.
    mask: polygons (GeoDataFrame, GeoSeries or shapely polygons) outside which cells are nodata
        and incidents are left out. DEFAULT None.
    edge_correction: divide by the share of each kernel inside the mask. DEFAULT False; needs mask.
    crs: the CRS of x, y (anything pyproj reads); DEFAULT None: planar, or the mask's.
        Geographic CRSs are refused (InputError).
    area_unit: km2 (DEFAULT), ha or m2: density per that area.
    threads: DEFAULT None: every core. The surface does not depend on it.
    Returns a Density.
    """
    c, _ = crs_of(crs, mask)
    x, y = _column(x, "x"), _column(y, "y")
    w = None if weights is None else _column(weights, "weights")
    packed = None if mask is None else _pack_in_crs(mask, c, "mask")
    if isinstance(bandwidth, bool) or not isinstance(bandwidth, (str, int, float, np.integer, np.floating)):
        raise UsageError(f"bandwidth: auto, scott, cv or a length (got {bandwidth!r})", "bandwidth")
    if not isinstance(bandwidth, str):
        bandwidth = float(bandwidth)
    ext = None if extent is None else [float(v) for v in extent]
    values, transform, h, detail, nodata = _hotspot.kde(
        x, y, w, float(cell_size), bandwidth, kernel, ext, packed, bool(edge_correction), area_unit,
        _threads(threads))
    values[values == nodata] = np.nan
    return Density(values, transform, None if c is None else c.to_wkt(), h, detail,
                   f"incidents per {_AREA_LABEL.get(area_unit, area_unit)}")


class Clustering:
    """Cluster labels per point.

    labels: int64 cluster id per point (0, 1, ... by size, largest first), -1 for noise.
    core: bool, core points (DBSCAN, ST-DBSCAN); None for HDBSCAN.
    probabilities: membership strength in [0, 1] (HDBSCAN; else None).
    outlier_scores: GLOSH outlier score in [0, 1] (HDBSCAN; else None).
    sizes: int64 points per cluster id.
    """

    def __init__(self, labels, core, probabilities, outlier_scores, sizes):
        self.labels, self.core = labels, core
        self.probabilities, self.outlier_scores, self.sizes = probabilities, outlier_scores, sizes

    @property
    def n_clusters(self):
        return len(self.sizes)

    def __repr__(self):
        return f"<hotspot.Clustering {self.n_clusters} clusters, {int((self.labels < 0).sum())} noise>"


def _planar_xy(x, y, crs):
    crs_of(crs)  # refuses geographic CRSs
    return _column(x, "x"), _column(y, "y")


def dbscan(x, y, *, eps, min_points=5, crs=None, threads=None):
    """Exact DBSCAN, the clustering of `hotspot cluster --method dbscan`.

    x, y: projected coordinates, metres (or planar units), float64 arrays (no copy).
    eps: neighbourhood radius, metres; a distance <= eps counts. Required, > 0.
    min_points: points within eps for a core point, itself included (scikit-learn's
        min_samples). DEFAULT 5.
    crs: the CRS of x, y, only checked (geographic CRSs are refused). DEFAULT None: planar.
    threads: DEFAULT None: every core. Labels do not depend on it.
    Returns a Clustering (labels, core). Core and noise sets equal scikit-learn's.
    """
    x, y = _planar_xy(x, y, crs)
    return Clustering(*_hotspot.dbscan(x, y, float(eps), int(min_points), _threads(threads)))


def hdbscan(x, y, *, min_cluster_size, min_samples=None, selection="eom", crs=None, threads=None):
    """HDBSCAN* (exact mutual-reachability MST), as `hotspot cluster --method hdbscan`.

    min_cluster_size: smallest cluster, points. Required, >= 2.
    min_samples: neighbours for the core distance, itself included; DEFAULT None: min_cluster_size.
    selection: "eom" (excess of mass, DEFAULT) or "leaf".
    Returns a Clustering with labels, probabilities and outlier_scores (GLOSH).
    """
    x, y = _planar_xy(x, y, crs)
    ms = 0 if min_samples is None else int(min_samples)
    return Clustering(*_hotspot.hdbscan(x, y, int(min_cluster_size), ms, selection, _threads(threads)))


def st_dbscan(x, y, t, *, eps, eps_time, min_points=5, crs=None, threads=None):
    """ST-DBSCAN: neighbours are within eps metres AND eps_time of each other.

    t: datetime64 (naive values are UTC) or int64 epoch seconds; NaT is refused.
    eps: spatial radius, metres. eps_time: temporal radius, seconds or a timedelta.
    min_points: DEFAULT 5, the point itself included.
    Returns a Clustering (labels, core).
    """
    x, y = _planar_xy(x, y, crs)
    return Clustering(*_hotspot.st_dbscan(x, y, _times(t), float(eps), _seconds(eps_time, "eps_time"),
                                          int(min_points), _threads(threads)))


class Weights:
    """Sparse spatial weights, row i listing its neighbours in increasing order (CSR).

    n: number of units. offset (int64, n + 1), index (int32), weight (float64): the CSR arrays.
    neighbors: list of int arrays, the neighbours of each unit. islands: units without one.
    description: how they were built ("queen contiguity (snap 0.5 m)").
    """

    def __init__(self, offset, index, weight, islands=None, description="", snap=None, band=None):
        self.offset = np.ascontiguousarray(offset, dtype=np.int64)
        self.index = np.ascontiguousarray(index, dtype=np.int32)
        self.weight = np.ascontiguousarray(weight, dtype=np.float64)
        card = np.diff(self.offset)
        self.islands = np.flatnonzero(card == 0) if islands is None else np.asarray(islands)
        self.description, self.snap, self.band = description, snap, band

    @property
    def n(self):
        return len(self.offset) - 1

    @property
    def cardinalities(self):
        return np.diff(self.offset)

    @property
    def neighbors(self):
        return np.split(self.index, self.offset[1:-1])

    def to_scipy(self):
        """The weights as a scipy.sparse.csr_matrix (n x n)."""
        import scipy.sparse
        return scipy.sparse.csr_matrix((self.weight, self.index, self.offset), shape=(self.n, self.n))

    def __repr__(self):
        return f"<hotspot.Weights {self.n} units, {len(self.index)} links: {self.description}>"

    @classmethod
    def from_scipy(cls, m):
        import scipy.sparse
        m = scipy.sparse.csr_matrix(m)
        if m.shape[0] != m.shape[1]:
            raise UsageError(f"w: a weights matrix must be square (got {m.shape})", "w")
        m.eliminate_zeros()
        m.sort_indices()
        return cls(m.indptr, m.indices, m.data, description="scipy.sparse matrix")

    @classmethod
    def from_libpysal(cls, w):
        pos = {k: i for i, k in enumerate(w.id_order)}
        offset, index, weight = [0], [], []
        for k in w.id_order:
            pairs = sorted((pos[j], v) for j, v in zip(w.neighbors[k], w.weights[k]))
            index += [p for p, _ in pairs]
            weight += [v for _, v in pairs]
            offset.append(len(index))
        return cls(offset, index, weight, description=f"libpysal {type(w).__name__}")


def weights(geoms_or_xy, spec="queen", *, crs=None, snap=None, inverse_distance=0.0, islands="keep"):
    """Spatial weights between analysis units, as `hotspot local --weights SPEC` builds them.

    geoms_or_xy: a GeoDataFrame/GeoSeries/list of polygons or points, an (n, 2) array of points,
        a libpysal.weights.W, or a scipy.sparse matrix (the last two are taken as they are).
    spec: "queen" (DEFAULT), "rook" (polygons), "knn:K" (K nearest, 1..1000) or "band:D" (within D
        metres, or data units for planar data).
    crs: DEFAULT None: the GeoDataFrame's, else planar. Geographic CRSs are refused (InputError).
    snap: contiguity snapping tolerance, metres; DEFAULT None: 0.5 m (planar: 1e-7 of the extent).
    inverse_distance: power p of w = d^-p for knn and band; DEFAULT 0: binary.
    islands: "keep" (DEFAULT: null statistics) or "nearest" (linked to their nearest unit).
    Returns a Weights.
    """
    mod = type(geoms_or_xy).__module__ or ""
    if mod.startswith("libpysal"):
        return Weights.from_libpysal(geoms_or_xy)
    if mod.startswith("scipy.sparse"):
        return Weights.from_scipy(geoms_or_xy)
    snap = None if snap is None else float(snap)
    geo = getattr(geoms_or_xy, "geometry", None)
    if geo is not None or (isinstance(geoms_or_xy, (list, tuple)) and geoms_or_xy
                           and hasattr(geoms_or_xy[0], "geom_type")):
        _, planar = crs_of(crs, geoms_or_xy)
        gs = list(geo if geo is not None else geoms_or_xy)
        if gs and all(g is not None and g.geom_type == "Point" for g in gs):
            x = np.array([g.x for g in gs]), np.array([g.y for g in gs])
            r = _hotspot.weights_points(x[0], x[1], spec, snap, float(inverse_distance), islands, planar)
        else:
            r = _hotspot.weights_polygons(pack(gs, "geoms"), spec, snap, float(inverse_distance),
                                          islands, planar)
    else:
        _, planar = crs_of(crs)
        xy = np.asarray(geoms_or_xy, dtype=np.float64)
        if xy.ndim != 2 or xy.shape[1] != 2:
            raise UsageError(f"geoms_or_xy: points must be an (n, 2) array (got shape {xy.shape})",
                             "geoms_or_xy")
        r = _hotspot.weights_points(np.ascontiguousarray(xy[:, 0]), np.ascontiguousarray(xy[:, 1]),
                                    spec, snap, float(inverse_distance), islands, planar)
    offset, index, weight, isl, snap_used, band, description = r
    return Weights(offset, index, weight, isl, description, snap_used, band)


def _as_weights(w):
    if isinstance(w, Weights):
        return w
    mod = type(w).__module__ or ""
    if mod.startswith("libpysal"):
        return Weights.from_libpysal(w)
    if mod.startswith("scipy.sparse"):
        return Weights.from_scipy(w)
    raise UsageError(f"w: a hotspot.Weights, libpysal W or scipy.sparse matrix (got {type(w).__name__})", "w")


def _frame(values, d, w, first=()):
    import pandas as pd
    index = values.index if isinstance(values, pd.Series) else None
    df = pd.DataFrame(d, index=index)
    df["NNeighbors"] = w.cardinalities
    return df


def gi_star(values, w, *, permutations=999, seed=12345, fdr=False, threads=None):
    """Getis-Ord Gi* per unit (spdep's localG on binary weights plus the unit itself).

    values: one number per unit (array or pandas Series; its index is kept).
    w: a Weights (hotspot.weights), a libpysal W or a scipy.sparse matrix, without self entries.
    permutations: conditional permutations for the pseudo p; DEFAULT 999; 0: two-sided normal p.
    seed: DEFAULT 12345. fdr: Benjamini-Hochberg adjusted p (GiPValueFDR); DEFAULT False.
    threads: DEFAULT None: every core; the results do not depend on it.
    Returns a DataFrame: GiZScore, GiPValue, [GiPValueFDR], Gi_Bin (±3/±2/±1 at p < 0.01/0.05/0.10,
    0 not significant, <NA> for islands), NNeighbors. The fields of the local_stats layer.
    """
    w = _as_weights(w)
    d = _hotspot.gi_star(_column(values, "values"), w.offset, w.index, w.weight, int(permutations),
                         int(seed), bool(fdr), _threads(threads))
    import pandas as pd
    b = pd.array(d["Gi_Bin"].astype(np.int64), dtype="Int64")
    b[np.isnan(d["GiZScore"])] = pd.NA
    d["Gi_Bin"] = b
    return _frame(values, d, w)


def local_moran(values, w, *, permutations=999, seed=12345, fdr=False, threads=None):
    """Local Moran's I per unit (spdep's localmoran on row-standardised weights).

    Arguments as gi_star. Returns a DataFrame: LMiIndex, LMiExpected, LMiVariance, LMiZScore,
    LMiPValue, [LMiPValueFDR], COType (HH, HL, LH, LL at p < 0.05, else ""), NNeighbors.
    """
    w = _as_weights(w)
    d = _hotspot.local_moran(_column(values, "values"), w.offset, w.index, w.weight, int(permutations),
                             int(seed), bool(fdr), _threads(threads))
    return _frame(values, d, w)


def aggregate(x, y, communes, zones=None, *, crs, population=None, zone_buffer=1000.0, threads=None):
    """Incidents counted into communes (and industrial zones), as `hotspot aggregate`.

    x, y: incident coordinates in `crs`, metres.
    communes: GeoDataFrame of commune polygons (reprojected to crs if it has another CRS).
    zones: DEFAULT None; GeoDataFrame of industrial zones.
    crs: the working CRS, projected in metres (required; geographic CRSs are refused).
    population: DEFAULT None; the communes' column holding residents, for per_1000.
    zone_buffer: width of the ring around each zone, metres; DEFAULT 1000.
    Returns the communes as a GeoDataFrame with area_km2, incidents, per_km2, per_1000; with zones,
    .attrs["zones"] holds the zones with area_ha, incidents_inside, per_ha, buffer_m,
    ring_area_ha, incidents_ring. A point on a shared boundary counts in exactly one commune.
    """
    c, _ = crs_of(crs)
    x, y = _column(x, "x"), _column(y, "y")

    def prepared(gdf, name):
        if c is not None and gdf.crs is not None and not c.equals(gdf.crs):
            gdf = gdf.to_crs(c)
        return gdf, pack(list(gdf.geometry), name)

    communes, cp = prepared(communes, "communes")
    pop = None if population is None else _column(communes[population], "population")
    zp = None
    if zones is not None:
        zones, zp = prepared(zones, "zones")
    cd, zd, _, _, _ = _hotspot.aggregate(x, y, cp, pop, zp, float(zone_buffer), _threads(threads))
    out = communes.copy()
    for k, v in cd.items():
        out[k] = v
    if zd is not None:
        z = zones.copy()
        for k, v in zd.items():
            z[k] = v
        out.attrs["zones"] = z
    return out


def knox(x, y, t, *, space_bands, time_bands, permutations=99, seed=1, threads=None):
    """Knox near-repeat test, the near_repeat table of `hotspot near-repeat`.

    x, y: projected coordinates, metres. t: datetime64 (naive = UTC) or int64 epoch seconds; NaT
        incidents take no part.
    space_bands: band edges in metres, increasing (e.g. [0, 100, 200, 400]).
    time_bands: band edges in days, increasing (e.g. [0, 7, 14, 28]).
    permutations: Monte Carlo permutations of the times; DEFAULT 99. seed: DEFAULT 1.
    Returns a DataFrame: space_from, space_to, days_from, days_to, observed, expected, knox_ratio,
    p_value (one row per band pair, space band major); .attrs has incidents_used, without_time.
    """
    import pandas as pd
    x, y = _column(x, "x"), _column(y, "y")
    d = _hotspot.knox(x, y, _times(t), [float(v) for v in space_bands], [float(v) for v in time_bands],
                      int(permutations), int(seed), _threads(threads))
    attrs = {k: d.pop(k) for k in ("incidents_used", "without_time")}
    df = pd.DataFrame(d)
    df.attrs.update(attrs)
    return df


def _offset_seconds(text):
    import re
    m = re.fullmatch(r"([+-])(\d\d):(\d\d)", str(text))
    if not m or int(m.group(2)) > 14 or int(m.group(3)) > 59:
        raise UsageError(f"utc_offset: must be ±HH:MM, e.g. +07:00 (got {text!r})", "utc_offset")
    s = int(m.group(2)) * 3600 + int(m.group(3)) * 60
    return s if m.group(1) == "+" else -s


def emerging(x, y, t, *, grid="hex:500", time_step="1w", crs, communes=None, weights=None, band=None,
             neighbourhood_time=1, alpha=0.05, utc_offset="+07:00", threads=None):
    """Emerging hot spots (space-time Gi* per cell and step, 17 patterns), as `hotspot emerging`.

    x, y: incident coordinates in `crs`, metres.
    t: datetime64 or int64 epoch seconds (UTC). Naive datetime64 values are local times at
        utc_offset, as the CLI reads naive timestamps; tz-aware pandas times are converted.
    grid: "hex:SIZE" (DEFAULT hex:500) or "square:SIZE", centre spacing in metres.
    time_step: "Nd", "Nw" (Monday-based weeks, DEFAULT 1w) or "Nmo" (calendar months), local time.
    crs: the working CRS, projected in metres (required; geographic CRSs are refused).
    communes: DEFAULT None; polygons whose union is the study area (else the incidents' convex
        hull grown by half a cell).
    weights: per-incident weights; DEFAULT None: 1 each.
    band: neighbourhood radius, metres; DEFAULT None: 1.5 x the cell size (the first ring).
    neighbourhood_time: previous steps in each bin's neighbourhood; DEFAULT 1.
    alpha: significance of bins and trends; DEFAULT 0.05.
    utc_offset: where local days, weeks and months start; DEFAULT "+07:00" (the CLI's).
    Returns a GeoDataFrame of the cells with the emerging layer's fields (cell, category,
    category_code, total, recent, hot_steps, cold_steps, last_gi_z, last_gi_p, gi_trend_z,
    gi_trend_p, count_trend_z, count_trend_p); .attrs["cube"] is the emerging_cube table (cell,
    step, step_start, count, gi_z, gi_p) and .attrs["band"] the band used.
    """
    import geopandas as gpd
    import pandas as pd
    c, _ = crs_of(crs)
    x, y = _column(x, "x"), _column(y, "y")
    off = _offset_seconds(utc_offset)
    tt = np.asarray(t)
    ts = _times(tt)
    if tt.dtype.kind == "M":  # naive: local time at utc_offset
        ts = np.where(ts == np.iinfo(np.int64).min, ts, ts - off)
    w = None if weights is None else _column(weights, "weights")
    cp = None if communes is None else _pack_in_crs(communes, c, "communes")
    d, packed, cube, band_used, outside, without_time = _hotspot.emerging(
        x, y, np.ascontiguousarray(ts), w, grid, time_step, cp, 0.0 if band is None else float(band),
        int(neighbourhood_time), float(alpha), utc_offset, _threads(threads))
    out = gpd.GeoDataFrame(d, geometry=unpack(packed), crs=c)
    ncell = len(out)
    steps = len(cube["step_start_utc"])
    out.attrs["cube"] = pd.DataFrame({
        "cell": np.tile(np.arange(ncell), steps), "step": np.repeat(np.arange(steps), ncell),
        "step_start": np.repeat(cube["step_start_utc"].astype("datetime64[s]"), ncell),
        "count": cube["count"], "gi_z": cube["gi_z"], "gi_p": cube["gi_p"]
    }).sort_values(["cell", "step"], kind="stable").reset_index(drop=True)
    out.attrs.update(band=band_used, outside=outside, without_time=without_time)
    return out


def grid(x=None, y=None, *, grid="hex:500", communes=None, crs):
    """The analysis grid of `hotspot emerging` (and of a `local` grid over communes): hexagons or
    squares over the study area, clipped to it.

    x, y: incident coordinates in `crs`, metres; the study area is their convex hull grown by half
        a cell when no communes are given (at least 3 incidents). DEFAULT None (communes needed).
    grid: "hex:SIZE" (DEFAULT hex:500: pointy-top hexagons SIZE metres across the flats) or
        "square:SIZE".
    communes: polygons whose union is the study area. DEFAULT None.
    crs: the working CRS, projected in metres (required; geographic CRSs are refused).
    Returns a GeoDataFrame of the cells (column `cell`, 0..n-1). Count incidents into it with
    hs.aggregate(x, y, cells, crs=crs)["incidents"].
    """
    import geopandas as gpd
    c, _ = crs_of(crs)
    if x is None and communes is None:
        raise UsageError("grid: give incidents (x, y) or communes", "communes")
    x = np.empty(0) if x is None else _column(x, "x")
    y = np.empty(0) if y is None else _column(y, "y")
    cp = None if communes is None else _pack_in_crs(communes, c, "communes")
    geoms = unpack(_hotspot.grid(x, y, grid, cp))
    return gpd.GeoDataFrame({"cell": np.arange(len(geoms))}, geometry=geoms, crs=c)
