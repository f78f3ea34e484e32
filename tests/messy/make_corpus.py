#!/usr/bin/env python3
"""Builds the messy-data corpus of issue 13: what a Hai Phong analyst brings to a first run.

Usage: make_corpus.py OUT_DIR

Writes, under OUT_DIR:
  communes_cpg/communes.shp     communes in VN-2000 / UTM 48N (EPSG:3405), UTF-8 DBF with a .cpg
  communes_nocpg/communes.shp   the same without the .cpg (GDAL then reads the DBF language byte)
  communes_cp1258/communes.shp  the .dbf in Windows-1258 (tone marks as combining characters), no
                                .cpg and no language byte: the analyst's ArcView-era file
  communes_cp1258_ldid/         the same with the language byte 0x57 (GDAL: ISO-8859-1)
  communes_utf8_ldid/           UTF-8 text under the language byte 0x57 (GDAL alone: "XÃ£ An")
  zones.kml                     industrial zones as KML (WGS 84)
  incidents.csv                 ';'-separated, decimal commas, a UTF-8 BOM, CRLF line ends, the date
                                (dd/mm/yyyy) and the time of day in separate columns, Vietnamese
                                categories in mixed case and in NFC and NFD, extra columns
                                (address, case number), date-only rows and rows with no date
  incidents_cp1258.csv          the same text in Windows-1258 (tone marks as combining characters)
  incidents_surveyor.csv        VN-2000 coordinates in surveyors' order (X = northing)
  incidents_random.csv          random Unicode category names (never exit 1)
  incidents_excel.csv           incidents.csv as Excel saves it: a "sep=;" first line, data rows
                                ending in ";;", and rows of separators only (its "used range")
  incidents_utf16.csv           incidents_excel.csv in UTF-16LE with its byte order mark
  cases.json                    each case: its config and the expected outcome

Deterministic (seeded): the same corpus on every run.
"""
import json
import os
import random
import sys
import unicodedata

from osgeo import ogr, osr

ogr.UseExceptions()
osr.UseExceptions()

SEED = 13
# Two communes side by side, and one zone inside the first, in lon/lat around An Duong, Hai Phong.
COMMUNES = [("HP01", "Xã An Đồng", 12000, (106.60, 20.80, 106.65, 20.85)),
            ("HP02", "Xã Hồng Thái", 9000, (106.65, 20.80, 106.70, 20.85))]
ZONE = ("KCN1", "KCN Nomura", (106.61, 20.81, 106.63, 20.83))
CATEGORIES = ["Trộm cắp", "trộm cắp", "TRỘM CẮP", "Cướp giật", "cướp giật", "Đánh nhau"]


def srs(epsg):
    s = osr.SpatialReference()
    s.ImportFromEPSG(epsg)
    s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return s


def box_ring(x0, y0, x1, y1, to=None):
    ring = ogr.Geometry(ogr.wkbLinearRing)
    for x, y in [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]:
        ring.AddPoint_2D(x, y)
    poly = ogr.Geometry(ogr.wkbPolygon)
    poly.AddGeometry(ring)
    poly.AssignSpatialReference(srs(4326))
    if to:
        poly.TransformTo(to)
    return poly


def write_communes(path, with_cpg):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    drv = ogr.GetDriverByName("ESRI Shapefile")
    ds = drv.CreateDataSource(path)
    vn2000 = srs(3405)
    lyr = ds.CreateLayer("communes", vn2000, ogr.wkbPolygon, options=["ENCODING=UTF-8"])
    for name, width in [("ma_xa", 10), ("ten_xa", 40)]:
        f = ogr.FieldDefn(name, ogr.OFTString)
        f.SetWidth(width)
        lyr.CreateField(f)
    lyr.CreateField(ogr.FieldDefn("dan_so", ogr.OFTInteger))
    for cid, name, pop, b in COMMUNES:
        feat = ogr.Feature(lyr.GetLayerDefn())
        feat.SetField("ma_xa", cid)
        feat.SetField("ten_xa", name)
        feat.SetField("dan_so", pop)
        feat.SetGeometry(box_ring(*b, to=vn2000))
        lyr.CreateFeature(feat)
    ds = None
    if not with_cpg:
        os.remove(path[:-4] + ".cpg")


