"""Builds the input files of the bad-input corpus into a directory (imported by run_corpus.py).

Text files are written from the `files` entries of cases.json; files that need GDAL or bytes that
JSON cannot hold are made here, by name.
"""
import os
import random
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
    elif name == "noeol.csv":
        with open(path, "wb") as f:  # a header line longer than the 1 MiB limit
            f.write(b"a" * ((1 << 20) + 100))
    elif name == "utf16.csv":
        # Excel's "Unicode Text": UTF-16LE with its byte order mark, tab-separated, CRLF.
        text = "id\tlon\tlat\tcategory\r\n1\t106.61\t20.81\tTr\u1ed9m c\u1eafp\r\n2\t106.63\t20.81\tx\r\n"
        with open(path, "wb") as f:
            f.write(b"\xff\xfe" + text.encode("utf-16-le"))
    elif name == "binary.csv":
        with open(path, "wb") as f:
            f.write(bytes(range(256)) * 64)
    elif name in ("communes_damaged.gpkg", "zones_damaged.gpkg"):
        write_layer(path, "communes", many_squares(3000), fields=("commune_id", "name", "note"))
        damage_middle(path)
    elif name == "incidents_damaged.gpkg":
        write_points(path, 5000)
        damage_middle(path)
    elif name == "communes_count_mismatch.gpkg":
        write_layer(path, "communes", communes_rows())
        set_contents_count(path, "communes", 5)
    elif name == "incidents_count_mismatch.gpkg":
        write_points(path, 50)
        set_contents_count(path, "incidents", 49)
    elif name == "categories_random.csv":
        # Seeded random Unicode categories that favour clashes: case, punctuation, long shared prefixes.
        rng = random.Random(14)
        pool = ["a", "A", "-", " ", ".", "ộ", "Ộ", "é", "É", "中", "😀", "\u0301", "'", "_", "1"]
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write("id,lon,lat,category\n")
            for k in range(400):
                cat = ("x" * 70 if rng.random() < 0.2 else "") + "".join(rng.choice(pool) for _ in range(rng.randint(1, 6)))
                cat = cat.strip() or "blank"
                f.write(f'{k},106.61,20.81,"{cat}"\n')
    elif name == "outside.gpkg":
        write_layer(path, "communes", communes_rows())  # someone's own GeoPackage, not hotspot's
    elif name == "deep100k.json":
        with open(path, "w") as f:
            f.write("[" * 100000 + "]" * 100000)
    elif name == "incidents.gpkg":
        write_points(path, 50)
    elif name in GEOMETRY_RECIPES:
        write_layer(path, "communes", communes_rows([(("G", "Hình cong"), GEOMETRY_RECIPES[name])]),
                    geom_type=ogr.wkbUnknown)
    elif name == "communes_projection_overlap.gpkg":
        # Valid in lon/lat; after projection to EPSG:32648 the second part's tip (5 m from the
        # first part's 45 km long edge) lies 12 m inside it: the edge bows 17 m in metres.
        write_layer(path, "communes", [(("P", "Hai phần"), PROJECTION_OVERLAP)], geom_type=ogr.wkbMultiPolygon)
    elif name == "communes_projection_selfcross.gpkg":
        # The same, within one ring: a notch reaching to 5 m of the ring's own long edge.
        write_layer(path, "communes", [(("S", "Khía"), PROJECTION_SELFCROSS)])
    elif name == "communes_world.gpkg":
        write_layer(path, "communes", communes_rows([(("W", "World"), square_wkt(-180, -85, 180, 85))]))
    elif name == "communes_far.gpkg":
        write_layer(path, "communes", communes_rows([(("F", "Far"), square_wkt(150.0, 20.80, 150.02, 20.82))]))
    elif name == "communes_nofields.gpkg":
        write_layer(path, "communes", communes_rows(), fields=("code_x", "label"))
    elif name in ("communes_tcvn3.shp", "communes_cpg1258.shp"):
        write_layer(path, "communes_shp", communes_rows(), fields=("commune_id", "name"))
        base = path[:-4]
        for ext in (".cpg",):
            if os.path.exists(base + ext):
                os.remove(base + ext)
        if name == "communes_tcvn3.shp":
            # Names in TCVN3 (ABC), a Vietnamese 8-bit code page GDAL does not know: with no .cpg
            # and no code page byte, GDAL passes the bytes through, and they are not UTF-8.
            write_dbf(base + ".dbf", [(b"commune_id", 10), (b"name", 30)],
                      [[b"A", b"An \xa7\xd3ng"], [b"B", b"H\xd3ng Phong"]])
        else:
            # ASCII field names, but a .cpg of 1258: GDAL's own CP1258 decoding would drop the
            # last character of each name (commune_i, nam); hotspot decodes them itself.
            write_dbf(base + ".dbf", [(b"commune_id", 10), (b"name", 30)],
                      [[b"A", b"An Dong"], [b"B", b"Hong Phong"]])
            with open(base + ".cpg", "w") as f:
                f.write("1258")
    elif name == "geo_zones.png":
        # A GeoJSON file named like the quick-look map of an output called geo_zones.gpkg.
        with open(path, "w") as f:
            f.write('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"zone_id":"Z","name":"KCN"},'
                    '"geometry":{"type":"Polygon","coordinates":[[[106.605,20.805],[106.615,20.805],[106.615,20.815],[106.605,20.805]]]}}]}')
    elif name == "previous_huge_id.gpkg":
        write_layer(path, "hotspot_zones", [(("Z9223372036854775807",), square_wkt(106.60, 20.80, 106.601, 20.801))],
                    fields=("hotspot_id",), geom_type=ogr.wkbMultiPolygon)
    else:
        raise KeyError(f"no recipe for {name}")


