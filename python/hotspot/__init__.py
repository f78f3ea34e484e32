"""hotspot: crime hotspot analysis at C++ speed on numpy arrays, pandas and geopandas.

The same engine and the same numbers as the `hotspot` command line: kernel density (kde),
clustering (dbscan, hdbscan, st_dbscan), spatial weights and local statistics (weights, gi_star,
local_moran), counts per commune (aggregate), the Knox near-repeat test (knox) and whole runs
(run). Coordinates are in a projected CRS in metres (or planar data units); geographic
coordinates are refused for distance work. Engine errors are UsageError, InputError (both
ValueError) and IoError (OSError), each with `.parameter`. Every engine call releases the GIL;
`threads=None` uses every core, and no result depends on the thread count.
"""
from ._errors import InputError, IoError, UsageError  # first: the extension imports them
from . import _hotspot
from ._api import (Clustering, Density, Weights, aggregate, dbscan, emerging, gi_star, grid, hdbscan, kde, knox,
                   local_moran, run, st_dbscan, weights)

__version__ = _hotspot.__version__

__all__ = ["__version__", "UsageError", "InputError", "IoError", "run", "kde", "Density", "dbscan",
           "hdbscan", "st_dbscan", "Clustering", "weights", "Weights", "gi_star", "local_moran",
           "aggregate", "emerging", "grid", "knox"]
