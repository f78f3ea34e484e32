"""The module against the references the project already uses: spdep on spData's columbus and
NY8 (tests/golden/local/reference.csv, made by tests/golden/make_local_reference.R),
scikit-learn's DBSCAN, and the closed-form kernel density (engine/include/hotspot/density.hpp)."""
import csv
import os

import geopandas as gpd
import numpy as np
import pytest

import hotspot as hs
from conftest import GOLDEN, read_golden_xy

LOCAL = os.path.join(GOLDEN, "local")


def reference(case):
    with open(os.path.join(LOCAL, "reference.csv")) as f:
        return [r for r in csv.DictReader(f) if r["case"] == case]


@pytest.mark.parametrize("case,units,crs,field,spec", [
    ("columbus_queen", "columbus.geojson", "planar", "CRIME", "queen"),
    ("columbus_rook", "columbus.geojson", "planar", "CRIME", "rook"),
    ("ny8_queen", "ny8.gpkg", None, "Z", "queen"),
    ("ny8_rook", "ny8.gpkg", None, "Z", "rook"),
])
def test_equal_spdep(case, units, crs, field, spec):
    gdf = gpd.read_file(os.path.join(LOCAL, units))
    ref = reference(case)
    w = hs.weights(gdf, spec, crs=crs)
    assert [list(n) for n in w.neighbors] == [[int(v) for v in r["neighbours"].split()] for r in ref]
    gi = hs.gi_star(gdf[field].to_numpy(), w, permutations=0)
    lm = hs.local_moran(gdf[field].to_numpy(), w, permutations=0)
    worst = 0.0
    for k, r in enumerate(ref):
        for ours, theirs in [(gi["GiZScore"], "gi_z"), (lm["LMiIndex"], "Ii"), (lm["LMiExpected"], "EIi"),
                             (lm["LMiVariance"], "VarIi"), (lm["LMiZScore"], "ZIi"), (lm["LMiPValue"], "p")]:
            v = float(r[theirs])
            worst = max(worst, abs(ours.iloc[k] - v) / max(1.0, abs(v)))
    assert worst < 1e-12


def test_dbscan_equals_scikit_learn():
    from sklearn.cluster import DBSCAN
    for name, eps, mp in [("cluster/bei.csv", 15, 10), ("cluster/bei.csv", 8, 3), ("cluster/ds3.csv", 10, 10)]:
        x, y = read_golden_xy(name)
        c = hs.dbscan(x, y, eps=eps, min_points=mp)
        sk = DBSCAN(eps=eps, min_samples=mp).fit(np.c_[x, y])
        core = np.zeros(len(x), bool)
        core[sk.core_sample_indices_] = True
        np.testing.assert_array_equal(c.core, core)
        np.testing.assert_array_equal(c.labels == -1, sk.labels_ == -1)
        # The same partition of the core points (cluster ids are numbered differently).
        pairs = set(zip(c.labels[core], sk.labels_[core]))
        assert len(pairs) == len(set(c.labels[core])) == len(set(sk.labels_[core]))


def test_kde_equals_the_closed_form():
    rng = np.random.default_rng(2024)
    x, y = rng.uniform(1000, 1600, 300), rng.uniform(5000, 5400, 300)
    h, cell = 61.3, 7.5
    d = hs.kde(x, y, cell_size=cell, bandwidth=h, extent=(950, 4950, 1650, 5450))
    assert d.values.shape == (67, 94) and d.transform == (950, 7.5, 0.0, 5450, 0.0, -7.5)
    cx = 950 + (np.arange(94) + 0.5) * cell
    cy = 5450 - (np.arange(67) + 0.5) * cell
    gx, gy = np.meshgrid(cx, cy)
    u2 = ((gx[..., None] - x) ** 2 + (gy[..., None] - y) ** 2) / h**2
    want = np.where(u2 < 1, 3 / np.pi * (1 - u2) ** 2, 0).sum(axis=-1) / h**2 * 1e6
    np.testing.assert_allclose(d.values, want, rtol=1e-5, atol=0)
    assert d.bandwidth == h and d.unit == "incidents per km²"
