"""hotspot.dask's KDE and emerging parts: windows of the engine's blocks joined into exactly the
whole raster, tiles of cells with a band halo joined into exactly the whole cube and its Gi* sums
(points on shared vertices, weights, incidents without a time), and the
kde and emerging layers of runs on a Dask cluster equal to `hotspot run`'s with 1, 4 and 16
tiles on one and two workers.

ctest python.dask runs these (-m "not slow") with the other hotspot.dask tests."""
import numpy as np
import pytest

import hotspot.dask as hd
from hotspot import UsageError, _hotspot
from hotspot.dask import _density
from conftest import cli_run, digest, sample_config


# ---- windows of blocks ---------------------------------------------------------------------------

@pytest.mark.parametrize("shape,n", [((1, 1), 4), ((4, 1), 16), ((8, 8), 16), ((5, 7), 3), ((6, 9), 1),
                                     ((3, 40), 16)])
def test_block_windows_cover_every_block_once(shape, n):
    rng = np.random.default_rng(1)
    cost = rng.exponential(1.0, shape)
    cost[0, 0] = 500.0  # a dense town
    wins = _density.block_windows(cost, n)
    cover = np.zeros(shape, dtype=int)
    for bx0, bx1, by0, by1 in wins:
        assert 0 <= bx0 < bx1 <= shape[1] and 0 <= by0 < by1 <= shape[0]
        cover[by0:by1, bx0:bx1] += 1
    assert np.all(cover == 1)
    assert len(wins) == min(n, shape[0] * shape[1])  # at most one window per block


def _grid_of(transform, values):
    xmin, cell, _, ymax, _, _ = transform
    rows, cols = values.shape
    return (xmin, ymax, cell, cols, rows)


