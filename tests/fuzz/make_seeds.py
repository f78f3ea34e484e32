#!/usr/bin/env python3
"""Writes the seed corpora of the ogr and top fuzz targets (tests/fuzz/corpus/{ogr,top}).

Small files on purpose: GeoPackages are vacuumed to 512-byte pages. Run from the repository root:
    /usr/bin/python3 tests/fuzz/make_seeds.py
The format of each seed (first byte, lengths) is described in ogr_fuzz.cpp and top_fuzz.cpp.
"""
import json
import os
import sqlite3
import struct
import tempfile

from osgeo import gdal, ogr, osr

gdal.UseExceptions()
HERE = os.path.dirname(os.path.abspath(__file__))
WKT = {
    "square": "POLYGON ((105.80 21.00, 105.81 21.00, 105.81 21.01, 105.80 21.01, 105.80 21.00))",
    "bowtie": "POLYGON ((105.80 21.00, 105.81 21.01, 105.81 21.00, 105.80 21.01, 105.80 21.00))",
    "multi": "MULTIPOLYGON (((105.80 21.00, 105.81 21.00, 105.81 21.01, 105.80 21.00)),"
             " ((105.81 21.00, 105.82 21.00, 105.82 21.01, 105.81 21.00)))",
    "curve": "CURVEPOLYGON (CIRCULARSTRING (105.80 21.00, 105.81 21.01, 105.80 21.00))",
    "collection": "GEOMETRYCOLLECTION (POLYGON ((105.80 21.00, 105.81 21.00, 105.81 21.01, "
                  "105.80 21.00)), POINT (105.8 21.0))",
}


def srs4326():
    s = osr.SpatialReference()
    s.ImportFromEPSG(4326)
    s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return s


def polygon_layer(ds, name, wkts, srs):
    lyr = ds.CreateLayer(name, srs, ogr.wkbUnknown)
    for f in ("commune_id", "name", "value"):
        lyr.CreateField(ogr.FieldDefn(f, ogr.OFTReal if f == "value" else ogr.OFTString))
    for i, w in enumerate(wkts):
        f = ogr.Feature(lyr.GetLayerDefn())
        f["commune_id"] = f"C{i}"
        f["name"] = "Xã Đông Anh" if i % 2 else "Ph\u01b0\u1eddng"
        f["value"] = float(i)
        f.SetGeometry(ogr.CreateGeometryFromWkt(w))
        lyr.CreateFeature(f)


def point_layer(ds, name, srs, n=5):
    lyr = ds.CreateLayer(name, srs, ogr.wkbPoint)
    for f, t in (("id", ogr.OFTString), ("time", ogr.OFTString), ("category", ogr.OFTString),
                 ("value", ogr.OFTReal)):
        lyr.CreateField(ogr.FieldDefn(f, t))
    for i in range(n):
        f = ogr.Feature(lyr.GetLayerDefn())
        f["id"] = f"i{i}"
        f["time"] = f"2024-01-0{i + 1}T10:00:00"
        f["category"] = "theft"
        f["value"] = float(i)
        f.SetGeometry(ogr.CreateGeometryFromWkt(f"POINT ({105.8 + i * 0.001} 21.0)"))
        lyr.CreateFeature(f)
    return lyr


def shrink(path):
    con = sqlite3.connect(path)
    con.execute("PRAGMA page_size=512")
    con.execute("VACUUM")
    con.close()


def gpkg_bytes(build):
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "seed.gpkg")
        ds = ogr.GetDriverByName("GPKG").CreateDataSource(p)
        build(ds)
        ds = None
        shrink(p)
        return open(p, "rb").read()


def shapefile_bytes(wkts, points=False):
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "seed.shp")
        ds = ogr.GetDriverByName("ESRI Shapefile").CreateDataSource(p)
        if points:
            point_layer(ds, "seed", srs4326())
        else:
            polygon_layer(ds, "seed", wkts, srs4326())
        ds = None
        shp, shx, dbf = (open(os.path.join(d, "seed." + e), "rb").read() for e in ("shp", "shx", "dbf"))
    return struct.pack("<I", len(shp))[:3] + struct.pack("<I", len(shx))[:3] + shp + shx + dbf


def write(target, name, data):
    with open(os.path.join(HERE, "corpus", target, name), "wb") as f:
        f.write(data)


def main():
    srs = srs4326()
    polys = gpkg_bytes(lambda ds: polygon_layer(ds, "communes", list(WKT.values()), srs))
    points = gpkg_bytes(lambda ds: point_layer(ds, "incidents", srs))
    # first byte: bit 0 = Shapefile, bits 1.. = reader (0 polygons, 1 incidents, 2 units), bit 7 = .cpg 1258
    write("ogr", "gpkg_polygons", bytes([0]) + polys)
    write("ogr", "gpkg_units", bytes([4]) + polys)
    write("ogr", "gpkg_incidents", bytes([2]) + points)
    write("ogr", "shp_polygons", bytes([1]) + shapefile_bytes(list(WKT.values())[:3]))
    write("ogr", "shp_polygons_cpg1258", bytes([0x81]) + shapefile_bytes(list(WKT.values())[:3]))
    write("ogr", "shp_incidents", bytes([3]) + shapefile_bytes([], points=True))

    def top_file(ds):
        point_layer(ds, "incidents", srs, n=4)
        z = ds.CreateLayer("hotspot_zones", srs, ogr.wkbMultiPolygon)
        z.CreateField(ogr.FieldDefn("hotspot_id", ogr.OFTString))
        z.CreateField(ogr.FieldDefn("zone_rank", ogr.OFTInteger64))
        f = ogr.Feature(z.GetLayerDefn())
        f["hotspot_id"] = "Z1"
        f["zone_rank"] = 1
        f.SetGeometry(ogr.CreateGeometryFromWkt("MULTIPOLYGON (((105.799 20.99, 105.81 20.99, 105.81 21.01, 105.799 20.99)))"))
        z.CreateFeature(f)
        m = ds.CreateLayer("run_metadata", None, ogr.wkbNone)
        m.CreateField(ogr.FieldDefn("key", ogr.OFTString))
        m.CreateField(ogr.FieldDefn("value", ogr.OFTString))
        f = ogr.Feature(m.GetLayerDefn())
        f["key"] = "parameters"
        f["value"] = json.dumps({"steps": [{"parameters": {"utc_offset_minutes": 420}}]})
        m.CreateFeature(f)

    write("top", "gpkg_top", bytes([1]) + gpkg_bytes(top_file))
    write("top", "params_flat", b"\x00" + json.dumps({"utc_offset_minutes": 420}).encode())
    write("top", "params_nested", b"\x00" + json.dumps({"steps": [{"parameters": {"utc_offset_minutes": -300}}]}).encode())
    write("top", "params_deep", b"\x00" + b"[" * 70 + b"]" * 70)
    write("top", "params_big", b"\x00" + b'{"utc_offset_minutes": 99999999999999999999}')


if __name__ == "__main__":
    main()
