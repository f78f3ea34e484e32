"""The module gives the CLI's layers, bit for bit, on the same inputs: Gi* and Local Moran against
`hotspot local`'s local_stats layer, DBSCAN against `hotspot cluster`, the surface against
`hotspot kde`'s GeoTIFF, Knox against `hotspot near-repeat`, emerging against `hotspot emerging`."""
import os

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from osgeo import gdal, ogr

import hotspot as hs
from conftest import GOLDEN, read_golden_xy, write_xy_csv

gdal.UseExceptions()
LOCAL = os.path.join(GOLDEN, "local")


def layer(path, name):
    return gpd.read_file(path, layer=name)


def table(path, name):
    """A table without geometry (near_repeat) as a DataFrame, in feature order."""
    ds = ogr.Open(str(path))
    lyr = ds.GetLayerByName(name)
    rows = [{k: f.GetField(k) for k in f.keys()} for f in lyr]
    return pd.DataFrame(rows)


def same(a, b):
    """Bit-identical float arrays (NaN where the other has NaN)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape
    np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
    np.testing.assert_array_equal(a[~np.isnan(a)].view(np.int64), b[~np.isnan(b)].view(np.int64))


@pytest.mark.parametrize("case,units,crs,field", [
    ("columbus", "columbus.geojson", "planar", "CRIME"),
    ("ny8", "ny8.gpkg", None, "Z"),
])
def test_local_stats_equal_the_cli_layer(cli, tmp_path, case, units, crs, field):
    src = os.path.join(LOCAL, units)
    out = tmp_path / f"{case}.gpkg"
    extra = ["--units-crs", crs] if crs else []
    cli("local", "--units", src, *extra, "--field", field, "--weights", "queen", "--permutations", 199,
        "--seed", 7, "--fdr", "--out", out)
    got = layer(out, "local_stats")
    gdf = gpd.read_file(src)
    w = hs.weights(gdf, "queen", crs=crs)
    gi = hs.gi_star(gdf[field], w, permutations=199, seed=7, fdr=True, threads=2)
    lm = hs.local_moran(gdf[field], w, permutations=199, seed=7, fdr=True, threads=1)
    for f in ["GiZScore", "GiPValue", "GiPValueFDR"]:
        same(gi[f], got[f])
    np.testing.assert_array_equal(gi["Gi_Bin"].to_numpy(dtype=np.float64, na_value=np.nan), got["Gi_Bin"])
    for f in ["LMiIndex", "LMiExpected", "LMiVariance", "LMiZScore", "LMiPValue", "LMiPValueFDR"]:
        same(lm[f], got[f])
    assert list(lm["COType"].fillna("")) == list(got["COType"].fillna(""))
    np.testing.assert_array_equal(gi["NNeighbors"], got["NNeighbors"])
    assert list(gi.columns) == ["GiZScore", "GiPValue", "GiPValueFDR", "Gi_Bin", "NNeighbors"]


def test_dbscan_equals_hotspot_cluster(cli, tmp_path):
    x, y = read_golden_xy("cluster/bei.csv")
    csv = tmp_path / "bei.csv"
    write_xy_csv(csv, x, y)
    out = tmp_path / "c.gpkg"
    cli("cluster", "--incidents", csv, "--incidents-crs", "planar", "--method", "dbscan", "--eps", 15,
        "--min-points", 10, "--out", out)
    inc = layer(out, "incidents").sort_values("incident_id", key=lambda s: s.astype(int))
    c = hs.dbscan(x, y, eps=15, min_points=10)
    assert c.labels.dtype == np.int64 and c.core.dtype == bool
    np.testing.assert_array_equal(c.labels, inc["CLUSTER_ID"].to_numpy())
    np.testing.assert_array_equal(c.core.astype(int), inc["core"].to_numpy())
    assert c.n_clusters > 3 and (c.labels == -1).any()


def test_kde_equals_the_geotiff(cli, tmp_path):
    x, y = read_golden_xy("kde_bei_points.csv")
    csv = tmp_path / "bei.csv"
    write_xy_csv(csv, x, y)
    tif = tmp_path / "k.tif"
    cli("kde", "--incidents", csv, "--incidents-crs", "planar", "--cell-size", 10, "--kernel", "gaussian",
        "--out", tif)
    ds = gdal.Open(str(tif))
    want = ds.GetRasterBand(1).ReadAsArray()
    d = hs.kde(x, y, cell_size=10, kernel="gaussian")
    assert d.values.dtype == np.float32 and d.values.shape == want.shape
    assert tuple(d.transform) == ds.GetGeoTransform()
    np.testing.assert_array_equal(d.values.view(np.int32), want.view(np.int32))
    # Written back out, the module's GeoTIFF holds the same cells.
    d.to_geotiff(tmp_path / "py.tif")
    again = gdal.Open(str(tmp_path / "py.tif"))  # kept while its band is read
    np.testing.assert_array_equal(again.GetRasterBand(1).ReadAsArray().view(np.int32), want.view(np.int32))
    assert again.GetGeoTransform() == ds.GetGeoTransform()


def test_kde_with_mask_and_edge_correction_equals_the_cli(cli, tmp_path):
    x, y = read_golden_xy("kde_bei_points.csv")
    csv = tmp_path / "bei.csv"
    write_xy_csv(csv, x, y)
    from shapely.geometry import Polygon
    mask = gpd.GeoDataFrame(geometry=[Polygon([(0, 0), (700, 0), (700, 450), (300, 500), (0, 400)])])
    mask.to_file(tmp_path / "mask.geojson")
    tif = tmp_path / "m.tif"
    cli("kde", "--incidents", csv, "--incidents-crs", "planar", "--cell-size", 12.5, "--bandwidth", 40,
        "--mask", tmp_path / "mask.geojson", "--mask-crs", "planar", "--edge-correction", "--out", tif)
    ds = gdal.Open(str(tif))  # kept: a band must not outlive its dataset
    want = ds.GetRasterBand(1).ReadAsArray()
    d = hs.kde(x, y, cell_size=12.5, bandwidth=40, mask=mask, edge_correction=True)
    inside = want != -9999
    np.testing.assert_array_equal(np.isnan(d.values), ~inside)
    np.testing.assert_array_equal(d.values[inside].view(np.int32), want[inside].view(np.int32))


def sample_times(n, rng):
    start = np.datetime64("2024-01-01T00:00:00", "s").astype(np.int64)
    return start + rng.integers(0, 140 * 86400, n)


def test_knox_equals_hotspot_near_repeat(cli, tmp_path):
    rng = np.random.default_rng(5)
    x, y = rng.uniform(0, 3000, 600), rng.uniform(0, 3000, 600)
    t = sample_times(600, rng)
    csv = tmp_path / "nr.csv"
    write_xy_csv(csv, x, y, t)
    out = tmp_path / "nr.gpkg"
    cli("near-repeat", "--incidents", csv, "--incidents-crs", "planar", "--utc-offset", "+00:00",
        "--space-bands", "0,100,200,400", "--time-bands", "0,7,14,28", "--permutations", 49, "--seed", 3,
        "--out", out)
    want = table(out, "near_repeat")
    got = hs.knox(x, y, t.astype("datetime64[s]"), space_bands=[0, 100, 200, 400], time_bands=[0, 7, 14, 28],
                  permutations=49, seed=3)
    assert list(got.columns) == list(want.columns)
    for f in got.columns:
        same(got[f], want[f])


def test_emerging_equals_hotspot_emerging(cli, tmp_path):
    rng = np.random.default_rng(11)
    n = 3000
    x, y = rng.uniform(0, 5000, n), rng.uniform(0, 5000, n)
    t = sample_times(n, rng)
    hot = (x > 3000) & (y > 3000)  # more incidents later in one corner
    t[hot] = t[hot] + (t[hot] - t.min()) // 2
    csv = tmp_path / "em.csv"
    write_xy_csv(csv, x, y, t)
    out = tmp_path / "em.gpkg"
    cli("emerging", "--incidents", csv, "--incidents-crs", "planar", "--utc-offset", "+00:00", "--grid",
        "hex:700", "--time-step", "2w", "--out", out)
    want = layer(out, "emerging")
    got = hs.emerging(x, y, t, grid="hex:700", time_step="2w", crs=None, utc_offset="+00:00")
    assert list(got.columns) == list(want.columns)
    for f in got.columns:
        if f == "geometry":
            assert all(a.equals_exact(b, 0) for a, b in zip(got.geometry, want.geometry))
        elif got[f].dtype == object:
            assert list(got[f]) == list(want[f])
        else:
            same(got[f], want[f])
    assert set(got["category"]) != {"No Pattern Detected"}
    cube = got.attrs["cube"]
    want_cube = table(out, "emerging_cube")
    same(cube["gi_z"], want_cube["gi_z"])
    same(cube["count"], want_cube["count"])
