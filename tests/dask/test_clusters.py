"""hotspot.dask's clusters: dbscan and st-dbscan by KD tiles with an eps halo, merged only through
core-core links, give exactly the labels and core flags of hs.dbscan / hs.st_dbscan on the whole
set (1, 4 and 16 tiles; dense clusters cut by tile edges, stacks of duplicates, lattice points
exactly eps apart across cut lines); a run's clusters layers (dbscan, st-dbscan, hdbscan on one
worker) equal `hotspot run`'s with 1, 2 and 3 workers.

ctest python.dask runs the quick ones (two workers), python.dask_slow the 1- and 3-worker runs and
an hdbscan refused on its worker."""
import os

import numpy as np
import pytest

import hotspot
import hotspot.dask as hd
from hotspot.dask import _clusters
from conftest import _cluster, cli_run, digest, sample_config

EPS = 50.0


def _points(seed, n_blobs=8, per_blob=400):
    """Metric coordinates of a UTM-sized extent: blobs (dense, cut by tile edges), uniform noise,
    stacks of duplicates at one address, and an integer lattice of spacing EPS (neighbours exactly
    eps apart, on both sides of cut values that fall on lattice lines)."""
    rng = np.random.default_rng(seed)
    x0, y0 = 580_000.0, 2_300_000.0
    t0 = 1_700_000_000
    parts_x, parts_y, parts_t = [], [], []
    for _ in range(n_blobs):  # a series: near in space and in time (hours apart)
        c = rng.uniform(0, 3000, 2)
        parts_x.append(x0 + c[0] + rng.normal(0, 80, per_blob))
        parts_y.append(y0 + c[1] + rng.normal(0, 80, per_blob))
        parts_t.append(t0 + rng.integers(0, 30) * 86400 + np.round(rng.normal(0, 6 * 3600, per_blob)))
    parts_x.append(x0 + rng.uniform(0, 3000, 1500))
    parts_y.append(y0 + rng.uniform(0, 3000, 1500))
    parts_t.append(t0 + rng.integers(0, 30 * 86400, 1500))
    for k in range(40):  # stacks of 1..9 incidents at one place, at one time or days apart
        p = np.round(rng.uniform(0, 3000, 2))
        parts_x.append(np.full(1 + k % 9, x0 + p[0]))
        parts_y.append(np.full(1 + k % 9, y0 + p[1]))
        parts_t.append(t0 + (k % 2) * 86400 * np.arange(1 + k % 9))
    lat = rng.integers(0, 60, (1200, 2)).astype(float) * EPS
    parts_x.append(x0 + lat[:, 0])
    parts_y.append(y0 + lat[:, 1])
    parts_t.append(t0 + rng.integers(0, 3, 1200) * 1800)
    x, y = np.concatenate(parts_x), np.concatenate(parts_y)
    return x, y, np.concatenate(parts_t).astype(np.int64)


def test_halo_holds_every_neighbour_of_the_tile():
    x, y, _ = _points(1, n_blobs=3, per_blob=200)
    order, bounds, boxes = hd.kd_tiles(x, y, 16)
    margin = _clusters.halo_margin(x, y, EPS)
    for k in range(16):
        idx, owned = _clusters.tile_points(x, y, order, int(bounds[k]), int(bounds[k + 1]), boxes[k], margin)
        own = idx[:owned]
        assert np.array_equal(own, order[bounds[k]:bounds[k + 1]])
        assert len(np.unique(idx)) == len(idx)
        d2 = (x[own, None] - x[None, :]) ** 2 + (y[own, None] - y[None, :]) ** 2
        needed = np.flatnonzero((d2 <= EPS * EPS).any(axis=0))
        assert np.isin(needed, idx).all()
        # A lattice point exactly eps beyond the tile's edge is in the halo.
        exact = np.flatnonzero((d2 == EPS * EPS).any(axis=0) & ~np.isin(np.arange(len(x)), own))
        assert np.isin(exact, idx).all()


@pytest.mark.parametrize("tiles", [1, 4, 16])
@pytest.mark.parametrize("min_points", [1, 4, 12])
def test_dbscan_by_tiles_equals_dbscan(tiles, min_points):
    x, y, _ = _points(2)
    ref = hotspot.dbscan(x, y, eps=EPS, min_points=min_points)
    assert ref.n_clusters > 3
    if min_points > 2:  # clusters with border points (with 1 or 2 every clustered point is core)
        assert (~ref.core & (ref.labels >= 0)).sum() > 20
    labels, core = _clusters.by_tiles(x, y, eps=EPS, min_points=min_points, tiles=tiles)
    assert np.array_equal(core, ref.core)
    assert np.array_equal(labels, ref.labels)