# Curves, collections and unclosed rings: each must be read as a polygon (linearised, flattened,
# closed), never fail inside GEOS.
GEOMETRY_RECIPES = {
    "communes_curvepolygon.gpkg": "CURVEPOLYGON(CIRCULARSTRING(106.64 20.80,106.66 20.81,106.64 20.82,106.62 20.81,106.64 20.80))",
    "communes_compoundcurve.gpkg": "CURVEPOLYGON(COMPOUNDCURVE(CIRCULARSTRING(106.64 20.80,106.65 20.805,106.66 20.80),(106.66 20.80,106.66 20.82,106.64 20.82,106.64 20.80)))",
    "communes_multisurface.gpkg": "MULTISURFACE(CURVEPOLYGON(CIRCULARSTRING(106.64 20.80,106.65 20.81,106.64 20.82,106.63 20.81,106.64 20.80)),((106.66 20.80,106.67 20.80,106.67 20.81,106.66 20.80)))",
    "communes_collection.gpkg": "GEOMETRYCOLLECTION(POLYGON((106.64 20.80,106.66 20.80,106.66 20.82,106.64 20.80)),LINESTRING(106.64 20.80,106.70 20.90),POINT(106.65 20.81))",
    "communes_unclosed_ring.gpkg": "POLYGON((106.64 20.80,106.66 20.80,106.66 20.82,106.64 20.82))",
    "communes_unclosed_hole.gpkg": "POLYGON((106.64 20.80,106.66 20.80,106.66 20.82,106.64 20.82,106.64 20.80),(106.645 20.805,106.65 20.805,106.65 20.81))",
    "communes_two_point_ring.gpkg": "POLYGON((106.64 20.80,106.66 20.80))",
}
PROJECTION_OVERLAP = ("MULTIPOLYGON(((106.6 20.8,106.9 21.1,106.9 20.8,106.6 20.8)),"
                      "((106.74995 20.95005,106.7 21.1,106.55 20.95,106.74995 20.95005)))")
PROJECTION_SELFCROSS = "POLYGON((106.6 20.8,106.9 21.1,106.75 21.3,106.74995 20.95005,106.5 21.0,106.6 20.8))"


def write_dbf(path, fields, rows):
    """A dBASE III file of character fields, byte for byte: names and values as given (bytes), no
    code page byte. fields: [(name, width)]; rows: [[value, ...]]."""
    import struct
    record = 1 + sum(w for _, w in fields)
    out = struct.pack("<BBBBIHH20x", 3, 126, 1, 1, len(rows), 32 + 32 * len(fields) + 1, record)
    for fname, width in fields:
        out += fname.ljust(11, b"\0")[:11] + b"C" + b"\0" * 4 + bytes([width, 0]) + b"\0" * 14
    out += b"\r"
    for r in rows:
        out += b" " + b"".join(v.ljust(w, b" ")[:w] for v, (_, w) in zip(r, fields))
    with open(path, "wb") as f:
        f.write(out + b"\x1a")


def many_squares(n):
    """n small squares inside commune A (so every one is a usable polygon), with a long note so the
    table spans many pages."""
    rows = []
    for k in range(n):
        x0, y0 = 106.60 + (k % 60) * 0.0003, 20.80 + (k // 60) * 0.0003
        rows.append(((f"C{k}", f"Commune {k}", "ghi chú " * 20), square_wkt(x0, y0, x0 + 0.0002, y0 + 0.0002)))
    return rows


def write_points(path, n):
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4326)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    layer = ds.CreateLayer("incidents", srs, ogr.wkbPoint)
    for f in ("id", "category", "note"):
        layer.CreateField(ogr.FieldDefn(f, ogr.OFTString))
    layer.StartTransaction()
    for k in range(n):
        feat = ogr.Feature(layer.GetLayerDefn())
        feat.SetField("id", str(k))
        feat.SetField("category", "theft" if k % 2 else "robbery")
        feat.SetField("note", "địa chỉ " * 10)
        feat.SetGeometry(ogr.CreateGeometryFromWkt(f"POINT({106.601 + (k % 70) * 0.0005} {20.801 + (k // 70) * 0.0002})"))
        layer.CreateFeature(feat)
    layer.CommitTransaction()
    ds = None


def damage_middle(path):
    """Overwrites one page in the middle of the file with junk, as a partly copied or synced file
    has: the table's leaf pages are there (GDAL builds the spatial index after the rows)."""
    page = 4096
    size = os.path.getsize(path)
    with open(path, "r+b") as f:
        f.seek((size // 2) // page * page)
        f.write(bytes([0xA5]) * page)


def set_contents_count(path, table, n):
    db = sqlite3.connect(path)
    db.execute("UPDATE gpkg_ogr_contents SET feature_count = ? WHERE table_name = ?", (n, table))
    db.commit()
    db.close()
