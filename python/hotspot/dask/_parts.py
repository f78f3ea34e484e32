"""The tasks workers run. Each takes scattered numpy columns (futures resolved by Dask) and a
small range, calls one engine function of hotspot._hotspot (the GIL released), and returns numpy
arrays."""
from .. import _hotspot


def assign_tile(x, y, communes, zones, first, last, threads):
    """Commune and zone of points first..last - 1 (one tile, contiguous in tile order)."""
    return _hotspot.dask_assign(x[first:last], y[first:last], communes, zones, threads)


def local_range(values, gi_w, lisa_w, permutations, seed, first, last, threads):
    """Pseudo p-values of units first..last - 1."""
    return _hotspot.dask_local_pvalues(values, gi_w, lisa_w, permutations, seed, first, last, threads)


def knox_range(x, y, t, space_bands, time_bands, permutations, seed, first, last, threads, budget):
    """Knox counts of lanes first..last - 1 (0 observed, 1 + k permutation k) and the close pairs."""
    return _hotspot.dask_knox_lanes(x, y, t, space_bands, time_bands, permutations, seed, first, last,
                                    threads, budget)
