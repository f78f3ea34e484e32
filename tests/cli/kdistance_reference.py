#!/usr/bin/python3
"""Reference for `eps: "auto"`: the knee of the sorted k-distance curve, with scikit-learn's
NearestNeighbors (an independent k-nearest-neighbour search) and numpy.

k-distance of a point: the distance to its k-th nearest point, the point itself counted (k =
min_points, so a point whose k-distance is <= eps is a DBSCAN core point). Sorted ascending, both
axes scaled to [0, 1]; the knee is the point farthest below the chord from the first to the last
point, i.e. the maximum of x - y (Kneedle's difference curve, without smoothing; the first maximum
on ties). If the knee's distance is 0 (duplicates) the first positive distance is taken.

Usage: kdistance_reference.py FILE.gpkg LAYER K    (prints eps)
"""
import sys

import numpy as np
from osgeo import ogr
from sklearn.neighbors import NearestNeighbors


def knee_eps(xy, k):
    k = min(k, len(xy))
    dist, _ = NearestNeighbors(n_neighbors=k).fit(xy).kneighbors(xy)  # column 0 is the point itself
    d = np.sort(dist[:, k - 1])
    x = np.arange(len(d)) / (len(d) - 1)
    y = (d - d[0]) / (d[-1] - d[0])
    eps = d[int(np.argmax(x - y))]
    return eps if eps > 0 else d[d > 0][0]


def layer_points(path, layer):
    ds = ogr.Open(path)  # kept alive while its layer is read
    lyr = ds.GetLayerByName(layer)
    return np.array([(f.GetGeometryRef().GetX(), f.GetGeometryRef().GetY()) for f in lyr])


if __name__ == "__main__":
    print(repr(knee_eps(layer_points(sys.argv[1], sys.argv[2]), int(sys.argv[3]))))
