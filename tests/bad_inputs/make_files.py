"""Builds the input files of the bad-input corpus into a directory (imported by run_corpus.py).

Text files are written from the `files` entries of cases.json; files that need GDAL or bytes that
JSON cannot hold are made here, by name.
"""
import os
import sqlite3

from osgeo import ogr, osr

SQUARES = [("A", "An Đồng", 106.60, 20.80, 106.62, 20.82), ("B", "Hồng Phong", 106.62, 20.80, 106.64, 20.82)]


def square_wkt(x0, y0, x1, y1):
    return f"POLYGON(({x0} {y0},{x1} {y0},{x1} {y1},{x0} {y1},{x0} {y0}))"


def write_layer(path, layer_name, rows, fields=("commune_id", "name"), epsg=4326, geom_type=ogr.wkbPolygon):
    """rows: list of (values tuple, wkt or None)."""
    drv = ogr.GetDriverByName("GPKG" if path.endswith(".gpkg") else "ESRI Shapefile")
    ds = drv.CreateDataSource(path) if not os.path.exists(path) else ogr.Open(path, 1)
    srs = None
    if epsg:
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(epsg)
        srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    options = ["ENCODING=UTF-8"] if path.endswith(".shp") else []
    layer = ds.CreateLayer(layer_name, srs, geom_type, options=options)
    for f in fields:
        layer.CreateField(ogr.FieldDefn(f, ogr.OFTString))
    for values, wkt in rows:
        feat = ogr.Feature(layer.GetLayerDefn())
        for f, v in zip(fields, values):
            feat.SetField(f, v)
        if wkt:
            g = ogr.CreateGeometryFromWkt(wkt)
            feat.SetGeometry(ogr.ForceToMultiPolygon(g) if geom_type == ogr.wkbMultiPolygon else g)
        layer.CreateFeature(feat)
    ds = None


def communes_rows(extra=()):
    return [((c, n), square_wkt(x0, y0, x1, y1)) for c, n, x0, y0, x1, y1 in SQUARES] + list(extra)


def make(name, path):
    if name == "communes.gpkg":
        write_layer(path, "communes", communes_rows())
    elif name == "communes_nocrs.shp":
        write_layer(path, "communes_nocrs", communes_rows(), epsg=None)
    elif name == "communes_utm.gpkg":
        # The same squares in UTM 48N: mixed CRSs across inputs.
        src = osr.SpatialReference(); src.ImportFromEPSG(4326); src.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        dst = osr.SpatialReference(); dst.ImportFromEPSG(32648); dst.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        ct = osr.CoordinateTransformation(src, dst)
        rows = []
        for (values, wkt) in communes_rows():
            g = ogr.CreateGeometryFromWkt(wkt)
            g.Transform(ct)
            rows.append((values, g.ExportToWkt()))
        write_layer(path, "communes", rows, epsg=32648)
    elif name == "communes_empty.gpkg":
        write_layer(path, "communes", [])
    elif name == "communes_nullgeom.gpkg":
        write_layer(path, "communes", communes_rows([(("N", "Null"), None)]))
    elif name == "communes_points.gpkg":
        write_layer(path, "communes", [(("P", "Point"), "POINT(106.61 20.81)")], geom_type=ogr.wkbPoint)
    elif name == "communes_bowtie.gpkg":
        write_layer(path, "communes", communes_rows([(("X", "Nơ"), "POLYGON((106.64 20.80,106.66 20.82,106.66 20.80,106.64 20.82,106.64 20.80))")]))
    elif name == "communes_sliver.gpkg":
        write_layer(path, "communes", communes_rows([(("S", "Sliver"), "POLYGON((106.64 20.80,106.66 20.80,106.65 20.80,106.64 20.80))")]))
    elif name == "communes_hole_outside.gpkg":
        write_layer(path, "communes", communes_rows([(("H", "Hole"), "POLYGON((106.64 20.80,106.66 20.80,106.66 20.82,106.64 20.82,106.64 20.80),(106.70 20.80,106.71 20.80,106.71 20.81,106.70 20.80))")]))
    elif name == "communes_overlapping_parts.gpkg":
        write_layer(path, "communes", communes_rows([(("M", "Multi"), "MULTIPOLYGON(((106.64 20.80,106.66 20.80,106.66 20.82,106.64 20.82,106.64 20.80)),((106.65 20.81,106.67 20.81,106.67 20.83,106.65 20.83,106.65 20.81)))")]), geom_type=ogr.wkbMultiPolygon)
    elif name == "communes_overlap.gpkg":
        # B overlaps A over [106.61, 106.62].
        write_layer(path, "communes", [(("A", "A"), square_wkt(106.60, 20.80, 106.62, 20.82)),
                                       (("B", "B"), square_wkt(106.61, 20.80, 106.64, 20.82))])
    elif name == "communes_gap.gpkg":
        write_layer(path, "communes", [(("A", "A"), square_wkt(106.60, 20.80, 106.615, 20.82)),
                                       (("B", "B"), square_wkt(106.625, 20.80, 106.64, 20.82))])
    elif name == "communes_inject.gpkg":
        write_layer(path, 'x"; DROP TABLE communes; --', communes_rows(), fields=("commune_id", "name", "pop'\"x"))
    elif name == "communes_readonly.gpkg":
        write_layer(path, "communes", communes_rows())
        os.chmod(path, 0o444)
    elif name == "not_a_gpkg.gpkg":
        with open(path, "wb") as f:
            f.write(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    elif name == "latin1.csv":
        with open(path, "wb") as f:
            f.write(b"id,lon,lat,category\n1,106.61,20.81,tr\xe9s grave\n2,106.63,20.81,vol\n")
    elif name == "binary.csv":
        with open(path, "wb") as f:
            f.write(bytes(range(256)) * 64)
    else:
        raise KeyError(f"no recipe for {name}")
