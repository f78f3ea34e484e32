#!/usr/bin/python3
"""Digest of every table a hotspot GeoPackage holds, for comparing outputs across refactors.

For each table listed in gpkg_contents, plus layer_styles and qgis_projects, it hashes every row
(ordered by rowid) value by value: text and blobs as bytes, numbers with repr(), so one ulp of
difference changes the digest. What records the moment of writing is left out: run_metadata
(timings, the command line), layer_styles.update_time, qgis_projects.metadata, and the zip
around the project (its file dates): the project is hashed as the .qgs text inside.

Usage:
  layer_digest.py OUT.gpkg                  # prints {"table": {"rows": N, "sha256": "..."}}
  layer_digest.py OUT.gpkg --check GOLDEN   # exit 1 and name the tables that differ

The golden file tests/golden/run_sample/layer_digests.json was made with the binary of main
before the engine-API refactor (issue 12, commit cd0b866) by
  tests/cli/test_run_unchanged.py OLD/build/bin/hotspot . --write
Remake it only for a change that means to alter the sample's layers, and say so in the commit.
"""
import hashlib
import io
import json
import sqlite3
import sys
import zipfile

SKIP = {"run_metadata"}
SKIP_COLUMNS = {("layer_styles", "update_time"), ("qgis_projects", "metadata")}


def project_text(content):
    """The .qgs text of a qgis_projects row's content (a zip, stored as hex text)."""
    data = bytes.fromhex(content if isinstance(content, str) else content.decode())
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return b"".join(z.read(n) for n in sorted(z.namelist()))


def digest(path):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    tables = [r[0] for r in db.execute("SELECT table_name FROM gpkg_contents ORDER BY table_name")]
    for extra in ("layer_styles", "qgis_projects"):
        if db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (extra,)).fetchone():
            tables.append(extra)
    out = {}
    for t in tables:
        if t in SKIP:
            continue
        h = hashlib.sha256()
        n = 0
        cur = db.execute(f'SELECT * FROM "{t}" ORDER BY rowid')
        names = [d[0] for d in cur.description]
        for row in cur:
            n += 1
            for name, v in zip(names, row):
                if (t, name) in SKIP_COLUMNS:
                    continue
                if (t, name) == ("qgis_projects", "content"):
                    v = project_text(v)
                if isinstance(v, bytes):
                    h.update(b"B" + v)
                elif isinstance(v, str):
                    h.update(b"T" + v.encode())
                else:
                    h.update(b"N" + repr(v).encode())
                h.update(b"\x00")
            h.update(b"\x01")
        out[t] = {"rows": n, "sha256": h.hexdigest()}
    return out


def main():
    got = digest(sys.argv[1])
    if len(sys.argv) == 4 and sys.argv[2] == "--check":
        with open(sys.argv[3]) as f:
            want = json.load(f)
        bad = [t for t in sorted(set(want) | set(got)) if want.get(t) != got.get(t)]
        for t in bad:
            print(f"{t}: expected {want.get(t)}, got {got.get(t)}")
        sys.exit(1 if bad else 0)
    print(json.dumps(got, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
