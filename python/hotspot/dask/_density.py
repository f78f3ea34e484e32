"""KDE and emerging on Dask workers: the density raster in windows of the engine's own blocks, and
the emerging cube's cell of each incident in KD tiles.

KDE. kde() (engine/src/density/kde.cpp) cuts the raster into blocks of 256 columns × 64 rows,
numbered in the whole grid; each block sums the points of the rows its kernels can reach, in one
fixed order (by row, then incident order). A window is a rectangle of whole blocks; its task
computes those blocks on the driver's grid with the global row and column numbering and every
point in global order (the scattered columns; points that cannot reach the window are skipped,
and in the whole-grid computation they add exactly 0 to its cells), then masks and edge-corrects
them as kde() does (the mask is scattered too). So every window's cells are kde()'s, bit for bit,
and the driver places them by window position. The top-% threshold and the zones (polygonised)
stay on the driver, which runs them on the joined raster exactly as `hotspot run` does.

Emerging. The cells (not the incidents) are cut into tiles by a KD split on counts of their
centroids together with the incidents (so a tile's work, its incidents to locate and its bins,
is about even); each cell is owned by exactly one tile. A task computes its tile's cube over its
owned cells and their halo (the cells within the band of an owned cell: band_weights, the
engine's neighbourhood), from the incidents inside the halo's bounding box in global incident
order, each located among every cell (the lowest-numbered cell holding it, as `hotspot run`: a
point on the edge of a cell outside the tile gets the lower global number), then its owned cells'
space-time Gi* sums (per step the neighbours in the weights' row order, summed over the window of
steps). It returns, per owned cell and step, the count and that sum (engine emerging_tile). The
driver places them by cell, computes the cube's mean and variance over the whole cube in bin
order, z and p, the Mann-Kendall trends and the classes, exactly as `hotspot run` does: every bin
sums the same incidents in the same order, and every Gi* sum the same bins in the same order.
"""
import numpy as np

from .. import _hotspot
from ._tiles import kd_tiles


def block_windows(cost, n):
    """[(bx0, bx1, by0, by1)]: the blocks (cost: an nby × nbx array, the work of each block) cut
    into at most n rectangles of whole blocks, by a KD split on cost (each cut at the cost
    quantile along the side with more blocks). Every block is in exactly one window; there are
    min(n, blocks) windows."""
    cost = np.asarray(cost, dtype=np.float64)
    if cost.ndim != 2:
        raise ValueError("cost must be an nby × nbx array")
    out = []

    def split(bx0, bx1, by0, by1, k):
        k = min(k, (bx1 - bx0) * (by1 - by0))
        if k <= 1:
            if bx1 > bx0 and by1 > by0:
                out.append((bx0, bx1, by0, by1))
            return
        left_k = k // 2
        rows = (by1 - by0) >= (bx1 - bx0)
        profile = cost[by0:by1, bx0:bx1].sum(axis=1 if rows else 0)
        cum = np.cumsum(profile)
        # Blocks on the cut's low side: the fewest whose cost reaches left_k / k of the whole.
        i = int(np.searchsorted(cum, cum[-1] * left_k / k)) + 1
        i = max(1, min(len(profile) - 1, i))
        # Each side makes at most one window per block: what one side cannot take, the other does.
        across = (bx1 - bx0) if rows else (by1 - by0)
        left_blocks, right_blocks = i * across, (len(profile) - i) * across
        left_k = min(left_k, left_blocks)
        right_k = min(k - left_k, right_blocks)
        left_k = min(k - right_k, left_blocks)
        if rows:
            split(bx0, bx1, by0, by0 + i, left_k)
            split(bx0, bx1, by0 + i, by1, right_k)
        else:
            split(bx0, bx0 + i, by0, by1, left_k)
            split(bx0 + i, bx1, by0, by1, right_k)

    nby, nbx = cost.shape
    split(0, nbx, 0, nby, max(1, int(n)))
    return out


def block_cost(x, y, grid, blocks, support_m):
    """The work of each block, roughly: the points whose support reaches it (counted by block,
    spread over the blocks one support radius around), plus one for its cells."""
    xmin, ymax, cell, cols, rows = grid
    bc, br, nbx, nby = blocks
    bx = np.clip(np.floor((np.asarray(x) - xmin) / (cell * bc)), 0, nbx - 1).astype(np.int64)
    by = np.clip(np.floor((ymax - np.asarray(y)) / (cell * br)), 0, nby - 1).astype(np.int64)
    hist = np.bincount(by * nbx + bx, minlength=nby * nbx).reshape(nby, nbx).astype(np.float64)
    rx = int(np.ceil(support_m / (cell * bc)))
    ry = int(np.ceil(support_m / (cell * br)))
    # Sum over the (2ry + 1) × (2rx + 1) blocks around each: a box filter by cumulative sums.
    s = np.zeros((nby + 1, nbx + 1))
    s[1:, 1:] = hist.cumsum(0).cumsum(1)
    r0 = np.clip(np.arange(nby) - ry, 0, nby)
    r1 = np.clip(np.arange(nby) + ry + 1, 0, nby)
    c0 = np.clip(np.arange(nbx) - rx, 0, nbx)
    c1 = np.clip(np.arange(nbx) + rx + 1, 0, nbx)
    reach = s[r1][:, c1] - s[r0][:, c1] - s[r1][:, c0] + s[r0][:, c0]
    return reach + 1.0