@pytest.mark.parametrize("tiles", [1, 4, 16])
@pytest.mark.parametrize("eps_time", [3600, 3 * 86400])
def test_st_dbscan_by_tiles_equals_st_dbscan(tiles, eps_time):
    x, y, t = _points(3)
    ref = hotspot.st_dbscan(x, y, t, eps=EPS, eps_time=eps_time, min_points=4)
    assert ref.n_clusters > 3 and (~ref.core & (ref.labels >= 0)).sum() > 20
    labels, core = _clusters.by_tiles(x, y, t=t, eps=EPS, eps_time_s=eps_time, min_points=4, tiles=tiles)
    assert np.array_equal(core, ref.core)
    assert np.array_equal(labels, ref.labels)


def test_border_point_between_two_clusters_on_a_tile_edge():
    """Two clusters that only a non-core point between them touches stay two, whichever tile
    holds that point (a merge through shared points, as MR-DBSCAN's, would join them)."""
    x = np.array([-1.0, -1.1, -1.2, -1.3, -1.4, 0.0, 1.0, 1.1, 1.2, 1.3, 1.4]) * EPS
    y = np.zeros_like(x)
    ref = hotspot.dbscan(x, y, eps=EPS, min_points=5)
    assert ref.n_clusters == 2 and not ref.core[5]
    for tiles in (1, 2, 3, 4):
        labels, core = _clusters.by_tiles(x, y, eps=EPS, min_points=5, tiles=tiles)
        assert np.array_equal(labels, ref.labels) and np.array_equal(core, ref.core)


# ---- whole runs: the clusters layers equal hotspot run's ------------------------------------------

METHODS = {
    "dbscan": {"type": "clusters", "method": "dbscan", "eps": 60, "min_points": 20},
    "st-dbscan": {"type": "clusters", "method": "st-dbscan", "eps": 100, "eps_time": "2d", "min_points": 8},
    "hdbscan": {"type": "clusters", "method": "hdbscan", "min_cluster_size": 200},
}


def _config(directory, method):
    """The sample with one clusters analysis (the layers of aggregate come with every run)."""
    def edit(c):
        c["analyses"] = [{"type": "aggregate", "zone_buffer_m": 1000}, METHODS[method]]
        c.pop("briefings", None)  # (a briefing needs a kde analysis)
    os.makedirs(directory, exist_ok=True)
    return sample_config(directory, edit=edit)


@pytest.fixture(scope="module")
def references(tmp_path_factory):
    """hotspot run's layers for each method, made once."""
    out = {}
    for method in METHODS:
        cfg, gpkg = _config(tmp_path_factory.mktemp("ref") / method.replace("-", "_"), method)
        cli_run(cfg)
        out[method] = digest(gpkg)
    return out


def _run_equal(client, tmp_path, references, tiles):
    for method in METHODS:
        cfg, gpkg = _config(tmp_path / method.replace("-", "_"), method)
        details = {}
        s = hd.run(cfg, client, tiles={"clusters": tiles}, details=details)
        assert s["status"] == "ok" and details["exit_code"] == 0
        if method == "hdbscan":
            assert details["tasks"].get("hdbscan") == 1 and "clusters" not in details["tasks"]
        else:
            assert details["tasks"]["clusters"] == tiles
        got = digest(gpkg)
        bad = [t for t in sorted(set(got) | set(references[method])) if got.get(t) != references[method].get(t)]
        assert not bad, f"{method}: layers that differ from hotspot run: {bad}"


def test_clusters_run_equal_two_workers(two_workers, tmp_path, references):
    _run_equal(two_workers, tmp_path, references, 4)


@pytest.mark.slow
@pytest.mark.parametrize("workers,tiles", [(1, 16), (3, 1), (3, 16)])
def test_clusters_run_equal_one_and_three_workers(tmp_path, references, workers, tiles):
    gen = _cluster(workers)
    client = next(gen)
    try:
        _run_equal(client, tmp_path, references, tiles)
    finally:
        next(gen, None)  # the fixture's teardown: client and cluster closed


@pytest.mark.slow
def test_hdbscan_refused_on_the_worker_fails_as_in_hotspot_run(two_workers, tmp_path):
    """A worker's hdbscan refusing its options reaches the run as the engine's own error would
    (the parameter kept): the analysis fails on its own, as in hotspot run (exit 5)."""
    import json
    import subprocess
    from conftest import cli_path

    def edit(c):
        c["analyses"] = [{"type": "aggregate"}, dict(METHODS["hdbscan"], min_samples=10**6)]
    cfg, _ = sample_config(tmp_path, edit=edit)
    p = subprocess.run([cli_path(), "run", "--json", "--config", cfg], capture_output=True, text=True)
    assert p.returncode == 5, p.stderr
    want = json.loads(p.stdout)["analyses"]["clusters"]
    details = {}
    s = hd.run(cfg, two_workers, details=details)
    assert details["exit_code"] == 5 and s["status"] == "partial"
    assert s["analyses"]["clusters"] == want and "min_samples" in want["error"]
