"""The hooks of hotspot.dask under Dask's own test fixtures (distributed.utils_test).

- `client` (a scheduler and two worker processes started by distributed.utils_test.cluster), in one
  test (the fixture starts a cluster for every test): each
  hook of hotspot/dask/_run.py (_Hooks.assign, .local_permutations, .knox_lanes, .emerging_sums)
  split into 1, 4 and 16 tasks returns exactly the engine's unsplit result; the large columns reach every worker
  once (broadcast) and no task argument is over 1 MB although the columns are; an engine error
  raised on a worker arrives as the same hotspot exception (so the run keeps its exit code).
  The hook tests use `client_no_amm`: Dask's Active Memory Manager (on by default) drops the
  broadcast copies no waiting task needs, every 2 s, so where the columns went is only checkable
  with it stopped.
- `gen_cluster` (a scheduler and three in-process workers on one event loop): the parts of
  hotspot/dask/_parts.py submitted on broadcast columns join, in task order, into the whole, and
  every task depends on the scattered columns only.
"""
import numpy as np
import pytest
from dask.sizeof import sizeof
from distributed.utils_test import gen_cluster
from shapely.geometry import box

import hotspot
import hotspot.dask as hd
from hotspot import _hotspot
from hotspot._geometry import pack
from hotspot.dask import _parts
from hotspot.dask._run import _Hooks

MB = 1 << 20


def _polygons():
    """A 4 x 4 grid of 1 km communes and two zones across commune edges."""
    communes = [box(i * 1000, j * 1000, (i + 1) * 1000, (j + 1) * 1000) for j in range(4) for i in range(4)]
    zones = [box(800, 800, 1700, 1300), box(2500, 2900, 3100, 3600)]
    return pack(communes, "communes"), pack(zones, "zones")