def kde_window(x, y, w, mask, grid, options, window, threads):
    """kde()'s cells of one window (rows × cols, float32), on the driver's grid and mask."""
    return _hotspot.dask_kde_window(x, y, w, grid, mask, options, window, threads)


def emerging_tile(x, y, step, w, cells, cell_order, first, last, steps, band_m, window, threads):
    """(count, running, neighbours, located, without_time) of the cells cell_order[first:last]
    (one tile, increasing cell numbers); count and running flat, step × owned cell."""
    if first == last:
        return (np.zeros(0), np.zeros(0), np.zeros(0, dtype=np.int32), 0, 0)
    return _hotspot.dask_emerging_tile(x, y, step, w, cells, cell_order[first:last], steps, band_m, window,
                                       threads)


# At most this many incidents join the cells' centroids in the KD split (every k-th beyond it).
_SPLIT_INCIDENTS = 250_000


def cell_tiles(cx, cy, x, y, n_tiles):
    """[owned cells of each tile] (int32 arrays, increasing): n_tiles tiles of the cells, cut by
    kd_tiles (half-open) over the cells' centroids and the incidents (every k-th one past
    _SPLIT_INCIDENTS), so each tile has about as many cells plus incidents as the others. Every
    cell, through its centroid, is in exactly one tile; a tile may own no cell."""
    nc = len(cx)
    stride = max(1, -(-len(x) // _SPLIT_INCIDENTS))
    px = np.concatenate([np.asarray(cx, dtype=np.float64), np.asarray(x, dtype=np.float64)[::stride]])
    py = np.concatenate([np.asarray(cy, dtype=np.float64), np.asarray(y, dtype=np.float64)[::stride]])
    order, bounds, _ = kd_tiles(px, py, n_tiles)
    out = []
    for k in range(len(bounds) - 1):
        idx = order[bounds[k]:bounds[k + 1]]  # increasing: the cells (the first nc indices) first
        out.append(idx[idx < nc].astype(np.int32))
    return out


# ---- the hooks: methods of _run._Hooks (engine/include/hotspot/distribute.hpp, RunDistribution) --

def kde(hooks, x, y, w, grid, mask, options):
    """The whole raster's cells (float32, row-major), joined from windows of the engine's blocks."""
    xmin, ymax, cell, cols, rows = grid
    blocks = _hotspot.dask_kde_blocks(cols, rows, options["tile"])
    bc, br, nbx, nby = blocks
    out = np.empty((rows, cols), dtype=np.float32)
    if nbx == 0 or nby == 0:
        return out.ravel()
    windows = block_windows(block_cost(x, y, grid, blocks, options["support_m"]), hooks.tiles["kde"])
    fx, fy, fw, fm = hooks._scatter(x, y, w, mask)
    futures = [hooks._submit(kde_window, fx, fy, fw, fm, grid, options, win, hooks.task_threads)
               for win in windows]
    covered = np.zeros((nby, nbx), dtype=np.int64)
    for (bx0, bx1, by0, by1), v in zip(windows, hooks._gather("kde", futures)):
        r0, c0 = by0 * br, bx0 * bc
        out[r0:r0 + v.shape[0], c0:c0 + v.shape[1]] = v
        covered[by0:by1, bx0:bx1] += 1
    if not np.all(covered == 1):  # the windows tile the blocks; anything else is a bug here
        raise RuntimeError("kde windows do not cover every block exactly once")
    return out.ravel()


def emerging_sums(hooks, x, y, step, w, cells, steps, band_m, window):
    """(count, running, neighbours, located, without_time) of every cell (the engine's
    EmergingSums; count and running flat, step × cell), joined from tiles of cells."""
    nc = len(cells[4])
    tiles = cell_tiles(cells[4], cells[5], x, y, hooks.tiles["emerging"])
    cell_order = np.concatenate(tiles) if tiles else np.zeros(0, dtype=np.int32)
    bounds = np.concatenate([[0], np.cumsum([len(t) for t in tiles])]).astype(np.int64)
    fx, fy, fs, fw, fc, fo = hooks._scatter(x, y, step, w, cells, cell_order)
    futures = [hooks._submit(emerging_tile, fx, fy, fs, fw, fc, fo, int(bounds[k]), int(bounds[k + 1]), int(steps),
                             float(band_m), int(window), hooks.task_threads)
               for k in range(len(tiles))]
    count = np.empty((steps, nc), dtype=np.float64)
    running = np.empty((steps, nc), dtype=np.float64)
    neighbours = np.empty(nc, dtype=np.int32)
    covered = np.zeros(nc, dtype=np.int64)
    located = without_time = 0
    for own, (c, r, nb, lo, wt) in zip(tiles, hooks._gather("emerging", futures)):
        count[:, own] = np.asarray(c).reshape(steps, len(own))
        running[:, own] = np.asarray(r).reshape(steps, len(own))
        neighbours[own] = nb
        covered[own] += 1
        located += int(lo)
        without_time += int(wt)
    if not np.all(covered == 1):  # the tiles own every cell once; anything else is a bug here
        raise RuntimeError("emerging tiles do not own every cell exactly once")
    return count.ravel(), running.ravel(), neighbours, located, without_time
