#!/usr/bin/python3
"""Reference aggregation of data/sample with geopandas, independent of hotspot's code.

Regenerate with (from the repository root):
    /usr/bin/python3 tests/golden/make_sample_reference.py data/sample tests/golden
It writes sample_communes.csv, sample_zones.csv and sample_zone_communes.csv, which
tests/cli/test_cli.py compares with `hotspot aggregate` on the same data.

Cleaning follows the documented reject rules: non-numeric / NaN / inf / empty coordinates,
points outside the working CRS's area of use (swapped ones included), and repeated ids (the first
accepted occurrence is kept). A time that is empty or not ISO 8601 keeps its row (without a time),
so times do not filter here.
"""
import sys

import geopandas as gpd
import numpy as np
import pandas as pd

sample, out = sys.argv[1], sys.argv[2]
WORK = "EPSG:9210"
BUFFER_M = 1000.0

communes = gpd.read_file(f"{sample}/communes.gpkg").to_crs(WORK)
zones = gpd.read_file(f"{sample}/zones.geojson").to_crs(WORK)

df = pd.read_csv(f"{sample}/incidents.csv", dtype=str, keep_default_na=False)
lon = pd.to_numeric(df["lon"].str.strip(), errors="coerce")
lat = pd.to_numeric(df["lat"].str.strip(), errors="coerce")
ok = np.isfinite(lon) & np.isfinite(lat)
# EPSG:9210's area of use (projinfo EPSG:9210 / GDAL GetAreaOfUse): Vietnam 102.14-109.53 E, 8.33-23.4 N.
ok &= lon.between(102.14, 109.53) & lat.between(8.33, 23.4)
df, lon, lat = df[ok], lon[ok], lat[ok]
first = ~df["id"].duplicated(keep="first")
df, lon, lat = df[first], lon[first], lat[first]

pts = gpd.GeoDataFrame(df[["id", "category"]], geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326").to_crs(WORK)
print(f"reference accepted {len(pts)} incidents", file=sys.stderr)

j = gpd.sjoin(pts, communes[["commune_id", "geometry"]], predicate="within", how="left")
per_commune = j.groupby("commune_id").size()
c = communes[["commune_id"]].copy()
c["incidents"] = c["commune_id"].map(per_commune).fillna(0).astype(int)
c["area_km2"] = communes.geometry.area / 1e6
c.to_csv(f"{out}/sample_communes.csv", index=False, float_format="%.9f")

rows, links = [], []
for _, z in zones.iterrows():
    buf = z.geometry.buffer(BUFFER_M, 16)
    ring = buf.difference(z.geometry)
    inside = pts.within(z.geometry)
    in_ring = pts.within(ring)
    rows.append({"zone_id": z["zone_id"], "area_ha": z.geometry.area / 1e4, "incidents_inside": int(inside.sum()),
                 "ring_area_ha": ring.area / 1e4, "incidents_ring": int(in_ring.sum())})
    for _, cm in communes.iterrows():
        if not cm.geometry.intersects(buf) or cm.geometry.intersection(buf).area == 0:
            continue
        in_c = pts.within(cm.geometry)
        links.append({"zone_id": z["zone_id"], "commune_id": cm["commune_id"],
                      "shared_area_km2": cm.geometry.intersection(z.geometry).area / 1e6,
                      "ring_area_km2": cm.geometry.intersection(ring).area / 1e6,
                      "fence_length_m": z.geometry.boundary.intersection(cm.geometry).length,
                      "incidents_shared": int((in_c & inside).sum()),
                      "incidents_ring": int((in_c & in_ring).sum())})
pd.DataFrame(rows).to_csv(f"{out}/sample_zones.csv", index=False, float_format="%.9f")
pd.DataFrame(links).to_csv(f"{out}/sample_zone_communes.csv", index=False, float_format="%.9f")