def _points(n, seed=1):
    """A dense town in a sparse province, some points outside every commune, some on edges."""
    rng = np.random.default_rng(seed)
    town = rng.normal(1500, 200, (n // 2, 2))
    rest = rng.uniform(-300, 4300, (n - n // 2 - 100, 2))
    edges = np.repeat([[1000.0, 1000.0], [2000.0, 1500.0]], 50, axis=0)
    xy = np.concatenate([town, rest, edges])
    return np.ascontiguousarray(xy[:, 0]), np.ascontiguousarray(xy[:, 1])


def _csr_with_self(w):
    """Binary weights with each unit in its own row (the Gi* weights) and row-standardised ones."""
    rows = [np.sort(np.append(w.index[w.offset[i]:w.offset[i + 1]], i)) for i in range(w.n)]
    goff = np.concatenate([[0], np.cumsum([len(r) for r in rows])]).astype(np.int64)
    gidx = np.concatenate(rows).astype(np.int32)
    card = np.diff(w.offset)
    return (goff, gidx, np.ones(len(gidx))), (w.offset, w.index, np.repeat(1.0 / np.maximum(card, 1), card))


class _Spy:
    """Wraps a _Hooks: records the largest argument of each task and keeps the scattered futures."""

    def __init__(self, hooks):
        self.largest, self.scattered = [], []
        submit, scatter = hooks._submit, hooks._scatter

        def spy_submit(fn, *args):
            self.largest.append(max(sizeof(a) for a in args))
            return submit(fn, *args)

        def spy_scatter(*objs):
            futures = scatter(*objs)
            self.scattered.extend(f for f in futures if f is not None)
            return futures
        hooks._submit, hooks._scatter = spy_submit, spy_scatter


def _hooks(client, **tiles):
    return _Hooks(client, {"assign": 1, "local": 1, "near_repeat": 1, **tiles}, 1)


def _check_spread(client, spy, tasks):
    assert len(spy.largest) == tasks and max(spy.largest) < MB  # futures and small numbers only
    workers = set(client.scheduler_info()["workers"])
    held = client.who_has(spy.scattered)
    assert all(set(held[f.key]) == workers for f in spy.scattered)  # broadcast: a copy on every worker


TILES = (1, 4, 16)


def _assign_hook_equals_the_whole(client):
    x, y = _points(160_000)  # 1.25 MB a column: a column passed as an argument would be over 1 MB
    assert x.nbytes > MB
    communes, zones = _polygons()
    whole_c, whole_z = _hotspot.dask_assign(x, y, communes, zones, 1)
    assert (whole_c < 0).sum() > 0 and (whole_z >= 0).sum() > 0  # outside points and zone points exist
    for tiles in TILES:
        h = _hooks(client, assign=tiles)
        spy = _Spy(h)
        c, z = h.assign(x, y, communes, zones)
        assert np.array_equal(c, whole_c) and np.array_equal(z, whole_z), tiles
        assert h.tasks == {"assign": tiles}
        _check_spread(client, spy, tiles)


def _local_hook_equals_the_whole(client):
    rng = np.random.default_rng(3)
    xy = rng.uniform(0, 5000, (600, 2))
    values = rng.poisson(4, 600).astype(float)
    gw, lw = _csr_with_self(hotspot.weights(xy, "knn:6"))
    whole_g, whole_l = _hotspot.dask_local_pvalues(values, gw, lw, 199, 77, 0, 600, 2)
    for tiles in TILES:
        h = _hooks(client, local=tiles)
        spy = _Spy(h)
        g, m = h.local_permutations(values, gw, lw, 199, 77)
        assert np.array_equal(g, whole_g, equal_nan=True) and np.array_equal(m, whole_l, equal_nan=True), tiles
        _check_spread(client, spy, tiles)
        # Gi* alone (a local analysis without Local Moran): the other statistic stays absent.
        g_only, none = _hooks(client, local=tiles).local_permutations(values, gw, None, 199, 77)
        assert none is None and np.array_equal(g_only, whole_g, equal_nan=True)


def _knox_hook_equals_the_whole(client):
    rng = np.random.default_rng(4)
    n = 1500
    x, y = rng.uniform(0, 3000, n), rng.uniform(0, 3000, n)
    t = (1_700_000_000 + rng.integers(0, 90 * 86400, n)).astype(np.int64)
    sb, tb = [0.0, 50.0, 100.0, 200.0], [0.0, 3.0, 7.0, 14.0]
    whole, pairs = _hotspot.dask_knox_lanes(x, y, t, sb, tb, 19, 11, 0, 20, 2, 0)
    for tiles in TILES:
        h = _hooks(client, near_repeat=tiles)
        spy = _Spy(h)
        counts, got_pairs = h.knox_lanes(x, y, t, sb, tb, 19, 11, 0)
        assert np.array_equal(counts, whole) and got_pairs == pairs, tiles
        _check_spread(client, spy, tiles)


def _emerging_hook_equals_the_whole(client):
    x, y = _points(160_000)  # 1.25 MB a column, as for assign
    rng = np.random.default_rng(6)
    w = rng.uniform(0.5, 2.0, len(x))
    step = rng.integers(-1, 12, len(x)).astype(np.int32)  # 12 steps, some incidents without a time
    communes, _ = _polygons()
    coords, ring_end, poly_end, geom_end = _hotspot.grid(x, y, "hex:150", communes)
    starts = np.concatenate([[0], ring_end[:-1]])
    cx = np.array([coords[a:b - 1, 0].mean() for a, b in zip(starts, ring_end)])
    cy = np.array([coords[a:b - 1, 1].mean() for a, b in zip(starts, ring_end)])
    cells = (coords, ring_end, poly_end, geom_end, cx, cy)
    every = np.arange(len(cx), dtype=np.int32)
    whole = _hotspot.dask_emerging_tile(x, y, step, w, cells, every, 12, 225.0, 1, 2)
    assert 0 < whole[3] < len(x) and whole[4] > 0  # points outside every cell, and without a time
    for tiles in TILES:
        h = _hooks(client, emerging=tiles)
        spy = _Spy(h)
        got = h.emerging_sums(x, y, step, w, cells, 12, 225.0, 1)
        for a, b in zip(got, whole):
            assert np.asarray(a).tobytes() == np.asarray(b).tobytes(), tiles
        assert h.tasks == {"emerging": tiles}
        _check_spread(client, spy, tiles)


def test_hooks_equal_the_whole(client_no_amm):
    """One test: Dask's `client` fixture starts a new cluster (three processes) for every test."""
    _assign_hook_equals_the_whole(client_no_amm)
    _local_hook_equals_the_whole(client_no_amm)
    _knox_hook_equals_the_whole(client_no_amm)
    _emerging_hook_equals_the_whole(client_no_amm)
    _engine_error_on_a_worker_keeps_its_kind(client_no_amm)


def _engine_error_on_a_worker_keeps_its_kind(client):
    """A hotspot error raised by the engine on a worker process arrives as the same class, so the
    hook hands the engine a UsageError (exit 2), not a lost cluster (exit 4)."""
    values = np.arange(10, dtype=float)
    gw = (np.arange(11, dtype=np.int64), np.arange(10, dtype=np.int32), np.ones(10))
    [fv] = client.scatter([values], broadcast=True)
    bad = client.submit(_parts.local_range, fv, gw, None, 9, 1, 5, 2, 1, pure=False)  # first > last
    with pytest.raises(hotspot.UsageError) as e:
        bad.result()
    assert "first" in str(e.value)
    assert hd.exit_code_of(e.value) == 2


@gen_cluster(client=True, nthreads=[("127.0.0.1", 1)] * 3, timeout=120)
async def test_parts_join_in_task_order_on_in_process_workers(c, s, *workers):
    rng = np.random.default_rng(9)
    n = 1200
    x, y = rng.uniform(0, 3000, n), rng.uniform(0, 3000, n)
    t = (1_700_000_000 + rng.integers(0, 60 * 86400, n)).astype(np.int64)
    sb, tb = [0.0, 100.0, 200.0], [0.0, 7.0, 14.0]
    whole, pairs = _hotspot.dask_knox_lanes(x, y, t, sb, tb, 29, 5, 0, 30, 1, 0)
    fx, fy, ft = [(await c.scatter([v], broadcast=True, hash=False))[0] for v in (x, y, t)]
    for f in (fx, fy, ft):
        assert len(s.tasks[f.key].who_has) == 3
    # Ranges of decreasing size: the last tasks finish first; the join is still in task order.
    cuts = [0, 16, 24, 28, 30]
    futures = [c.submit(_parts.knox_range, fx, fy, ft, sb, tb, 29, 5, a, b, 1, 0, pure=False)
               for a, b in zip(cuts, cuts[1:])]
    got = await c.gather(futures)
    for f in futures:  # known to the scheduler while the futures are held
        assert {d.key for d in s.tasks[f.key].dependencies} == {fx.key, fy.key, ft.key}
    assert np.array_equal(np.concatenate([g for g, _ in got]), whole)
    assert all(p == pairs for _, p in got)
    # The commune of each point, tile by tile in kd order, placed back by global index.
    xs, ys = _points(20_000)
    communes, zones = _polygons()
    order, bounds, _ = hd.kd_tiles(xs, ys, 5)
    fxs, fys, fc, fz = [(await c.scatter([v], broadcast=True, hash=False))[0]
                        for v in (np.ascontiguousarray(xs[order]), np.ascontiguousarray(ys[order]), communes, zones)]
    tiles = [c.submit(_parts.assign_tile, fxs, fys, fc, fz, int(bounds[k]), int(bounds[k + 1]), 1, pure=False)
             for k in range(5)]
    commune = np.full(len(xs), -7, dtype=np.int32)
    for k, (cc, _) in enumerate(await c.gather(tiles)):
        commune[order[bounds[k]:bounds[k + 1]]] = cc
    assert np.array_equal(commune, _hotspot.dask_assign(xs, ys, communes, zones, 1)[0])
