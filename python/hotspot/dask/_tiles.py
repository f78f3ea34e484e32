"""Tiles and ranges: how hotspot.dask cuts work into tasks.

kd_tiles cuts points by a KD split on counts (each cut at the count quantile along the longer
side of the box, so dense urban areas get small tiles). Tiles are half-open: a point goes left of
a cut when its coordinate is below the cut value and right otherwise, so every point has exactly
one owner. ranges cuts 0..n into contiguous ranges (units of the local statistics, lanes of the
Knox test)."""
import numpy as np


def kd_tiles(x, y, n_tiles):
    """(order, bounds, boxes): tile k owns the points order[bounds[k]:bounds[k + 1]] (increasing
    global index within a tile); boxes[k] = (xmin, ymin, xmax, ymax), half-open [min, max) with
    infinite outer edges."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if n_tiles < 1:
        raise ValueError(f"tiles: must be >= 1 (got {n_tiles})")
    tiles = []

    # idx stays increasing: it starts as 0..n-1 and each side is taken by a mask, in order.
    def split(idx, box, k):
        if k == 1 or len(idx) == 0:
            tiles.append((idx, box))
            if k > 1:  # an empty region still makes its k tiles (empty), so the count is exact
                tiles.extend((idx[:0], box) for _ in range(k - 1))
            return
        left_k = k // 2
        xs, ys = x[idx], y[idx]
        axis = 0 if (xs.max() - xs.min()) >= (ys.max() - ys.min()) else 1
        c = xs if axis == 0 else ys
        # The count quantile: the value of that rank in sorted order (a selection, not a sort).
        rank = min(len(c) - 1, (len(c) * left_k) // k)
        cut = np.partition(c, rank)[rank]
        left = c < cut
        lo_box, hi_box = list(box), list(box)
        lo_box[axis + 2] = cut
        hi_box[axis] = cut
        split(idx[left], tuple(lo_box), left_k)
        split(idx[~left], tuple(hi_box), k - left_k)

    split(np.arange(len(x), dtype=np.int64), (-np.inf, -np.inf, np.inf, np.inf), int(n_tiles))
    order = np.concatenate([t for t, _ in tiles]) if tiles else np.zeros(0, np.int64)
    bounds = np.zeros(len(tiles) + 1, dtype=np.int64)
    bounds[1:] = np.cumsum([len(t) for t, _ in tiles])
    return order, bounds, [b for _, b in tiles]


def ranges(n, parts):
    """[(first, last)]: 0..n in `parts` contiguous ranges of near-equal length (none empty unless
    n < parts)."""
    parts = max(1, min(int(parts), max(1, n)))
    cuts = [(n * k) // parts for k in range(parts + 1)]
    return [(cuts[k], cuts[k + 1]) for k in range(parts)]