def write_dbf_fields(path, fields, rows, ldid=0):
    """A .dbf byte for byte: character fields (name, width), text as given (bytes), language byte
    `ldid` (byte 29)."""
    import struct
    record = 1 + sum(w for _, w in fields)
    out = struct.pack("<BBBBIHH17xB2x", 3, 126, 1, 1, len(rows), 32 + 32 * len(fields) + 1,
                      record, ldid)
    for name, width in fields:
        out += name.ljust(11, b"\0") + b"C" + b"\0" * 4 + bytes([width, 0]) + b"\0" * 14
    out += b"\r"
    for row in rows:
        out += b" " + b"".join(v.ljust(w)[:w] for v, (_, w) in zip(row, fields))
    with open(path, "wb") as f:
        f.write(out + b"\x1a")


def write_dbf(path, rows, ldid=0):
    """The communes' .dbf byte for byte: ma_xa C(10), ten_xa C(40), dan_so N(10); text as given
    (bytes), language byte `ldid` (byte 29)."""
    import struct
    fields = [(b"ma_xa", b"C", 10), (b"ten_xa", b"C", 40), (b"dan_so", b"N", 10)]
    record = 1 + sum(w for _, _, w in fields)
    out = struct.pack("<BBBBIHH17xB2x", 3, 126, 1, 1, len(rows), 32 + 32 * len(fields) + 1,
                      record, ldid)
    for name, kind, width in fields:
        out += name.ljust(11, b"\0") + kind + b"\0" * 4 + bytes([width, 0]) + b"\0" * 14
    out += b"\r"
    for cid, name, pop in rows:
        out += b" " + cid.ljust(10)[:10] + name.ljust(40)[:40] + str(pop).encode().rjust(10)
    with open(path, "wb") as f:
        f.write(out + b"\x1a")


def write_communes_encoded(path, encoding, ldid):
    """Communes as write_communes, then the .dbf rewritten in `encoding` with language byte `ldid`
    and no .cpg."""
    write_communes(path, False)
    enc = (lambda t: b"".join(cp1258_char(c) for c in unicodedata.normalize("NFC", t))) \
        if encoding == "cp1258" else (lambda t: t.encode("utf-8"))
    write_dbf(path[:-4] + ".dbf", [(cid.encode(), enc(name), pop) for cid, name, pop, _ in COMMUNES],
              ldid)


def write_zones(path):
    ds = ogr.GetDriverByName("KML").CreateDataSource(path)
    lyr = ds.CreateLayer("zones", srs(4326), ogr.wkbPolygon)
    lyr.CreateField(ogr.FieldDefn("zone_id", ogr.OFTString))
    feat = ogr.Feature(lyr.GetLayerDefn())
    feat.SetField("Name", ZONE[1])
    feat.SetField("zone_id", ZONE[0])
    feat.SetGeometry(box_ring(*ZONE[2]))
    lyr.CreateFeature(feat)
    ds = None


def incident_rows(rng, n):
    """(fields, note) per row; the notes say what the row tests."""
    rows = []
    for i in range(1, n + 1):
        lon = rng.uniform(106.602, 106.698)
        lat = rng.uniform(20.802, 20.848)
        day = rng.randint(1, 28)
        month = rng.randint(1, 12)
        date = f"{day:02d}/{month:02d}/2025"
        hour, minute = rng.randint(0, 23), rng.randint(0, 59)
        time = f"{hour:02d}:{minute:02d}"
        cat = rng.choice(CATEGORIES)
        if i % 3 == 0:
            cat = unicodedata.normalize("NFD", cat)  # as typed on a Windows-1258 keyboard
        if i % 17 == 0:
            time = ""  # date-only
        if i % 29 == 0:
            date, time = "", ""  # no time at all: kept for the spatial counts
        addr = f"Số {i} đường Lê Lợi"
        fields = [str(i), f"HS-{2025}-{i:05d}", f"{lon:.6f}".replace(".", ","),
                  f"{lat:.6f}".replace(".", ","), date, time, cat, addr]
        rows.append(fields)
    rows.append([str(n + 1), "HS-x", "abc", "20,81", "01/01/2025", "10:00", "Trộm cắp", "x"])  # bad_number
    return rows


HEADER = ["STT", "Số hồ sơ", "Kinh độ", "Vĩ độ", "Ngày", "Giờ", "Loại vụ việc", "Địa chỉ"]


TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def cp1258_char(c):
    """A character as Windows-1258 writes it: precomposed when the code page has it, else the
    letter without its tone mark followed by the combining tone mark."""
    try:
        return c.encode("cp1258")
    except UnicodeEncodeError:
        d = unicodedata.normalize("NFD", c)
        base = unicodedata.normalize("NFC", "".join(ch for ch in d if ch not in TONES))
        tones = "".join(ch for ch in d if ch in TONES)
        return (base + tones).encode("cp1258")


def write_csv(path, rows, encoding="utf-8", bom=True):
    text = "\r\n".join(";".join(r) for r in [HEADER] + rows) + "\r\n"
    if encoding == "cp1258":
        # Windows-1258 has few precomposed toned letters: tone marks are combining characters.
        data = b"".join(cp1258_char(c) for c in unicodedata.normalize("NFC", text))
    else:
        data = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
    with open(path, "wb") as f:
        f.write(data)


def write_excel_csv(path, rows, encoding="utf-8"):
    lines = ["sep=;", ";".join(HEADER)] + [";".join(r) + ";;" for r in rows] + [";" * 9] * 5
    text = "\r\n".join(lines) + "\r\n"
    data = b"\xff\xfe" + text.encode("utf-16-le") if encoding == "utf-16" else text.encode("utf-8")
    with open(path, "wb") as f:
        f.write(data)


def write_surveyor_csv(path, rng, n):
    t = osr.CoordinateTransformation(srs(4326), srs(3405))
    lines = ["id,X,Y,time"]
    for i in range(1, n + 1):
        e, nrt, _ = t.TransformPoint(rng.uniform(106.602, 106.698), rng.uniform(20.802, 20.848))
        # Surveyors write X = northing, Y = easting.
        lines.append(f"{i},{nrt:.2f},{e:.2f},2025-09-01T10:00:00")
    with open(path, "w", newline="") as f:
        f.write("\n".join(lines) + "\n")


def random_name(rng):
    pools = [(0x41, 0x7A), (0xC0, 0x24F), (0x300, 0x36F), (0x1EA0, 0x1EF9), (0x4E00, 0x4E80),
             (0x1F600, 0x1F64F), (0x20, 0x2F), (0x200B, 0x200F), (0x0600, 0x06FF)]
    out = []
    for _ in range(rng.randint(1, 24)):
        lo, hi = rng.choice(pools)
        out.append(chr(rng.randint(lo, hi)))
    return "".join(out).replace('"', "'").replace("\n", " ")


def write_random_csv(path, rng, n):
    lines = ["id,lon,lat,time,category"]
    for i in range(1, n + 1):
        name = random_name(rng)
        if rng.random() < 0.3:
            name = name.upper() if rng.random() < 0.5 else name.lower()
        lines.append(f'{i},{rng.uniform(106.602, 106.698):.6f},{rng.uniform(20.802, 20.848):.6f},'
                     f'2025-09-{rng.randint(1, 28):02d}T10:00:00,"{name}"')
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("\n".join(lines) + "\n")


def config(out_dir, name, communes, incidents, extra=None, analyses=None, communes_extra=None):
    inc = {"path": incidents}
    inc.update(extra or {})
    com = {"path": communes, "id_field": "ma_xa", "name_field": "ten_xa", "population_field": "dan_so"}
    com.update(communes_extra or {})
    return {
        "title": f"messy corpus: {name}",
        "inputs": {"communes": com,
                   "zones": {"path": "zones.kml", "id_field": "zone_id"},
                   "incidents": inc},
        "work_crs": "EPSG:3405",
        "output": {"path": f"out/{name}.gpkg", "quicklook": False},
        "analyses": analyses or [
            {"type": "aggregate", "zone_buffer_m": 500},
            {"type": "profiles"},
            {"type": "kde", "cell_size": 100, "bandwidth": 300, "kernel": "quartic",
             "mask": "communes", "hours": "22:00-06:00"},
            {"type": "clusters", "method": "st-dbscan", "eps": 300, "eps_time": "6h", "min_points": 3},
        ],
    }


