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

Emerging. Each task finds the cell of the incidents of one KD tile (the same tiles as assign),
indexing only the cells whose bounding box meets the tile (its halo of cells); the driver puts
the cells back by global index and sums the cube in incident order, so the counts (and weighted
sums) are those of `hotspot run`; the space-time Gi*, Mann-Kendall trends and classes run on the
driver on that cube (the Gi* mean and variance are over the whole cube).
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


def locate_tile(x, y, cells, first, last, threads):
    """The emerging cell of points first..last - 1 (one tile, contiguous in tile order)."""
    return _hotspot.dask_locate_cells(x[first:last], y[first:last], cells, threads)


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


def emerging_cells(hooks, x, y, cells):
    """The emerging cell (int32, -1 for none) of every incident, found tile by tile."""
    n = len(x)
    order, bounds, _ = kd_tiles(x, y, hooks.tiles["emerging"])
    fx, fy, fc = hooks._scatter(np.ascontiguousarray(x[order]), np.ascontiguousarray(y[order]), cells)
    futures = [hooks._submit(locate_tile, fx, fy, fc, int(bounds[k]), int(bounds[k + 1]), hooks.task_threads)
               for k in range(len(bounds) - 1)]
    out = np.full(n, -1, dtype=np.int32)
    for k, c in enumerate(hooks._gather("emerging", futures)):
        out[order[bounds[k]:bounds[k + 1]]] = c
    return out
