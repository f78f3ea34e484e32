#!/usr/bin/python3
"""Hot and cold spots of the sample's incidents on a 500 m hex grid, with geopandas and
matplotlib: the session of README.md's "Python" section as a script.

Usage: gi_star_hex.py [OUT_DIR]     (writes OUT_DIR/gi_star_hex.png; DEFAULT: the current directory)
"""
import os
import sys

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import hotspot as hs  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SAMPLE = os.path.join(ROOT, "data", "sample")
out_dir = sys.argv[1] if len(sys.argv) > 1 else "."

# Communes and incidents, projected to VN-2000 / TM-3 105-45 (metres): distances are never
# computed in degrees.
communes = gpd.read_file(os.path.join(SAMPLE, "communes.gpkg"))
inc = pd.read_csv(os.path.join(SAMPLE, "incidents.csv"), on_bad_lines="skip")
lon, lat = pd.to_numeric(inc.lon, errors="coerce"), pd.to_numeric(inc.lat, errors="coerce")
ok = np.isfinite(lon) & np.isfinite(lat)
pts = gpd.GeoSeries(gpd.points_from_xy(lon[ok], lat[ok]), crs=4326).to_crs(communes.crs)
x, y = pts.x.to_numpy(), pts.y.to_numpy()

# A 500 m hex grid over the communes, incidents counted into it, queen weights, Gi*.
cells = hs.grid(x, y, grid="hex:500", communes=communes, crs=communes.crs)
cells["incidents"] = hs.aggregate(x, y, cells, crs=communes.crs)["incidents"]
w = hs.weights(cells, "queen")
gi = hs.gi_star(cells["incidents"], w, permutations=999, seed=12345)
cells = cells.join(gi)
print(w)
print("Gi_Bin", cells["Gi_Bin"].value_counts().sort_index(ascending=False).to_dict())

ax = cells.plot(column=cells["Gi_Bin"].astype(float), cmap="RdBu_r", vmin=-3, vmax=3, legend=True,
                figsize=(8, 8), edgecolor="white", linewidth=0.2,
                legend_kwds={"label": "Gi_Bin (hot 3 .. cold -3)", "shrink": 0.6})
communes.boundary.plot(ax=ax, color="black", linewidth=0.6)
ax.set_title("Gi* hot and cold spots, 500 m hexagons")
ax.set_axis_off()
png = os.path.join(out_dir, "gi_star_hex.png")
plt.savefig(png, dpi=110, bbox_inches="tight")
print("wrote", png)