def main():
    out = os.path.abspath(sys.argv[1])
    os.makedirs(os.path.join(out, "out"), exist_ok=True)
    rng = random.Random(SEED)
    write_communes(os.path.join(out, "communes_cpg", "communes.shp"), True)
    write_communes(os.path.join(out, "communes_nocpg", "communes.shp"), False)
    write_communes_encoded(os.path.join(out, "communes_cp1258", "communes.shp"), "cp1258", 0)
    write_communes_encoded(os.path.join(out, "communes_cp1258_ldid", "communes.shp"), "cp1258", 0x57)
    write_communes_encoded(os.path.join(out, "communes_utf8_ldid", "communes.shp"), "utf-8", 0x57)
    write_zones(os.path.join(out, "zones.kml"))
    rows = incident_rows(rng, 400)
    write_csv(os.path.join(out, "incidents.csv"), rows)
    write_csv(os.path.join(out, "incidents_cp1258.csv"), rows, encoding="cp1258")
    write_excel_csv(os.path.join(out, "incidents_excel.csv"), rows)
    write_excel_csv(os.path.join(out, "incidents_utf16.csv"), rows, "utf-16")
    write_surveyor_csv(os.path.join(out, "incidents_surveyor.csv"), rng, 200)
    write_random_csv(os.path.join(out, "incidents_random.csv"), rng, 300)

    spreadsheet = {"id_field": "STT", "x_field": "Kinh độ", "y_field": "Vĩ độ",
                   "date_field": "Ngày", "time_field": "Giờ", "category_field": "Loại vụ việc",
                   "time_format": "%d/%m/%Y %H:%M"}
    n = len(rows)
    date_only = sum(1 for r in rows if r[4] and not r[5])
    no_time = sum(1 for r in rows if not r[4])
    cases = [
        {"name": "spreadsheet_cpg", "expect_exit": 0, "rows": n, "rejected": 1,
         "date_only": date_only, "time_missing": no_time, "categories": 3,
         "config": config(out, "spreadsheet_cpg", "communes_cpg/communes.shp", "incidents.csv",
                          spreadsheet)},
        {"name": "spreadsheet_nocpg", "expect_exit": 0, "rows": n, "rejected": 1,
         "date_only": date_only, "time_missing": no_time, "categories": 3,
         "config": config(out, "spreadsheet_nocpg", "communes_nocpg/communes.shp",
                          "incidents.csv", spreadsheet)},
        {"name": "cp1258", "expect_exit": 0, "rows": n, "rejected": 1, "categories": 3,
         "date_only": date_only, "time_missing": no_time,
         "config": config(out, "cp1258", "communes_cpg/communes.shp", "incidents_cp1258.csv",
                          dict(spreadsheet, encoding="cp1258"))},
        {"name": "excel_sep_line_used_range", "expect_exit": 0, "rows": n, "rejected": 1,
         "date_only": date_only, "time_missing": no_time, "categories": 3,
         "config": config(out, "excel_sep_line_used_range", "communes_cpg/communes.shp",
                          "incidents_excel.csv", spreadsheet)},
        {"name": "excel_utf16", "expect_exit": 0, "rows": n, "rejected": 1,
         "date_only": date_only, "time_missing": no_time, "categories": 3,
         "init_expect": {"inputs.incidents.x_field": "Kinh độ"},
         "config": config(out, "excel_utf16", "communes_cpg/communes.shp", "incidents_utf16.csv",
                          dict(spreadsheet, encoding="utf-16"))},
        {"name": "cp1258_read_as_utf8", "expect_exit": 2, "fails_at": "check", "stderr_has": ["Kinh độ", "inputs.incidents.encoding"],
         "config": config(out, "cp1258_read_as_utf8", "communes_cpg/communes.shp",
                          "incidents_cp1258.csv", spreadsheet)},
        {"name": "aliases", "expect_exit": 0, "rows": n, "rejected": 1, "categories": 2,
         "config": config(out, "aliases", "communes_cpg/communes.shp", "incidents.csv",
                          dict(spreadsheet, categories={"Trộm cắp tài sản": ["trộm cắp", "cướp giật"]}))},
        {"name": "keep_case", "expect_exit": 0, "rows": n, "rejected": 1, "categories": 6,
         "config": config(out, "keep_case", "communes_cpg/communes.shp", "incidents.csv",
                          dict(spreadsheet, category_case="keep"))},
        {"name": "no_time_format", "expect_exit": 3, "fails_at": "check",
         "stderr_has": ["do not parse", "inputs.incidents.time_format", "'dmy'", "line 2:"],
         "config": config(out, "no_time_format", "communes_cpg/communes.shp", "incidents.csv",
                          {k: v for k, v in spreadsheet.items() if k != "time_format"})},
        {"name": "surveyor_order", "expect_exit": 3, "fails_at": "check", "stderr_has": ["swapped", "northing"],
         "config": config(out, "surveyor_order", "communes_cpg/communes.shp",
                          "incidents_surveyor.csv",
                          {"x_field": "X", "y_field": "Y", "crs": "EPSG:3405"}),
         "stderr_lacks": ["ERROR 1"]},
        {"name": "surveyor_order_fixed", "expect_exit": 0, "rows": 200, "rejected": 0,
         "config": config(out, "surveyor_order_fixed", "communes_cpg/communes.shp",
                          "incidents_surveyor.csv",
                          {"x_field": "Y", "y_field": "X", "crs": "EPSG:3405"},
                          [{"type": "aggregate", "zone_buffer_m": 500}])},
        {"name": "random_unicode_categories", "expect_exit": 0, "rows": 300, "rejected": 0,
         "config": config(out, "random_unicode_categories", "communes_cpg/communes.shp",
                          "incidents_random.csv", {},
                          [{"type": "aggregate", "zone_buffer_m": 500}])},
    ]
    # Communes whose .dbf is not UTF-8 (or says it is not): names must come out as written, in NFC.
    names = sorted(unicodedata.normalize("NFC", c[1]) for c in COMMUNES)
    quick = [{"type": "aggregate", "zone_buffer_m": 500}, {"type": "profiles"}]
    counts = {"rows": n, "rejected": 1, "date_only": date_only, "time_missing": no_time,
              "categories": 3}
    cases += [
        dict(counts, name="communes_cp1258_key", expect_exit=0, commune_names=names,
             stderr_lacks=["U+FFFD"],
             config=config(out, "communes_cp1258_key", "communes_cp1258/communes.shp",
                           "incidents.csv", spreadsheet, quick, {"encoding": "cp1258"})),
        dict(counts, name="communes_cp1258_without_key", expect_exit=0,
             init_expect={"inputs.communes.encoding": "cp1258"},
             stderr_has=["U+FFFD", "Windows-1258", "Xã An Đồng", "inputs.communes.encoding to cp1258"],
             config=config(out, "communes_cp1258_without_key", "communes_cp1258/communes.shp",
                           "incidents.csv", spreadsheet, quick)),
        dict(counts, name="communes_cp1258_language_byte", expect_exit=0,
             init_expect={"inputs.communes.encoding": "cp1258"},
             stderr_has=["language byte (0x57)", "ISO-8859-1", "Windows-1258",
                         "inputs.communes.encoding to cp1258"],
             config=config(out, "communes_cp1258_language_byte", "communes_cp1258_ldid/communes.shp",
                           "incidents.csv", spreadsheet, quick)),
        dict(counts, name="communes_cp1258_language_byte_key", expect_exit=0, commune_names=names,
             stderr_lacks=["language byte"],
             config=config(out, "communes_cp1258_language_byte_key",
                           "communes_cp1258_ldid/communes.shp", "incidents.csv", spreadsheet, quick,
                           {"encoding": "cp1258"})),
        dict(counts, name="communes_utf8_language_byte", expect_exit=0, commune_names=names,
             stderr_has=["language byte (0x57) says ISO-8859-1, but its text is UTF-8"],
             config=config(out, "communes_utf8_language_byte", "communes_utf8_ldid/communes.shp",
                           "incidents.csv", spreadsheet, quick)),
        # The analyst's Windows-1258 files, as init configures them: both encodings detected.
        dict(counts, name="init_cp1258", expect_exit=0, commune_names=names, from_init=True,
             init_expect={"inputs.communes.encoding": "cp1258",
                          "inputs.incidents.encoding": "cp1258",
                          "inputs.incidents.x_field": "Kinh độ",
                          "inputs.incidents.date_field": "Ngày",
                          "inputs.incidents.time_field": "Giờ",
                          "inputs.incidents.category_field": "Loại vụ việc",
                          "inputs.communes.name_field": "ten_xa"},
             stderr_lacks=["U+FFFD"],
             config=config(out, "init_cp1258", "communes_cp1258/communes.shp",
                           "incidents_cp1258.csv", {}, quick)),
    ]
    for c in cases:
        path = os.path.join(out, c["name"] + ".json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(c["config"], f, ensure_ascii=False, indent=1)
        c["config_path"] = path
    with open(os.path.join(out, "cases.json"), "w", encoding="utf-8") as f:
        json.dump(cases, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
