"""Polygons to and from the flat arrays the extension reads (coords, ring ends, polygon ends,
geometry ends), and the CRS checks every distance function shares."""
import numpy as np

from ._errors import InputError, UsageError


def pack(geoms, name):
    """Shapely Polygons/MultiPolygons (a GeoSeries, GeoDataFrame or list) -> packed arrays."""
    coords, ring_end, poly_end, geom_end = [], [], [], []
    n = 0
    for i, g in enumerate(geoms):
        if g is None or g.is_empty:
            raise InputError(f"{name}: geometry {i} is empty", name)
        if g.geom_type == "Polygon":
            polys = [g]
        elif g.geom_type == "MultiPolygon":
            polys = list(g.geoms)
        else:
            raise InputError(f"{name}: geometry {i} is a {g.geom_type}, not a polygon", name)
        for p in polys:
            for ring in [p.exterior, *p.interiors]:
                c = np.asarray(ring.coords, dtype=np.float64)[:, :2]
                coords.append(c)
                n += len(c)
                ring_end.append(n)
            poly_end.append(len(ring_end))
        geom_end.append(len(poly_end))
    xy = np.concatenate(coords) if coords else np.empty((0, 2))
    return (np.ascontiguousarray(xy), np.asarray(ring_end, np.int64), np.asarray(poly_end, np.int64),
            np.asarray(geom_end, np.int64))


def unpack(packed):
    """Packed arrays -> a list of shapely MultiPolygons."""
    from shapely.geometry import MultiPolygon, Polygon
    xy, ring_end, poly_end, geom_end = packed
    out, r, p, v = [], 0, 0, 0
    for ge in geom_end:
        polys = []
        for pe in poly_end[p:ge]:
            rings = []
            for re in ring_end[r:pe]:
                rings.append(xy[v:re])
                v = re
            r = pe
            polys.append(Polygon(rings[0], rings[1:]))
        p = ge
        out.append(MultiPolygon(polys))
    return out


def crs_of(crs, data=None, name="crs"):
    """The CRS to work in: `crs` if given, else the data's (a GeoDataFrame's .crs), else None for
    planar data. Returns (pyproj.CRS or None, planar). Geographic CRSs are refused: distances are
    never computed in degrees (as `hotspot --work-crs EPSG:4326` refuses)."""
    if crs is None and data is not None:
        crs = getattr(data, "crs", None)
    if crs is None or (isinstance(crs, str) and crs == "planar"):
        return None, True
    import pyproj
    try:
        c = pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError as e:
        raise UsageError(f"{name}: cannot read CRS {crs!r}: {e}", name) from None
    if c.is_geographic:
        raise InputError(f"{name}: {c.to_string()} is geographic; distances are never computed in "
                         "degrees. Project first (e.g. gdf.to_crs(32648)) and pass a projected CRS "
                         "in metres", name)
    units = {a.unit_name for a in c.axis_info}
    if not units <= {"metre", "meter"}:
        raise InputError(f"{name}: {c.to_string()} does not use metres; give a CRS in metres", name)
    return c, False
