#!/usr/bin/python3
"""The engine's layout rules (engine/src/README.md), checked on the source tree:
- no file in engine/src is over 600 lines;
- an algorithm folder includes nothing from io/, jobs/, run/ or top/, and names no CLI flag;
- public headers (engine/include) include no GDAL, GEOS or PROJ header;
- each public algorithm header hotspot/<area>.hpp has a folder engine/src/<area>/ (it mirrors it).

Usage: test_layout.py REPO_ROOT
"""
import os
import re
import sys

ROOT = os.path.abspath(sys.argv[1])
SRC = os.path.join(ROOT, "engine", "src")
INCLUDE = os.path.join(ROOT, "engine", "include", "hotspot")
ALGORITHMS = ["aggregate", "density", "cluster", "weights", "stats", "index", "geom", "crs"]
MAX_LINES = 600
# Public headers of shared value types, implemented where the README says (not an area folder).
SHARED_HEADERS = {"error", "geometry", "crs", "table", "ingest", "window", "spacetime", "huge_pages"}
# Public algorithm headers named after a source file rather than a folder: the folder they mirror.
FILE_HEADERS = {"local_stats": "stats", "emerging": "stats", "distribute": "stats"}


def sources(top):
    for d, _, files in os.walk(top):
        for f in files:
            if f.endswith((".cpp", ".hpp", ".h", ".in")):
                yield os.path.join(d, f)


def main():
    problems = []
    for path in sources(SRC):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        rel = os.path.relpath(path, ROOT)
        n = text.count("\n")
        if n > MAX_LINES:
            problems.append(f"{rel}: {n} lines (at most {MAX_LINES})")
        area = os.path.relpath(path, SRC).split(os.sep)[0]
        if area in ALGORITHMS:
            for m in re.finditer(r'#include "(io|jobs|run|top)/[^"]+"', text):
                problems.append(f"{rel}: an algorithm folder includes {m.group(0)[9:]}")
            for m in re.finditer(r'"--[a-z]', text):
                line = text[: m.start()].count("\n") + 1
                problems.append(f"{rel}:{line}: an algorithm names a CLI flag")
    for path in sources(INCLUDE):
        rel = os.path.relpath(path, ROOT)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for m in re.finditer(r"#include [<\"](gdal|ogr|cpl_|geos|proj)[^>\"]*[>\"]", text):
            problems.append(f"{rel}: a public header includes {m.group(0)[9:]}")
        name = os.path.splitext(os.path.basename(path))[0]
        parent = os.path.basename(os.path.dirname(path))
        mirrored = FILE_HEADERS.get(name, name)
        if parent == "hotspot" and name not in SHARED_HEADERS and not os.path.isdir(os.path.join(SRC, mirrored)):
            problems.append(f"{rel}: no engine/src/{name}/ for this public header to mirror")
        if parent != "hotspot" and not os.path.isdir(os.path.join(SRC, parent)):
            problems.append(f"{rel}: no engine/src/{parent}/ for this public header to mirror")
    for p in problems:
        print(p)
    print(f"{0 if problems else 1} passed, {1 if problems else 0} failed")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