@pytest.mark.parametrize("kernel,bandwidth", [("quartic", 400.0), ("gaussian", 90.0)])
def test_kde_windows_join_into_the_whole(kernel, bandwidth):
    rng = np.random.default_rng(8)
    n = 6000
    x = np.concatenate([rng.normal(5000, 300, n // 2), rng.uniform(0, 20000, n // 2)])
    y = np.concatenate([rng.normal(7000, 200, n // 2), rng.uniform(0, 9000, n // 2)])
    w = rng.uniform(0.5, 2.0, n)
    values, transform, h, _, nodata = _hotspot.kde(x, y, w, 25.0, bandwidth, kernel, None, None, False,
                                                   "km2", 2)
    grid = _grid_of(transform, values)
    options = {"kernel": kernel, "bandwidth_m": h, "area_scale": 1e6, "edge_correction": False, "tile": 256,
               "support_m": h * (5 if kernel == "gaussian" else 1)}
    bc, br, nbx, nby = _hotspot.dask_kde_blocks(grid[3], grid[4], 256)
    assert (bc, br) == (256, 64) and nbx * nby >= 16
    cost = _density.block_cost(x, y, grid, (bc, br, nbx, nby), options["support_m"])
    for n_windows in (1, 4, 16):
        out = np.full(values.shape, np.nan, dtype=np.float32)
        for bx0, bx1, by0, by1 in _density.block_windows(cost, n_windows):
            v = _hotspot.dask_kde_window(x, y, w, grid, None, options, (bx0, bx1, by0, by1), 1)
            out[by0 * br:by0 * br + v.shape[0], bx0 * bc:bx0 * bc + v.shape[1]] = v
        assert out.tobytes() == values.tobytes(), n_windows


def test_kde_window_outside_the_blocks_is_refused():
    options = {"kernel": "quartic", "bandwidth_m": 50.0, "area_scale": 1e6, "edge_correction": False,
               "tile": 256}
    x = np.array([10.0, 20.0])
    with pytest.raises(UsageError, match="window"):
        _hotspot.dask_kde_window(x, x, None, (0.0, 100.0, 1.0, 100, 100), None, options, (0, 2, 0, 1), 1)


class _Here:
    """The hooks' task plumbing without Dask: each task runs at once, here."""

    def __init__(self, tiles):
        self.tiles, self.task_threads, self.tasks = {"emerging": tiles}, 1, {}

    def _scatter(self, *objs):
        return list(objs)

    def _submit(self, fn, *args):
        return fn(*args)

    def _gather(self, part, results):
        self.tasks[part] = self.tasks.get(part, 0) + len(results)
        return results


def test_emerging_tiles_of_cells_join_into_the_whole_cube():
    rng = np.random.default_rng(2)
    x, y = rng.uniform(0, 3000, 4000), rng.uniform(0, 2000, 4000)
    # The emerging step's cells over one commune, packed: they depend on the commune alone.
    area = (np.array([[0.0, 0.0], [3000.0, 0.0], [3000.0, 2000.0], [0.0, 2000.0], [0.0, 0.0]]),
            np.array([5]), np.array([1]), np.array([1]))
    cells = _hotspot.grid(x, y, "hex:120", area)
    # Points on the cells' vertices (each shared by up to three hexagons) and outside every cell.
    x = np.concatenate([x, cells[0][::3, 0], [-500.0, 9000.0]])
    y = np.concatenate([y, cells[0][::3, 1], [-500.0, 9000.0]])
    n = len(x)
    w = rng.uniform(0.5, 2.0, n)
    day0 = 19_700
    t = (day0 + rng.integers(0, 30, n)) * 86400 + rng.integers(0, 86400, n)
    t[0], t[1] = day0 * 86400, (day0 + 29) * 86400  # 30 steps of a day
    step = (t // 86400 - day0).astype(np.int32)
    step[rng.uniform(size=n) < 0.05] = -1  # without a time
    # Centroids: the vertices' mean (any points will do: the tiles must agree with one tile).
    coords, ring_end, poly_end, geom_end = cells
    starts = np.concatenate([[0], ring_end[:-1]])
    cx = np.array([coords[a:b - 1, 0].mean() for a, b in zip(starts, ring_end)])
    cy = np.array([coords[a:b - 1, 1].mean() for a, b in zip(starts, ring_end)])
    packed = (coords, ring_end, poly_end, geom_end, cx, cy)
    nc = len(cx)
    every = np.arange(nc, dtype=np.int32)
    whole = _hotspot.dask_emerging_tile(x, y, step, w, packed, every, 30, 180.0, 2, 2)
    # The serial run's own cube and counts (time_step 1d, UTC).
    t_serial = np.where(step < 0, np.iinfo(np.int64).min, t)
    _, _, cube, _, outside, without_time = _hotspot.emerging(x, y, t_serial, w, "hex:120", "1d", area, 180.0,
                                                             2, 0.05, "+00:00", 1)
    assert whole[0].tobytes() == cube["count"].tobytes()
    assert n - whole[3] == outside and whole[4] == without_time and without_time > 0 and outside >= 2
    for n_tiles in (1, 4, 16):
        here = _Here(n_tiles)
        got = _density.emerging_sums(here, x, y, step, w, packed, 30, 180.0, 2)
        assert here.tasks["emerging"] == n_tiles
        for a, b in zip(got, whole):
            assert np.asarray(a).tobytes() == np.asarray(b).tobytes(), n_tiles
    tiles = _density.cell_tiles(cx, cy, x, y, 16)
    assert np.array_equal(np.sort(np.concatenate(tiles)), every)  # every cell owned once
    assert all(np.all(np.diff(k) > 0) for k in tiles)


# ---- whole runs: the kde and emerging layers equal hotspot run's --------------------------------

def _kde_and_emerging(config):
    """The sample's kde (masked by the communes, edge-corrected, top 20 % zones) and emerging
    analyses alone, and a second kde with a Gaussian kernel and no mask."""
    keep = [a for a in config["analyses"] if a["type"] in ("kde", "emerging")]
    gauss = dict(keep[0], name="gauss", kernel="gaussian", bandwidth=120, cell_size=25)
    for k in ("mask", "edge_correction"):
        gauss.pop(k, None)
    config["analyses"] = keep + [gauss]
    config.pop("briefings", None)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """hotspot run's output of the kde and emerging configuration (the file name the QGIS
    project names is the same in every directory)."""
    d = tmp_path_factory.mktemp("ref")
    config, out = sample_config(d, edit=_kde_and_emerging)
    cli_run(config)
    return digest(out)


@pytest.mark.parametrize("tiles", [1, 4, 16])
def test_kde_and_emerging_equal_hotspot_run_two_workers(two_workers, tmp_path, reference, tiles):
    config, out = sample_config(tmp_path, edit=_kde_and_emerging)
    details = {}
    s = hd.run(config, two_workers, tiles=tiles, details=details)
    assert s["status"] == "ok" and details["exit_code"] == 0
    assert details["tasks"]["emerging"] == tiles
    # Two kde analyses with 2 × 4 and 3 × 8 blocks: one window per block at most.
    assert details["tasks"]["kde"] == min(tiles, 8) + min(tiles, 24)
    got = digest(out)
    for layer in ("density", "hotspot_zones", "density_gauss", "hotspot_zones_gauss", "emerging", "emerging_cube"):
        assert layer in got, layer
    assert got == reference


def test_kde_and_emerging_equal_hotspot_run_one_worker_varied_tiles(one_worker, tmp_path, reference):
    config, out = sample_config(tmp_path, edit=_kde_and_emerging)
    details = {}
    hd.run(config, one_worker, tiles={"kde": 3, "emerging": 5, "assign": 2}, details=details)
    assert details["tasks"]["emerging"] == 5
    assert digest(out) == reference
