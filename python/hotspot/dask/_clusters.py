"""hotspot.dask's clusters: DBSCAN and ST-DBSCAN by KD tiles with an eps halo, HDBSCAN whole on
one worker.

A run's dbscan (st-dbscan) cuts the incidents into KD tiles on counts (kd_tiles: half-open, so
every point has one owner). A tile's task takes its own points and its halo, every other point
in the tile's box widened by eps (st-dbscan: the spatial eps; the time criterion is checked
inside), and returns, in global indices (dbscan_tile / st_dbscan_tile of
hotspot/distribute.hpp):

- the core flags of its own points: exact, since the halo holds each one's whole neighbourhood;
- its own components (core points linked within eps) and the links from them into the halo;
- for each of its non-core points, the nearest own core point and the halo points nearer still.

The driver merges the parts in tile order (merge_cluster_tiles): a halo link counts only when
the halo point is core (its own tile says so), a border point joins its nearest core point within
eps with ties to the lower global index, and clusters are numbered by size as the engine numbers
them. Merging through shared non-core points (MR-DBSCAN) would chain clusters DBSCAN keeps
apart; this merge gives exactly the labels and core flags of dbscan() on the whole set.

HDBSCAN's hierarchy is global (one minimum spanning tree over every point): it runs whole, as
one task on one worker, with that worker's threads.
"""
import numpy as np

from .. import _hotspot
from ._tiles import kd_tiles

PART_COLUMNS = ("point", "core", "link", "link_d2", "halo_component", "halo_point", "cand_point",
                "cand_core", "cand_d2")


def halo_margin(x, y, eps):
    """The halo's width: eps, widened by 0.1 % and a few ulps of the largest coordinate, so that no
    point the engine's distance test puts within eps of an owned point is left out by the
    rounding of the box test. A wider halo only adds candidates, never changes a result."""
    scale = max(float(np.abs(x).max(initial=0.0)), float(np.abs(y).max(initial=0.0)))
    return float(eps) * 1.001 + 8.0 * float(np.spacing(scale))


def tile_points(x, y, order, first, last, box, margin):
    """(index, owned): the global indices of a tile's points, its own (order[first:last], in
    increasing index) then its halo (every other point in the box widened by margin)."""
    own = order[first:last]
    x0, y0, x1, y1 = box
    near = (x >= x0 - margin) & (x < x1 + margin) & (y >= y0 - margin) & (y < y1 + margin)
    near[own] = False
    return np.concatenate([own, np.flatnonzero(near)]).astype(np.int64), len(own)


def dbscan_tile(x, y, order, first, last, box, margin, eps, min_points, threads):
    """Task: one tile's part of dbscan (the nine columns of PART_COLUMNS)."""
    idx, owned = tile_points(x, y, order, first, last, box, margin)
    return _hotspot.dask_dbscan_tile(x[idx], y[idx], idx, owned, eps, min_points, threads)


def st_dbscan_tile(x, y, t, order, first, last, box, margin, eps, eps_time_s, min_points, threads):
    """Task: one tile's part of st-dbscan."""
    idx, owned = tile_points(x, y, order, first, last, box, margin)
    return _hotspot.dask_st_dbscan_tile(x[idx], y[idx], t[idx], idx, owned, eps, eps_time_s, min_points,
                                        threads)


def hdbscan_whole(x, y, min_cluster_size, min_samples, selection):
    """Task: hdbscan on every point, with the worker's threads (labels, None, probabilities,
    outlier scores, sizes)."""
    try:
        from distributed import get_worker
        threads = max(1, int(get_worker().state.nthreads))
    except (ImportError, ValueError, AttributeError):  # called outside a worker (tests)
        threads = 1
    return _hotspot.hdbscan(x, y, min_cluster_size, min_samples, selection, threads)


def concat_parts(parts):
    """The tiles' parts (in tile order) as one part, column by column."""
    return tuple(np.concatenate([p[k] for p in parts]) for k in range(len(PART_COLUMNS)))


def by_tiles(x, y, *, eps, min_points, tiles, t=None, eps_time_s=None, threads=1):
    """dbscan (st-dbscan with t and eps_time_s) computed tile by tile in this process and merged
    as hotspot.dask merges it: (labels, core), equal to hotspot.dbscan's (st_dbscan's)."""
    x = np.ascontiguousarray(x, dtype=np.float64)
    y = np.ascontiguousarray(y, dtype=np.float64)
    order, bounds, boxes = kd_tiles(x, y, tiles)
    margin = halo_margin(x, y, eps)
    parts = []
    for k in range(len(boxes)):
        a, b = int(bounds[k]), int(bounds[k + 1])
        if t is None:
            parts.append(dbscan_tile(x, y, order, a, b, boxes[k], margin, float(eps), int(min_points), threads))
        else:
            parts.append(st_dbscan_tile(x, y, np.ascontiguousarray(t, dtype=np.int64), order, a, b, boxes[k],
                                        margin, float(eps), int(eps_time_s), int(min_points), threads))
    return _hotspot.dask_cluster_merge(len(x), concat_parts(parts))


class ClusterHooks:
    """The clusters hooks of _run._Hooks (python/src/dask_clusters.cpp calls them): uses its
    _scatter, _submit, _gather, tiles and task_threads."""

    def dbscan_tiles(self, x, y, eps, min_points):
        return self._cluster_tiles(dbscan_tile, x, y, None, (eps, min_points))

    def st_dbscan_tiles(self, x, y, t, eps, eps_time_s, min_points):
        return self._cluster_tiles(st_dbscan_tile, x, y, t, (eps, eps_time_s, min_points))

    def _cluster_tiles(self, fn, x, y, t, options):
        order, bounds, boxes = kd_tiles(x, y, self.tiles["clusters"])
        margin = halo_margin(x, y, options[0])
        fx, fy, ft, fo = self._scatter(x, y, t, order)
        cols = (fx, fy) if t is None else (fx, fy, ft)
        futures = [self._submit(fn, *cols, fo, int(bounds[k]), int(bounds[k + 1]), tuple(boxes[k]), margin,
                                *options, self.task_threads)
                   for k in range(len(boxes))]
        return concat_parts(self._gather("clusters", futures))

    def hdbscan(self, x, y, min_cluster_size, min_samples, selection):
        fx, fy = self._scatter(x, y)
        future = self._submit(hdbscan_whole, fx, fy, min_cluster_size, min_samples, selection)
        return self._gather("hdbscan", [future])[0]
